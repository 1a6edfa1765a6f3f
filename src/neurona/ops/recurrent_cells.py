"""Fused recurrent layers, kept for speed: a whole LSTM or GRU time loop as one primitive.

Each is a fast path (a forward that keeps the gate values, and backpropagation through time on raw arrays) beside
its reference, the step-by-step loop of :mod:`neurona.functional.recurrent`, which alone defines the math: forward
mode and higher derivatives run the reference (see :class:`~neurona.autograd.primitive.Fused`), and the tests
check the fast path against it.
"""
from __future__ import annotations

import numpy as np

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Fused
from ..devices.backend import xp_of
from ..devices.cpu_kernels import kernel_for
from ._common import as_tensor


#: batch rows up to which the LSTM's forward runs every step in one compiled call (lstm_sequence_rows): for a
#: (28, rows, 512) sequence with 128 units it took 125-134, 243-279, 383-393 and 875-910 us at 1, 2, 4 and 8 rows
#: against 227-244, 777-804, 746-777 and 1,014-1,203 us for the step loop, and 1.8-2.1 against 1.3-1.7 ms at 16
#: rows (AMD EPYC, 2 cores)
SEQUENCE_KERNEL_ROWS = 8


class LSTMSequence(Fused):
    """A whole LSTM layer's time loop: ``xz`` (steps, batch, 4 units) holds every step's input projection (bias
    included), ``u`` the recurrent kernel, ``h0``/``c0`` the initial states, and ``mask`` (steps, batch, 1) marks
    real steps (padded ones carry the state). Returns every step's states ``[h, c]``, (steps, batch, 2 units).
    The reverse is backpropagation through time, with the recurrent kernel's gradient as one matrix product over
    all steps; the forward keeps the gate values (``aux``) so that it need not recompute them.
    """
    name = "lstm_sequence"
    saves_output = True
    saves_aux = True

    def reference(self, xz, u, h0, c0, mask=None):
        from ..functional.recurrent import lstm_sequence
        return lstm_sequence(xz, u, h0, c0, mask)

    def forward(self, xz, u, h0, c0, mask=None):
        xp = xp_of(xz)
        steps, units = xz.shape[0], h0.shape[1]
        out = xp.empty(xz.shape[:2] + (2 * units,), dtype=xz.dtype)
        gates = xp.empty(xz.shape, dtype=xz.dtype)     # i, f, candidate, o after their activations
        tanh_c = xp.empty(xz.shape[:2] + (units,), dtype=xz.dtype)
        # float32: a few rows (predict's one sample) through every step in one compiled call; else each core's
        # rows through every step, products included (cpu_row_parts), or one compiled pass per step after the
        # product. float64: NumPy's tanh with compiled passes around it (or NumPy's alone), as in _lstm_step
        fused = xz.dtype == np.float32
        whole = fused and mask is None and xz.shape[1] <= SEQUENCE_KERNEL_ROWS
        step_kernel = kernel_for("lstm_step", xz, u, h0, c0) if fused else None
        if step_kernel is not None:
            half = np.full(4 * units, 0.5, dtype=np.float32)   # 0.5 for the sigmoid gates, 0 for the candidate
            half[2 * units:3 * units] = 0.0
        else:
            passes = _StepPasses(xp, xz, u, h0, c0)
        state = xp.concatenate([h0, c0], axis=1)   # [h, c] of the previous step, rows contiguous for the kernel
        if step_kernel is not None and whole:
            kernel_for("lstm_sequence_rows")(xz, u, half, state, out, gates, tanh_c)
            return out, (gates, tanh_c)
        from ..devices.cpu_row_parts import RowParts   # here: import neurona does not compile it
        rows = None if step_kernel is None else \
            RowParts.for_arrays(xz.shape[1], units, steps, gates, xz, half, out, tanh_c, state, u)
        if rows is not None and mask is None and rows.run_sequence("lstm_step"):
            return out, (gates, tanh_c)   # each core ran every step of its rows, products included
        h = h0
        for t in range(steps):
            gt = gates[t]
            xp.matmul(h, u, out=gt)   # reads the kernel itself, which starts on a cache line (a copy would not)
            if rows is not None:   # the rows shared between the cores (same bits)
                rows.run("lstm_step", t)
            elif step_kernel is not None:
                step_kernel(gt, xz[t], half, state, out[t], tanh_c[t])
            else:
                _lstm_step(xp, passes, gt, xz[t], state, out[t], tanh_c[t])
            if mask is not None:   # padded steps carry the previous [h, c]
                out[t] = xp.where(mask[t], out[t], state)
            h, state = out[t, :, :units], out[t]
        return out, (gates, tanh_c)

    def fast_vjp(self, g, out, xz, u, h0, c0, mask=None, aux=None):
        gates, tanh_c = aux
        xp = xp_of(g)
        units = h0.shape[1]
        u_t = xp.ascontiguousarray(u.T)  # 28 products with a contiguous operand beat 28 with a transposed one
        kernel = kernel_for("lstm_gates_backward", g, u, h0, c0) if mask is None else None
        if kernel is not None:
            dz_all, dh, dc = _lstm_bptt_kernel(kernel, g, gates, tanh_c, out, u_t, h0, c0)
        else:
            dz_all, dh, dc = _lstm_bptt(xp, g, gates, tanh_c, out, u_t, h0, c0, mask)
        return dz_all, _recurrent_kernel_gradient(out[:, :, :units], dz_all, h0), dh, dc


