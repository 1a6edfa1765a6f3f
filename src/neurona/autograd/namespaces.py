"""The namespace ``F`` that derivative rules are written against, in its two forms.

``RAW`` runs a primitive's forward on raw arrays: a first-order backward pass with no graph and no Tensor
objects. ``TENSOR`` applies the primitive through the engine, so the backward computation is itself recorded
(``create_graph=True``) and carries forward-mode tangents: derivatives of derivatives come for free.

Both expose every registered primitive by name (``F.exp(x)``, ``F.sum(x, axis=0, keepdims=False)``) plus
``F.apply(prim, *args, **params)``. One entry differs on purpose: ``RAW.index_add`` (the transpose of indexing)
returns a lazy sparse gradient instead of a zero-filled array.
"""
from __future__ import annotations

from .primitive import REGISTRY


class _Namespace:
    """Attribute access ``F.name`` gives a callable applying the primitive ``name``."""

    def __init__(self, apply):
        self.apply = apply

    def __getattr__(self, name):
        try:
            prim = REGISTRY[name]
        except KeyError:
            raise AttributeError(f"no primitive named {name!r}") from None
        apply = self.apply

        def call(*args, **params):
            return apply(prim, *args, **params)
        call.__name__ = name
        setattr(self, name, call)  # cache: later lookups skip __getattr__
        return call


def _raw_apply(prim, *args, **params):
    out = prim.forward(*args, **params)
    return out[0] if prim.saves_aux else out


def _tensor_apply(prim, *args, **params):
    return _engine_apply(prim, args, params)


def _engine_apply(prim, args, params):
    global _engine_apply
    from .engine import apply  # the engine imports this module: bind on first use
    _engine_apply = apply
    return apply(prim, args, params)


RAW = _Namespace(_raw_apply)
TENSOR = _Namespace(_tensor_apply)


def _sparse_index_add(g, index, shape):
    """``index_add`` in a first-order backward: a lazy zero-except-at-``index`` gradient that the engine adds
    straight into the gradient it accumulates (no zero-filled array), the one place raw and tensor differ."""
    from .scatter_grad import ScatterGrad
    return ScatterGrad(g, index, shape)


RAW.index_add = _sparse_index_add
