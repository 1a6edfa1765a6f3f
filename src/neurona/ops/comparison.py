"""Ops without a derivative: comparisons and arg-reductions. They return constant tensors (no graph)."""
from __future__ import annotations

from ..autograd.tensor import _make
from ..devices.backend import xp_of
from ..checks import torch_names
from ._common import value


def _compare(name, fn):
    def op(a, b):
        return _make(fn(value(a), value(b)))
    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` as a bool tensor (no gradient)."
    return op


eq = _compare("eq", lambda a, b: a == b)
ne = _compare("ne", lambda a, b: a != b)
lt = _compare("lt", lambda a, b: a < b)
le = _compare("le", lambda a, b: a <= b)
gt = _compare("gt", lambda a, b: a > b)
ge = _compare("ge", lambda a, b: a >= b)
_RESULTS = {"eq": "[False, True, False]", "ne": "[True, False, True]", "lt": "[True, False, False]",
            "le": "[True, True, False]", "gt": "[False, False, True]", "ge": "[False, True, True]"}
for _op in (eq, ne, lt, le, gt, ge):   # each with an example: the comparison of [1, 2, 3] with 2
    _op.__doc__ += (f"\n\n>>> import neurona as nr\n>>> nr.{_op.__name__}(nr.tensor([1.0, 2.0, 3.0]), 2.0).tolist()\n"
                    f"{_RESULTS[_op.__name__]}")


@torch_names
def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (first one at ties), as an int64 tensor.

    >>> import neurona as nr
    >>> nr.argmax(nr.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 1.0]]), axis=1).tolist()
    [1, 0]
    """
    raw = value(x)
    return _make(xp_of(raw).asarray(raw.argmax(axis=axis, keepdims=keepdims)))


@torch_names
def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (first one at ties), as an int64 tensor.

    >>> import neurona as nr
    >>> nr.argmin(nr.tensor([3.0, 1.0, 2.0])).item()
    1
    """
    raw = value(x)
    return _make(xp_of(raw).asarray(raw.argmin(axis=axis, keepdims=keepdims)))


def isnan(x):
    """Where ``x`` is NaN, as a bool tensor.

    >>> import neurona as nr
    >>> nr.isnan(nr.tensor([1.0, float("nan")])).tolist()
    [False, True]
    """
    raw = value(x)
    return _make(xp_of(raw).isnan(raw))


def isfinite(x):
    """Where ``x`` is neither infinite nor NaN, as a bool tensor.

    >>> import neurona as nr
    >>> nr.isfinite(nr.tensor([1.0, float("inf"), float("nan")])).tolist()
    [True, False, False]
    """
    raw = value(x)
    return _make(xp_of(raw).isfinite(raw))
