"""Fused recurrent cells, kept for speed: one primitive per LSTM or GRU step instead of a dozen.

Each replaces a composition of sigmoid, tanh, products and sums (its twin, checked equal in the tests) by one
forward on raw arrays and derivative rules written against ``F``, so forward mode and higher order still work.

``lstm_cell(z, c)``: ``z`` = x W + h U + b, the (batch, 4 units) pre-activations in Keras' gate order
[input, forget, cell, output]; returns ``[h, c]`` side by side, (batch, 2 units).

``gru_cell(x_proj, h_proj, h)``: the input and recurrent projections, (batch, 3 units) each in Keras' order
[update, reset, candidate], and the previous state; returns the new state.
"""
from __future__ import annotations

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Primitive
from ..backend import xp_of
from ._common import NO_PARAMS, as_tensor

_R = REGISTRY


def _lstm_gates(F, z, units):
    gates = F.sigmoid(z)
    return gates[:, :units], gates[:, units:2 * units], F.tanh(z[:, 2 * units:3 * units]), gates[:, 3 * units:]


class LSTMCell(Primitive):
    name = "lstm_cell"
    saves_output = True

    def forward(self, z, c):
        xp = xp_of(z)
        u = c.shape[1]
        gates = _R["sigmoid"].forward(z)
        i, f, o = gates[:, :u], gates[:, u:2 * u], gates[:, 3 * u:]
        out = xp.empty((z.shape[0], 2 * u), dtype=z.dtype)
        c_new = out[:, u:]
        xp.multiply(f, c, out=c_new)
        c_new += i * xp.tanh(z[:, 2 * u:3 * u])
        xp.multiply(o, xp.tanh(c_new), out=out[:, :u])
        return out

    def vjp(self, F, g, out, z, c):
        u = c.shape[1]
        i, f, cand, o = _lstm_gates(F, z, u)
        tc = F.tanh(out[:, u:])
        gh, gc = g[:, :u], g[:, u:]
        dc = gc + gh * o * (1.0 - tc * tc)
        dz = F.concatenate(dc * cand * i * (1.0 - i), dc * c * f * (1.0 - f), dc * i * (1.0 - cand * cand),
                           gh * tc * o * (1.0 - o), axis=1)
        return dz, dc * f

    def jvp(self, F, tangents, out, z, c):
        tz, tcin = tangents
        u = c.shape[1]
        i, f, cand, o = _lstm_gates(F, z, u)
        tc = F.tanh(out[:, u:])
        dc = c * f * (1.0 - f) * tz[:, u:2 * u] if tz is not None else 0.0
        if tz is not None:
            dc = dc + cand * i * (1.0 - i) * tz[:, :u] + i * (1.0 - cand * cand) * tz[:, 2 * u:3 * u]
        if tcin is not None:
            dc = dc + f * tcin
        dh = o * (1.0 - tc * tc) * dc
        if tz is not None:
            dh = dh + tc * o * (1.0 - o) * tz[:, 3 * u:]
        return F.concatenate(dh, dc, axis=1)


class GRUCell(Primitive):
    """``z, r = sigmoid(xz + hz), sigmoid(xr + hr)``, ``n = tanh(xn + r * hn)``, ``h' = z h + (1 - z) n``."""
    name = "gru_cell"

    def forward(self, xp_, hp, h):
        xp = xp_of(h)
        u = h.shape[1]
        zr = _R["sigmoid"].forward(xp_[:, :2 * u] + hp[:, :2 * u])
        z, r = zr[:, :u], zr[:, u:]
        n = xp.tanh(xp_[:, 2 * u:] + r * hp[:, 2 * u:])
        return n + z * (h - n)

    def vjp(self, F, g, out, xp_, hp, h):
        u = h.shape[1]
        zr = F.sigmoid(xp_[:, :2 * u] + hp[:, :2 * u])
        z, r = zr[:, :u], zr[:, u:]
        hn = hp[:, 2 * u:]
        n = F.tanh(xp_[:, 2 * u:] + r * hn)
        dn = g * (1.0 - z) * (1.0 - n * n)
        dz = g * (h - n) * z * (1.0 - z)
        dr = dn * hn * r * (1.0 - r)
        dx = F.concatenate(dz, dr, dn, axis=1)
        dh_proj = F.concatenate(dz, dr, dn * r, axis=1)
        return dx, dh_proj, g * z

    def jvp(self, F, tangents, out, xp_, hp, h):
        tx, thp, th = tangents
        u = h.shape[1]
        zr = F.sigmoid(xp_[:, :2 * u] + hp[:, :2 * u])
        z, r = zr[:, :u], zr[:, u:]
        hn = hp[:, 2 * u:]
        n = F.tanh(xp_[:, 2 * u:] + r * hn)
        pre = _sum_none(tx, thp)  # tangent of x_proj + h_proj, for the gates
        dz = z * (1.0 - z) * pre[:, :u] if pre is not None else 0.0
        dr = r * (1.0 - r) * pre[:, u:2 * u] if pre is not None else 0.0
        dn_pre = dr * hn
        if tx is not None:
            dn_pre = dn_pre + tx[:, 2 * u:]
        if thp is not None:
            dn_pre = dn_pre + r * thp[:, 2 * u:]
        dn = (1.0 - n * n) * dn_pre
        result = dz * (h - n) + (1.0 - z) * dn
        return result + z * th if th is not None else result