class _StepPasses:
    """What :func:`_lstm_step` needs besides the step's arrays: the factors that halve the sigmoid gates'
    pre-activations (exact: a power of two), a scratch array, and the ``add_then_scale`` and ``lstm_gates``
    kernels (None without numba)."""

    def __init__(self, xp, xz, u, h0, c0):
        units = h0.shape[1]
        self.scale = xp.full(4 * units, 0.5, dtype=xz.dtype)
        self.scale[2 * units:3 * units] = 1.0
        self.i_cand = xp.empty(h0.shape, dtype=xz.dtype)
        self.add_then_scale = kernel_for("add_then_scale", xz)
        self.gates = kernel_for("lstm_gates", xz, u, h0, c0)


def _lstm_step(xp, passes, gt, xz_t, state_prev, state, tanh_c):
    """One LSTM step after ``gt = h_prev @ u``, with NumPy's ``tanh``: ``sigmoid(z) = 0.5 + 0.5 tanh(z / 2)``, so
    the sigmoid gates' pre-activations are halved as they are summed and one ``tanh`` runs over all four gates;
    then the sigmoids ``0.5 t + 0.5``, the new ``[h, c]`` into ``state`` and ``tanh(c)`` into ``tanh_c``. The
    compiled passes do the same arithmetic as the NumPy lines beside them; ``lstm_step`` all of it in one."""
    units = tanh_c.shape[1]
    if passes.add_then_scale is not None:
        passes.add_then_scale(gt, xz_t, passes.scale)
    else:
        gt += xz_t
        gt *= passes.scale
    xp.tanh(gt, out=gt)
    c_new = state[:, units:]
    if passes.gates is not None:
        passes.gates(gt, state_prev, state)
    else:
        for sigmoid_part in (gt[:, :2 * units], gt[:, 3 * units:]):
            sigmoid_part *= 0.5
            sigmoid_part += 0.5
        xp.multiply(gt[:, units:2 * units], state_prev[:, units:], out=c_new)
        xp.multiply(gt[:, :units], gt[:, 2 * units:3 * units], out=passes.i_cand)
        c_new += passes.i_cand
    xp.tanh(c_new, out=tanh_c)
    xp.multiply(gt[:, 3 * units:], tanh_c, out=state[:, :units])


def _recurrent_kernel_gradient(hs, dz_all, h0):
    """``sum_t h_{t-1}^T dz_t`` over the steps' pre-activation gradients ``dz_all`` (steps, batch, gates): the
    first step's product with ``h0``, then one product over the other steps, which reads their previous states
    in place from the states ``hs`` (steps, batch, units: the GRU's output, or a strided view of the first half
    of the LSTM's ``[h, c]``), with no copy of them."""
    batch, units = h0.shape
    flat = dz_all.reshape(-1, dz_all.shape[-1])
    du = h0.T @ flat[:batch]
    if hs.shape[0] > 1:
        du += hs[:-1].reshape(-1, units).T @ flat[batch:]
    return du


