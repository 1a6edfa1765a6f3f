"""Linear algebra: ``matmul``, a bilinear primitive (forward mode ``ta @ b + a @ tb`` comes from the base).

Vectors follow NumPy: a 1-D first operand is a row, a 1-D second operand a column, and that axis is dropped from
the result. The reverse rule lifts vectors to matrices, applies the matrix rule and drops the axis again;
batch axes that were broadcast are summed back by the engine.
"""
from __future__ import annotations

from ..autograd.engine import ShapeError, apply
from ..autograd.primitive import REGISTRY, Bilinear
from ._common import NO_PARAMS, operand
from .shape import _prod


def _swap_last(F, a):
    nd = len(a.shape)
    return F.transpose(a, axes=tuple(range(nd - 2)) + (nd - 1, nd - 2))


class MatMul(Bilinear):
    name = "matmul"
    skips_unneeded = True

    def forward(self, a, b):
        if len(b.shape) == 2 and len(a.shape) > 2:  # (..., k) @ (k, n): one matrix product, not one per batch row
            return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + b.shape[-1:])
        return a @ b

    def vjp(self, F, g, out, a, b, needs=(True, True)):
        a_vec, b_vec = len(a.shape) == 1, len(b.shape) == 1
        if a_vec and b_vec:
            return g * b, g * a
        a2 = F.reshape(a, shape=(1,) + a.shape) if a_vec else a
        b2 = F.reshape(b, shape=b.shape + (1,)) if b_vec else b
        g2 = g
        if a_vec:
            g2 = F.reshape(g2, shape=g2.shape[:-1] + (1,) + g2.shape[-1:])
        if b_vec:
            g2 = F.reshape(g2, shape=g2.shape + (1,))
        ga = gb = None
        if needs[0]:
            ga = F.matmul(g2, _swap_last(F, b2))  # F: the primitive's own forward on raw arrays too
            if a_vec:
                ga = F.reshape(ga, shape=ga.shape[:-2] + ga.shape[-1:])
        if needs[1] and len(b.shape) == 2 and len(a.shape) > 2:  # the batch axes summed inside one product
            rows = _prod(a.shape[:-1])
            a_rows = F.reshape(a, shape=(rows, a.shape[-1]))
            gb = F.matmul(F.transpose(a_rows, axes=(1, 0)), F.reshape(g, shape=(rows, b.shape[-1])))
        elif needs[1]:
            gb = F.matmul(_swap_last(F, a2), g2)
            if b_vec:
                gb = F.reshape(gb, shape=gb.shape[:-1])
        return ga, gb



def matmul(a, b):
    """Matrix product with NumPy's rules for vectors and batch axes.

    >>> import neurona as nr
    >>> nr.matmul(nr.ones((2, 3)), nr.ones((3, 4))).shape
    (2, 4)
    """
    a, b = operand(a, b), operand(b, a)
    a_shape, b_shape = getattr(a, "shape", ()), getattr(b, "shape", ())
    if len(a_shape) == 0 or len(b_shape) == 0:
        raise ShapeError(f"matmul: operands must have at least one axis, got shapes {a_shape} and {b_shape}. "
                         "Hint: use * for a product with a scalar.")
    return apply(REGISTRY["matmul"], (a, b), NO_PARAMS)
