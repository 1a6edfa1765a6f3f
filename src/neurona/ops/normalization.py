"""``layer_norm``: normalization over the last axis with a scale and a shift, fused (kept for speed).

Composed, it takes eight primitives forward and about twice as many passes backward. Fused, the forward keeps
the normalized input and the inverse deviation (``aux``) and the reverse is the closed form. The composition,
``(x - mean) / sqrt(var + epsilon) * gamma + beta``, is its reference (:class:`~neurona.autograd.primitive.Fused`):
forward mode and higher orders run it, and the tests check the fast path against it.
"""
from __future__ import annotations

import numpy as np

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Fused
from ..devices.backend import xp_of
from ..devices.cpu_kernels import contiguous_kernel_for
from ._common import as_tensor
from .reductions import row_sums


class LayerNorm(Fused):
    name = "layer_norm"
    saves_aux = True

    def reference(self, x, gamma, beta, epsilon):
        from ..functional import mean
        from . import sqrt
        centered = x - mean(x, axis=-1, keepdims=True)
        return centered / sqrt(mean(centered * centered, axis=-1, keepdims=True) + epsilon) * gamma + beta

    def forward(self, x, gamma, beta, epsilon):
        # NumPy broadcasts a per-row value along a short last axis slowly: on the Transformer's (64, 28, 64)
        # activations this forward took 225-390 microseconds and the reverse 550-690, the kernels 145 and 150
        kernel = contiguous_kernel_for("layer_norm_rows", x, gamma, beta)
        if kernel is not None:   # the same arithmetic, row by row in one compiled pass
            rows = x.reshape(-1, x.shape[-1])
            out, normalized = np.empty_like(rows), np.empty_like(rows)
            inverse = np.empty(rows.shape[0], dtype=x.dtype)
            kernel(rows, gamma, beta, x.dtype.type(epsilon), out, normalized, inverse)
            return out.reshape(x.shape), (normalized.reshape(x.shape), inverse.reshape(x.shape[:-1] + (1,)))
        xp = xp_of(x)
        centered = x - _row_mean(x)[..., None]
        inverse = xp.sqrt(_row_mean(xp.square(centered)) + epsilon)
        xp.divide(1.0, inverse, out=inverse)
        inverse = inverse[..., None]
        normalized = centered
        normalized *= inverse
        out = normalized * gamma
        out += beta
        return out, (normalized, inverse)

    def fast_vjp(self, g, out, x, gamma, beta, epsilon, aux=None):
        normalized, inverse = aux
        features = g.shape[-1]
        kernel = contiguous_kernel_for("layer_norm_rows_backward", g, normalized, gamma)
        if kernel is not None:
            dx = np.empty(g.shape, dtype=g.dtype)
            d_gamma, d_beta = np.zeros(features, dtype=g.dtype), np.zeros(features, dtype=g.dtype)
            kernel(g.reshape(-1, features), normalized.reshape(-1, features), inverse.reshape(-1), gamma,
                   dx.reshape(-1, features), d_gamma, d_beta)
            return dx, d_gamma, d_beta
        g_rows, n_rows = g.reshape(-1, features), normalized.reshape(-1, features)
        d_gamma = (g_rows * n_rows).sum(axis=0)
        d_beta = g_rows.sum(axis=0)
        gn = g * gamma
        dx = gn - _row_mean(gn)[..., None]
        dx -= normalized * _row_mean(gn * normalized)[..., None]
        dx *= inverse
        return dx, d_gamma, d_beta


def _row_mean(x):
    """The mean over the last axis (as one matrix-vector product: :func:`~neurona.ops.reductions.row_sums`)."""
    return row_sums(x, 1.0 / x.shape[-1])


def layer_norm(x, gamma, beta, epsilon):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` over the last axis; ``gamma``, ``beta``: one value
    per feature.

    >>> import neurona as nr
    >>> layer_norm(nr.tensor([[1.0, 3.0]]), nr.ones(2), nr.zeros(2), 0.0).tolist()
    [[-1.0, 1.0]]
    """
    return apply(REGISTRY["layer_norm"], (as_tensor(x), as_tensor(gamma), as_tensor(beta)),
                 {"epsilon": float(epsilon)})