def _previous_cell_states(xp, out, h0, c0):
    """The cell state before each step, as views: the second half of ``[h0, c0]``, then that of each step's
    ``[h, c]`` in ``out``."""
    units = h0.shape[1]
    first = xp.concatenate([h0, c0], axis=1)
    return [first[:, units:]] + [out[t, :, units:] for t in range(out.shape[0] - 1)]


def _lstm_bptt_kernel(kernel, g, gates, tanh_c, out, u_t, h0, c0):
    """Backpropagation through an unmasked LSTM with the compiled step of
    :mod:`~neurona.devices.cpu_kernels` (the same arithmetic as :func:`_lstm_bptt`, one pass per step)."""
    g = np.ascontiguousarray(g)
    dz_all = np.empty(gates.shape, dtype=g.dtype)
    dh, dc = np.zeros_like(h0), np.zeros_like(c0)
    first = np.concatenate([h0, c0], axis=1)
    from ..devices.cpu_row_parts import RowParts
    rows = RowParts.for_arrays(g.shape[1], dh.shape[1], g.shape[0], g, gates, dh, dc, out, tanh_c, dz_all, first,
                               u_t)
    if rows is not None and rows.run_sequence("lstm_gates_backward"):
        return dz_all, dh, dc   # each core ran every step of its rows, products included
    for t in reversed(range(g.shape[0])):
        if rows is not None:   # the rows shared between the cores (same bits)
            rows.run("lstm_gates_backward", t)
        else:
            kernel(g[t], dh, dc, gates[t], out[t - 1] if t else first, tanh_c[t], dz_all[t])
        np.matmul(dz_all[t], u_t, out=dh)
    return dz_all, dh, dc


def _lstm_bptt(xp, g, gates, tanh_c, out, u_t, h0, c0, mask):
    """Backpropagation through the LSTM's time loop on whole arrays: the pre-activation gradients of every
    step, and the gradients reaching ``h0`` and ``c0``."""
    units = h0.shape[1]
    # every gate's slope, for all steps at once: s(1 - s) for the sigmoids, 1 - tanh^2 for the candidate
    # (written into preallocated arrays: no temporary of the gates' size)
    slope = xp.multiply(gates, gates)
    xp.subtract(gates, slope, out=slope)
    cand_slope = slope[:, :, 2 * units:3 * units]
    xp.multiply(gates[:, :, 2 * units:3 * units], gates[:, :, 2 * units:3 * units], out=cand_slope)
    xp.subtract(1.0, cand_slope, out=cand_slope)
    dh_to_dc = xp.multiply(tanh_c, tanh_c)            # d c_t from d h_t: o (1 - tanh(c)^2)
    xp.subtract(1.0, dh_to_dc, out=dh_to_dc)
    dh_to_dc *= gates[:, :, 3 * units:]
    dz_all = xp.empty(gates.shape, dtype=g.dtype)
    c_prev = _previous_cell_states(xp, out, h0, c0)
    dh = xp.zeros_like(h0)
    dc = xp.zeros_like(c0)
    for t in reversed(range(g.shape[0])):
        gh = g[t, :, :units] + dh
        gc = g[t, :, units:] + dc
        if mask is not None:
            keep = mask[t]
            carry_h, carry_c = gh * (1.0 - keep), gc * (1.0 - keep)
            gh *= keep
            gc *= keep
        gt, dz = gates[t], dz_all[t]
        gc += gh * dh_to_dc[t]                         # the cell state's whole gradient at step t
        xp.multiply(gc, gt[:, 2 * units:3 * units], out=dz[:, :units])   # through the input gate
        xp.multiply(gc, c_prev[t], out=dz[:, units:2 * units])          # through the forget gate
        xp.multiply(gc, gt[:, :units], out=dz[:, 2 * units:3 * units])   # through the candidate
        xp.multiply(gh, tanh_c[t], out=dz[:, 3 * units:])                 # through the output gate
        dz *= slope[t]
        dh = dz @ u_t
        dc = gc * gt[:, units:2 * units]
        if mask is not None:
            dh += carry_h
            dc += carry_c
    return dz_all, dh, dc


