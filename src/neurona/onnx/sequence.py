"""Converters of the sequence layers: SimpleRNN, LSTM, GRU and Bidirectional as ONNX's RNN, LSTM and GRU ops;
MultiHeadAttention (self-attention) and the Transformer encoder block composed from matrix products.

ONNX's recurrent ops take time-major input (steps, batch, features) and weights per direction, (dirs, gates *
units, features), with their own gate orders: LSTM i, o, f, c (Keras: i, f, c, o); GRU z, r, h (the same as
Keras), with ``linear_before_reset=1`` for Keras' ``reset_after=True``.
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations as A
from ..layers import GRU, LSTM, Bidirectional, MultiHeadAttention, SimpleRNN, TransformerEncoder
from .layers import NotExportable, convert, converts

_LSTM_ORDER = (0, 3, 1, 2)        # Keras blocks i, f, c, o -> ONNX i, o, f, c
_ONNX_ACTIVATION = {A.sigmoid: "Sigmoid", A.tanh: "Tanh", A.relu: "Relu"}


def _act_name(fn, layer):
    if fn not in _ONNX_ACTIVATION:
        raise NotExportable(f"ONNX export: layer {layer.name!r} uses the activation {getattr(fn, '__name__', fn)!r} "
                            "inside its recurrence; ONNX's recurrent ops take sigmoid, tanh or relu")
    return _ONNX_ACTIVATION[fn]


def _blocks(a, order, axis=-1):
    parts = np.split(a, len(order), axis=axis)
    return np.concatenate([parts[i] for i in order], axis=axis)


def _direction_weights(layer):
    """(W, R, B) of one direction in ONNX's layout: (gates*u, in), (gates*u, u), (2*gates*u,)."""
    kernel, recurrent, bias = layer.kernel.numpy(), layer.recurrent_kernel.numpy(), layer.bias.numpy()
    if isinstance(layer, LSTM):
        kernel, recurrent, bias = (_blocks(a, _LSTM_ORDER) for a in (kernel, recurrent, bias))
    if isinstance(layer, GRU):
        b = np.concatenate([bias[0], bias[1]])
    else:
        b = np.concatenate([bias, np.zeros_like(bias)])
    return kernel.T, recurrent.T, b


def _op_of(layer):
    if isinstance(layer, LSTM):
        return "LSTM", [_act_name(f, layer) for f in (layer.recurrent_activation, layer.activation, layer.activation)], {}
    if isinstance(layer, GRU):
        return "GRU", [_act_name(f, layer) for f in (layer.recurrent_activation, layer.activation)], \
            {"linear_before_reset": 1}
    return "RNN", [_act_name(layer.activation, layer)], {}


def _recurrence(g, layers, x, direction):
    """The ONNX recurrent op over time-major ``x`` for one layer (forward or reverse) or two (bidirectional)."""
    first = layers[0]
    if first.return_state:
        raise NotExportable(f"ONNX export: layer {first.name!r} has return_state=True; a Sequential model's ONNX "
                            "graph has one output")
    op, acts, extra = _op_of(first)
    weights = [_direction_weights(layer) for layer in layers]
    W, R, B = (np.stack([w[i] for w in weights]) for i in range(3))
    return g.op(op, [x, g.const(W, f"{first.name}/W"), g.const(R, f"{first.name}/R"), g.const(B, f"{first.name}/B")],
                hint=first.name, outputs=2, hidden_size=first.units, direction=direction,
                activations=acts * len(layers), **extra)


@converts(SimpleRNN, LSTM, GRU)
def _rnn(g, layer, x, shape):
    steps = g.op("Transpose", [x], perm=[1, 0, 2])
    y, y_h = _recurrence(g, [layer], steps, "reverse" if layer.go_backwards else "forward")
    if not layer.return_sequences:
        return g.op("Squeeze", [y_h, g.ints([0])], hint=layer.name), (layer.units,)
    y = g.op("Transpose", [g.op("Squeeze", [y, g.ints([1])])], perm=[1, 0, 2])
    if layer.go_backwards:   # Keras returns the outputs in the order it processed the steps: reversed
        y = g.op("Slice", [y, g.ints([-1]), g.ints([-2 ** 62]), g.ints([1]), g.ints([-1])])
    return y, (shape[0], layer.units)


