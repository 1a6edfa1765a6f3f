"""Shape primitives: reshape, transpose, broadcast_to, concatenate, pad.

All are linear, so forward mode applies the op to the tangent and reverse mode is the transpose op.
``expand_dims``, ``squeeze``, ``stack``, ``flatten`` and ``swapaxes`` are compositions of these
(:mod:`neurona.functional.shape`).
"""
from __future__ import annotations

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Linear, Primitive
from ..devices.backend import xp_of
from ..checks import axis as checked_axis, torch_names
from ._common import as_tensor, value


class Reshape(Linear):
    name = "reshape"

    def forward(self, x, shape):
        return x.reshape(shape)

    def transpose(self, F, g, x, shape):
        return F.reshape(g, shape=value(x).shape)


class Transpose(Linear):
    name = "transpose"

    def forward(self, x, axes):
        return x.transpose(axes)

    def transpose(self, F, g, x, axes):
        inverse = [0] * len(axes)
        for i, a in enumerate(axes):
            inverse[a] = i
        return F.transpose(g, axes=tuple(inverse))


class BroadcastTo(Linear):
    name = "broadcast_to"

    def forward(self, x, shape):
        return xp_of(x).broadcast_to(x, shape)

    def transpose(self, F, g, x, shape):
        return F.sum_to(g, shape=value(x).shape)


class Concatenate(Primitive):
    """Join tensors along an existing axis; the gradient is split back into the pieces."""
    name = "concatenate"
    saves = ()

    def forward(self, *arrays, axis):
        return xp_of(arrays[0]).concatenate(arrays, axis=axis)

    def vjp(self, F, g, out, *inputs, axis):
        grads, start = [], 0
        for x in inputs:
            n = value(x).shape[axis]
            index = (slice(None),) * axis + (slice(start, start + n),)
            grads.append(F.getitem(g, index=index))
            start += n
        return tuple(grads)

    def jvp(self, F, tangents, out, *inputs, axis):
        parts = [t if t is not None else 0.0 * x for t, x in zip(tangents, inputs)]
        return F.concatenate(*parts, axis=axis)


class Pad(Linear):
    """Constant (zero) padding; ``pad_width`` is a tuple of (before, after) per axis."""
    name = "pad"

    def forward(self, x, pad_width):
        return xp_of(x).pad(x, pad_width)

    def transpose(self, F, g, x, pad_width):
        index = tuple(slice(before, before + n) for (before, _), n in zip(pad_width, value(x).shape))
        return F.getitem(g, index=index)


# ---- public functions ----------------------------------------------------------------------------------


def reshape(x, *shape):
    """``x`` with a new shape of the same size; one axis may be -1.

    >>> import neurona as nr
    >>> nr.reshape(nr.arange(6), 2, 3).shape
    (2, 3)
    """
    x = as_tensor(x)
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = tuple(shape[0])
    if -1 in shape:
        known = 1
        for n in shape:
            known *= n if n != -1 else 1
        shape = tuple(x.data.size // known if known and n == -1 else n for n in shape)
    if _prod(shape) != x.data.size:
        from ..autograd.engine import ShapeError
        raise ShapeError(f"reshape: cannot reshape a tensor of shape {x.shape} (size {x.data.size}) into {shape}")
    if tuple(shape) == x.shape:
        return x
    return apply(REGISTRY["reshape"], (x,), {"shape": tuple(shape)})


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def transpose(x, axes=None):
    """Permute the axes (reverse them by default).

    >>> import neurona as nr
    >>> nr.transpose(nr.ones(2, 3)).shape
    (3, 2)
    """
    x = as_tensor(x)
    axes = tuple(reversed(range(x.ndim))) if axes is None else tuple(checked_axis(a, x.ndim, "transpose")
                                                                     for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of shape {x.shape}")
    return apply(REGISTRY["transpose"], (x,), {"axes": axes})


def broadcast_to(x, shape):
    """``x`` repeated along axes so it has ``shape`` (NumPy broadcasting rules).

    >>> import neurona as nr
    >>> nr.broadcast_to(nr.tensor([1.0, 2.0]), (2, 2)).tolist()
    [[1.0, 2.0], [1.0, 2.0]]
    """
    x = as_tensor(x)
    shape = tuple(shape)
    if shape == x.shape:
        return x
    return apply(REGISTRY["broadcast_to"], (x,), {"shape": shape})


@torch_names
def concatenate(tensors, axis=0):
    """Join tensors along an existing ``axis``.

    >>> import neurona as nr
    >>> nr.cat([nr.ones(2), nr.zeros(1)]).tolist()
    [1.0, 1.0, 0.0]
    """
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    return apply(REGISTRY["concatenate"], tuple(tensors),
                 {"axis": checked_axis(axis, max(tensors[0].ndim, 1), "concatenate")})


def pad(x, pad_width):
    """Zero-pad ``x``: ``pad_width`` gives (before, after) for every axis.

    >>> import neurona as nr
    >>> nr.pad(nr.ones(2), ((1, 1),)).tolist()
    [0.0, 1.0, 1.0, 0.0]
    """
    x = as_tensor(x)
    return apply(REGISTRY["pad"], (x,), {"pad_width": tuple((int(a), int(b)) for a, b in pad_width)})
