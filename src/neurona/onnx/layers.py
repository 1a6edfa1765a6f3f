"""One converter per layer class: ``convert(graph, layer, x, shape) -> (y, shape)``, where ``x`` names the input
tensor and ``shape`` is its per-sample shape (the batch axis is dynamic). Data stay channels-last as in neurona;
convolutions and pooling transpose to ONNX's channels-first around the op.
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations as A
from ..devices.backend import to_numpy
from ..layers import (Activation, BatchNormalization, Conv1D, Conv2D, Dense, Dropout, Embedding, Flatten,
                      GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                      InputLayer, LayerNormalization, LeakyReLU, Masking, MaxPooling2D, AveragePooling2D,
                      Normalization, PositionEmbedding, ReLU, Reshape, Softmax)

CONVERTERS: dict = {}


class NotExportable(ValueError):
    """A layer (or a setting of one) that ONNX cannot express; the message names it.

    >>> import neurona as nr
    >>> issubclass(nr.onnx.NotExportable, ValueError)
    True
    """


def converts(*classes):
    def register(fn):
        for cls in classes:
            CONVERTERS[cls] = fn
        return fn
    return register


def convert(g, layer, x, shape):
    """``layer`` applied to ``x`` in the graph ``g``: its output's name and per-sample shape."""
    for cls in type(layer).__mro__:
        if cls in CONVERTERS:
            return CONVERTERS[cls](g, layer, x, tuple(shape))
    raise NotExportable(f"ONNX export: layer {layer.name!r} ({type(layer).__name__}) has no ONNX converter")


def _w(weight):
    return weight.numpy()


def activation(g, fn, x, where):
    """The activation function ``fn`` applied to ``x``."""
    if fn is A.linear:
        return x
    simple = {A.relu: "Relu", A.sigmoid: "Sigmoid", A.tanh: "Tanh", A.softplus: "Softplus"}
    if fn in simple:
        return g.op(simple[fn], [x])
    if fn is A.softmax:
        return g.op("Softmax", [x], axis=-1)
    if fn is A.leaky_relu:
        return g.op("LeakyRelu", [x], alpha=0.2)
    if fn is A.elu:
        return g.op("Elu", [x], alpha=1.0)
    if fn is A.selu:
        return g.op("Selu", [x], alpha=float(A.SELU_ALPHA), gamma=float(A.SELU_SCALE))
    if fn is A.gelu:   # exact: 0.5 x (1 + erf(x / sqrt 2))
        erf = g.op("Erf", [g.op("Mul", [x, g.const(np.float32(1.0 / math.sqrt(2.0)))])])
        inner = g.op("Add", [erf, g.const(np.float32(1.0))])
        return g.op("Mul", [g.op("Mul", [x, g.const(np.float32(0.5))]), inner])
    raise NotExportable(f"ONNX export: {where} uses the activation {getattr(fn, '__name__', fn)!r}, which has no "
                        "ONNX form here")


@converts(InputLayer)
def _input(g, layer, x, shape):
    return x, shape


@converts(Dropout)
def _dropout(g, layer, x, shape):
    return g.op("Identity", [x], hint=layer.name), shape   # inference: dropout is the identity


@converts(Dense)
def _dense(g, layer, x, shape):
    y = g.op("MatMul", [x, g.const(_w(layer.kernel), f"{layer.name}/kernel")], hint=layer.name)
    if layer.bias is not None:
        y = g.op("Add", [y, g.const(_w(layer.bias), f"{layer.name}/bias")])
    units = layer.kernel.shape[-1]
    return activation(g, layer.activation, y, f"layer {layer.name!r}"), shape[:-1] + (units,)


@converts(Activation)
def _activation(g, layer, x, shape):
    return activation(g, layer.activation, x, f"layer {layer.name!r}"), shape


