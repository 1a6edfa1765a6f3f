"""Argument checks for the public entry points. Each error names where it happened, the argument, the value it
got and what is allowed; a bad value is never replaced by a default.

A wrong type raises ``TypeError`` and a value out of range ``ValueError``, as Python's own functions do.

>>> positive_int(32, "batch_size", "fit")
32
>>> positive_int(0, "batch_size", "fit")
Traceback (most recent call last):
ValueError: fit: batch_size must be a positive integer, got 0
"""
from __future__ import annotations

import functools
import math
import numbers

import numpy as np


def is_int(value) -> bool:
    """An integer, and not a bool (``True`` is no batch size)."""
    if type(value) is int:  # the common case, without the slower abstract-class check
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and type(value).__name__ != "bool_"


def flag(value, name: str, where: str) -> bool:
    """``value`` as a bool, if it is True or False (NumPy's bools too); 1, "yes" or None are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def integer(value, name: str, where: str) -> int:
    """``value`` as an int, if it is an integer (not a bool: ``True`` is no axis)."""
    if not is_int(value):
        raise TypeError(f"{where}: {name} must be an integer, got {value!r}")
    return int(value)


def is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and type(value).__name__ != "bool_"


def positive_int(value, name: str, where: str) -> int:
    """``value`` as an int, if it is an integer >= 1."""
    return _int_at_least(value, 1, "a positive integer", name, where)


def non_negative_int(value, name: str, where: str) -> int:
    """``value`` as an int, if it is an integer >= 0."""
    return _int_at_least(value, 0, "an integer >= 0", name, where)


def _int_at_least(value, low, what, name, where) -> int:
    if not is_int(value):
        raise TypeError(f"{where}: {name} must be {what}, got {value!r} of type {type(value).__name__}")
    if value < low:
        raise ValueError(f"{where}: {name} must be {what}, got {value!r}")
    return int(value)


def number(value, name: str, where: str, low=None, high=None, low_open=False, high_open=False) -> float:
    """``value`` as a float, if it is a finite real number in the interval given (open or closed ends).

    >>> number(0.5, "rate", "Dropout", 0, 1, high_open=True)
    0.5
    """
    interval = _interval(low, high, low_open, high_open)
    if not is_number(value):
        raise TypeError(f"{where}: {name} must be a number{interval}, got {value!r} of type {type(value).__name__}")
    value = float(value)
    outside = (low is not None and (value <= low if low_open else value < low)) or \
              (high is not None and (value >= high if high_open else value > high))
    if not math.isfinite(value) or outside:
        raise ValueError(f"{where}: {name} must be a finite number{interval}, got {value!r}")
    return value


def optional_number(value, name, where, **bounds):
    """``None``, or a number checked like :func:`number`."""
    return None if value is None else number(value, name, where, **bounds)


def _interval(low, high, low_open, high_open) -> str:
    if low is None and high is None:
        return ""
    if high is None:
        return f" {'>' if low_open else '>='} {low:g}"
    if low is None:
        return f" {'<' if high_open else '<='} {high:g}"
    return f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def axis(value, ndim: int, where: str, name: str = "axis") -> int:
    """``value`` as an axis in ``[0, ndim)``; negative axes count from the end, but never wrap around."""
    if type(value) is int and -ndim <= value < ndim:  # the common case first: ops call this on every use
        return value % ndim
    if not is_int(value):
        raise TypeError(f"{where}: {name} must be an integer, got {value!r} of type {type(value).__name__}")
    if not -ndim <= value < ndim:
        allowed = f"-{ndim} .. {ndim - 1}" if ndim else "none (the input is a scalar)"
        raise ValueError(f"{where}: {name} {value} is out of range for an input of {ndim} dimensions; allowed: "
                         f"{allowed}")
    return int(value) % ndim


def positive_ints(value, rank: int, name: str, where: str) -> tuple:
    """An int or a tuple of ``rank`` positive ints, as a tuple (``kernel_size=3`` -> ``(3, 3)``)."""
    items = (value,) * rank if is_int(value) else value
    if not isinstance(items, (tuple, list)) or len(items) != rank or not all(is_int(v) for v in items):
        raise TypeError(f"{where}: {name} must be a positive integer or a tuple of {rank} positive integers, got "
                        f"{value!r}")
    if any(v <= 0 for v in items):
        raise ValueError(f"{where}: {name} must hold positive integers, got {value!r}")
    return tuple(int(v) for v in items)


def one_of(value, allowed, name: str, where: str):
    """``value``, if it is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{where}: {name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def numeric_dtype(dtype, where: str) -> np.dtype:
    """``dtype`` as a NumPy dtype, if it is one tensors hold: bool, integer or float (no strings, complex)."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.kind not in "biuf":
        raise TypeError(f"{where}: dtype {dtype!r} is not one tensors hold; use a bool, integer or float dtype such "
                        "as 'float32', 'float64', 'int64' or 'bool'")
    return resolved


def torch_names(fn):
    """Let ``fn`` also take PyTorch's names ``dim=`` (for ``axis=``) and ``keepdim=`` (for ``keepdims=``).

    >>> import neurona as nr
    >>> nr.sum(nr.ones(2, 3), dim=1).tolist()
    [3.0, 3.0]
    """
    @functools.wraps(fn)
    def accepting_torch_names(*args, dim=None, keepdim=None, **kwargs):
        if dim is None and keepdim is None:
            return fn(*args, **kwargs)
        for torch_name, ours, given in (("dim", "axis", dim), ("keepdim", "keepdims", keepdim)):
            if given is not None:
                if ours in kwargs:
                    raise TypeError(f"{fn.__name__}: give {ours} or {torch_name} (PyTorch's name for it), not both")
                kwargs[ours] = given
        return fn(*args, **kwargs)
    return accepting_torch_names
