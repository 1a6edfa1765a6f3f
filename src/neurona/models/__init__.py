"""Models: :class:`Model` (subclass it) and :class:`Sequential` (a stack of layers)."""
from .model import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential"]
