"""The compiled kernels' float32 exp against NumPy's float64 exp, the closed form it approximates."""
from __future__ import annotations

import numpy as np
import pytest

from neurona.devices import cpu_math

numba = pytest.importorskip("numba")


@pytest.fixture(scope="module")
def exp_all():
    """``out[i] = exp32(x[i])`` in a loop compiled with reassociation allowed, as the softmax kernel is: the
    reduction inside exp32 must keep its order anyway."""
    exp = cpu_math.compiled_exp32()

    @numba.njit(fastmath={"reassoc", "nsz", "contract"}, error_model="numpy")
    def run(x, out):
        for i in range(x.size):
            out[i] = exp(x[i])

    def apply(x):
        out = np.empty_like(x)
        run(x, out)
        return out
    return apply


def test_exp32_is_within_one_float32_step_of_the_exact_value(exp_all):
    """Over every scale of its range (results from the smallest subnormal numbers to the float32 maximum): at
    most 1.01 steps of float32 (at the result's own scale) from ``exp`` in float64; NumPy's float32 exp is
    allowed 2.5 here, and is checked to be at least as far off, so the bound is not loose."""
    rng = np.random.default_rng(6)
    x = np.concatenate([rng.uniform(-104, 88.7, 1_000_000), rng.standard_normal(500_000) * 3,
                        rng.standard_normal(100_000) * 1e-4, np.linspace(-103.9, 88.72, 300_001)]).astype(np.float32)
    exact = np.exp(x.astype(np.float64))
    step = np.spacing(exact.astype(np.float32)).astype(np.float64)
    ours = np.abs(exp_all(x) - exact) / step
    numpy_own = np.abs(np.exp(x).astype(np.float64) - exact) / step
    assert ours.max() <= 1.01
    assert numpy_own.max() >= ours.max()
    assert ours.mean() < 0.3


def test_exp32_special_values(exp_all):
    """NaN stays NaN, the overflow and underflow ends go to inf and 0, and exp(0) is exactly one."""
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 88.72, 88.73, 1e30, -104.5, -1e30, -87.0, 1.0],
                 dtype=np.float32)
    out = exp_all(x)
    assert np.isnan(out[0])
    np.testing.assert_array_equal(out[1:5], [np.inf, 0.0, 1.0, 1.0])
    assert np.isfinite(out[5]) and out[5] > 3.39e38
    np.testing.assert_array_equal(out[6:10], [np.inf, np.inf, 0.0, 0.0])
    np.testing.assert_allclose(out[10:], np.exp(x[10:].astype(np.float64)), rtol=1.2e-7)
