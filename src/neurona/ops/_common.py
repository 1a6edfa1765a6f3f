"""Helpers shared by the primitive families: turning user arguments into engine inputs."""
from __future__ import annotations

from ..autograd.engine import apply
from ..autograd.tensor import Tensor

_SCALARS = (int, float, bool)
NO_PARAMS: dict = {}


def as_tensor(x) -> Tensor:
    """``x`` itself when it is a Tensor, else a constant tensor wrapping it (see the dtype rule)."""
    return x if x.__class__ is Tensor else Tensor(x)


def operand(x, other=None):
    """An input for a binary op: Tensors and Python scalars pass as they are (a scalar adapts to the tensor's
    dtype, as in NumPy); anything else becomes a Tensor."""
    if x.__class__ is Tensor:
        return x
    if type(x) in _SCALARS and other.__class__ is Tensor:
        return x
    return Tensor(x)


def value(x):
    """The raw array behind a Tensor, or ``x`` itself (rules use it for masks, which carry no derivative)."""
    return x.data if x.__class__ is Tensor else x


def unary(prim):
    """The public function for a one-input primitive without parameters."""
    def op(x):
        return apply(prim, (as_tensor(x),), NO_PARAMS)
    op.__name__ = prim.name
    op.__doc__ = f"Elementwise ``{prim.name}`` (primitive; derivative rule in ``neurona.ops``)."
    return op


def binary(prim):
    """The public function for a two-input primitive without parameters."""
    def op(a, b):
        if a.__class__ is not Tensor and b.__class__ is not Tensor:
            a = Tensor(a)
        return apply(prim, (operand(a, b), operand(b, a)), NO_PARAMS)
    op.__name__ = prim.name
    op.__doc__ = f"Elementwise ``{prim.name}`` with NumPy broadcasting (primitive)."
    return op
