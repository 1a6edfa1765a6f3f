"""Pooling composed from ``pad``, ``im2col``, ``max_pool`` and ``sum``/``mean`` (max, average, global).

>>> import neurona as nr
>>> pool2d(nr.ones((1, 4, 4, 2)), 2).shape
(1, 2, 2, 2)
"""
from __future__ import annotations

from .. import ops
from ..autograd.tensor import Tensor
from ..checks import positive_ints
from ..devices.backend import xp_of
from ..ops._common import as_tensor
from ..ops.convolution import im2col
from ..ops.pooling import max_pool
from .convolution import padded
from .reductions import mean


def pool2d(x, pool_size=2, strides=None, padding="valid", reduce="max"):
    """Max or average pooling over NHWC ``x``. Average pooling with "same" padding divides by the number of
    real (unpadded) pixels in each window, as Keras does."""
    x = as_tensor(x)
    pool = positive_ints(pool_size, 2, "pool_size", "pool2d")
    strides = pool if strides is None else positive_ints(strides, 2, "strides", "pool2d")
    if strides == pool and padding == "valid" and reduce == "mean":
        return _tiled_mean(x, pool)
    framed = padded(x, pool, strides, (1, 1), padding)
    if reduce == "max":
        if framed is not x:  # padded pixels must never win: -inf there
            outside = _padding_mask(x, pool, strides, padding)
            framed = framed + Tensor(xp_of(x.data).where(outside, -xp_of(x.data).inf, 0.0).astype(x.dtype))
        return max_pool(framed, pool, strides)
    total = ops.sum(im2col(framed, pool, strides), axis=(3, 4))
    if framed is x:
        return total / float(pool[0] * pool[1])
    inside = Tensor((~_padding_mask(x, pool, strides, padding)).astype(x.dtype))
    return total / ops.sum(im2col(inside, pool, strides), axis=(3, 4))


def _tiled_mean(x, pool):
    """Average pooling over non-overlapping windows: the image reshaped to (N, OH, ph, OW, pw, C), a view,
    averaged over the two window axes (rows and columns left over at the edges are dropped, as with "valid")."""
    n, h, w, c = x.shape
    (ph, pw) = pool
    oh, ow = h // ph, w // pw
    if oh * ph != h or ow * pw != w:
        x = x[:, :oh * ph, :ow * pw, :]
    return mean(ops.reshape(x, (n, oh, ph, ow, pw, c)), axis=(2, 4))


def _padding_mask(x, pool, strides, padding):
    """A (1, H', W', 1) bool array, true at the pixels that padding added."""
    xp = xp_of(x.data)
    inside = Tensor(xp.ones((1,) + x.shape[1:3] + (1,), dtype=x.dtype))
    return padded(inside, pool, strides, (1, 1), padding).data == 0


def global_pool2d(x, reduce="mean"):
    """Average or maximum over the height and width axes of NHWC ``x``."""
    x = as_tensor(x)
    return mean(x, axis=(1, 2)) if reduce == "mean" else ops.max(x, axis=(1, 2))
