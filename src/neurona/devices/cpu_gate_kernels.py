"""Compiled LSTM gate steps: the elementwise part of a float32 step in one pass, with a tanh that LLVM vectorizes,
and for float64 the kernels around NumPy's own tanh.

NumPy's float32 ``tanh`` is one pass of its own, and a slow one on CPUs without AVX-512: 118 us for the LSTM's
(64, 512) gates on an AMD EPYC (AVX2), against 101 us for the step's matrix product (measured). numba's
``math.tanh`` calls the C library once per value (llvmlite has no vector math library), so a fused step needs a
``tanh`` of its own made of arithmetic only: :func:`~neurona.devices.cpu_math.tanh32`, float32 within 1.35 steps of
the exact value (NumPy's float32 ``tanh``: 1.37). It replaced a float64 ``tanh`` (a continued fraction, correctly
rounded to float32) that took the step 125-130 us at (64, 512) gates, against 78-83 in float32 (measured). The
float32 LSTM takes it on every CPU, also where NumPy's ``tanh`` runs on AVX-512 and is fast: on the AMD EPYC a
(28, 64, 512) forward took 2.8-3.2 ms this way, and 5.8-6.6 ms with NumPy's ``tanh`` and the passes around it, of
which 2.7-3.5 ms were not the ``tanh`` (measured; unmeasured on AVX-512). For float64 arrays the LSTM keeps
NumPy's ``tanh`` with ``add_then_scale`` and ``lstm_gates`` before and after it, bit for bit NumPy's arithmetic.

:mod:`neurona.devices.cpu_kernels` builds these kernels (``BUILDERS``) and hands them out; the NumPy loop of
:class:`~neurona.ops.recurrent_cells.LSTMSequence` stays the fallback, and the tests check the kernels against it.

>>> from neurona.devices.cpu_kernels import cpu_kernel
>>> step = cpu_kernel("lstm_step")  # None without numba: the caller then runs its NumPy code
"""
from __future__ import annotations

import numpy as np

_tanh = None   # cpu_math's tanh32 compiled, a global (a closure's dispatcher would keep the kernel from numba's cache)
_step = None   # lstm_step compiled, a global for lstm_sequence_rows, likewise


def _lstm_step(jit):
    global _tanh, _step
    from .cpu_math import compiled_tanh32
    _tanh = compiled_tanh32()

    @jit
    def lstm_step(gt, xz_t, half, state_prev, state, tanh_c):
        """One float32 LSTM step after ``gt = h_prev @ u``. With ``z = gt + xz_t`` for the gates i, f, cand, o,
        the activated gates ``half + (1 - half) tanh((1 - half) z)`` are written back into ``gt``: ``half`` (float32)
        is 0.5 for the sigmoid gates (``sigmoid(z) = 0.5 + 0.5 tanh(z / 2)``) and 0 for the candidate (``tanh``).
        Then the new ``[h, c]`` goes into ``state`` (``c = f c_prev + i cand``, ``h = o tanh(c)``) and ``tanh(c)``
        into ``tanh_c``. All in float32, as the NumPy loop's arithmetic, with :func:`~.cpu_math.tanh32`. One loop
        over each whole row: LLVM vectorizes it (three loops, one per kind of gate, ran 1.3-1.7x slower)."""
        units = gt.shape[1] // 4
        one = np.float32(1.0)
        for b in range(gt.shape[0]):
            g, x = gt[b], xz_t[b]
            for j in range(4 * units):
                a = one - half[j]
                g[j] = half[j] + a * _tanh(a * (g[j] + x[j]))
            for j in range(units):
                c = g[units + j] * state_prev[b, units + j] + g[j] * g[2 * units + j]
                tc = _tanh(c)
                tanh_c[b, j], state[b, units + j], state[b, j] = tc, c, g[3 * units + j] * tc
    _step = lstm_step
    return lstm_step


