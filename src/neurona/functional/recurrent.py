"""The recurrent cells, each defined once: an LSTM step and a GRU step, and their loops over time.

The layers (:mod:`neurona.layers.recurrent`) call the steps; the fused whole-sequence primitives
(:mod:`neurona.ops.recurrent_cells`) are fast paths whose reference is the loop here, so their forward mode and
higher derivatives come from these lines. Gate order as in Keras: LSTM [input, forget, cell, output], GRU
[update, reset, candidate].

>>> import neurona as nr
>>> h, c = lstm_step(nr.zeros(1, 8), nr.ones(1, 2))   # all gates half open: c = 0.5 * c
>>> c.tolist()
[[0.5, 0.5]]
"""
from __future__ import annotations

from ..ops import concatenate
from .shape import stack
from ..activations import sigmoid, tanh


def lstm_step(z, c, activation=tanh, recurrent_activation=sigmoid):
    """One LSTM step from the pre-activations ``z = x W + h U + b`` (batch, 4 units) and the cell state ``c``:
    ``c' = f * c + i * tanh(g)``, ``h' = o * tanh(c')``. Returns ``(h', c')``."""
    u = c.shape[1]
    gates = recurrent_activation(z)
    i, f, o = gates[:, :u], gates[:, u:2 * u], gates[:, 3 * u:]
    c = f * c + i * activation(z[:, 2 * u:3 * u])
    return o * activation(c), c


def gru_step(x_proj, h_proj, h, activation=tanh, recurrent_activation=sigmoid):
    """One GRU step (reset after the recurrent product, as Keras, cuDNN and PyTorch) from the input projection
    ``x W + b_in`` and the recurrent projection ``h U + b_rec`` (batch, 3 units each) and the state ``h``:
    ``z, r = sigmoid(x_z + h_z), sigmoid(x_r + h_r)``, ``n = tanh(x_n + r * h_n)``, ``h' = z h + (1 - z) n``."""
    u = h.shape[1]
    zr = recurrent_activation(x_proj[:, :2 * u] + h_proj[:, :2 * u])
    z, r = zr[:, :u], zr[:, u:]
    n = activation(x_proj[:, 2 * u:] + r * h_proj[:, 2 * u:])
    return z * h + (1.0 - z) * n


def _carry(new, old, keep):
    """``new`` where ``keep`` (1.0) marks a real step, ``old`` over padding (0.0)."""
    return new if keep is None else new * keep + old * (1.0 - keep)


def lstm_sequence(xz, u, h0, c0, mask=None):
    """Every step's ``[h, c]`` (steps, batch, 2 units) of an LSTM over the input projections ``xz`` (steps,
    batch, 4 units; bias included), the recurrent kernel ``u``, the initial states and a (steps, batch, 1)
    ``mask`` of real steps (padded steps carry the state)."""
    h, c, outputs = h0, c0, []
    for t in range(xz.shape[0]):
        h_new, c_new = lstm_step(xz[t] + h @ u, c)
        keep = None if mask is None else mask[t]
        h, c = _carry(h_new, h, keep), _carry(c_new, c, keep)
        outputs.append(concatenate([h, c], axis=1))
    return stack(outputs, axis=0)


def gru_sequence(x_proj, u, b, h0, mask=None):
    """Every step's state (steps, batch, units) of a GRU over the input projections ``x_proj`` (steps, batch,
    3 units; input bias included), the recurrent kernel ``u`` and bias ``b``, the initial state and a mask."""
    h, outputs = h0, []
    for t in range(x_proj.shape[0]):
        h = _carry(gru_step(x_proj[t], h @ u + b, h), h, None if mask is None else mask[t])
        outputs.append(h)
    return stack(outputs, axis=0)
