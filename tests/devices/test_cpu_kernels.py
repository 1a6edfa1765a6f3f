"""The fused CPU kernels (numba) against the NumPy reference they replace, and denormal flushing."""
from __future__ import annotations

import numpy as np
import pytest

import neurona as nr
from neurona.functional.convolution import conv2d
from neurona.devices import cpu_flags, cpu_kernels
from neurona.ops import recurrent_cells

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
    saved, cpu_kernels.ENABLED = cpu_kernels.ENABLED, fused
    try:
        for _ in range(steps):
            opt.apply([rng.standard_normal(p.shape).astype(dtype) * 0.1 for p in params], params)
    finally:
        cpu_kernels.ENABLED = saved
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


def test_nested_flush_denormals_keeps_flushing_until_the_outer_block_ends():
    with cpu_flags.flush_denormals() as active:
        with cpu_flags.flush_denormals():
            pass
        after_inner = np.float32(1e-39) * np.float32(1.0)
    if active:
        assert after_inner == 0
    assert np.float32(1e-39) * np.float32(1.0) != 0


def test_flush_denormals_restores_after_an_error():
    with pytest.raises(KeyError), cpu_flags.flush_denormals():
        raise KeyError("x")
    assert np.float32(1e-39) * np.float32(1.0) != 0


def _both_paths(fn):
    """``fn()`` with the compiled kernels and with the NumPy reference paths."""
    saved = cpu_kernels.ENABLED
    try:
        cpu_kernels.ENABLED = True
        fast = fn()
        cpu_kernels.ENABLED = False
        return fast, fn()
    finally:
        cpu_kernels.ENABLED = saved


