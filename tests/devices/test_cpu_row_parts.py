"""The LSTM's gate steps shared between the cores by rows (cpu_row_parts): step by step, the same bits as the
one-call kernels, forward and reverse, with even and uneven slices, a mask, and denormal flushing on or off; each
core running every step of its rows (products included), the same values to float32 rounding; each used where it
applies."""
import contextlib

import numpy as np
import pytest

from neurona.autograd.primitive import REGISTRY
from neurona.devices import cpu_flags, cpu_row_parts, cpu_threads
from neurona.devices.cpu_intrinsics import sgemm_address

pytest.importorskip("numba")
pytest.importorskip("threadpoolctl")
shared = pytest.mark.skipif(
    cpu_threads.cores() < 2 or cpu_threads._blas_workers() is None
    or cpu_row_parts.RowParts.for_arrays(64, 1, 1) is None,
    reason="the rows run in one call here (one core, or no OpenBLAS pool to share them on, or not x86-64)")


@pytest.fixture
def step_by_step(monkeypatch):
    """The rows shared step by step only: no whole sequence per core."""
    monkeypatch.setattr(cpu_row_parts.RowParts, "run_sequence", lambda self, name: False)


def lstm_forward_and_reverse(batch, mask=None, seed=0):
    rng = np.random.default_rng(seed)
    steps, units = 5, 24
    xz = rng.normal(size=(steps, batch, 4 * units)).astype(np.float32)
    u = (rng.normal(size=(units, 4 * units)) * 0.3).astype(np.float32)
    h0, c0 = (rng.normal(size=(batch, units)).astype(np.float32) for _ in range(2))
    g = rng.normal(size=(steps, batch, 2 * units)).astype(np.float32)
    prim = REGISTRY["lstm_sequence"]
    out, aux = prim.forward(xz, u, h0, c0, mask)
    grads = prim.fast_vjp(g, out, xz, u, h0, c0, mask, aux=aux)
    return [out, *aux, *grads]


@shared
@pytest.mark.parametrize("flushing", [False, True])
@pytest.mark.parametrize("batch", [64, 45])   # two even slices; uneven ones
def test_rows_shared_give_the_bits_of_one_call(monkeypatch, step_by_step, batch, flushing):
    with cpu_flags.flush_denormals() if flushing else contextlib.nullcontext():
        shared_rows = lstm_forward_and_reverse(batch)
        monkeypatch.setattr(cpu_row_parts.RowParts, "for_arrays", classmethod(lambda cls, *a: None))
        one_call = lstm_forward_and_reverse(batch)
    for a, b in zip(shared_rows, one_call):
        np.testing.assert_array_equal(a, b)


@shared
def test_masked_steps_shared_give_the_bits_of_one_call(monkeypatch):
    mask = np.ones((5, 40, 1), dtype=bool)
    mask[3:, ::3] = False   # every third sequence ends after three steps
    shared_rows = lstm_forward_and_reverse(40, mask)
    monkeypatch.setattr(cpu_row_parts.RowParts, "for_arrays", classmethod(lambda cls, *a: None))
    for a, b in zip(shared_rows, lstm_forward_and_reverse(40, mask)):
        np.testing.assert_array_equal(a, b)


@shared
@pytest.mark.parametrize("flushing", [False, True])
@pytest.mark.parametrize("batch", [64, 45])
def test_each_core_running_its_rows_agrees_with_one_call(monkeypatch, batch, flushing):
    """Each slice's products on one thread round as a product of that many rows does: float32 rounding apart."""
    with cpu_flags.flush_denormals() if flushing else contextlib.nullcontext():
        per_core = lstm_forward_and_reverse(batch)
        monkeypatch.setattr(cpu_row_parts.RowParts, "for_arrays", classmethod(lambda cls, *a: None))
        one_call = lstm_forward_and_reverse(batch)
    for a, b in zip(per_core, one_call):
        assert a.dtype == b.dtype == np.float32 and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * np.abs(b).max())


def record_calls(monkeypatch):
    calls = []
    run, run_sequence = cpu_row_parts.RowParts.run, cpu_row_parts.RowParts.run_sequence
    monkeypatch.setattr(cpu_row_parts.RowParts, "run", lambda self, name, t: (calls.append((name, t)),
                                                                               run(self, name, t)))
    monkeypatch.setattr(cpu_row_parts.RowParts, "run_sequence",
                        lambda self, name: calls.append((name, "every step")) or run_sequence(self, name))
    return calls


