"""Switches for recording the graph: ``no_grad`` and ``enable_grad``.

Both work as context managers and as decorators::

    >>> import neurona as nr
    >>> x = nr.tensor([1.0, 2.0], requires_grad=True)
    >>> with nr.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
"""
from __future__ import annotations

import functools


class _State:
    """The engine's global switches, read on every op (attribute lookups only, no locks)."""
    __slots__ = ("grad_enabled", "fw_levels", "inplace_count")

    def __init__(self):
        self.grad_enabled = True
        self.fw_levels = ()  # active forward-mode levels, outermost first
        self.inplace_count = 0  # in-place modifications so far: a node recorded after the last one is safe


state = _State()


class _GradSwitch:
    """Sets ``state.grad_enabled`` to a fixed value inside a ``with`` block or a decorated function."""
    _value = True

    def __enter__(self):
        self._previous = state.grad_enabled
        state.grad_enabled = self._value
        return self

    def __exit__(self, *exc):
        state.grad_enabled = self._previous
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradSwitch):
    """Ops inside do not record a graph: outputs have ``requires_grad=False``. Forward-mode tangents still flow.

    >>> import neurona as nr
    >>> x = nr.tensor(2.0, requires_grad=True)
    >>> with nr.no_grad():
    ...     y = x * 3
    >>> y.requires_grad
    False
    """
    _value = False


class enable_grad(_GradSwitch):
    """Turns graph recording back on inside a ``no_grad`` block.

    >>> import neurona as nr
    >>> with nr.no_grad():
    ...     with nr.enable_grad():
    ...         y = nr.tensor(2.0, requires_grad=True) * 3
    >>> y.requires_grad
    True
    """
    _value = True


def is_grad_enabled() -> bool:
    """True when ops record the graph for reverse mode.

    >>> import neurona as nr
    >>> nr.is_grad_enabled()
    True
    >>> with nr.no_grad():
    ...     print(nr.is_grad_enabled())
    False
    """
    return state.grad_enabled
