"""Fused CPU kernels compiled by numba: one pass over memory where NumPy makes one pass per operation.

NumPy runs Adam's update as ten whole-buffer passes (``m += (g - m) * (1 - beta_1)``, then ``v``, then the
step), each reading and writing every parameter. The kernels here do the same arithmetic, in the same order
and in the same dtype, element by element in one loop (vectorized: ``error_model="numpy"`` drops the
Python-style division checks that would stop LLVM from using SIMD), so they agree with NumPy bit for bit (tested in
``tests/devices/test_cpu_kernels.py``). The NumPy code in :mod:`neurona.optimizers.rules` stays the reference
and the fallback.

numba is optional (``pip install neurona[fast]``, part of ``[all]``) and imported only the first time a kernel
is asked for, so ``import neurona`` stays fast. Each kernel compiles on first use (about a second) and is cached
on disk, so later runs load it in milliseconds. They run in the calling thread: the denormal flushing that
:func:`~neurona.devices.cpu_flags.flush_denormals` sets there applies to them too. ``NEURONA_NO_NUMBA=1``
switches them off.

>>> kernel = cpu_kernel("adam")  # None where numba is missing: use the NumPy path
"""
from __future__ import annotations

import os

import numpy as np

from .cpu_gate_kernels import BUILDERS as GATE_BUILDERS
from .cpu_row_kernels import BUILDERS as ROW_BUILDERS, REASSOCIATING

_KERNELS: dict = {}
#: the kernels built with reassociation allowed: the row kernels, and all_finite (any order gives 0 or NaN alike)
_REASSOCIATING = REASSOCIATING | {"all_finite"}

#: Use the kernels when numba is there; the tests switch this off to run the NumPy reference paths.
ENABLED = True


def _numba():
    if os.environ.get("NEURONA_NO_NUMBA"):
        return None
    try:
        import numba
    except ImportError:
        return None
    return numba


def cpu_kernel(name: str):
    """The compiled kernel ``name`` (a key of ``_BUILDERS``), or None without numba. The row kernels of
    :mod:`~neurona.devices.cpu_row_kernels` and ``all_finite`` may reassociate their sums (SIMD); the others may
    not."""
    if name not in _KERNELS:
        jit = compiler({"reassoc", "nsz", "contract"} if name in _REASSOCIATING else False)
        _KERNELS[name] = None if jit is None else _BUILDERS[name](jit)
    return _KERNELS[name]


def compiler(fastmath=False):
    """numba's ``njit`` with the kernels' options (cached on disk, without the GIL, NumPy's error model: no
    division checks, so loops run in SIMD lanes) and ``fastmath``; None without numba."""
    numba = _numba()
    return None if numba is None else numba.njit(cache=True, nogil=True, error_model="numpy", fastmath=fastmath)


def kernel_for(name: str, *arrays):
    """The kernel ``name`` when it applies to ``arrays`` (all NumPy arrays, kernels enabled), else None: the
    caller then runs its NumPy code, the reference."""
    if not ENABLED:
        return None
    for a in arrays:
        if a.__class__ is not np.ndarray:
            return None
    kernel = _KERNELS.get(name, _KERNELS)   # a dict lookup where it is built already (predict's one-sample path)
    return cpu_kernel(name) if kernel is _KERNELS else kernel


def contiguous_kernel_for(name: str, *arrays):
    """The kernel ``name`` when ``arrays`` are C-contiguous NumPy arrays of one float dtype (what the row kernels
    and ``bias_relu`` index), else None: the caller runs its NumPy code."""
    first = arrays[0]
    if first.__class__ is not np.ndarray or first.dtype.kind != "f":
        return None
    dtype = first.dtype
    for a in arrays:
        if a.__class__ is not np.ndarray or (a.dtype is not dtype and a.dtype != dtype) or not a.flags.c_contiguous:
            return None
    return kernel_for(name)   # the arrays are checked above: kernel_for only sees the switch and looks up


def _adam(jit):
    @jit
    def adam(p, g, m, v, v_hat, alpha, c1, c2, eps, amsgrad):
        """``m += (g - m) c1; v += (g g - v) c2; p -= alpha m / (sqrt(max(v_hat, v)) + eps)``, elementwise."""
        for i in range(p.size):
            gi = g[i]
            mi = m[i] + (gi - m[i]) * c1
            vi = v[i] + (gi * gi - v[i]) * c2
            m[i] = mi
            v[i] = vi
            if amsgrad:
                vi = max(v_hat[i], vi)
                v_hat[i] = vi
            p[i] -= (mi / (np.sqrt(vi) + eps)) * alpha
    return adam


