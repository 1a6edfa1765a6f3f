"""Convolution composed from ``pad``, ``im2col``, ``reshape`` and ``matmul`` (pooling: :mod:`.pooling`).

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
from ..checks import positive_ints
from ..ops._common import as_tensor
from ..ops.convolution import im2col, output_size


def same_padding(size, kernel, stride, dilation):
    """(before, after) padding that keeps ``ceil(size / stride)`` outputs, as TensorFlow computes it."""
    effective = dilation * (kernel - 1) + 1
    total = max((math.ceil(size / stride) - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def padded(x, kernel, strides, dilation, padding):
    """``x`` (NHWC) padded with zeros as ``padding`` ("valid", "same" or "causal") asks for a window of ``kernel``."""
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
    strides, dilation = positive_ints(strides, 2, "strides", "conv2d"), positive_ints(dilation, 2, "dilation", "conv2d")
    kh, kw, cin, cout = kernel.shape
    if x.ndim != 4 or x.shape[-1] != cin:
        raise ShapeError(f"conv2d: expected an input of shape (batch, height, width, {cin}), got {x.shape}")
    x = padded(x, (kh, kw), strides, dilation, padding)
    n, oh, ow = x.shape[0], *(output_size(x.shape[1 + i], (kh, kw)[i], strides[i], dilation[i]) for i in range(2))
    if oh <= 0 or ow <= 0:
        raise ShapeError(f"conv2d: a {kh}x{kw} kernel does not fit an input of {x.shape[1]}x{x.shape[2]} pixels "
                         f"(padding {padding!r}, strides {strides}, dilation {dilation})")
    patches = im2col(x, (kh, kw), strides, dilation)
    rows = ops.reshape(patches, (n * oh * ow, kh * kw * cin))
    weights = ops.reshape(kernel, (kh * kw * cin, cout))
    if bias is not None:
        return ops.reshape(ops.dense(rows, weights, bias, activation), (n, oh, ow, cout))
    out = ops.reshape(rows @ weights, (n, oh, ow, cout))
    return out if activation is None else ops.relu(out)
