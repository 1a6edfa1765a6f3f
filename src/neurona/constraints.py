"""Weight constraints, applied to a weight after each optimizer update (Keras' ``kernel_constraint=``,
``bias_constraint=``, ...): the weight is projected back into an allowed set.

- ``MaxNorm(max_value=2, axis=0)``: the norm of each unit's incoming weights is at most ``max_value`` (often
  with Dropout, as in Srivastava et al., 2014).
- ``NonNeg()``: negative entries become 0.
- ``UnitNorm(axis=0)``: each unit's incoming weights have norm 1.
- ``MinMaxNorm(min_value=0, max_value=1, rate=1, axis=0)``: the norm is moved ``rate`` of the way into
  ``[min_value, max_value]``.

``axis`` is the axis (or axes) summed over for the norm: 0 for a Dense kernel of shape (inputs, units),
``(0, 1, 2)`` for a Conv2D kernel of shape (rows, cols, channels, filters).

>>> import numpy as np
>>> MaxNorm(1.0)(np.array([[3.0, 0.3], [4.0, 0.4]])).round(4).tolist()   # column norms 5 and 0.5
[[0.6, 0.3], [0.8, 0.4]]
"""
from __future__ import annotations

from . import checks
from .autograd.tensor import Tensor
from .devices.backend import xp_of

__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "max_norm", "non_neg", "unit_norm",
           "min_max_norm", "get", "serialize"]

EPSILON = 1e-7  # Keras' backend epsilon, added to a norm before dividing by it


class Constraint:
    """Callable ``constraint(weight) -> projected weight`` on a raw array (or a Tensor, giving a Tensor).

    >>> import neurona as nr
    >>> import numpy as np
    >>> class Clip(nr.constraints.Constraint):
    ...     def project(self, w):
    ...         return np.clip(w, -1.0, 1.0)
    >>> Clip()(np.array([-3.0, 0.5])).tolist()
    [-1.0, 0.5]
    """

    def __call__(self, w):
        if isinstance(w, Tensor):
            return Tensor(self.project(w.data))
        return self.project(w)

    def project(self, w):
        raise NotImplementedError

    def get_config(self) -> dict:
        return dict(vars(self))


def _axis(axis, where):
    if checks.is_int(axis):
        return int(axis)
    if isinstance(axis, (list, tuple)) and axis and all(checks.is_int(a) for a in axis):
        return tuple(int(a) for a in axis)
    raise TypeError(f"{where}: axis must be an integer or a list of integers, got {axis!r}")


def _norms(w, axis):
    xp = xp_of(w)
    return xp.sqrt((w * w).sum(axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Scale each unit's incoming weights down to norm ``max_value`` when their norm is larger.

    >>> import neurona as nr
    >>> import numpy as np
    >>> nr.constraints.MaxNorm(1.0)(np.array([[3.0], [4.0]])).round(3).tolist()
    [[0.6], [0.8]]
    """

    def __init__(self, max_value=2.0, axis=0):
        self.max_value = checks.number(max_value, "max_value", "MaxNorm", low=0)
        self.axis = _axis(axis, "MaxNorm")

    def project(self, w):
        norms = _norms(w, self.axis)
        desired = xp_of(w).clip(norms, 0, self.max_value)
        return w * (desired / (EPSILON + norms))


class NonNeg(Constraint):
    """Set negative weights to 0.

    >>> import neurona as nr
    >>> import numpy as np
    >>> nr.constraints.NonNeg()(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]
    True
    """

    def project(self, w):
        return w * (w >= 0)


class UnitNorm(Constraint):
    """Scale each unit's incoming weights to norm 1.

    >>> import neurona as nr
    >>> import numpy as np
    >>> nr.constraints.UnitNorm()(np.array([[3.0], [4.0]])).round(3).tolist()
    [[0.6], [0.8]]
    """

    def __init__(self, axis=0):
        self.axis = _axis(axis, "UnitNorm")

    def project(self, w):
        return w / (EPSILON + _norms(w, self.axis))


class MinMaxNorm(Constraint):
    """Move each unit's norm ``rate`` of the way into ``[min_value, max_value]`` (``rate=1``: all the way).

    >>> import neurona as nr
    >>> import numpy as np
    >>> w = nr.constraints.MinMaxNorm(min_value=1.0, max_value=2.0)(np.array([[0.3], [0.4]]))
    >>> round(float(np.linalg.norm(w)), 4)
    1.0
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        where = "MinMaxNorm"
        self.min_value = checks.number(min_value, "min_value", where, low=0)
        self.max_value = checks.number(max_value, "max_value", where, low=self.min_value)
        self.rate = checks.number(rate, "rate", where, low=0, high=1)
        self.axis = _axis(axis, where)

    def project(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * xp_of(w).clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm  # Keras' lower-case names
_BY_NAME = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


def get(identifier):
    """A constraint from None, a name (``"max_norm"`` or ``"MaxNorm"``), a saved config or an instance.

    >>> import neurona as nr
    >>> type(nr.constraints.get("max_norm")).__name__
    'MaxNorm'
    >>> type(nr.constraints.get("NonNeg")).__name__
    'NonNeg'
    """
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, dict) and identifier.get("name") in _BY_NAME:
        return _BY_NAME[identifier["name"]](**identifier.get("config", {}))
    if isinstance(identifier, str):
        from .utils import snake_case
        name = identifier if identifier in _BY_NAME else snake_case(identifier)
        if name in _BY_NAME:
            return _BY_NAME[name]()
    if callable(identifier) and not isinstance(identifier, type):
        return identifier
    raise ValueError(f"unknown constraint {identifier!r}; known: {', '.join(sorted(_BY_NAME))}")


def serialize(constraint) -> dict | None:
    """A JSON-able description (inverse of :func:`get`); None for None.

    >>> import neurona as nr
    >>> nr.constraints.serialize(nr.constraints.MaxNorm(3.0))
    {'name': 'max_norm', 'config': {'max_value': 3.0, 'axis': 0}}
    """
    if constraint is None:
        return None
    for name, cls in _BY_NAME.items():
        if type(constraint) is cls:
            config = constraint.get_config()
            return {"name": name, "config": {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}}
    raise ValueError(f"constraint {constraint!r} cannot be saved: use one of MaxNorm, NonNeg, UnitNorm, MinMaxNorm")
