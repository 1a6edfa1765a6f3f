"""Random primitives: the draws a layer makes while training, recorded like any other op.

``random_mask`` is dropout's mask. As a primitive, a traced training step (see
:mod:`neurona.autograd.compiled`) draws a new mask at every replay from the same generator, in the same order
as eager mode does, so the two give the same bits.

In data-parallel training (:mod:`neurona.distributed`) each rank holds rows ``start:stop`` of a global batch of
``rows``; inside :func:`global_batch` a mask whose first axis is the local batch is drawn for the whole global
batch and cut to the rank's rows. Every rank's generator is in the same state, so the ranks together draw the
masks one process would draw for the whole batch.
"""
from __future__ import annotations

import contextlib

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Primitive
from ._common import as_tensor


_global_batch = None  # (rows, start, stop) while a rank trains on its rows of a global batch


@contextlib.contextmanager
def global_batch(rows: int, start: int, stop: int):
    """Within ``with``: the batch is rows ``start:stop`` of a global batch of ``rows``; masks are drawn for the
    global batch and cut to these rows."""
    global _global_batch
    saved, _global_batch = _global_batch, (rows, start, stop)
    try:
        yield
    finally:
        _global_batch = saved


class RandomMask(Primitive):
    """``(uniform(shape) >= rate) / (1 - rate)`` in the dtype of ``like``, drawn from ``generator``. Only the
    dtype and device of ``like`` are read: no gradient flows through a mask."""
    name = "random_mask"
    saves = ()

    def forward(self, like, rate, shape, generator):
        shard = _global_batch
        if shard is not None and shape and shape[0] == shard[2] - shard[1]:
            draws = generator.random((shard[0],) + tuple(shape[1:]), dtype="float32")[shard[1]:shard[2]]
        else:
            draws = generator.random(shape, dtype="float32")
        mask = (draws >= rate).astype(like.dtype)
        mask *= 1.0 / (1.0 - rate)
        return mask

    def vjp(self, F, g, out, like, rate, shape, generator):
        return (None,)

    def jvp(self, F, tangents, out, like, rate, shape, generator):
        return None


def random_mask(like, rate, shape, generator):
    """A dropout mask of ``shape``: each entry ``1 / (1 - rate)`` with probability ``1 - rate``, else 0.

    >>> import numpy as np, neurona as nr
    >>> mask = random_mask(nr.ones(4), 0.5, (4,), np.random.default_rng(0))
    >>> sorted(set(mask.tolist()) - {0.0, 2.0})
    []
    """
    return apply(REGISTRY["random_mask"], (as_tensor(like),), {"rate": float(rate), "shape": tuple(shape),
                                                                "generator": generator})
