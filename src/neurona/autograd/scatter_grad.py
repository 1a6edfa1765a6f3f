"""A gradient that is zero except at an index: what ``getitem``'s reverse rule produces.

In a first-order backward pass the engine never builds the zero-filled array when it can avoid it: the values
are added in place into the gradient already accumulated for that input (which the engine owns). An RNN that
slices one step per iteration out of a big matrix thereby costs one slice per step, not one full array.
"""
from __future__ import annotations

import numpy as np

from ..devices.backend import xp_of


def is_basic(index) -> bool:
    """True when ``index`` has only ints, slices, None and Ellipsis (no element is picked twice)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in parts)


class ScatterGrad:
    """``zeros(shape)`` with ``values`` added at ``index``, kept lazy."""
    __slots__ = ("values", "index", "shape")

    def __init__(self, values, index, shape):
        self.values, self.index, self.shape = values, index, tuple(shape)

    @property
    def dtype(self):
        return self.values.dtype

    def add_into(self, out):
        """Add into ``out`` in place (repeated integer indices add up) and return it."""
        if is_basic(self.index):
            out[self.index] += self.values
        elif xp_of(out) is np:
            np.add.at(out, self.index, self.values)
        else:  # pragma: no cover - CuPy: atomic adds on the GPU
            import cupyx
            cupyx.scatter_add(out, self.index, self.values)
        return out

    def materialize(self):
        out = xp_of(self.values).zeros(self.shape, dtype=self.values.dtype)
        if is_basic(self.index):
            out[self.index] = self.values
            return out
        return self.add_into(out)