@pytest.mark.parametrize("kernel,strides", [((2, 2), (2, 2)), ((2, 2), (1, 1)), ((2, 2), (1, 2)), ((3, 3), (1, 1)),
                                            ((2, 3), (2, 1)), ((3, 2), (3, 2))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_kernels_equal_the_numpy_path(kernel, strides, dtype):
    rng = np.random.default_rng(0)
    x = rng.integers(-2, 3, size=(2, 7, 8, 3)).astype(dtype)  # small integers: many ties (the first one wins)
    x[0, 1, 1, 0] = np.nan
    g = rng.standard_normal((2,) + tuple((n - k) // s + 1 for n, k, s in zip((7, 8), kernel, strides)) + (3,))

    def pooled_and_gradient():
        t = nr.tensor(x, requires_grad=True)
        out = nr.ops.max_pool(t, kernel, strides)
        out.backward(g.astype(dtype))
        return out.numpy(), t.grad.numpy()
    (fast_out, fast_grad), (ref_out, ref_grad) = _both_paths(pooled_and_gradient)
    np.testing.assert_array_equal(fast_out, ref_out)  # NaN where the window holds one, in both
    np.testing.assert_array_equal(fast_grad, ref_grad)


@pytest.mark.parametrize("strides", [(2, 2), (1, 1), (1, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_2x2_kernel_gives_the_general_kernels_maxima_and_winners(strides, dtype):
    """The 2x2 kernel against the general one, bit for bit: ties (the first maximum wins), and a NaN at each of
    the four positions of a window, alone or after another NaN (the first NaN wins, its winner is 255)."""
    rng = np.random.default_rng(1)
    x = rng.integers(-2, 3, size=(3, 9, 10, 17)).astype(dtype)
    nan_a, nan_b = np.array(np.nan, dtype), -np.array(np.nan, dtype)   # two NaNs told apart by their sign bit
    for k, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        x[0, 2 * k + i, j, k] = nan_a
        x[1, 2 * k + i, j, k] = nan_b
        x[1, 2 * k + 1, 1, k] = nan_a
    oh, ow = (9 - 2) // strides[0] + 1, (10 - 2) // strides[1] + 1
    results = []
    for name, extra in (("max_pool_2x2", ()), ("max_pool", (2, 2))):
        out, winner = np.empty((3, oh, ow, 17), dtype), np.empty((3, oh, ow, 17), np.uint8)
        cpu_kernels.cpu_kernel(name)(x, *extra, *strides, out, winner)
        results.append((out, winner))
    (out, winner), (ref_out, ref_winner) = results
    np.testing.assert_array_equal(out, ref_out)
    assert np.array_equal(np.signbit(out), np.signbit(ref_out))
    np.testing.assert_array_equal(winner, ref_winner)
    assert (winner == 255).sum() >= 8 and set(np.unique(winner)) == {0, 1, 2, 3, 255}


@pytest.mark.parametrize("strides,dilation", [((1, 1), (1, 1)), ((2, 1), (1, 2)), ((2, 2), (2, 1))])
def test_col2im_kernel_equals_the_numpy_loop(strides, dilation):
    rng = np.random.default_rng(1)
    image_shape = (2, 9, 10, 3)
    oh = (9 - dilation[0] * 2 - 1) // strides[0] + 1
    ow = (10 - dilation[1] * 2 - 1) // strides[1] + 1
    cols = rng.standard_normal((2, oh, ow, 3, 3, 3)).astype(np.float32)
    fast, ref = _both_paths(lambda: nr.ops.col2im(cols, (3, 3), strides, dilation, image_shape).numpy())
    np.testing.assert_array_equal(fast, ref)


@pytest.mark.parametrize("strides,dilation", [((1, 1), (1, 1)), ((2, 1), (1, 2)), ((1, 3), (2, 1))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_channel_im2col_kernel_copies_the_numpy_view(strides, dilation, dtype):
    """A one-channel image's windows, copied by the compiled pass, are the values of NumPy's strided view, in
    the view's layout, with strides and dilation; and a convolution through it keeps its gradients."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 9, 10, 1)).astype(dtype)
    fast, ref = _both_paths(lambda: nr.ops.im2col(x, (3, 2), strides, dilation).numpy())
    assert fast.flags.c_contiguous and not ref.flags.c_contiguous
    np.testing.assert_array_equal(fast, ref)

    kernel = rng.standard_normal((3, 2, 1, 4)).astype(dtype)

    def conv_and_gradients():
        t, k = nr.tensor(x, requires_grad=True), nr.tensor(kernel, requires_grad=True)
        out = conv2d(t, k, strides=strides, dilation=dilation)
        out.sum().backward()
        return out.numpy(), t.grad.numpy(), k.grad.numpy()
    for a, b in zip(*_both_paths(conv_and_gradients)):
        np.testing.assert_array_equal(a, b)


def test_relu_gradient_kernel_equals_numpy_with_nan_and_signed_zeros():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 5)).astype(np.float32)
    g = rng.standard_normal((6, 4)).astype(np.float32)
    g[0, 0], g[1, 1] = np.nan, -0.0

    def gradients():
        t, w = nr.tensor(x, requires_grad=True), nr.tensor(rng.standard_normal((5, 4)).astype(np.float32),
                                                           requires_grad=True)
        out = nr.ops.dense(t, w, nr.zeros(4), "relu")
        out.backward(g)
        return t.grad.numpy(), w.grad.numpy()
    rng_state = rng.bit_generator.state
    fast = gradients()
    rng.bit_generator.state = rng_state
    saved, cpu_kernels.ENABLED = cpu_kernels.ENABLED, False
    try:
        ref = gradients()
    finally:
        cpu_kernels.ENABLED = saved
    for a, b in zip(fast, ref):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_all_finite_kernel_equals_numpy_isfinite(dtype):
    """``all_finite`` (predict's and fit's check of the data) against ``np.isfinite(x).all()``: every kind of
    non-finite value at every position of short and long arrays, and huge finite values whose sum overflows."""
    kernel = cpu_kernels.cpu_kernel("all_finite")
    if kernel is None:
        pytest.skip("numba is not installed")
    rng = np.random.default_rng(4)
    huge = np.full(1000, np.finfo(dtype).max, dtype=dtype)
    assert kernel(huge) and kernel(-huge) and kernel(np.zeros(1, dtype))
    for size in (1, 2, 7, 33, 1000):
        x = rng.standard_normal(size).astype(dtype)
        assert kernel(x) == bool(np.isfinite(x).all()) is True
        for position in {0, size // 2, size - 1}:
            for bad in (np.nan, np.inf, -np.inf):
                y = x.copy()
                y[position] = bad
                assert kernel(y) == bool(np.isfinite(y).all()) is False


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("whole_sequence", [False, True])
def test_lstm_kernels_agree_with_the_numpy_path(dtype, masked, whole_sequence, monkeypatch):
    """The LSTM's compiled steps (forward, and backward through time when no step is masked) against the NumPy
    loop they replace, the states and every gradient, with the batch's 3 rows taken a step at a time or
    (``whole_sequence``) in one call of ``lstm_sequence_rows``: bit for bit where the compiled passes sit around
    NumPy's tanh (float64); else (float32, the one-pass ``lstm_step`` with a tanh of its own) to float32 rounding,
    and no farther from the float64 result than the NumPy path is."""
    monkeypatch.setattr(recurrent_cells, "SEQUENCE_KERNEL_ROWS", 4 if whole_sequence else 0)
    rng = np.random.default_rng(3)
    steps, batch, units = 5, 3, 6   # lstm_sequence_rows adds u's rows four at a time, then the other two
    xz = (rng.standard_normal((steps, batch, 4 * units)) * 3).astype(dtype)
    u = (rng.standard_normal((units, 4 * units)) * 0.5).astype(dtype)
    h0, c0 = (rng.standard_normal((batch, units)).astype(dtype) for _ in range(2))
    mask = (rng.random((steps, batch, 1)) > 0.3) if masked else None
    g = rng.standard_normal((steps, batch, 2 * units)).astype(dtype)

    def states_and_gradients(arrays=(xz, u, h0, c0), grad=g):
        leaves = [nr.tensor(a, requires_grad=True) for a in arrays]
        out = nr.ops.lstm_sequence(*leaves, mask=mask)
        out.backward(grad)
        return [out.numpy()] + [t.grad.numpy() for t in leaves]
    fast, ref = _both_paths(states_and_gradients)
    if dtype == np.float64:
        for a, b in zip(fast, ref):
            np.testing.assert_array_equal(a, b)
        return
    exact = states_and_gradients([a.astype(np.float64) for a in (xz, u, h0, c0)], g.astype(np.float64))
    for a, b, e in zip(fast, ref, exact):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=2e-6)
        assert np.abs(a - e).max() <= 2 * np.abs(b - e).max() + 1e-7


@pytest.mark.parametrize("shape", [(64, 4, 28, 28), (40, 1025), (3, 2, 256)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_row_kernels_agree_with_numpy_and_a_float64_closed_form(shape, dtype):
    """softmax forward and reverse through the row kernels (rows up to 1,024 long) against the NumPy path and
    against ``exp(x - max) / sum`` and ``p (g - sum(g p))`` in float64; the shift is NumPy's ``x - max`` exactly,
    and a NaN still makes its whole row NaN."""
    rng = np.random.default_rng(4)
    x = (rng.standard_normal(shape) * 30).astype(dtype)
    x.reshape(-1, shape[-1])[0, 1] = np.nan
    g = rng.standard_normal(shape).astype(dtype)
    rows = np.ascontiguousarray(x.reshape(-1, shape[-1])[1:])
    shifted = np.empty_like(rows)
    cpu_kernels.cpu_kernel("row_shift")(rows, shifted)
    np.testing.assert_array_equal(shifted, rows - rows.max(axis=1, keepdims=True))

    def forward_and_reverse():
        t = nr.tensor(x, requires_grad=True)
        p = nr.softmax(t)
        p.backward(g)
        return p.numpy(), t.grad.numpy()
    (fast_p, fast_dx), (ref_p, ref_dx) = _both_paths(forward_and_reverse)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fast_p, ref_p, **tol)
    np.testing.assert_allclose(fast_dx, ref_dx, **tol)
    assert np.isnan(fast_p.reshape(-1, shape[-1])[0]).all() and not np.isnan(fast_p.reshape(-1, shape[-1])[1:]).any()
    x64, g64 = x.astype(np.float64).reshape(-1, shape[-1])[1:], g.astype(np.float64).reshape(-1, shape[-1])[1:]
    e = np.exp(x64 - x64.max(axis=-1, keepdims=True))
    p64 = e / e.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(fast_p.reshape(-1, shape[-1])[1:], p64, **tol)
    dx64 = p64 * (g64 - (g64 * p64).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(fast_dx.reshape(-1, shape[-1])[1:], dx64, **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("contiguous", [True, False])
def test_layer_norm_row_kernels_agree_with_the_numpy_path_and_torch(dtype, contiguous):
    """layer_norm's compiled forward and reverse against its NumPy path (to float rounding) and against
    torch.nn.functional.layer_norm; a transposed (non-contiguous) input takes the NumPy path."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((40, 28, 64)) * 3 + 1).astype(dtype)
    x = x if contiguous else x.transpose(1, 0, 2)
    gamma, beta = rng.standard_normal(64).astype(dtype), rng.standard_normal(64).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)

    def forward_and_reverse():
        leaves = [nr.tensor(a, requires_grad=True) for a in (x, gamma, beta)]
        out = nr.ops.layer_norm(*leaves, 1e-5)
        out.backward(g)
        return [out.numpy()] + [t.grad.numpy() for t in leaves]
    fast, ref = _both_paths(forward_and_reverse)
    leaves = [torch.tensor(a.astype(np.float64), requires_grad=True) for a in (x, gamma, beta)]
    out = torch.nn.functional.layer_norm(leaves[0], (64,), leaves[1], leaves[2], 1e-5)
    out.backward(torch.tensor(g.astype(np.float64)))
    expected = [out.detach().numpy()] + [t.grad.numpy() for t in leaves]
    tol = dict(rtol=2e-4, atol=2e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    for a, b, c in zip(fast, ref, expected):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, **tol)
        np.testing.assert_allclose(a, c, **tol)


@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_relu_kernel_equals_numpy_with_nan_and_signed_zeros(activation, dtype):
    """The dense layer's bias and relu in one compiled pass against NumPy's ``out += b; maximum(out, 0)``:
    the same outputs bit for bit, -0.0 and NaN included."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((9, 4)).astype(dtype)
    x[0, 0], x[1, :] = np.nan, 0.0
    w = rng.standard_normal((4, 5)).astype(dtype)
    b = rng.standard_normal(5).astype(dtype)
    b[0], b[1] = -0.0, np.inf
    fast, ref = _both_paths(lambda: nr.ops.dense(nr.tensor(x), nr.tensor(w), nr.tensor(b), activation).numpy())
    np.testing.assert_array_equal(fast, ref)
    assert np.array_equal(np.signbit(fast), np.signbit(ref))
    expected = x @ w + b
    np.testing.assert_array_equal(fast, np.maximum(expected, 0) if activation else expected)
