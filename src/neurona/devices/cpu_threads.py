"""Independent blocks of work spread over the CPU's cores, one Python thread per core.

NumPy's ``exp`` and neurona's compiled row kernels run on one core, and OpenBLAS threads a small product badly (a
(512, 16) x (16, 512) product of attention's scores took 170 microseconds on two threads and 99 on one,
measured on an Intel Xeon). Where a computation falls into independent blocks that each take a hundred
microseconds or more (attention's (batch, head) items), each core takes a share of the blocks in its own thread
with BLAS on one thread. NumPy's products and ufuncs and the compiled kernels (``nogil``) release the GIL, so the
threads run at once: attention's forward on (64, 4, 512, 16) went from 179 to 84 ms on two cores.

In training the gain is smaller. After each product on several threads, OpenBLAS's idle workers spin for about
0.14 s (measured: 140 ms of user time after one product), and a spinning worker shares its core with these
threads. A Transformer's step at 512 steps took 0.87-0.90x the time of one thread, at 128 steps 1.04-1.06x
(attention shares its blocks from ``ops.attention.PARALLEL_SCORES`` scores a call, which 512 steps reach and 128 do
not). Where ``OPENBLAS_THREAD_TIMEOUT=4`` is set before NumPy loads, its workers sleep at once: 0.70x and 0.89x.
neurona does not set it: with workers that sleep sooner (``=20``), the MLP's epoch took 1.06-1.16x as long
(batch 32-128), waiting for them to wake.

Each block is computed by the same calls as in one thread, so the results are the same bits. A worker runs with
the caller's denormal flushing (:mod:`~neurona.devices.cpu_flags`: the register is per thread). Without
``threadpoolctl`` (part of ``neurona[fast]``), on one core, or while another thread is in a parallel region (the
BLAS thread count is one setting for the process), the blocks run in the calling thread.

>>> import numpy as np
>>> out = np.zeros(4)
>>> def fill(part):
...     for i in part:
...         out[i] = i * i
>>> run_in_parts(fill, range(4))
>>> out.tolist()
[0.0, 1.0, 4.0, 9.0]
"""
from __future__ import annotations

import contextlib
import os
import threading

from . import cpu_flags

_region = threading.Lock()   # held while the blocks of one call run over the cores
_pool = None                 # (process id, workers, ThreadPoolExecutor): made again in a forked child
_blas = None                 # threadpoolctl's controllers of the BLAS libraries; an empty list without it


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not Linux
        return os.cpu_count() or 1


def run_in_parts(work, blocks) -> None:
    """``work(part)`` for ``cores()`` contiguous parts of ``blocks``, one per core, at once; returns when all
    have finished, and raises the first error of any part. ``work`` must only touch what its part owns."""
    blocks = list(blocks)
    parts = min(cores(), len(blocks))
    if parts < 2 or not _blas_controllers() or not _region.acquire(blocking=False):
        work(blocks)
        return
    try:
        bounds = [len(blocks) * i // parts for i in range(parts + 1)]
        chunks = [blocks[bounds[i]:bounds[i + 1]] for i in range(parts)]
        flushing = cpu_flags.is_flushing()
        pool = _executor(parts - 1)
        with _one_blas_thread():
            futures = [pool.submit(_run, work, chunk, flushing) for chunk in chunks[1:]]
            try:
                work(chunks[0])
            finally:
                errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None:
                raise error
    finally:
        _region.release()


def _run(work, chunk, flushing):
    with cpu_flags.flush_denormals() if flushing else contextlib.nullcontext():
        work(chunk)


def _executor(workers):
    """The pool of worker threads, with room for ``workers`` (made again in a forked child, whose threads are gone)."""
    global _pool
    from concurrent.futures import ThreadPoolExecutor
    if _pool is None or _pool[0] != os.getpid() or _pool[1] < workers:
        _pool = (os.getpid(), workers, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="neurona-cpu"))
    return _pool[2]


def _blas_controllers():
    """threadpoolctl's controllers of the loaded BLAS libraries (found once), or an empty list."""
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _blas = []
        else:
            _blas = ThreadpoolController().select(user_api="blas").lib_controllers
    return _blas


@contextlib.contextmanager
def _one_blas_thread():
    controllers = _blas_controllers()
    before = [c.get_num_threads() for c in controllers]
    for c in controllers:
        c.set_num_threads(1)
    try:
        yield
    finally:
        for c, n in zip(controllers, before):
            c.set_num_threads(n)
