"""The fused CPU kernels (numba) against the NumPy reference they replace, and denormal flushing."""
from __future__ import annotations

import numpy as np
import pytest

import neurona as nr
from neurona.devices import cpu_flags, cpu_kernels
from neurona.optimizers import rules

pytest.importorskip("numba")

CASES = [
    ("adam", lambda: nr.optimizers.Adam(0.01)),
    ("adam amsgrad", lambda: nr.optimizers.Adam(0.01, amsgrad=True)),
    ("adamw", lambda: nr.optimizers.AdamW(0.01)),
    ("rmsprop", lambda: nr.optimizers.RMSprop(0.01)),
    ("sgd momentum", lambda: nr.optimizers.SGD(0.1, momentum=0.9)),
    ("sgd nesterov", lambda: nr.optimizers.SGD(0.1, momentum=0.9, nesterov=True)),
]


def _trajectory(make, fused, dtype, steps=25):
    """The parameters after ``steps`` updates with fixed pseudo-random gradients."""
    rng = np.random.default_rng(0)
    params = [nr.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True) for shape in [(7, 5), (5,)]]
    opt = make()
    saved, rules.FUSED_CPU = rules.FUSED_CPU, fused
    try:
        for _ in range(steps):
            opt.apply([rng.standard_normal(p.shape).astype(dtype) * 0.1 for p in params], params)
    finally:
        rules.FUSED_CPU = saved
    return [p.data.copy() for p in params], {k: v.copy() for k, v in opt.state_arrays().items()}


@pytest.mark.parametrize("name,make", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_update_equals_numpy_reference_bit_for_bit(name, make, dtype):
    fused_params, fused_state = _trajectory(make, True, dtype)
    ref_params, ref_state = _trajectory(make, False, dtype)
    for a, b in zip(fused_params, ref_params):
        np.testing.assert_array_equal(a, b)
    for key in ref_state:
        np.testing.assert_array_equal(fused_state[key], ref_state[key])


def test_kernels_are_off_without_numba(monkeypatch):
    monkeypatch.setenv("NEURONA_NO_NUMBA", "1")
    monkeypatch.setattr(cpu_kernels, "_KERNELS", {})
    assert cpu_kernels.cpu_kernel("adam") is None


def test_flush_denormals_is_scoped():
    tiny = np.float32(1e-39)
    assert tiny * np.float32(1.0) != 0  # IEEE outside
    with cpu_flags.flush_denormals() as active:
        inside = tiny * np.float32(1.0)
    assert tiny * np.float32(1.0) != 0  # restored
    if active:
        assert inside == 0
    else:  # only where the register cannot be set this way
        assert cpu_flags._library() is False


def test_flush_denormals_restores_after_an_error():
    with pytest.raises(KeyError), cpu_flags.flush_denormals():
        raise KeyError("x")
    assert np.float32(1e-39) * np.float32(1.0) != 0