def _lstm_sequence_rows(jit):
    from .cpu_kernels import cpu_kernel
    cpu_kernel("lstm_step")   # builds _step, once for both kernels

    @jit
    def lstm_sequence_rows(xz, u, half, state, out, gates, tanh_c):
        """The float32 LSTM forward over every step for a few rows, in one call: each step's ``h_prev @ u`` as
        the rows of ``u`` scaled and added, four rows at a time (``gates[t, b] += h_prev[b, i] u[i] + ... +
        h_prev[b, i + 3] u[i + 3]``, vectorized along the row), then ``lstm_step``. ``state`` holds the first
        ``[h, c]``; ``out``, ``gates`` and ``tanh_c`` are filled as the step loop of
        :class:`~neurona.ops.recurrent_cells.LSTMSequence` fills them. For one sample, each step's call to BLAS
        and to the step kernel cost more than their work (4.4 and 2.5 us for a (1, 128) x (128, 512) step);
        four rows of ``u`` per pass over the gates load and store them a quarter as often (a (128) x (128, 512)
        product: 4.7 against 7.3 us, where ``u`` streams from L2), and each batch row takes those four while they
        are in L1 (4 rows: 383-393 against 455 us a sequence)."""
        units, rows = u.shape[0], xz.shape[1]
        four = units - units % 4
        zero = np.float32(0.0)
        for t in range(xz.shape[0]):
            prev = state if t == 0 else out[t - 1]
            g = gates[t]
            for b in range(rows):
                for j in range(4 * units):
                    g[b, j] = zero
            for i in range(0, four, 4):
                u0, u1, u2, u3 = u[i], u[i + 1], u[i + 2], u[i + 3]
                for b in range(rows):   # each row of the batch while these four rows of u are in L1
                    gb, h0, h1, h2, h3 = g[b], prev[b, i], prev[b, i + 1], prev[b, i + 2], prev[b, i + 3]
                    for j in range(4 * units):
                        gb[j] += ((h0 * u0[j] + h1 * u1[j]) + h2 * u2[j]) + h3 * u3[j]
            for i in range(four, units):
                ui = u[i]
                for b in range(rows):
                    gb, h = g[b], prev[b, i]
                    for j in range(4 * units):
                        gb[j] += h * ui[j]
            _step(g, xz[t], half, prev, out[t], tanh_c[t])
    return lstm_sequence_rows


def _add_then_scale(jit):
    @jit
    def add_then_scale(out, x, scale):
        """``out = (out + x) * scale`` over (rows, columns) arrays, ``scale`` one factor per column."""
        for b in range(out.shape[0]):
            for j in range(out.shape[1]):
                out[b, j] = (out[b, j] + x[b, j]) * scale[j]
    return add_then_scale


def _lstm_gates(jit):
    @jit
    def lstm_gates(gt, state_prev, state):
        """One LSTM step after ``gt = tanh([i, f, cand, o] pre-activations, sigmoid gates halved)``: the gates
        ``0.5 t + 0.5`` written back into ``gt``, and the new cell state ``f c_prev + i cand`` into the second
        half of ``state`` (``[h, c]``, like ``state_prev``). Simple loops over contiguous rows: LLVM vectorizes
        them."""
        half = np.float32(0.5)  # exact in float32: the arithmetic stays in the arrays' dtype, as NumPy's does
        batch, units = gt.shape[0], gt.shape[1] // 4
        for b in range(batch):
            for j in range(2 * units):
                gt[b, j] = gt[b, j] * half + half
            for j in range(3 * units, 4 * units):
                gt[b, j] = gt[b, j] * half + half
            for j in range(units):
                state[b, units + j] = gt[b, units + j] * state_prev[b, units + j] + gt[b, j] * gt[b, 2 * units + j]
    return lstm_gates


def _lstm_gates_backward(jit):
    @jit
    def lstm_gates_backward(g, dh, dc, gates, state_prev, tanh_c, dz):
        """One LSTM step backward. ``g`` is the gradient reaching ``[h, c]``; with ``gh = g_h + dh`` and
        ``gc = g_c + dc + gh o (1 - tanh(c)^2)``, the pre-activation gradients ``dz`` (each gate's input times
        its slope: s - s^2 for a sigmoid, 1 - t^2 for the candidate). ``dc`` becomes the gradient carried to
        the previous cell state, ``gc f``. ``state_prev`` is the previous ``[h, c]``, whole rows: a contiguous
        array, where its second half alone would be strided (62 against 70 us a (64, 128) step, measured)."""
        one = np.float32(1.0)  # exact in float32: the arithmetic stays in the arrays' dtype, as NumPy's does
        batch, units = dc.shape
        for b in range(batch):
            for j in range(units):
                tc, o = tanh_c[b, j], gates[b, 3 * units + j]
                gh = g[b, j] + dh[b, j]
                gc = g[b, units + j] + dc[b, j]
                dc[b, j] = gc + gh * ((one - tc * tc) * o)   # the cell state's whole gradient, for now
                dz[b, 3 * units + j] = (gh * tc) * (o - o * o)
            for j in range(units):
                i = gates[b, j]
                dz[b, j] = (dc[b, j] * gates[b, 2 * units + j]) * (i - i * i)
            for j in range(units):
                f = gates[b, units + j]
                dz[b, units + j] = (dc[b, j] * state_prev[b, units + j]) * (f - f * f)
            for j in range(units):
                cand = gates[b, 2 * units + j]
                dz[b, 2 * units + j] = (dc[b, j] * gates[b, j]) * (one - cand * cand)
            for j in range(units):
                dc[b, j] *= gates[b, units + j]
    return lstm_gates_backward


BUILDERS = {"lstm_step": _lstm_step, "lstm_sequence_rows": _lstm_sequence_rows, "add_then_scale": _add_then_scale,
            "lstm_gates": _lstm_gates, "lstm_gates_backward": _lstm_gates_backward}

