"""Shape functions composed from the shape primitives (``reshape``, ``transpose``, ``concatenate``):
``expand_dims``, ``squeeze``, ``stack``, ``flatten`` and ``swapaxes``.

>>> import neurona as nr
>>> stack([nr.ones(2), nr.zeros(2)], axis=1).shape
(2, 2)
"""
from __future__ import annotations

from ..autograd.engine import ShapeError
from ..checks import axis as checked_axis, is_int, torch_names
from ..ops._common import as_tensor
from ..ops.shape import concatenate, reshape, transpose


def swapaxes(x, a, b):
    """``x`` with axes ``a`` and ``b`` exchanged.

    >>> import neurona as nr
    >>> nr.swapaxes(nr.ones(2, 3), 0, 1).shape
    (3, 2)
    """
    x = as_tensor(x)
    axes = list(range(x.ndim))
    a, b = checked_axis(a, x.ndim, "swapaxes", "a"), checked_axis(b, x.ndim, "swapaxes", "b")
    axes[a], axes[b] = axes[b], axes[a]
    return transpose(x, axes)


@torch_names
def expand_dims(x, axis):
    """Insert an axis of length 1 at position ``axis``.

    >>> import neurona as nr
    >>> nr.expand_dims(nr.ones(3), 0).shape
    (1, 3)
    """
    x = as_tensor(x)
    axis = checked_axis(axis, x.ndim + 1, "expand_dims")
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


@torch_names
def squeeze(x, axis=None):
    """Remove axes of length 1 (all of them, or the given ones, which must have length 1).

    >>> import neurona as nr
    >>> nr.squeeze(nr.ones(1, 3, 1)).shape
    (3,)
    """
    x = as_tensor(x)
    if axis is None:
        axes = {i for i, n in enumerate(x.shape) if n == 1}
    else:
        axes = {checked_axis(a, x.ndim, "squeeze") for a in ((axis,) if is_int(axis) else axis)}
        for a in axes:
            if x.shape[a] != 1:
                raise ValueError(f"squeeze: axis {a} of shape {x.shape} has length {x.shape[a]}, not 1")
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


@torch_names
def stack(tensors, axis=0):
    """Join tensors of the same shape along a new ``axis``.

    >>> import neurona as nr
    >>> nr.stack([nr.ones(2), nr.zeros(2)]).tolist()
    [[1.0, 1.0], [0.0, 0.0]]
    """
    tensors = [as_tensor(t) for t in tensors]
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all tensors need the same shape, got {sorted(shapes)}")
    return concatenate([expand_dims(t, axis) for t in tensors], axis=axis)


def flatten(x, start_axis=0):
    """Merge the axes from ``start_axis`` on into one.

    >>> import neurona as nr
    >>> nr.flatten(nr.ones(2, 3, 4), start_axis=1).shape
    (2, 12)
    """
    x = as_tensor(x)
    start_axis = checked_axis(start_axis, max(x.ndim, 1), "flatten", "start_axis")
    return reshape(x, x.shape[:start_axis] + (-1,))