def _rmsprop(jit):
    @jit
    def rmsprop(p, g, v, lr, rho, c, eps):
        """``v = v rho + g g c; p -= lr g / sqrt(v + eps)``, elementwise."""
        for i in range(p.size):
            gi = g[i]
            vi = v[i] * rho + gi * gi * c
            v[i] = vi
            p[i] -= (gi / np.sqrt(vi + eps)) * lr
    return rmsprop


def _sgd_momentum(jit):
    @jit
    def sgd_momentum(p, g, velocity, lr, momentum, nesterov):
        """``step = g lr; v = v momentum - step; p += v`` (Nesterov: ``p += momentum v; p -= step``)."""
        for i in range(p.size):
            step = g[i] * lr
            vi = velocity[i] * momentum - step
            velocity[i] = vi
            if nesterov:
                p[i] += momentum * vi
                p[i] -= step
            else:
                p[i] += vi
    return sgd_momentum


def _max_pool(jit):
    @jit
    def max_pool(x, kh, kw, sh, sw, out, winner):
        """Each window's maximum into ``out`` and the position (``i * kw + j``) of its first maximum into
        ``winner`` (255 where the window holds a NaN: the maximum is NaN, as in NumPy, and no pixel wins).
        The channel loop is innermost, so it runs in SIMD lanes."""
        n, oh, ow, c = out.shape
        for b in range(n):
            for r in range(oh):
                for q in range(ow):
                    for ch in range(c):
                        v = x[b, r * sh, q * sw, ch]
                        out[b, r, q, ch] = v
                        winner[b, r, q, ch] = 0 if v == v else 255
                    for at in range(1, kh * kw):
                        i, j = at // kw, at % kw
                        for ch in range(c):
                            v = x[b, r * sh + i, q * sw + j, ch]
                            best = out[b, r, q, ch]
                            if v > best or (v != v and best == best):
                                out[b, r, q, ch] = v
                                winner[b, r, q, ch] = at if v == v else 255
    return max_pool


def _max_pool_2x2(jit):
    @jit
    def max_pool_2x2(x, sh, sw, out, winner):
        """``max_pool`` for 2x2 windows (Keras' default), the same results: the four pixels of a window held at
        once, the winner chosen by selects, so the channel loop runs in SIMD lanes. The general kernel keeps a
        window's maximum and winner in memory between its positions, and LLVM leaves that loop scalar (it mixes
        float32 and uint8 stores): 5.5 against 0.41 ms for a (64, 26, 26, 32) image (measured)."""
        n, oh, ow, c = out.shape
        for b in range(n):
            for r in range(oh):
                for q in range(ow):
                    r0, q0 = r * sh, q * sw
                    for ch in range(c):
                        v0, v1 = x[b, r0, q0, ch], x[b, r0, q0 + 1, ch]
                        v2, v3 = x[b, r0 + 1, q0, ch], x[b, r0 + 1, q0 + 1, ch]
                        best, win = v0, np.uint8(0)
                        best, win = (v1, np.uint8(1)) if v1 > best else (best, win)
                        best, win = (v2, np.uint8(2)) if v2 > best else (best, win)
                        best, win = (v3, np.uint8(3)) if v3 > best else (best, win)
                        nan = v0 != v0 or v1 != v1 or v2 != v2 or v3 != v3   # the first NaN wins, as in max_pool
                        first_nan = v0 if v0 != v0 else (v1 if v1 != v1 else (v2 if v2 != v2 else v3))
                        out[b, r, q, ch] = first_nan if nan else best
                        winner[b, r, q, ch] = np.uint8(255) if nan else win
    return max_pool_2x2


def _max_pool_scatter(jit):
    @jit
    def max_pool_scatter(g, winner, kh, kw, sh, sw, out):
        """Each pooled gradient added to its window's winning pixel of ``out`` (zeros, the image's shape), for
        windows that overlap or leave gaps (``max_pool_scatter_tiled`` takes those that tile the image): window
        position by window position, adding in NumPy's order."""
        n, oh, ow, c = g.shape
        for at in range(kh * kw):
            i, j = at // kw, at % kw
            for b in range(n):
                for r in range(oh):
                    for q in range(ow):
                        for ch in range(c):
                            if winner[b, r, q, ch] == at:
                                out[b, r * sh + i, q * sw + j, ch] += g[b, r, q, ch]
    return max_pool_scatter


