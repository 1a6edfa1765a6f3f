"""Random primitives: the draws a layer makes while training, recorded like any other op.

``random_mask`` is dropout's mask. As a primitive, a traced training step (see
:mod:`neurona.autograd.compiled`) draws a new mask at every replay from the same generator, in the same order
as eager mode does, so the two give the same bits.
"""
from __future__ import annotations

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Primitive
from ._common import as_tensor


class RandomMask(Primitive):
    """``(uniform(shape) >= rate) / (1 - rate)`` in the dtype of ``like``, drawn from ``generator``. Only the
    dtype and device of ``like`` are read: no gradient flows through a mask."""
    name = "random_mask"
    saves = ()

    def forward(self, like, rate, shape, generator):
        mask = (generator.random(shape, dtype="float32") >= rate).astype(like.dtype)
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
