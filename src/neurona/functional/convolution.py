"""Convolution and pooling composed from ``pad``, ``im2col``, ``reshape``, ``matmul`` and ``max``/``mean``.

Padding follows Keras (TensorFlow): ``"valid"`` none; ``"same"`` keeps ``ceil(size / stride)`` positions,
padding ``total // 2`` before and the rest after; ``"causal"`` (1-D) pads only before.

>>> import neurona as nr
>>> conv2d(nr.ones((1, 5, 5, 3)), nr.ones((3, 3, 3, 8)), padding="same").shape
(1, 5, 5, 8)
"""
from __future__ import annotations

import math

from .. import ops
from ..autograd.engine import ShapeError
from ..autograd.tensor import Tensor
from ..backend import xp_of
from ..ops._common import as_tensor
from ..ops.convolution import im2col, max_pool
from .reductions import mean


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def same_padding(size, kernel, stride, dilation):
    """(before, after) padding that keeps ``ceil(size / stride)`` outputs, as TensorFlow computes it."""
    effective = dilation * (kernel - 1) + 1
    total = max((math.ceil(size / stride) - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _padded(x, kernel, strides, dilation, padding):
    if padding == "valid":
        return x
    if padding == "same":
        widths = [same_padding(x.shape[1 + i], kernel[i], strides[i], dilation[i]) for i in range(2)]
    elif padding == "causal":
        widths = [(dilation[i] * (kernel[i] - 1), 0) for i in range(2)]
    else:
        raise ValueError(f"padding must be 'valid', 'same' or 'causal', got {padding!r}")
    if all(w == (0, 0) for w in widths):
        return x
    return ops.pad(x, ((0, 0), widths[0], widths[1], (0, 0)))


def conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation=1, activation=None):
    """2-D convolution (cross-correlation, as in Keras and PyTorch) of NHWC ``x`` with a (kh, kw, in, out)
    kernel: one matrix product over the im2col view. With a bias, ``activation`` None or "relu" is applied in
    the same fused primitive as the bias (``ops.dense``)."""
    x, kernel = as_tensor(x), as_tensor(kernel)
    strides, dilation = _pair(strides), _pair(dilation)
    kh, kw, cin, cout = kernel.shape
    if x.ndim != 4 or x.shape[-1] != cin:
        raise ShapeError(f"conv2d: expected an input of shape (batch, height, width, {cin}), got {x.shape}")
    x = _padded(x, (kh, kw), strides, dilation, padding)
    patches = im2col(x, (kh, kw), strides, dilation)
    n, oh, ow = patches.shape[:3]
    if oh <= 0 or ow <= 0:
        raise ShapeError(f"conv2d: a {kh}x{kw} kernel does not fit an input of {x.shape[1]}x{x.shape[2]} pixels "
                         f"(padding {padding!r}, strides {strides}, dilation {dilation})")
    rows = ops.reshape(patches, (n * oh * ow, kh * kw * cin))
    weights = ops.reshape(kernel, (kh * kw * cin, cout))
    if bias is not None:
        return ops.reshape(ops.dense(rows, weights, bias, activation), (n, oh, ow, cout))
    out = ops.reshape(rows @ weights, (n, oh, ow, cout))
    return out if activation is None else ops.relu(out)


def pool2d(x, pool_size=2, strides=None, padding="valid", reduce="max"):
    """Max or average pooling over NHWC ``x``. Average pooling with "same" padding divides by the number of
    real (unpadded) pixels in each window, as Keras does."""
    x = as_tensor(x)
    pool = _pair(pool_size)
    strides = pool if strides is None else _pair(strides)
    if strides == pool and padding == "valid" and reduce == "mean":
        return _tiled_mean(x, pool)
    padded = _padded(x, pool, strides, (1, 1), padding)
    if reduce == "max":
        if padded is not x:  # padded pixels must never win: -inf there
            outside = _padding_mask(x, pool, strides, padding)
            padded = padded + Tensor(xp_of(x.data).where(outside, -xp_of(x.data).inf, 0.0).astype(x.dtype))
        return max_pool(padded, pool, strides)
    total = ops.sum(im2col(padded, pool, strides), axis=(3, 4))
    if padded is x:
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
    return _padded(inside, pool, strides, (1, 1), padding).data == 0


def global_pool2d(x, reduce="mean"):
    """Average or maximum over the height and width axes of NHWC ``x``."""
    x = as_tensor(x)
    return mean(x, axis=(1, 2)) if reduce == "mean" else ops.max(x, axis=(1, 2))