@shared
def test_each_core_runs_its_rows_whole_sequence_where_it_can(monkeypatch):
    if sgemm_address() is None:
        pytest.skip("NumPy's OpenBLAS has no cblas_sgemm with 64-bit integers here")
    calls = record_calls(monkeypatch)
    library = cpu_threads._blas_controllers()[cpu_threads._workers_library]
    threads = library.get_num_threads()
    lstm_forward_and_reverse(64)
    assert calls == [("lstm_step", "every step"), ("lstm_gates_backward", "every step")]
    assert library.get_num_threads() == threads >= 2   # OpenBLAS on one thread only while the slices ran


@shared
def test_the_rows_are_shared_step_by_step_with_a_mask_or_while_the_cores_are_busy(monkeypatch):
    calls = record_calls(monkeypatch)
    mask = np.ones((5, 64, 1), dtype=bool)
    lstm_forward_and_reverse(64, mask)
    steps = [("lstm_step", t) for t in range(5)] + [("lstm_gates_backward", t) for t in reversed(range(5))]
    assert calls == steps[:5]   # a masked reverse runs on whole arrays (recurrent_cells._lstm_bptt)
    calls.clear()
    with cpu_threads._region:   # another thread sharing the cores: the steps are shared one by one
        busy = lstm_forward_and_reverse(64)
    assert calls == [("lstm_step", "every step"), *steps[:5], ("lstm_gates_backward", "every step"), *steps[5:]]
    monkeypatch.setattr(cpu_row_parts.RowParts, "run_sequence", lambda self, name: False)
    for a, b in zip(busy, lstm_forward_and_reverse(64)):
        np.testing.assert_array_equal(a, b)


def test_few_rows_a_float64_or_a_strided_array_run_in_one_call():
    a = np.zeros((3, 64, 8), dtype=np.float32)
    assert cpu_row_parts.RowParts.for_arrays(2 * cpu_row_parts.MIN_ROWS - 1, 2, 3, a) is None
    assert cpu_row_parts.RowParts.for_arrays(64, 2, 3, a.astype(np.float64)) is None
    assert cpu_row_parts.RowParts.for_arrays(64, 2, 3, a[:, :, ::2]) is None


@shared
def test_the_slices_cover_the_rows_once_and_carry_the_callers_control_register():
    with cpu_flags.flush_denormals() as active:
        rows = cpu_row_parts.RowParts.for_arrays(45, 1, 1, np.zeros(1, np.float32))
        flushing_register = int(rows.records[0, cpu_row_parts.MXCSR])
    starts, stops = rows.records[:, cpu_row_parts.R0], rows.records[:, cpu_row_parts.R1]
    assert starts[0] == 0 and stops[-1] == 45 and list(starts[1:]) == list(stops[:-1])
    if active:
        assert flushing_register & 0x8040 == 0x8040   # flush-to-zero and denormals-are-zero
    assert int(cpu_row_parts.RowParts.for_arrays(45, 1, 1).records[0, cpu_row_parts.MXCSR]) & 0x8040 == 0


@shared
@pytest.mark.parametrize("whole_sequence", [True, False])
def test_every_slice_flushes_denormals_when_the_caller_does(monkeypatch, whole_sequence):
    """c = f c_prev + i cand with f = 1, i = 0 and a denormal c_prev: 0 where denormals are flushed, in the slice
    that runs on OpenBLAS's worker too (its thread does not take the caller's register by itself)."""
    steps, batch, units = 1, 64, 8
    xz = np.zeros((steps, batch, 4 * units), dtype=np.float32)
    xz[:, :, :units], xz[:, :, units:2 * units] = -100.0, 100.0   # input gate 0, forget gate 1
    u = np.zeros((units, 4 * units), dtype=np.float32)
    h0, c0 = np.zeros((batch, units), np.float32), np.full((batch, units), 1e-39, np.float32)
    prim = REGISTRY["lstm_sequence"]
    if not whole_sequence:
        monkeypatch.setattr(cpu_row_parts.RowParts, "run_sequence", lambda self, name: False)
    with cpu_flags.flush_denormals() as active:
        if not active:
            pytest.skip("denormal flushing is not available on this CPU or C library")
        flushed = prim.forward(xz, u, h0, c0)[0][0, :, units:]
    assert not flushed.any()
    ieee = prim.forward(xz, u, h0, c0)[0][0, :, units:]
    assert (ieee == np.float32(1e-39)).all()

