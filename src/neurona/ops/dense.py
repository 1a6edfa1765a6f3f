"""``dense``: the fused affine layer ``activation(x @ w + b)`` for a 2-D ``x`` (kept for speed).

Composed, it takes three primitives, three output arrays and three passes over memory, and the graph keeps the
pre-activation alive. Fused, the bias and the relu are applied in place on the matrix product's output, which
is the only array kept. The activation is ``None`` (linear) or ``"relu"``. Tested against its composed twin.
"""
from __future__ import annotations

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Primitive
from ..backend import xp_of
from ._common import as_tensor, value

ACTIVATIONS = (None, "relu")


class Dense(Primitive):
    name = "dense"
    saves_output = True
    skips_unneeded = True

    def forward(self, x, w, b, activation):
        out = x @ w
        out += b
        if activation == "relu":
            xp_of(out).maximum(out, 0, out=out)
        return out

    def vjp(self, F, g, out, x, w, b, activation, needs=(True, True, True)):
        if activation == "relu":
            g = g * (value(out) > 0)
        gx = g @ F.transpose(w, axes=(1, 0)) if needs[0] else None
        gw = F.transpose(x, axes=(1, 0)) @ g if needs[1] else None
        gb = F.sum(g, axis=(0,), keepdims=False) if needs[2] else None
        return gx, gw, gb

    def jvp(self, F, tangents, out, x, w, b, activation):
        tx, tw, tb = tangents
        total = None
        for term in (None if tx is None else tx @ w, None if tw is None else x @ tw, tb):
            if term is not None:
                total = term if total is None else total + term
        return total * (value(out) > 0) if activation == "relu" else total


def dense(x, w, b, activation=None):
    """``activation(x @ w + b)`` for a (batch, features) ``x``; ``activation`` is None or "relu"."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"dense: activation must be one of {ACTIVATIONS}, got {activation!r}")
    return apply(REGISTRY["dense"], (as_tensor(x), as_tensor(w), as_tensor(b)), {"activation": activation})
