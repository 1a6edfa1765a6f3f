"""Forward mode: tangents computed alongside values, one level per nested ``jvp``.

A tensor may carry a tangent for each active level (``_tangents``: level id -> Tensor). When a primitive runs,
the engine calls :func:`propagate`, which applies the primitive's ``jvp`` rule for every active level that one
of the inputs carries. The rule runs on Tensors with only the *outer* levels active, so a tangent may itself
carry tangents of outer levels (that is how ``jvp`` of ``jvp`` gives second derivatives), and it is recorded in
the reverse graph when gradients are on (reverse-over-forward).
"""
from __future__ import annotations

import itertools

from ..devices import backend
from .grad_mode import state
from .namespaces import TENSOR
from .tensor import Tensor, _make

_level_ids = itertools.count(1)


def new_level() -> int:
    """Open a forward-mode level (innermost); close it with :func:`close_level`."""
    level = next(_level_ids)
    state.fw_levels = state.fw_levels + (level,)
    return level


def close_level(level: int):
    if not state.fw_levels or state.fw_levels[-1] != level:
        raise RuntimeError("forward-mode levels closed out of order")
    state.fw_levels = state.fw_levels[:-1]


def tangent_of(x, level):
    """The tangent ``x`` carries at ``level``, or None."""
    if x.__class__ is Tensor and x._tangents:
        return x._tangents.get(level)
    return None


def set_tangent(x, level, tangent):
    if x._tangents is None:
        x._tangents = {}
    x._tangents[level] = tangent


def _fit_tangent(t, out):
    """The tangent as a Tensor of the output's shape and dtype."""
    if t.__class__ is not Tensor:
        t = _make(backend.xp_of(out.data).asarray(t, dtype=out.data.dtype))
    if t.shape != out.shape:
        t = TENSOR.broadcast_to(t, shape=out.shape)
    if t.dtype != out.dtype:
        t = TENSOR.astype(t, dtype=out.dtype)
    return t


def propagate(prim, inputs, params, out):
    """Compute ``out``'s tangent at every active level from the inputs' tangents (outer levels first)."""
    levels = state.fw_levels
    for i, level in enumerate(levels):
        tangents = [tangent_of(x, level) for x in inputs]
        if not any(t is not None for t in tangents):
            continue
        state.fw_levels = levels[:i]
        try:
            t_out = prim.jvp(TENSOR, tangents, out, *inputs, **params)
        finally:
            state.fw_levels = levels
        if t_out is not None:
            set_tangent(out, level, _fit_tangent(t_out, out))
    if out._tangents and out._node is not None:
        out._node.out_tensor = out  # rules run in tensor mode must see the tangents of the output
