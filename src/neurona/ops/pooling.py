"""Max pooling as primitives: ``max_pool`` (the maximum of each window, its gradient going to the window's
first maximum), and the pair that moves values between windows and pixels, each the other's transpose.

>>> import neurona as nr
>>> max_pool(nr.tensor([[[[1.0], [3.0]], [[2.0], [0.0]]]]), (2, 2), (2, 2)).tolist()
[[[[3.0]]]]
"""
from __future__ import annotations

import numpy as np

from ..autograd.engine import ShapeError, apply
from ..autograd.primitive import REGISTRY, Linear, Primitive
from ..checks import positive_ints
from ..devices.backend import xp_of
from ..devices.cpu_kernels import kernel_for
from ._common import as_tensor, value
from .convolution import output_size


def _window_slices(kernel, strides, out_hw):
    """For each position (i, j) of a window, the slices of the image that position visits across windows."""
    (kh, kw), (sh, sw), (oh, ow) = kernel, strides, out_hw
    return [(slice(None), slice(i, i + sh * (oh - 1) + 1, sh), slice(j, j + sw * (ow - 1) + 1, sw), slice(None))
            for i in range(kh) for j in range(kw)]


def _first_max_masks(x, out, kernel, strides):
    """For each window position, where that position holds the window's maximum and no earlier one did (the
    first maximum wins, as in PyTorch and TensorFlow). Bool arrays of the output's shape; no derivative."""
    masks, taken = [], None
    for where in _window_slices(kernel, strides, out.shape[1:3]):
        hit = x[where] == out
        if taken is None:
            taken = hit.copy()
        else:
            hit &= ~taken
            taken |= hit
        masks.append(hit)
    return masks


class MaxPool(Primitive):
    """Max pooling of an NHWC image over (kh, kw) windows moving by ``strides``, without padding.

    The forward is a chain of elementwise maxima over the window's positions (a loop over kh*kw positions,
    never over pixels); the gradient goes to the first maximum of each window through :class:`PoolScatter`,
    linear once the winners are known, so forward mode and higher order follow. On the CPU with numba, one
    compiled pass finds the maxima and their winners, and the first-order reverse is one compiled scatter
    (:mod:`neurona.devices.cpu_kernels`); the tests check it against the NumPy path.
    """
    name = "max_pool"
    saves_output = True
    saves_aux = True  # the winners, when the compiled CPU kernel found them in the forward pass

    def forward(self, x, kernel, strides):
        out_hw = (output_size(x.shape[1], kernel[0], strides[0], 1), output_size(x.shape[2], kernel[1], strides[1], 1))
        two_by_two = tuple(kernel) == (2, 2)
        fast = kernel_for("max_pool_2x2" if two_by_two else "max_pool", x)
        if fast is not None and kernel[0] * kernel[1] < 255:
            out = np.empty((x.shape[0],) + out_hw + (x.shape[3],), dtype=x.dtype)
            winner = np.empty(out.shape, dtype=np.uint8)
            if two_by_two:
                fast(x, strides[0], strides[1], out, winner)
            else:
                fast(x, kernel[0], kernel[1], strides[0], strides[1], out, winner)
            return out, winner
        slices = _window_slices(kernel, strides, out_hw)
        out = x[slices[0]].copy()
        for where in slices[1:]:
            xp_of(x).maximum(out, x[where], out=out)
        return out, None

    def vjp(self, F, g, out, x, kernel, strides, aux=None):
        if aux is not None:  # first order, winners known: one pass of the compiled scatter
            if tuple(kernel) == tuple(strides):   # tiling windows: every pixel written once
                grad = np.empty(x.shape, dtype=g.dtype)
                kernel_for("max_pool_scatter_tiled", g)(np.ascontiguousarray(g), aux, kernel[0], kernel[1], grad)
                return (grad,)
            grad = np.zeros(x.shape, dtype=g.dtype)
            kernel_for("max_pool_scatter", g)(g, aux, kernel[0], kernel[1], strides[0], strides[1], grad)
            return (grad,)
        masks = _first_max_masks(value(x), value(out), kernel, strides)
        return (F.pool_scatter(g, masks=masks, kernel=kernel, strides=strides, image_shape=value(x).shape),)

    def jvp(self, F, tangents, out, x, kernel, strides):
        masks = _first_max_masks(value(x), value(out), kernel, strides)
        return F.pool_gather(tangents[0], masks=masks, kernel=kernel, strides=strides)


class PoolGather(Linear):
    """From each window of an image, the pixel its mask marks (one mask per window position)."""
    name = "pool_gather"

    def forward(self, x, masks, kernel, strides):
        slices = _window_slices(kernel, strides, masks[0].shape[1:3])
        out = x[slices[0]] * masks[0]
        for where, mask in zip(slices[1:], masks[1:]):
            out += x[where] * mask
        return out

    def transpose(self, F, g, x, masks, kernel, strides):
        return F.pool_scatter(g, masks=masks, kernel=kernel, strides=strides, image_shape=value(x).shape)


class PoolScatter(Linear):
    """Each pooled value put back at its window's marked pixel: the transpose of :class:`PoolGather`."""
    name = "pool_scatter"

    def forward(self, g, masks, kernel, strides, image_shape):
        xp = xp_of(g)
        tiled = tuple(strides) == tuple(kernel)  # windows do not overlap: plain assignment
        covers = tiled and all(image_shape[1 + i] == g.shape[1 + i] * kernel[i] for i in range(2))
        out = (xp.empty if covers else xp.zeros)(image_shape, dtype=g.dtype)  # every pixel written when covered
        for where, mask in zip(_window_slices(kernel, strides, g.shape[1:3]), masks):
            if tiled:
                xp.multiply(g, mask, out=out[where])
            else:
                out[where] += g * mask
        return out

    def transpose(self, F, g, values, masks, kernel, strides, image_shape):
        return F.pool_gather(g, masks=masks, kernel=kernel, strides=strides)


def max_pool(x, kernel, strides):
    """Max pooling of an NHWC image without padding over ``kernel`` (an int or (kh, kw)) windows moving by
    ``strides``; see :class:`MaxPool`.

    >>> import neurona as nr
    >>> nr.ops.max_pool(nr.ones(1, 4, 4, 3), 2, 2).shape
    (1, 2, 2, 3)
    """
    x = as_tensor(x)
    kernel, strides = positive_ints(kernel, 2, "kernel", "max_pool"), positive_ints(strides, 2, "strides", "max_pool")
    if x.ndim != 4:
        raise ShapeError(f"max_pool: expected an image of shape (batch, height, width, channels), got {x.shape}")
    if any(output_size(x.shape[1 + i], kernel[i], strides[i], 1) <= 0 for i in range(2)):
        raise ShapeError(f"max_pool: a {kernel[0]}x{kernel[1]} window does not fit an input of {x.shape[1]}x"
                         f"{x.shape[2]} pixels; use a smaller window or pad the input")
    return apply(REGISTRY["max_pool"], (x,), {"kernel": kernel, "strides": strides})