def _sum_none(a, b):
    if a is None:
        return b
    return a if b is None else a + b


def lstm_cell(z, c):
    """One fused LSTM step from pre-activations ``z`` and the cell state ``c``: returns ``[h, c]``."""
    return apply(REGISTRY["lstm_cell"], (as_tensor(z), as_tensor(c)), NO_PARAMS)


def gru_cell(x_proj, h_proj, h):
    """One fused GRU step (reset after the recurrent product, as Keras and PyTorch): returns the new state."""
    return apply(REGISTRY["gru_cell"], (as_tensor(x_proj), as_tensor(h_proj), as_tensor(h)), NO_PARAMS)


class LSTMSequence(Primitive):
    """A whole LSTM layer's time loop as one primitive (for speed): ``xz`` (steps, batch, 4 units) holds every
    step's input projection (bias included), ``u`` the recurrent kernel, ``h0``/``c0`` the initial states, and
    ``mask`` (steps, batch, 1) marks real steps (padded ones carry the state). Returns every step's states
    ``[h, c]``, (steps, batch, 2 units). Its reverse rule is backpropagation through time, with the recurrent
    kernel's gradient as one matrix product over all steps; it equals the step-by-step composition (tested).
    The forward keeps the gate values (``aux``) so a first-order backward need not recompute them.
    """
    name = "lstm_sequence"
    saves_output = True
    saves_aux = True

    def forward(self, xz, u, h0, c0, mask=None):
        xp = xp_of(xz)
        steps, units = xz.shape[0], h0.shape[1]
        out = xp.empty(xz.shape[:2] + (2 * units,), dtype=xz.dtype)
        gates = xp.empty(xz.shape, dtype=xz.dtype)     # i, f, candidate, o after their activations
        tanh_c = xp.empty(xz.shape[:2] + (units,), dtype=xz.dtype)
        # sigmoid(z) = 0.5 + 0.5 tanh(z / 2): one tanh over all four gates, with per-column scale and shift
        scale = xp.full(4 * units, 0.5, dtype=xz.dtype)
        scale[2 * units:3 * units] = 1.0
        shift = 0.5 - 0.5 * (scale == 1.0)
        h, c = h0, c0
        for t in range(steps):
            gt = gates[t]
            xp.matmul(h, u, out=gt)
            gt += xz[t]
            gt *= scale
            xp.tanh(gt, out=gt)
            gt *= scale
            gt += shift
            i, f, cand, o = gt[:, :units], gt[:, units:2 * units], gt[:, 2 * units:3 * units], gt[:, 3 * units:]
            c_new = out[t, :, units:]
            xp.multiply(f, c, out=c_new)
            c_new += i * cand
            xp.tanh(c_new, out=tanh_c[t])
            xp.multiply(o, tanh_c[t], out=out[t, :, :units])
            if mask is not None:
                out[t] = xp.where(mask[t], out[t], xp.concatenate([h, c], axis=1))
            h, c = out[t, :, :units], out[t, :, units:]
        return out, (gates, tanh_c)

    def _vjp_raw(self, g, out, u, h0, c0, mask, gates, tanh_c):
        xp = xp_of(g)
        steps, units = g.shape[0], h0.shape[1]
        # every gate's slope, for all steps at once: s(1 - s) for the sigmoids, 1 - tanh^2 for the candidate
        slope = gates * (1.0 - gates)
        cand_all = gates[:, :, 2 * units:3 * units]
        slope[:, :, 2 * units:3 * units] = 1.0 - cand_all * cand_all
        o_all = gates[:, :, 3 * units:]
        dh_to_dc = o_all * (1.0 - tanh_c * tanh_c)       # d c_t from d h_t
        c_prev_all = xp.concatenate([c0[None], out[:-1, :, units:]], axis=0)
        dz_all = xp.empty(gates.shape, dtype=g.dtype)
        dh = xp.zeros_like(h0)
        dc = xp.zeros_like(c0)
        u_t = xp.ascontiguousarray(u.T)  # 28 products with a contiguous operand beat 28 with a transposed one
        for t in reversed(range(steps)):
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
            xp.multiply(gc, c_prev_all[t], out=dz[:, units:2 * units])       # through the forget gate
            xp.multiply(gc, gt[:, :units], out=dz[:, 2 * units:3 * units])   # through the candidate
            xp.multiply(gh, tanh_c[t], out=dz[:, 3 * units:])                 # through the output gate
            dz *= slope[t]
            dh = dz @ u_t
            dc = gc * gt[:, units:2 * units]
            if mask is not None:
                dh += carry_h
                dc += carry_c
        h_prev_all = xp.concatenate([h0[None], out[:-1, :, :units]], axis=0).reshape(-1, units)
        du = h_prev_all.T @ dz_all.reshape(-1, 4 * units)
        return dz_all, du, dh, dc

    def vjp(self, F, g, out, xz, u, h0, c0, mask=None, aux=None):
        if aux is not None:  # first order on raw arrays: the saved gates, no recomputation
            return self._vjp_raw(g, out, u, h0, c0, mask, *aux)
        return self._vjp_differentiable(F, g, out, xz, u, h0, c0, mask)

    def _vjp_differentiable(self, F, g, out, xz, u, h0, c0, mask):
        units = h0.shape[1]
        steps = xz.shape[0]
        cell = REGISTRY["lstm_cell"]
        dh, dc = 0.0, 0.0
        dzs = [None] * steps
        for t in reversed(range(steps)):
            h_prev = out[t - 1, :, :units] if t else h0
            c_prev = out[t - 1, :, units:] if t else c0
            carried = g[t] + F.concatenate(dh, dc, axis=1) if t < steps - 1 else g[t]
            if mask is not None:
                keep = mask[t]
                through, carried = carried * keep, carried * (1.0 - keep)
            else:
                through = carried
            z = xz[t] + h_prev @ u
            dz, dc_prev = cell.vjp(F, through, out[t], z, c_prev)
            dzs[t] = dz
            dh, dc = dz @ F.transpose(u, axes=(1, 0)), dc_prev
            if mask is not None:
                dh, dc = dh + carried[:, :units], dc + carried[:, units:]
        dz_all = _stack(F, dzs)
        h_prev_all = F.concatenate(_lead(F, h0), out[:-1, :, :units], axis=0)
        du = F.transpose(F.reshape(h_prev_all, shape=(-1, units)), axes=(1, 0)) @ F.reshape(
            dz_all, shape=(-1, 4 * units))
        return dz_all, du, dh, dc

    def jvp(self, F, tangents, out, xz, u, h0, c0, mask=None):
        txz, tu, th0, tc0 = tangents
        units = h0.shape[1]
        cell = REGISTRY["lstm_cell"]
        steps_out = []
        th, tc = th0, tc0
        for t in range(xz.shape[0]):
            h_prev = out[t - 1, :, :units] if t else h0
            c_prev = out[t - 1, :, units:] if t else c0
            z = xz[t] + h_prev @ u
            tz = _sum_none(None if txz is None else txz[t],
                           _sum_none(None if th is None else th @ u, None if tu is None else h_prev @ tu))
            step = cell.jvp(F, (tz, tc), out[t], z, c_prev)
            if mask is not None:
                prev = F.concatenate(0.0 * h_prev if th is None else th, 0.0 * c_prev if tc is None else tc, axis=1)
                step = step * mask[t] + prev * (1.0 - mask[t])
            steps_out.append(step)
            th, tc = step[:, :units], step[:, units:]
        return _stack(F, steps_out)


