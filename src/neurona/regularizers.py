"""Weight penalties added to the loss, with Keras' semantics (no factor 1/2):

- ``L1(l1)``: ``l1 * sum(|w|)``
- ``L2(l2)``: ``l2 * sum(w^2)``
- ``L1L2(l1, l2)`` (ElasticNet): both.

>>> import neurona as nr
>>> nr.regularizers.L2(0.1)(nr.tensor([1.0, 2.0])).item()
0.5
>>> nr.regularizers.l2(0.1)(nr.tensor([1.0, 2.0])).item()   # Keras' spelling
0.5
"""
from __future__ import annotations

from . import checks, ops


class Regularizer:
    """Callable ``penalty(weight) -> scalar Tensor``.

    >>> import neurona as nr
    >>> class Ones(nr.regularizers.Regularizer):
    ...     def __call__(self, w):
    ...         return nr.ops.sum(nr.ops.abs(w - 1.0))
    >>> Ones()(nr.tensor([1.0, 3.0])).item()
    2.0
    """

    def __call__(self, w):
        raise NotImplementedError

    def get_config(self) -> dict:
        return dict(vars(self))


class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w^2)`` (ElasticNet).

    >>> import neurona as nr
    >>> L1L2(l1=0.5, l2=0.5)(nr.tensor([1.0, -2.0])).item()
    4.0
    """
    def __init__(self, l1=0.0, l2=0.0):
        where = type(self).__name__
        self.l1, self.l2 = checks.number(l1, "l1", where, low=0), checks.number(l2, "l2", where, low=0)

    def __call__(self, w):
        total = 0.0
        if self.l1:
            total = self.l1 * ops.sum(ops.abs(w))
        if self.l2:
            total = total + self.l2 * ops.sum(w * w)
        return total


class L1(L1L2):
    """``l1 * sum(|w|)``: pushes weights to exactly zero (sparse weights).

    >>> import neurona as nr
    >>> L1(0.5)(nr.tensor([1.0, -2.0])).item()
    1.5
    """
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(w^2)``: weight decay, the usual penalty in deep learning.

    >>> import neurona as nr
    >>> L2(0.5)(nr.tensor([1.0, -2.0])).item()
    2.5
    """
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


ElasticNet = L1L2
l1, l2, l1_l2 = L1, L2, L1L2  # Keras' lower-case spellings: regularizers.l2(0.01)
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}


def get(identifier):
    """A regularizer from None, a name ("l2"), a config dict or an instance.

    >>> import neurona as nr
    >>> nr.regularizers.get("l2").l2
    0.01
    >>> nr.regularizers.get(None) is None
    True
    """
    if identifier is None or isinstance(identifier, Regularizer) or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return _BY_NAME[identifier["name"]](**identifier.get("config", {}))
    try:
        return _BY_NAME[identifier.lower()]()
    except (KeyError, AttributeError):
        raise ValueError(f"unknown regularizer {identifier!r}; known: l1, l2, l1_l2") from None


def serialize(reg) -> dict | None:
    """A JSON-able description of a regularizer (None for None), the inverse of :func:`get`.

    >>> serialize(L2(0.1))
    {'name': 'l2', 'config': {'l2': 0.1}}
    """
    if reg is None:
        return None
    name = {L1: "l1", L2: "l2", L1L2: "l1_l2"}.get(type(reg))
    if name is None:
        raise ValueError(f"regularizer {reg!r} cannot be saved: use L1, L2 or L1L2")
    return {"name": name, "config": reg.get_config()}
