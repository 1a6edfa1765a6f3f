"""Tensors made from a shape or a range: zeros, ones, full, arange, eye, linspace, and the ``*_like`` forms.

Float tensors default to float32 (``neurona.backend.DEFAULT_FLOAT``).

>>> import neurona as nr
>>> nr.zeros((2, 3)).dtype
dtype('float32')
"""
from __future__ import annotations

import numpy as np

from .devices import backend
from .autograd.tensor import Tensor, _make
from .devices import on_default_device


def _shape(shape):
    if len(shape) == 1 and not isinstance(shape[0], int):
        return tuple(shape[0])
    return tuple(shape)


def _finish(array, requires_grad):
    t = _make(on_default_device(array))
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*shape, dtype=None, requires_grad=False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``.

    >>> import neurona as nr
    >>> nr.zeros(2).tolist()
    [0.0, 0.0]
    """
    return _finish(np.zeros(_shape(shape), dtype=dtype or backend.DEFAULT_FLOAT), requires_grad)


def ones(*shape, dtype=None, requires_grad=False) -> Tensor:
    """A tensor of ones.

    >>> import neurona as nr
    >>> nr.ones(2, 3).shape
    (2, 3)
    """
    return _finish(np.ones(_shape(shape), dtype=dtype or backend.DEFAULT_FLOAT), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False) -> Tensor:
    """A tensor filled with ``fill_value`` (float32 for a Python float, int64 for an int).

    >>> import neurona as nr
    >>> nr.full((2,), 7.0).tolist()
    [7.0, 7.0]
    """
    if dtype is None:
        dtype = backend.DEFAULT_FLOAT if isinstance(fill_value, float) else None
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _finish(np.full(shape, fill_value, dtype=dtype), requires_grad)


def zeros_like(x, dtype=None, requires_grad=False) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``x``.

    >>> import neurona as nr
    >>> nr.zeros_like(nr.ones(2)).tolist()
    [0.0, 0.0]
    """
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return _finish(backend.xp_of(data).zeros_like(data, dtype=dtype), requires_grad)


def ones_like(x, dtype=None, requires_grad=False) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``x``.

    >>> import neurona as nr
    >>> nr.ones_like(nr.zeros(2)).tolist()
    [1.0, 1.0]
    """
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return _finish(backend.xp_of(data).ones_like(data, dtype=dtype), requires_grad)


def full_like(x, fill_value, dtype=None) -> Tensor:
    """A tensor of ``fill_value`` with the shape (and dtype, unless given) of ``x``.

    >>> import neurona as nr
    >>> nr.full_like(nr.zeros(2), 3.0).tolist()
    [3.0, 3.0]
    """
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return _make(backend.xp_of(data).full_like(data, fill_value, dtype=dtype))  # on the device of ``x``


def arange(start, stop=None, step=1, dtype=None) -> Tensor:
    """Evenly spaced values in ``[start, stop)``; int64 for ints, float32 when any argument is a float.

    >>> import neurona as nr
    >>> nr.arange(4).tolist()
    [0, 1, 2, 3]
    """
    if stop is None:
        start, stop = 0, start
    if dtype is None and any(isinstance(v, float) for v in (start, stop, step)):
        dtype = backend.DEFAULT_FLOAT
    return _make(on_default_device(np.arange(start, stop, step, dtype=dtype)))


def linspace(start, stop, num=50, dtype=None) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (float32).

    >>> import neurona as nr
    >>> nr.linspace(0.0, 1.0, 3).tolist()
    [0.0, 0.5, 1.0]
    """
    return _make(on_default_device(np.linspace(start, stop, num, dtype=dtype or backend.DEFAULT_FLOAT)))


def eye(n, m=None, dtype=None) -> Tensor:
    """The identity matrix.

    >>> import neurona as nr
    >>> nr.eye(2).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    return _make(on_default_device(np.eye(n, m, dtype=dtype or backend.DEFAULT_FLOAT)))