def _gate_sigmoid(xp, z, out):
    """sigmoid(z) as 0.5 + 0.5 tanh(z / 2) into ``out``: one transcendental instead of two. Its absolute error
    (< 1e-7) is what matters for a gate, which multiplies; the public ``sigmoid`` keeps full relative accuracy."""
    xp.multiply(z, 0.5, out=out)
    xp.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _lead(F, a):
    """``a`` with a new leading axis of length 1."""
    return F.reshape(a, shape=(1,) + tuple(a.shape))


def _stack(F, arrays):
    return F.concatenate(*[_lead(F, a) for a in arrays], axis=0)


def lstm_sequence(xz, u, h0, c0, mask=None):
    """Every step's ``[h, c]`` of an LSTM over ``xz`` (steps, batch, 4 units); see :class:`LSTMSequence`."""
    return apply(REGISTRY["lstm_sequence"], (as_tensor(xz), as_tensor(u), as_tensor(h0), as_tensor(c0)),
                 {"mask": mask})


class GRUSequence(Primitive):
    """A whole GRU layer's time loop as one primitive: ``xp`` (steps, batch, 3 units) the input projections
    (input bias included), ``u`` the recurrent kernel, ``b`` the recurrent bias, ``h0`` the initial state,
    ``mask`` (steps, batch, 1) the real steps. Returns every step's state, (steps, batch, units)."""
    name = "gru_sequence"
    saves_output = True
    saves_aux = True

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

    def _vjp_raw(self, g, out, u, h0, mask, zr, n, hn):
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
        h_prev_all = xp.concatenate([h0[None], out[:-1]], axis=0).reshape(-1, units)
        return dxp, h_prev_all.T @ flat, flat.sum(axis=0), dh

    def vjp(self, F, g, out, xp_, u, b, h0, mask=None, aux=None):
        if aux is not None:
            return self._vjp_raw(g, out, u, h0, mask, *aux)
        return self._vjp_differentiable(F, g, out, xp_, u, b, h0, mask)

    def _vjp_differentiable(self, F, g, out, xp_, u, b, h0, mask):
        units, steps = h0.shape[1], xp_.shape[0]
        cell = REGISTRY["gru_cell"]
        dh = None
        dxs, dhps = [None] * steps, [None] * steps
        for t in reversed(range(steps)):
            h_prev = out[t - 1] if t else h0
            carried = g[t] if dh is None else g[t] + dh
            if mask is not None:
                through, carried = carried * mask[t], carried * (1.0 - mask[t])
            else:
                through = carried
            dxs[t], dhps[t], dh_direct = cell.vjp(F, through, out[t], xp_[t], h_prev @ u + b, h_prev)
            dh = dh_direct + dhps[t] @ F.transpose(u, axes=(1, 0))
            if mask is not None:
                dh = dh + carried
        dhp_all = F.reshape(_stack(F, dhps), shape=(-1, 3 * units))
        h_prev_all = F.reshape(F.concatenate(_lead(F, h0), out[:-1], axis=0), shape=(-1, units))
        du = F.transpose(h_prev_all, axes=(1, 0)) @ dhp_all
        return _stack(F, dxs), du, F.sum(dhp_all, axis=(0,), keepdims=False), dh

    def jvp(self, F, tangents, out, xp_, u, b, h0, mask=None):
        txp, tu, tb, th = tangents
        cell = REGISTRY["gru_cell"]
        steps_out = []
        for t in range(xp_.shape[0]):
            h_prev = out[t - 1] if t else h0
            thp = _sum_none(None if th is None else th @ u, _sum_none(None if tu is None else h_prev @ tu, tb))
            step = cell.jvp(F, (None if txp is None else txp[t], thp, th), out[t], xp_[t], h_prev @ u + b, h_prev)
            if mask is not None:
                step = step * mask[t] + ((0.0 * h_prev) if th is None else th) * (1.0 - mask[t])
            steps_out.append(step)
            th = step
        return _stack(F, steps_out)


def gru_sequence(xp, u, b, h0, mask=None):
    """Every step's state of a GRU over ``xp`` (steps, batch, 3 units); see :class:`GRUSequence`."""
    return apply(REGISTRY["gru_sequence"], (as_tensor(xp), as_tensor(u), as_tensor(b), as_tensor(h0)),
                 {"mask": mask})
