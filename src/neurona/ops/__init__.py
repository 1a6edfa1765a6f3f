"""The primitives, by family, and the thin public functions that apply them.

Importing this package registers every primitive in :data:`neurona.autograd.primitive.REGISTRY`.
"""
from .elementwise import (abs, add, astype, clip, clone, cos, div, exp, leaky_relu, log, maximum, minimum, mul, neg,
                          pow, relu, sigmoid, sin, sqrt, sub, tanh, where)
from .indexing import getitem, index_add
from .linalg import matmul
from .reductions import max, sum, sum_to
from .shape import (broadcast_to, concatenate, expand_dims, flatten, pad, reshape, squeeze, stack, swapaxes,
                    transpose)
from .softmax import log_softmax, softmax, softmax_cross_entropy
from .special import erf, softplus
from .convolution import col2im, im2col, max_pool
from .recurrent_cells import gru_cell, gru_sequence, lstm_cell, lstm_sequence
from .dense import dense
from .device import to_device

__all__ = ["abs", "add", "astype", "clip", "clone", "cos", "div", "exp", "leaky_relu", "log", "maximum", "minimum", "mul",
           "neg", "pow", "relu", "sigmoid", "sin", "sqrt", "sub", "tanh", "where", "getitem", "index_add",
           "matmul", "max", "sum", "sum_to", "broadcast_to", "concatenate", "expand_dims", "flatten", "pad",
           "reshape", "squeeze", "stack", "swapaxes", "transpose", "log_softmax", "softmax", "softmax_cross_entropy", "erf", "softplus", "col2im", "im2col", "max_pool", "gru_cell", "gru_sequence", "lstm_cell",
           "lstm_sequence", "dense", "to_device"]