@converts(Bidirectional)
def _bidirectional(g, layer, x, shape):
    forward, backward = layer.forward_layer, layer.backward_layer
    if forward.go_backwards:
        raise NotExportable(f"ONNX export: layer {layer.name!r} wraps a go_backwards layer; not exported")
    steps = g.op("Transpose", [x], perm=[1, 0, 2])
    y, y_h = _recurrence(g, [forward, backward], steps, "bidirectional")
    units = forward.units
    if forward.return_sequences:   # (steps, 2, batch, u) -> (batch, steps, 2, u); the reverse outputs are in time
        both, out_shape = g.op("Transpose", [y], perm=[2, 0, 1, 3]), (shape[0],)
        axis = 2
    else:                          # (2, batch, u) -> (batch, 2, u)
        both, out_shape = g.op("Transpose", [y_h], perm=[1, 0, 2]), ()
        axis = 1
    if layer.merge_mode == "concat":
        width = g.ints([0] * axis + [2 * units])
        return g.op("Reshape", [both, width], hint=layer.name), out_shape + (2 * units,)
    reduce = {"sum": "ReduceSum", "ave": "ReduceMean", "mul": "ReduceProd"}[layer.merge_mode]
    return g.op(reduce, [both, g.ints([axis])], hint=layer.name, keepdims=0), out_shape + (units,)


def _heads(g, x, heads, width, perm):
    return g.op("Transpose", [g.op("Reshape", [x, g.ints([0, 0, heads, width])])], perm=perm)


def self_attention(g, layer, x, shape, causal=False):
    """Keras' MultiHeadAttention with query = key = value = ``x``; ``causal`` masks future steps."""
    steps = shape[0]
    q, _ = convert(g, layer.query_dense, x, shape)
    k, _ = convert(g, layer.key_dense, x, shape)
    v, _ = convert(g, layer.value_dense, x, shape)
    h = layer.num_heads
    q = _heads(g, g.op("Mul", [q, g.const(np.float32(1.0 / math.sqrt(layer.key_dim)))]), h, layer.key_dim,
               [0, 2, 1, 3])
    k = _heads(g, k, h, layer.key_dim, [0, 2, 3, 1])            # already transposed: (b, heads, width, steps)
    v = _heads(g, v, h, layer.value_dim, [0, 2, 1, 3])
    scores = g.op("MatMul", [q, k], hint=f"{layer.name}/scores")
    if causal:
        allowed = np.tril(np.ones((steps, steps), dtype=bool))
        scores = g.op("Where", [g.const(allowed, f"{layer.name}/causal"), scores, g.const(np.float32(-1e9))])
    weights = g.op("Softmax", [scores], axis=-1)
    context = g.op("Transpose", [g.op("MatMul", [weights, v])], perm=[0, 2, 1, 3])
    context = g.op("Reshape", [context, g.ints([0, 0, h * layer.value_dim])])
    return convert(g, layer.output_dense, context, (steps, h * layer.value_dim))


@converts(MultiHeadAttention)
def _attention(g, layer, x, shape):
    return self_attention(g, layer, x, shape)


@converts(TransformerEncoder)
def _encoder(g, layer, x, shape):
    attended, _ = self_attention(g, layer.attention, x, shape, causal=layer.causal)
    x, _ = convert(g, layer.norm1, g.op("Add", [x, attended]), shape)
    inner, inner_shape = convert(g, layer.ffn1, x, shape)
    out, _ = convert(g, layer.ffn2, inner, inner_shape)
    return convert(g, layer.norm2, g.op("Add", [x, out]), shape)[0], shape

