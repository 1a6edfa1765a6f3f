"""The primitives, by family, and the thin public functions that apply them. Only primitives live here;
compositions of them are in :mod:`neurona.functional`.

Importing this package registers every primitive in :data:`neurona.autograd.primitive.REGISTRY`.
"""
from .elementwise import (abs, add, astype, clip, clone, cos, div, exp, leaky_relu, log, maximum, minimum, mul, neg,
                          pow, relu, sigmoid, sin, sqrt, sub, tanh, where)
from .indexing import getitem, index_add, one_hot
from .random import random_mask
from .normalization import layer_norm
from .linalg import matmul
from .reductions import max, sum, sum_to
from .shape import broadcast_to, concatenate, pad, reshape, transpose
from .softmax import log_softmax, softmax, softmax_cross_entropy
from .special import erf, softplus
from .convolution import col2im, im2col
from .pooling import max_pool
from .recurrent_cells import gru_sequence, lstm_sequence
from .dense import dense
from .attention import scaled_dot_product_attention
from .device import to_device
from .collective import allreduce_sum

__all__ = ["one_hot", "random_mask", "layer_norm", "abs", "add", "astype", "clip", "clone", "cos", "div", "exp", "leaky_relu", "log", "maximum", "minimum", "mul",
           "neg", "pow", "relu", "sigmoid", "sin", "sqrt", "sub", "tanh", "where", "getitem", "index_add",
           "matmul", "max", "sum", "sum_to", "broadcast_to", "concatenate", "pad", "reshape", "transpose", "log_softmax", "softmax", "softmax_cross_entropy",
           "erf", "softplus", "col2im", "im2col", "max_pool", "gru_sequence", "lstm_sequence", "dense",
           "scaled_dot_product_attention", "to_device",
           "allreduce_sum"]

_MOVED = {"lstm_cell": "neurona.functional.recurrent.lstm_step (it returns (h, c) instead of [h, c] side by side)",
          "gru_cell": "neurona.functional.recurrent.gru_step"}


_COMPOSED = {"expand_dims", "squeeze", "stack", "flatten", "swapaxes"}  # old paths: now in functional.shape


def __getattr__(name):
    if name in _COMPOSED:
        from ..functional import shape
        value = getattr(shape, name)
        globals()[name] = value
        return value
    if name in _MOVED:
        raise AttributeError(f"neurona.ops.{name} is gone: each recurrent cell is now defined once, as "
                             f"{_MOVED[name]}")
    raise AttributeError(f"module 'neurona.ops' has no attribute {name!r}")
