"""``dense``: the fused affine layer ``activation(x @ w + b)`` for a 2-D ``x`` (kept for speed).

Composed, it takes three primitives, three output arrays and three passes over memory, and the graph keeps the
pre-activation alive. Fused, the bias and the relu are applied in place on the matrix product's output, which
is the only array kept. The activation is ``None`` (linear) or ``"relu"``. The composition is its reference
(:class:`~neurona.autograd.primitive.Fused`): forward mode and higher orders run it.
"""
from __future__ import annotations

import numpy as np

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Fused
from ..devices.backend import xp_of
from ..devices.cpu_kernels import contiguous_kernel_for, kernel_for
from ._common import as_tensor
from .reductions import column_sums

ACTIVATIONS = (None, "relu")


class Dense(Fused):
    name = "dense"
    saves_output = True
    skips_unneeded = True

    def reference(self, x, w, b, activation):
        from . import relu
        out = x @ w + b
        return relu(out) if activation == "relu" else out

    def forward(self, x, w, b, activation):
        out = x @ w
        fast = contiguous_kernel_for("bias_relu", out, b) if out.ndim == 2 and b.ndim == 1 else None
        if fast is not None:
            fast(out, b, activation == "relu")   # the same arithmetic in one pass (cpu_kernels.bias_relu)
            return out
        out += b
        if activation == "relu":
            xp_of(out).maximum(out, 0, out=out)
        return out

    def fast_vjp(self, g, out, x, w, b, activation, needs=(True, True, True)):
        if activation == "relu":
            fast = kernel_for("relu_gradient", g, out)
            if fast is None or not (g.flags.c_contiguous and out.flags.c_contiguous):
                g = g * (out > 0)
            else:
                masked = np.empty(g.shape, dtype=np.result_type(g.dtype, out.dtype))
                fast(g.reshape(-1), out.reshape(-1), masked.reshape(-1))
                g = masked
        return (g @ w.T if needs[0] else None, x.T @ g if needs[1] else None,
                column_sums(g) if needs[2] else None)


def dense(x, w, b, activation=None):
    """``activation(x @ w + b)`` for a (batch, features) ``x``; ``activation`` is None or "relu"."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"dense: activation must be one of {ACTIVATIONS}, got {activation!r}")
    return apply(REGISTRY["dense"], (as_tensor(x), as_tensor(w), as_tensor(b)), {"activation": activation})
