"""Convolution building blocks: ``im2col`` and its transpose ``col2im``.

``im2col`` turns every receptive field of a (batch, height, width, channels) image into one row, as a strided
view (no Python loop over pixels; for a one-channel image, a copy made by one compiled pass): a convolution is
then one matrix product with the kernel. Both are linear, each the other's transpose, so reverse mode, forward
mode and higher order all follow. ``col2im`` loops over the kernel's positions only (9 for a 3x3 kernel),
adding one strided slice each.

Output layout of ``im2col``: (batch, out_height, out_width, kernel_height, kernel_width, channels). Max pooling's
primitives are in :mod:`.pooling`.
"""
from __future__ import annotations

import numpy as np

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Linear
from ..devices.backend import xp_of
from ..devices.cpu_kernels import kernel_for
from ._common import as_tensor, value


def output_size(size, kernel, stride, dilation):
    """Positions a kernel of ``kernel`` taps (``dilation`` apart) takes, moving by ``stride``, without padding."""
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def windows_shape(image_shape, kernel, strides, dilation):
    """The shape of :func:`windows` of an image of ``image_shape``: (n, oh, ow, kh, kw, c)."""
    n, h, w, c = image_shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, strides, dilation
    return n, output_size(h, kh, sh, dh), output_size(w, kw, sw, dw), kh, kw, c


def windows(x, kernel, strides, dilation):
    """The raw strided view of all receptive fields of ``x`` (read-only, shares memory with ``x``)."""
    xp = xp_of(x)
    (sh, sw), (dh, dw) = strides, dilation
    s = x.strides
    shape = windows_shape(x.shape, kernel, strides, dilation)
    strides_ = (s[0], s[1] * sh, s[2] * sw, s[1] * dh, s[2] * dw, s[3])
    if xp.__name__ != "numpy":
        return xp.lib.stride_tricks.as_strided(x, shape, strides_)  # pragma: no cover - CuPy
    if x.flags.c_contiguous:   # a view over x's buffer: 3 against NumPy's as_strided's 9.4 us (predict on one sample)
        view = np.ndarray(shape, x.dtype, buffer=x, strides=strides_)
        view.flags.writeable = False
        return view
    return xp.lib.stride_tricks.as_strided(x, shape, strides_, writeable=False)


class Im2Col(Linear):
    name = "im2col"

    def forward(self, x, kernel, strides, dilation):
        fast = kernel_for("im2col_one_channel", x) if x.shape[3] == 1 and x.flags.c_contiguous else None
        if fast is None:   # a view: the reshape into rows that follows copies it
            return windows(x, kernel, strides, dilation)
        # one channel: the rows of windows copied by one compiled pass
        out = np.empty(windows_shape(x.shape, kernel, strides, dilation), dtype=x.dtype)
        fast(x, strides[0], strides[1], dilation[0], dilation[1], out)
        return out

    def transpose(self, F, g, x, kernel, strides, dilation):
        return F.col2im(g, kernel=kernel, strides=strides, dilation=dilation, image_shape=value(x).shape)


class Col2Im(Linear):
    """Adds each row of patches back where it came from (overlapping fields add up)."""
    name = "col2im"

    def forward(self, cols, kernel, strides, dilation, image_shape):
        xp = xp_of(cols)
        out = xp.zeros(image_shape, dtype=cols.dtype)
        _, oh, ow, kh, kw, _ = cols.shape
        (sh, sw), (dh, dw) = strides, dilation
        fast = kernel_for("col2im", cols)
        if fast is not None:  # one compiled pass, adding in the same order as the loop below
            fast(cols, sh, sw, dh, dw, out)
            return out
        for i in range(kh):
            for j in range(kw):
                out[:, i * dh: i * dh + sh * (oh - 1) + 1: sh, j * dw: j * dw + sw * (ow - 1) + 1: sw, :] += \
                    cols[:, :, :, i, j, :]
        return out

    def transpose(self, F, g, cols, kernel, strides, dilation, image_shape):
        return F.im2col(g, kernel=kernel, strides=strides, dilation=dilation)


def im2col(x, kernel, strides=(1, 1), dilation=(1, 1)):
    """All receptive fields of an NHWC image (no padding): shape (N, OH, OW, KH, KW, C)."""
    x = as_tensor(x)
    if x.ndim != 4:
        from ..autograd.engine import ShapeError
        raise ShapeError(f"im2col: expects a (batch, height, width, channels) tensor, got shape {x.shape}")
    return apply(REGISTRY["im2col"], (x,), {"kernel": tuple(kernel), "strides": tuple(strides),
                                           "dilation": tuple(dilation)})


def col2im(cols, kernel, strides, dilation, image_shape):
    """The transpose of :func:`im2col`: patches summed back into an image of ``image_shape``."""
    return apply(REGISTRY["col2im"], (as_tensor(cols),), {"kernel": tuple(kernel), "strides": tuple(strides),
                                                          "dilation": tuple(dilation),
                                                          "image_shape": tuple(image_shape)})