def _max_pool_scatter_tiled(jit):
    @jit
    def max_pool_scatter_tiled(g, winner, kh, kw, out):
        """The scatter of windows that tile the image (stride = window), writing every pixel of ``out`` (empty,
        the image's shape) in memory order: the gradient at each window's winner, zero elsewhere (and in the
        rows and columns no window covers). Branch-free in the channel loop, so it runs in SIMD lanes: five
        times faster than the indexed writes of ``max_pool_scatter`` into zeros (measured)."""
        n, oh, ow, c = g.shape
        zero = out.dtype.type(0)
        out[:, oh * kh:] = zero
        out[:, :, ow * kw:] = zero
        for b in range(n):
            for r in range(oh):
                for i in range(kh):
                    for q in range(ow):
                        for j in range(kw):
                            at = np.uint8(i * kw + j)   # compared as uint8, as the winners are: 1.6x faster
                            for ch in range(c):
                                out[b, r * kh + i, q * kw + j, ch] = g[b, r, q, ch] if winner[b, r, q, ch] == at \
                                    else zero
    return max_pool_scatter_tiled


def _col2im(jit):
    @jit
    def col2im(cols, sh, sw, dh, dw, out):
        """Each patch row of ``cols`` (n, oh, ow, kh, kw, c) added back where it came from in ``out``."""
        n, oh, ow, kh, kw, c = cols.shape
        for i in range(kh):  # kernel position outermost: each pixel adds its patches in NumPy's order
            for j in range(kw):
                for b in range(n):
                    for r in range(oh):
                        for q in range(ow):
                            for ch in range(c):
                                out[b, r * sh + i * dh, q * sw + j * dw, ch] += cols[b, r, q, i, j, ch]
    return col2im


def _im2col_one_channel(jit):
    @jit
    def im2col_one_channel(x, sh, sw, dh, dw, out):
        """``out[b, r, q, i, j, 0] = x[b, r sh + i dh, q sw + j dw, 0]``: the receptive fields of a one-channel
        image copied out, a row of windows at a time for each kernel position (NumPy's copy of the strided view
        moves runs of one value: 24.6 against 9.8 us for a (1, 28, 28, 1) image and a 3x3 kernel, 899 against
        395 us for (64, 28, 28, 1), measured)."""
        n, oh, ow, kh, kw, _ = out.shape
        for b in range(n):
            for r in range(oh):
                for i in range(kh):
                    row = r * sh + i * dh
                    for j in range(kw):
                        for q in range(ow):
                            out[b, r, q, i, j, 0] = x[b, row, q * sw + j * dw, 0]
    return im2col_one_channel


def _relu_gradient(jit):
    @jit
    def relu_gradient(g, out, result):
        """``g * (out > 0)``, the ReLU's reverse rule (flat, C-ordered arrays)."""
        for i in range(g.size):
            result[i] = g[i] * (out[i] > 0)
    return relu_gradient


def _bias_relu(jit):
    @jit
    def bias_relu(out, b, relu):
        """``out += b`` (one bias per column), then ``np.maximum(out, 0, out=out)`` when ``relu``: one pass.
        NumPy's broadcast add runs one short inner loop per row (0.9 ms against 0.2 for a convolution's
        (43264, 32) output, measured). ``v >= 0 or v != v`` keeps NumPy's results for -0.0 and NaN."""
        zero = out.dtype.type(0)
        for r in range(out.shape[0]):
            for j in range(out.shape[1]):
                v = out[r, j] + b[j]
                if relu and not (v >= zero or v != v):
                    v = zero
                out[r, j] = v
    return bias_relu


def _all_finite(jit):
    @jit
    def all_finite(flat):
        """Whether the (non-empty, flat) ``flat`` holds no NaN or Inf: ``v * 0`` is 0 for a finite ``v`` and NaN
        for the others, and the sum of those has no branch, so it runs in SIMD lanes (reassociated: any order
        gives 0 or NaN alike)."""
        acc = flat[0] * 0
        for i in range(1, flat.size):
            acc += flat[i] * 0
        return acc == 0
    return all_finite


_BUILDERS = {"adam": _adam, "rmsprop": _rmsprop, "sgd_momentum": _sgd_momentum, "max_pool": _max_pool,
             "max_pool_2x2": _max_pool_2x2, "max_pool_scatter": _max_pool_scatter, "col2im": _col2im,
             "im2col_one_channel": _im2col_one_channel,
             "relu_gradient": _relu_gradient, "bias_relu": _bias_relu,
             "max_pool_scatter_tiled": _max_pool_scatter_tiled, "all_finite": _all_finite,
             **ROW_BUILDERS, **GATE_BUILDERS}
