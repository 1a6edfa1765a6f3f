"""Attention composed from primitives: the one definition of its math, ``softmax(q k^T scale) v``.

:func:`attention_weights` is what :class:`~neurona.layers.MultiHeadAttention` computes when it masks or drops
weights; :func:`neurona.ops.scaled_dot_product_attention` is the same product fused (its reference is
:func:`attention`).

>>> import neurona as nr
>>> q = nr.ones(2, 3, 4)
>>> attention(q, q, q, 0.5).shape
(2, 3, 4)
"""
from __future__ import annotations

from ..ops import softmax, where
from .shape import swapaxes


def attention_weights(q, k, scale, allowed=None):
    """``softmax(q k^T scale)`` over the keys (last axis); where ``allowed`` (bool, broadcastable to the
    scores) is False, the score is -1e9 first, so that step gets no weight."""
    scores = (q * scale) @ swapaxes(k, -1, -2)
    if allowed is not None:
        scores = where(allowed, scores, -1e9)
    return softmax(scores, axis=-1)


def attention(q, k, v, scale):
    """``softmax(q k^T scale) v``: queries (..., tq, d), keys (..., tk, d), values (..., tk, dv)."""
    return attention_weights(q, k, scale) @ v
