"""The compiled kernels' float32 exp and tanh against NumPy's float64 ones, the closed forms they approximate."""
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
    most 1.01 steps of float32 (at the result's own scale) from ``exp`` in float64, and NumPy's own float32 exp
    (2.44 steps at its worst on this sample) no closer, so the kernel loses nothing against the path it replaces."""
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


def test_tanh32_is_within_1_35_float32_steps_odd_and_keeps_signed_zeros():
    """tanh32 against NumPy's float64 tanh on every scale (denormals, both formulas and the point between them,
    the range where it saturates): at most 1.35 steps of float32 from the exact value and no farther than NumPy's
    float32 tanh at its worst; odd; -0.0, infinities and NaN as NumPy has them."""
    tanh = cpu_math.compiled_tanh32()

    @numba.njit(error_model="numpy")
    def run(x, out):
        for i in range(x.size):
            out[i] = tanh(x[i])
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.standard_normal(200_000) * s for s in (1e-3, 0.3, 1, 3, 8)]
                       + [np.geomspace(1e-44, 30, 20_000), np.linspace(0.6, 0.65, 20_001),
                          np.linspace(9, 11, 2_001)]).astype(np.float32)
    x = np.concatenate([x, -x])
    ours = np.empty_like(x)
    run(x, ours)
    exact = np.tanh(x.astype(np.float64))
    step = np.spacing(np.abs(exact.astype(np.float32))).astype(np.float64)
    error = np.abs(ours - exact) / step
    assert error.max() <= 1.35
    assert error.max() <= (np.abs(np.tanh(x) - exact) / step).max()
    np.testing.assert_array_equal(ours[x.size // 2:], -ours[:x.size // 2])
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 20.0, -1e30], dtype=np.float32)
    out = np.empty_like(special)
    run(special, out)
    np.testing.assert_array_equal(out, [0.0, -0.0, 1.0, -1.0, np.nan, 1.0, -1.0])
    assert np.signbit(out[1]) and not np.signbit(out[0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_max_is_numpys_max_with_nan_winning(dtype):
    """The row kernels' maximum (LLVM's ``maximum``, in SIMD lanes) equals NumPy's row max on rows of every length
    around the vector width, infinities included, and is NaN wherever a row holds a NaN, as NumPy's is."""
    from neurona.devices import cpu_row_kernels
    cpu_row_kernels._compile_row_max()
    row_max = cpu_row_kernels._row_max

    @numba.njit(error_model="numpy")
    def all_rows(x, out):
        for r in range(x.shape[0]):
            out[r] = row_max(x, r)

    rng = np.random.default_rng(3)
    for n in (1, 2, 7, 8, 9, 31, 512, 1000):
        x = rng.normal(size=(12, n)).astype(dtype)
        x[1, -1] = np.inf
        x[2] = -np.inf
        x[3, n // 2] = np.nan
        x[4, 0] = np.nan
        x[5, -1] = np.nan
        out = np.empty(12, dtype)
        all_rows(x, out)
        np.testing.assert_array_equal(out, x.max(axis=1))   # NaN where NumPy's is NaN
        assert np.isnan(out[3:6]).all() and out[1] == np.inf