class GRUSequence(Fused):
    """A whole GRU layer's time loop: ``xp`` (steps, batch, 3 units) the input projections (input bias
    included), ``u`` the recurrent kernel, ``b`` the recurrent bias, ``h0`` the initial state, ``mask`` (steps,
    batch, 1) the real steps. Returns every step's state, (steps, batch, units)."""
    name = "gru_sequence"
    saves_output = True
    saves_aux = True

    def reference(self, xp_, u, b, h0, mask=None):
        from ..functional.recurrent import gru_sequence
        return gru_sequence(xp_, u, b, h0, mask)

    def forward(self, xp_, u, b, h0, mask=None):
        xp = xp_of(xp_)
        steps, units = xp_.shape[0], h0.shape[1]
        out = xp.empty(xp_.shape[:2] + (units,), dtype=xp_.dtype)
        zr = xp.empty(xp_.shape[:2] + (2 * units,), dtype=xp_.dtype)   # update and reset gates
        n = xp.empty_like(out)                                             # candidate states
        hn = xp.empty_like(out)                                            # recurrent part of the candidate
        h = h0
        for t in range(steps):
            hp = h @ u + b
            _gate_sigmoid(xp, xp_[t, :, :2 * units] + hp[:, :2 * units], zr[t])
            hn[t] = hp[:, 2 * units:]
            xp.tanh(xp_[t, :, 2 * units:] + zr[t, :, units:] * hn[t], out=n[t])
            new = n[t] + zr[t, :, :units] * (h - n[t])
            out[t] = new if mask is None else xp.where(mask[t], new, h)
            h = out[t]
        return out, (zr, n, hn)

    def fast_vjp(self, g, out, xp_, u, b, h0, mask=None, aux=None):
        zr, n, hn = aux
        xp = xp_of(g)
        steps, units = g.shape[0], h0.shape[1]
        dxp = xp.empty(g.shape[:2] + (3 * units,), dtype=g.dtype)
        dhp = xp.empty_like(dxp)
        dh = xp.zeros_like(h0)
        u_t = u.T
        for t in reversed(range(steps)):
            gt = g[t] + dh
            if mask is not None:
                carried, gt = gt * (1.0 - mask[t]), gt * mask[t]
            h_prev = out[t - 1] if t else h0
            z, r, nt = zr[t, :, :units], zr[t, :, units:], n[t]
            dn = gt * (1.0 - z) * (1.0 - nt * nt)
            dxp[t, :, :units] = gt * (h_prev - nt) * z * (1.0 - z)
            dxp[t, :, units:2 * units] = dn * hn[t] * r * (1.0 - r)
            dxp[t, :, 2 * units:] = dn
            dhp[t, :, :2 * units] = dxp[t, :, :2 * units]
            xp.multiply(dn, r, out=dhp[t, :, 2 * units:])
            dh = gt * z + dhp[t] @ u_t
            if mask is not None:
                dh += carried
        flat = dhp.reshape(-1, 3 * units)
        return dxp, _recurrent_kernel_gradient(out, dhp, h0), flat.sum(axis=0), dh


def _gate_sigmoid(xp, z, out):
    """sigmoid(z) as 0.5 + 0.5 tanh(z / 2) into ``out``: one transcendental instead of two. Its absolute error
    (< 1e-7) is what matters for a gate, which multiplies; the public ``sigmoid`` keeps full relative accuracy."""
    xp.multiply(z, 0.5, out=out)
    xp.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def lstm_sequence(xz, u, h0, c0, mask=None):
    """Every step's ``[h, c]`` of an LSTM over ``xz`` (steps, batch, 4 units); see :class:`LSTMSequence`."""
    return apply(REGISTRY["lstm_sequence"], (as_tensor(xz), as_tensor(u), as_tensor(h0), as_tensor(c0)),
                 {"mask": mask})


def gru_sequence(xp, u, b, h0, mask=None):
    """Every step's state of a GRU over ``xp`` (steps, batch, 3 units); see :class:`GRUSequence`."""
    return apply(REGISTRY["gru_sequence"], (as_tensor(xp), as_tensor(u), as_tensor(b), as_tensor(h0)),
                 {"mask": mask})
