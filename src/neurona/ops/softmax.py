"""``softmax`` and ``log_softmax``: fused primitives, kept for numerical stability.

Composed from exp/sum they would overflow for large logits; here the maximum is subtracted first. Each is tested
against its composed twin (``exp(x) / sum(exp(x))`` and ``x - logsumexp(x)``) in the test suite.
"""
from __future__ import annotations

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Primitive
from ..backend import xp_of
from ._common import as_tensor


class Softmax(Primitive):
    name = "softmax"
    saves_output = True
    saves = ()

    def forward(self, x, axis):
        xp = xp_of(x)
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        e /= e.sum(axis=axis, keepdims=True)
        return e

    def vjp(self, F, g, out, x, axis):
        return (out * (g - F.sum(g * out, axis=axis, keepdims=True)),)

    def jvp(self, F, tangents, out, x, axis):
        t = tangents[0]
        return out * (t - F.sum(t * out, axis=axis, keepdims=True))


class LogSoftmax(Primitive):
    name = "log_softmax"
    saves_output = True
    saves = ()

    def forward(self, x, axis):
        xp = xp_of(x)
        shifted = x - x.max(axis=axis, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))

    def vjp(self, F, g, out, x, axis):
        return (g - F.exp(out) * F.sum(g, axis=axis, keepdims=True),)

    def jvp(self, F, tangents, out, x, axis):
        t = tangents[0]
        return t - F.sum(F.exp(out) * t, axis=axis, keepdims=True)


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis``, computed stably.

    >>> import neurona as nr
    >>> nr.softmax(nr.tensor([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    x = as_tensor(x)
    return apply(REGISTRY["softmax"], (x,), {"axis": axis % max(x.ndim, 1)})


def log_softmax(x, axis=-1):
    """``x - logsumexp(x)`` along ``axis``, computed stably."""
    x = as_tensor(x)
    return apply(REGISTRY["log_softmax"], (x,), {"axis": axis % max(x.ndim, 1)})
