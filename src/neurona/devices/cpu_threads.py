"""Independent blocks of work spread over the CPU's cores, one thread per core.

NumPy's ``exp`` and neurona's compiled row kernels run on one core, and OpenBLAS threads a small product badly (a
(512, 16) x (16, 512) product of attention's scores took 170 microseconds on two threads and 99 on one,
measured on an Intel Xeon). Where a computation falls into independent blocks that each take a hundred
microseconds or more (attention's (batch, head) items), each core takes a share of the blocks in its own thread
with BLAS on one thread. NumPy's products and ufuncs and the compiled kernels (``nogil``) release the GIL, so the
threads run at once: attention's forward on (64, 4, 512, 16) went from 179 to 84 ms on two cores.

In training, OpenBLAS's idle worker spins for about 0.14 s after each product on several threads (measured:
140 ms of user time after one product), and a spinning worker took its share of a core from these threads:
attention's forward on (64, 4, 512, 16) took 112 ms after a product, as long as on one thread. So where NumPy's
OpenBLAS exports ``gotoblas_pthread`` (its pool's own entry point for running a function on its threads), the
parts run on OpenBLAS's workers themselves, the spinning one included: 74 ms after a product, and 5.8 instead of
10.8 ms at 128 steps. Elsewhere (another BLAS, or OpenBLAS on fewer threads than the parts) they run on a pool of
Python threads.

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
_gotoblas_pthread = None     # NumPy's OpenBLAS's entry point for running a function on its threads (False: none)
_PART_FUNCTION = None        # its function's C type, void (*)(void *)
_workers_library = None      # the index of that OpenBLAS among the BLAS controllers


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
        with _one_blas_thread() as threads_before:
            if _blas_workers() is not None and threads_before[_workers_library] >= parts:
                errors = _on_blas_workers(work, chunks, flushing)
            else:
                errors = _on_python_threads(work, chunks, flushing)
        for error in errors:
            if error is not None:
                raise error
    finally:
        _region.release()


def _on_python_threads(work, chunks, flushing):
    """The first chunk in this thread, the others on the pool's threads; the error of each (None if none)."""
    pool = _executor(len(chunks) - 1)
    futures = [pool.submit(_run, work, chunk, flushing) for chunk in chunks[1:]]
    try:
        work(chunks[0])
    finally:
        errors = [f.exception() for f in futures]
    return errors


def _on_blas_workers(work, chunks, flushing):
    """The first chunk in this thread, the others on OpenBLAS's workers (``gotoblas_pthread(n, function, args,
    stride)`` calls ``function(args + i * stride)`` for i < n, i = 0 in the caller); the error of each chunk."""
    import ctypes
    errors = [None] * len(chunks)

    def part(index):
        index = index or 0   # ctypes passes a null pointer as None
        try:
            if index:
                _run(work, chunks[index], flushing)
            else:
                work(chunks[0])
        except BaseException as error:   # noqa: B036 (a C thread cannot raise: the caller does)
            errors[index] = error
    callback = _PART_FUNCTION(part)
    _blas_workers()(len(chunks), ctypes.cast(callback, ctypes.c_void_p), None, 1)
    return errors


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


def _blas_workers():
    """NumPy's OpenBLAS's ``gotoblas_pthread`` as a ctypes function (found once), or None where NumPy's BLAS is
    another library or exports no such entry point."""
    global _gotoblas_pthread, _PART_FUNCTION, _workers_library
    if _gotoblas_pthread is None:
        _gotoblas_pthread = False
        controllers = _blas_controllers()
        openblas = [c for c in controllers if c.internal_api == "openblas"]
        numpys = [c for c in openblas if "numpy" in c.filepath] or (openblas if len(openblas) == 1 else [])
        function = getattr(getattr(numpys[0], "dynlib", None), "gotoblas_pthread", None) if numpys else None
        if function is not None:
            import ctypes
            function.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
            function.restype = ctypes.c_int
            _PART_FUNCTION = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
            _workers_library = controllers.index(numpys[0])
            _gotoblas_pthread = function
    return _gotoblas_pthread or None


@contextlib.contextmanager
def _one_blas_thread():
    """BLAS on one thread inside; yields each library's thread count before."""
    controllers = _blas_controllers()
    before = [c.get_num_threads() for c in controllers]
    for c in controllers:
        c.set_num_threads(1)
    try:
        yield before
    finally:
        for c, n in zip(controllers, before):
            c.set_num_threads(n)
