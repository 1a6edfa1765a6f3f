"""Compiled kernels that work row by row along the last axis: softmax's forward (whole, in float32, with
:mod:`~neurona.devices.cpu_math`'s exp; else its shift and normalization around NumPy's exp), softmax's reverse,
and layer normalization forward and reverse.

NumPy reduces a short last axis slowly and broadcasts a per-row value with one short inner loop per row: on
attention's (64, 4, 28, 28) scores a row maximum took 640 microseconds and a row sum 250 (measured). Here each
row is finished while it sits in cache. The reductions may be reassociated (``fastmath`` with ``reassoc``, never
``nnan``/``ninf``: NaN and infinity keep their meaning), which lets LLVM sum in SIMD lanes; the results therefore
agree with the NumPy paths to float rounding, not bit for bit, and the tests check them to that tolerance.
:mod:`neurona.devices.cpu_kernels` builds them (``REASSOCIATING``) and hands them out.

>>> from neurona.devices.cpu_kernels import cpu_kernel
>>> shift = cpu_kernel("row_shift")  # None without numba: the callers then run their NumPy code
"""
from __future__ import annotations

import numpy as np

#: the kernels of this module, built with reassociation allowed
REASSOCIATING = {"row_normalize", "softmax_rows", "softmax_jacobian_rows", "layer_norm_rows",
                 "layer_norm_rows_backward"}


def row_max(x, r):
    """The maximum of row ``r`` of the 2-D ``x`` (compiled by the builders below) by LLVM's ``maximum``
    (:func:`~neurona.devices.cpu_math.compiled_maximum`): NaN if the row has one, as in NumPy's max, and in SIMD
    lanes (exact in any order)."""
    m = x[r, 0]
    for j in range(1, x.shape[1]):
        m = _maximum(m, x[r, j])
    return m


_row_max = None   # row_max compiled, a global (a closure's dispatcher would keep the kernels from numba's cache)
_maximum = None   # cpu_math's maximum intrinsic, likewise
_exp = None       # cpu_math's exp32 compiled, likewise


def _compile_row_max():
    """``row_max`` compiled once, whichever kernel asks first; without signed zeros (``nsz``: a maximum of +0 or -0
    shifts a row's values alike), which lets LLVM drop the sign tests from its SIMD loop (25 against 37 us)."""
    global _row_max, _maximum
    if _row_max is None:
        from .cpu_kernels import compiler
        from .cpu_math import compiled_maximum
        _maximum = compiled_maximum()
        _row_max = compiler({"nsz"})(row_max)


def _row_shift(jit):
    _compile_row_max()

    @jit
    def row_shift(x, out):
        """``out = x - max(x)`` row by row (2-D arrays): softmax's shift."""
        for r in range(x.shape[0]):
            m = _row_max(x, r)
            for k in range(x.shape[1]):
                out[r, k] = x[r, k] - m
    return row_shift


def _softmax_rows(jit):
    global _exp
    from .cpu_math import compiled_exp32
    _compile_row_max()
    _exp = compiled_exp32()

    @jit
    def softmax_rows(x, out):
        """``out = exp(x - max(x)) / sum(exp(x - max(x)))`` row by row (float32, 2-D arrays), with
        :func:`~neurona.devices.cpu_math.exp32`: a pass for the maximum, one for the exponentials and their sum,
        one to divide, each over a row in cache (NumPy's exp alone took 2.4 ns a value, this whole kernel 1.5)."""
        for r in range(x.shape[0]):
            m = _row_max(x, r)
            total = np.float32(0)
            for j in range(x.shape[1]):
                e = _exp(x[r, j] - m)
                out[r, j] = e
                total += e
            for j in range(x.shape[1]):
                out[r, j] = out[r, j] / total
    return softmax_rows


def _row_normalize(jit):
    @jit
    def row_normalize(e):
        """``e /= sum(e)`` row by row, in place: softmax's last step."""
        for r in range(e.shape[0]):
            total = e.dtype.type(0)
            for j in range(e.shape[1]):
                total += e[r, j]
            for j in range(e.shape[1]):
                e[r, j] = e[r, j] / total
    return row_normalize


def _softmax_jacobian_rows(jit):
    @jit
    def softmax_jacobian_rows(g, p, out):
        """``out = p (g - sum(g p))`` row by row: softmax's reverse rule."""
        for r in range(g.shape[0]):
            inner = g.dtype.type(0)
            for j in range(g.shape[1]):
                inner += g[r, j] * p[r, j]
            for j in range(g.shape[1]):
                out[r, j] = p[r, j] * (g[r, j] - inner)
    return softmax_jacobian_rows


def _layer_norm_rows(jit):
    @jit
    def layer_norm_rows(x, gamma, beta, epsilon, out, normalized, inverse):
        """Each row's ``(x - mean) / sqrt(var + epsilon)`` into ``normalized``, its inverse deviation into
        ``inverse`` and ``normalized * gamma + beta`` into ``out``."""
        n = x.dtype.type(x.shape[1])
        for r in range(x.shape[0]):
            total = x.dtype.type(0)
            for j in range(x.shape[1]):
                total += x[r, j]
            mean = total / n
            squares = x.dtype.type(0)
            for j in range(x.shape[1]):
                d = x[r, j] - mean
                squares += d * d
            inv = x.dtype.type(1) / np.sqrt(squares / n + epsilon)
            inverse[r] = inv
            for j in range(x.shape[1]):
                v = (x[r, j] - mean) * inv
                normalized[r, j] = v
                out[r, j] = v * gamma[j] + beta[j]
    return layer_norm_rows


def _layer_norm_rows_backward(jit):
    @jit
    def layer_norm_rows_backward(g, normalized, inverse, gamma, dx, d_gamma, d_beta):
        """Layer normalization's reverse: ``dx = (g gamma - mean(g gamma) - normalized mean(g gamma
        normalized)) inverse`` per row, and the column sums ``d_gamma += g normalized``, ``d_beta += g`` (zeros
        on entry; summed row after row in the arrays' dtype, as NumPy's column sums are)."""
        n = g.dtype.type(g.shape[1])
        for r in range(g.shape[0]):
            mean_gn = g.dtype.type(0)
            mean_gnn = g.dtype.type(0)
            for j in range(g.shape[1]):
                gn = g[r, j] * gamma[j]
                mean_gn += gn
                mean_gnn += gn * normalized[r, j]
                d_gamma[j] += g[r, j] * normalized[r, j]
                d_beta[j] += g[r, j]
            mean_gn /= n
            mean_gnn /= n
            inv = inverse[r]
            for j in range(g.shape[1]):
                dx[r, j] = (g[r, j] * gamma[j] - mean_gn - normalized[r, j] * mean_gnn) * inv
    return layer_norm_rows_backward


BUILDERS = {"row_shift": _row_shift, "row_normalize": _row_normalize, "softmax_rows": _softmax_rows,
            "softmax_jacobian_rows": _softmax_jacobian_rows, "layer_norm_rows": _layer_norm_rows,
            "layer_norm_rows_backward": _layer_norm_rows_backward}