@converts(ReLU)
def _relu(g, layer, x, shape):
    if layer.negative_slope == 0.0 and layer.threshold == 0.0:
        y = g.op("Relu", [x])
    else:
        threshold = g.const(np.float32(layer.threshold))
        leak = g.op("Mul", [g.op("Sub", [x, threshold]), g.const(np.float32(layer.negative_slope))])
        y = g.op("Where", [g.op("Greater", [x, threshold]), x, leak])
    if layer.max_value is not None:
        y = g.op("Min", [y, g.const(np.float32(layer.max_value))])
    return y, shape


@converts(LeakyReLU)
def _leaky(g, layer, x, shape):
    return g.op("LeakyRelu", [x], alpha=float(layer.negative_slope)), shape


@converts(Softmax)
def _softmax(g, layer, x, shape):
    return g.op("Softmax", [x], axis=int(layer.axis)), shape


@converts(Flatten)
def _flatten(g, layer, x, shape):
    return g.op("Flatten", [x], axis=1), (int(np.prod(shape)),)


@converts(Reshape)
def _reshape(g, layer, x, shape):
    target = list(layer.target_shape)
    if -1 in target:
        known = int(np.prod([d for d in target if d != -1]))
        target[target.index(-1)] = int(np.prod(shape)) // known
    return g.op("Reshape", [x, g.ints([0] + target)]), tuple(target)


def _per_feature(array, ndim, axis):
    """A per-feature vector shaped to broadcast against a (batch,) + per-sample input of ``ndim`` axes."""
    axis = axis % ndim
    return array if axis == ndim - 1 else array.reshape([-1 if i == axis else 1 for i in range(ndim)])


@converts(BatchNormalization)
def _batch_norm(g, layer, x, shape):
    ndim = len(shape) + 1
    f32 = _w(layer.moving_mean).dtype
    std = np.sqrt(_w(layer.moving_variance) + f32.type(layer.epsilon))
    y = g.op("Sub", [x, g.const(_per_feature(_w(layer.moving_mean), ndim, layer.axis), f"{layer.name}/mean")])
    y = g.op("Div", [y, g.const(_per_feature(std, ndim, layer.axis), f"{layer.name}/std")])
    if layer.gamma is not None:
        y = g.op("Mul", [y, g.const(_per_feature(_w(layer.gamma), ndim, layer.axis), f"{layer.name}/gamma")])
    if layer.beta is not None:
        y = g.op("Add", [y, g.const(_per_feature(_w(layer.beta), ndim, layer.axis), f"{layer.name}/beta")])
    return y, shape


@converts(LayerNormalization)
def _layer_norm(g, layer, x, shape):
    size = shape[-1]
    gamma = _w(layer.gamma) if layer.gamma is not None else np.ones(size, np.float32)
    beta = _w(layer.beta) if layer.beta is not None else np.zeros(size, np.float32)
    return g.op("LayerNormalization", [x, g.const(gamma, f"{layer.name}/gamma"), g.const(beta, f"{layer.name}/beta")],
                hint=layer.name, axis=-1, epsilon=float(layer.epsilon)), shape


@converts(Normalization)
def _normalization(g, layer, x, shape):
    mean_value, std_value = (to_numpy(a) for a in layer.statistics(len(shape) + 1))
    mean = g.const(mean_value, f"{layer.name}/mean")
    std = g.const(std_value.astype(mean_value.dtype), f"{layer.name}/std")
    if layer.invert:
        return g.op("Add", [g.op("Mul", [x, std]), mean]), shape
    return g.op("Div", [g.op("Sub", [x, mean]), std]), shape


def _channels_first(g, x, rank):
    return g.op("Transpose", [x], perm=[0, rank + 1] + list(range(1, rank + 1)))


def _channels_last(g, x, rank):
    return g.op("Transpose", [x], perm=[0] + list(range(2, rank + 2)) + [1])


