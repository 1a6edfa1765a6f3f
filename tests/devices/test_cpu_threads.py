"""run_in_parts: blocks shared among the cores, each exactly once, BLAS on one thread meanwhile and restored after,
errors raised in the caller, nested calls in the calling thread, and the caller's denormal flushing in every
worker."""
import threading

import numpy as np
import pytest

from neurona.devices import cpu_flags, cpu_threads

pytest.importorskip("threadpoolctl")
needs_two_cores = pytest.mark.skipif(cpu_threads.cores() < 2, reason="one core: the parts run in this thread")


@pytest.fixture(autouse=True, params=["blas workers", "python threads"])
def where_parts_run(request, monkeypatch):
    """Each test twice: the parts on OpenBLAS's workers (where NumPy's OpenBLAS exports its pool), and on Python
    threads (any other BLAS)."""
    if request.param == "python threads":
        monkeypatch.setattr(cpu_threads, "_blas_workers", lambda: None)
    return request.param


def record(blocks):
    """run_in_parts over ``blocks``: each part as (thread, its blocks)."""
    parts, lock = [], threading.Lock()

    def work(part):
        with lock:
            parts.append((threading.get_ident(), list(part)))
    cpu_threads.run_in_parts(work, blocks)
    return parts


@needs_two_cores
def test_each_block_runs_once_in_contiguous_parts_on_several_threads():
    parts = record(range(11))
    assert sorted(b for _, blocks in parts for b in blocks) == list(range(11))
    assert all(blocks == list(range(blocks[0], blocks[-1] + 1)) for _, blocks in parts)
    assert len(parts) == min(cpu_threads.cores(), 11)
    assert len({thread for thread, _ in parts}) == len(parts)
    assert threading.get_ident() in {thread for thread, _ in parts}   # the caller takes a part itself


@needs_two_cores
def test_parts_run_on_openblas_workers_where_numpy_exports_its_pool(where_parts_run):
    """Not on the pool of Python threads, whose threads would share a core with OpenBLAS's spinning worker."""
    if where_parts_run == "blas workers" and cpu_threads._blas_workers() is None:
        pytest.skip("NumPy's BLAS is not an OpenBLAS that exports gotoblas_pthread")
    names = []
    cpu_threads.run_in_parts(lambda part: names.append(threading.current_thread().name), range(2))
    assert len(names) == 2
    on_pool = sorted(name.startswith("neurona-cpu") for name in names)
    assert on_pool == ([False, False] if where_parts_run == "blas workers" else [False, True])


def test_one_block_runs_in_the_calling_thread():
    assert record([7]) == [(threading.get_ident(), [7])]


@needs_two_cores
def test_blas_runs_on_one_thread_inside_and_gets_its_threads_back_after():
    controllers = cpu_threads._blas_controllers()
    before = [c.get_num_threads() for c in controllers]
    inside = []
    cpu_threads.run_in_parts(lambda part: inside.append([c.get_num_threads() for c in controllers]), range(4))
    assert inside and all(counts == [1] * len(controllers) for counts in inside)
    assert [c.get_num_threads() for c in controllers] == before


@needs_two_cores
def test_an_error_in_a_worker_reaches_the_caller_and_frees_the_region():
    def work(part):
        if 3 in part:   # the last part: a worker thread's
            raise ValueError("block 3 failed")
    with pytest.raises(ValueError, match="block 3 failed"):
        cpu_threads.run_in_parts(work, range(4))
    assert len({thread for thread, _ in record(range(4))}) > 1   # the next call is shared again


def test_a_nested_call_runs_in_its_own_thread_without_waiting():
    inner = []

    def outer(part):
        for _ in part:
            cpu_threads.run_in_parts(lambda blocks: inner.append((threading.get_ident(), list(blocks))), range(3))
    cpu_threads.run_in_parts(outer, range(2))
    assert sorted(b for _, blocks in inner for b in blocks) == [0, 0, 1, 1, 2, 2]
    assert all(len(blocks) == 3 for _, blocks in inner)   # each nested call whole, in one thread


def test_workers_flush_denormals_when_the_caller_does():
    tiny = np.float32(1e-39)
    seen = []
    with cpu_flags.flush_denormals() as active:
        if not active:
            pytest.skip("denormal flushing is not available on this CPU or C library")
        cpu_threads.run_in_parts(lambda part: seen.extend(float(tiny * np.float32(1.0)) for _ in part), range(4))
    assert seen == [0.0] * 4
    seen.clear()
    cpu_threads.run_in_parts(lambda part: seen.extend(float(tiny * np.float32(1.0)) for _ in part), range(4))
    assert seen == [float(tiny)] * 4   # outside flush_denormals: IEEE arithmetic in every thread


@needs_two_cores
def test_a_forked_child_shares_its_blocks_with_threads_of_its_own():
    """The parent's pool threads do not exist in a child made by fork: the child makes its own pool."""
    import multiprocessing
    record(range(4))   # the parent's pool exists before the fork
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=lambda: queue.put(len({thread for thread, _ in record(range(4))})), daemon=True)
    child.start()
    threads = queue.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0 and threads == min(cpu_threads.cores(), 4)
