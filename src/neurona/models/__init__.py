"""Models: :class:`Model` (subclass it) and :class:`Sequential` (a stack of layers).

``load_model`` and ``save_model`` are here too, as in ``keras.models``: the functions of :mod:`neurona.io`
(also ``nr.load_model``), imported on first use.

>>> import neurona as nr
>>> nr.models.load_model is nr.load_model
True
"""
from .model import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "load_model", "save_model"]


def __getattr__(name):
    if name in ("load_model", "save_model"):
        from .. import io
        return getattr(io, name)
    raise AttributeError(f"module 'neurona.models' has no attribute {name!r}")