def _out_size(size, window, stride, dilation, padding):
    if padding == "same":
        return -(-size // stride)
    reach = (window - 1) * dilation + 1
    pad = reach - 1 if padding == "causal" else 0
    return (size + pad - reach) // stride + 1


def _padding_attributes(padding, sizes, kernel, strides, dilation):
    """Explicit pads (ONNX's order: every axis' start, then every axis' end), as Keras pads: "same" puts the odd
    pixel at the end, "causal" pads the start only. (onnxruntime's auto_pad refuses dilation.)"""
    begin, end = [], []
    for n, k, s, d in zip(sizes, kernel, strides, dilation):
        reach = (k - 1) * d + 1
        total = max((-(-n // s) - 1) * s + reach - n, 0) if padding == "same" else \
            reach - 1 if padding == "causal" else 0
        first = total if padding == "causal" else total // 2
        begin.append(first)
        end.append(total - first)
    return {"pads": begin + end}


@converts(Conv2D)
def _conv(g, layer, x, shape):
    rank = layer.rank
    kernel = _w(layer.kernel)   # (*window, in, out) -> ONNX (out, in, *window)
    weights = kernel.transpose((3, 2, 0, 1) if rank == 2 else (2, 1, 0))
    inputs = [_channels_first(g, x, rank), g.const(weights, f"{layer.name}/kernel")]
    if layer.bias is not None:
        inputs.append(g.const(_w(layer.bias), f"{layer.name}/bias"))
    y = g.op("Conv", inputs, hint=layer.name, kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
             dilations=list(layer.dilation_rate),
             **_padding_attributes(layer.padding, shape[:rank], layer.kernel_size, layer.strides, layer.dilation_rate))
    y = activation(g, layer.activation, _channels_last(g, y, rank), f"layer {layer.name!r}")
    spatial = tuple(_out_size(n, k, s, d, layer.padding) for n, k, s, d in
                    zip(shape[:rank], layer.kernel_size, layer.strides, layer.dilation_rate))
    return y, spatial + (layer.filters,)


@converts(MaxPooling2D, AveragePooling2D)
def _pool(g, layer, x, shape):
    op = "MaxPool" if isinstance(layer, MaxPooling2D) else "AveragePool"
    extra = {} if op == "MaxPool" else {"count_include_pad": 0}   # Keras averages over the real pixels only
    y = g.op(op, [_channels_first(g, x, 2)], hint=layer.name, kernel_shape=list(layer.pool_size),
             strides=list(layer.strides), auto_pad="SAME_UPPER" if layer.padding == "same" else "VALID", **extra)
    spatial = tuple(_out_size(n, k, s, 1, layer.padding) for n, k, s in zip(shape[:2], layer.pool_size,
                                                                           layer.strides))
    return _channels_last(g, y, 2), spatial + shape[2:]


@converts(GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D)
def _global_pool(g, layer, x, shape):
    op = "ReduceMax" if "Max" in type(layer).__name__ else "ReduceMean"
    axes = [1] if type(layer).__name__.endswith("1D") else [1, 2]
    return g.op(op, [x, g.ints(axes)], hint=layer.name, keepdims=0), shape[len(axes):]


@converts(Embedding)
def _embedding(g, layer, x, shape):
    ids = g.op("Cast", [x], to=g.onnx.TensorProto.INT64)
    return g.op("Gather", [g.const(_w(layer.embeddings), f"{layer.name}/embeddings"), ids], hint=layer.name,
                axis=0), shape + (layer.output_dim,)


@converts(Masking)
def _masking(g, layer, x, shape):
    differs = g.op("Not", [g.op("Equal", [x, g.const(np.float32(layer.mask_value))])])
    keep = g.op("ReduceMax", [g.op("Cast", [differs], to=g.onnx.TensorProto.FLOAT), g.ints([-1])], keepdims=1)
    return g.op("Mul", [x, keep], hint=layer.name), shape


@converts(PositionEmbedding)
def _positions(g, layer, x, shape):
    table = _w(layer.position_embeddings)[:shape[0]]
    return g.op("Add", [x, g.const(table, f"{layer.name}/embeddings")], hint=layer.name), shape
