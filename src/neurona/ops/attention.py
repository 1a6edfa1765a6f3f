"""``scaled_dot_product_attention``: ``softmax(q k^T scale) v`` fused, block by block (kept for speed).

Composed, it is four primitives, and every pass over the (..., tq, tk) scores goes to memory: the product writes
them, softmax reads them and writes the weights, the second product reads those, and the reverse makes three
more arrays of that size. A Transformer's scores are 16.8 MB at 128 steps (batch 64, 4 heads) and 268 MB at
512. Fused, the (batch, head) items are taken a block at a time, about 512 kB of scores: each block's
scores, weights and product are made while the block is still in cache, and only the weights are written out,
for the reverse, which works block by block the same way. The blocks are independent: on the CPU, from
``PARALLEL_SCORES`` scores on, the cores share them, one thread each (:mod:`~neurona.devices.cpu_threads`; the
same bits as in one thread). The composition
(:func:`neurona.functional.attention.attention`) is its reference (:class:`~neurona.autograd.primitive.Fused`):
forward mode and higher orders run it, and the tests check the fast path against it.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..autograd.engine import ShapeError, apply
from ..autograd.primitive import REGISTRY, Fused
from ..devices.backend import xp_of
from ._common import as_tensor
from .softmax import softmax_last_axis_into, softmax_reverse_last_axis

#: scores per block (float32: 512 kB), sized to stay in a core's L2 cache with its queries, keys and values
BLOCK_SCORES = 1 << 17
#: scores of one call from which its blocks are shared among the cores, on OpenBLAS's own threads (see
#: devices/cpu_threads.py). Measured forward and reverse of one call at batch 64, 4 heads, after a product: 32
#: steps (262,144 scores) 0.86 + 1.06 ms in one thread, 0.72 + 0.93 shared (a shared call costs 40-80 us more);
#: 64 steps 2.93 + 3.69 against 1.81 + 2.35; 128 steps 10.2 + 14.1 against 6.6 + 8.2
PARALLEL_SCORES = 1 << 19


class ScaledDotProductAttention(Fused):
    name = "scaled_dot_product_attention"
    saves_aux = True
    skips_unneeded = True

    def reference(self, q, k, v, scale):
        from ..functional.attention import attention
        return attention(q, k, v, scale)

    def forward(self, q, k, v, scale):
        xp = xp_of(q)
        qs = xp.multiply(q, scale, out=xp.empty(q.shape, dtype=q.dtype)).reshape((-1,) + q.shape[-2:])
        ks, vs = (xp.ascontiguousarray(a).reshape((-1,) + a.shape[-2:]) for a in (k, v))
        weights = xp.empty(qs.shape[:2] + ks.shape[1:2], dtype=q.dtype)
        out = xp.empty(qs.shape[:2] + vs.shape[2:], dtype=q.dtype)

        def attend(blocks):
            scores = _block_buffer(xp, weights, blocks)
            for block in blocks:
                s = scores[:block.stop - block.start]
                softmax_last_axis_into(xp.matmul(qs[block], ks[block].transpose(0, 2, 1), out=s), weights[block])
                xp.matmul(weights[block], vs[block], out=out[block])
        _over_blocks(xp, attend, weights)
        return out.reshape(q.shape[:-1] + v.shape[-1:]), (weights, qs, ks, vs)

    def fast_vjp(self, g, out, q, k, v, scale, aux=None, needs=(True, True, True)):
        weights, qs, ks, vs = aux
        xp = xp_of(g)
        g = xp.ascontiguousarray(g).reshape((-1,) + g.shape[-2:])
        dq, dk, dv = (xp.empty(a.shape, dtype=g.dtype) if need else None for a, need in zip((qs, ks, vs), needs))

        def reverse(blocks):
            # on the CPU the scores' gradient has a buffer of its own: written over the weights' gradient, the
            # kernel's loop would fail LLVM's overlap check and run one value at a time (1.8 times as long,
            # measured); off the CPU softmax's reverse makes its own array, so no second buffer
            buffers = [_block_buffer(xp, weights, blocks), _block_buffer(xp, weights, blocks) if xp is np else None] \
                if dq is not None or dk is not None else None
            for block in blocks:
                w = weights[block]
                if dv is not None:
                    xp.matmul(w.transpose(0, 2, 1), g[block], out=dv[block])
                if buffers is None:
                    continue
                size = block.stop - block.start
                d_weights = xp.matmul(g[block], vs[block].transpose(0, 2, 1), out=buffers[0][:size])
                scores_out = None if buffers[1] is None else buffers[1][:size]
                d_scores = softmax_reverse_last_axis(d_weights, w, out=scores_out)
                if dq is not None:
                    xp.matmul(d_scores, ks[block], out=dq[block])
                if dk is not None:
                    xp.matmul(d_scores.transpose(0, 2, 1), qs[block], out=dk[block])
        _over_blocks(xp, reverse, weights)
        if dq is not None:
            dq *= scale
        return tuple(None if d is None else d.reshape(a.shape) for d, a in zip((dq, dk, dv), (q, k, v)))


def _over_blocks(xp, work, weights):
    """``work(blocks)`` over slices of the flattened batch axis of about ``BLOCK_SCORES`` scores each, shared
    among the CPU's cores from ``PARALLEL_SCORES`` scores on (:func:`~neurona.devices.cpu_threads.run_in_parts`), in
    a number of blocks that the cores share evenly; off the CPU, one block of everything."""
    n, per_item = weights.shape[0], weights.shape[1] * weights.shape[2]
    if xp is not np:
        work([slice(0, n)])
        return
    count = -(-n // max(1, BLOCK_SCORES // max(per_item, 1)))   # blocks of at most BLOCK_SCORES (one item at least)
    if n * per_item < PARALLEL_SCORES:
        work(_even_blocks(n, count))
        return
    from ..devices.cpu_threads import cores, run_in_parts   # imported on first use: ctypes is slow to import
    parts = min(cores(), n)
    run_in_parts(work, _even_blocks(n, -(-count // parts) * parts))


def _even_blocks(n, count):
    """``range(n)`` cut into ``count`` (at most ``n``) contiguous slices whose lengths differ by one at most."""
    count = min(count, n)
    return [slice(n * i // count, n * (i + 1) // count) for i in range(count)]


def _block_buffer(xp, weights, blocks):
    """Room for the scores of the largest of ``blocks``, reused from block to block."""
    return xp.empty((max(b.stop - b.start for b in blocks),) + weights.shape[1:], dtype=weights.dtype)


def scaled_dot_product_attention(q, k, v, scale=None):
    """``softmax(q k^T scale) v`` for queries (..., tq, d), keys (..., tk, d) and values (..., tk, dv) with the
    same leading axes; ``scale`` defaults to ``1 / sqrt(d)``, as in PyTorch.

    >>> import neurona as nr
    >>> q = nr.ones(2, 4, 3, 8)   # (batch, heads, steps, width)
    >>> nr.ops.scaled_dot_product_attention(q, q, q).shape
    (2, 4, 3, 8)
    """
    q, k, v = as_tensor(q), as_tensor(k), as_tensor(v)
    if q.ndim < 2 or k.ndim != q.ndim or v.ndim != q.ndim:
        raise ShapeError(f"scaled_dot_product_attention: q, k and v must have the same number of axes, at least "
                         f"2 (..., steps, width); got shapes {q.shape}, {k.shape} and {v.shape}")
    if q.shape[:-2] != k.shape[:-2] or q.shape[:-2] != v.shape[:-2] or q.shape[-1] != k.shape[-1] \
            or k.shape[-2] != v.shape[-2]:
        raise ShapeError(f"scaled_dot_product_attention: expected q (..., tq, d), k (..., tk, d) and v "
                         f"(..., tk, dv) with the same leading axes; got {q.shape}, {k.shape} and {v.shape}")
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not math.isfinite(scale):
        raise ValueError(f"scaled_dot_product_attention: scale must be a finite number, got {scale!r}")
    return apply(REGISTRY["scaled_dot_product_attention"], (q, k, v), {"scale": float(scale)})
