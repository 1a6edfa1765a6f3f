"""Automatic differentiation: the Tensor, the primitive registry, the reverse engine, forward mode and the
functional transforms."""
from .engine import ShapeError, backward, grad
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .primitive import REGISTRY, Elementwise, Linear, Primitive
from .tensor import Tensor, tensor

__all__ = ["ShapeError", "backward", "grad", "enable_grad", "is_grad_enabled", "no_grad", "REGISTRY",
           "Elementwise", "Linear", "Primitive", "Tensor", "tensor"]
