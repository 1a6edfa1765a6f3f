"""Activation functions by name, as Keras has them (``neurona.activations.get("relu")``).

Each takes a Tensor and returns a Tensor; all are built from primitives, so every kind of derivative works.

>>> import neurona as nr
>>> nr.activations.get("relu")(nr.tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""
from __future__ import annotations

import math

from . import ops
from .autograd.tensor import Tensor

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def linear(x):
    """The identity (no activation)."""
    return x


def sigmoid(x):
    """``1 / (1 + exp(-x))``: squashes to (0, 1); the output of a binary classifier."""
    return ops.sigmoid(x)


def tanh(x):
    """Hyperbolic tangent: squashes to (-1, 1)."""
    return ops.tanh(x)


def relu(x):
    """``max(x, 0)``: the most used hidden activation."""
    return ops.relu(x)


def leaky_relu(x, negative_slope=0.2):
    """``x`` for positive inputs, ``negative_slope * x`` otherwise (Keras' function default 0.2)."""
    return ops.leaky_relu(x, negative_slope)


def softmax(x, axis=-1):
    """Exponentials normalised to sum to 1 along ``axis``: the output of a multiclass classifier."""
    return ops.softmax(x, axis)


def softplus(x):
    """``log(1 + exp(x))``: a smooth relu."""
    return ops.softplus(x)


def elu(x, alpha=1.0):
    """``x`` for positive inputs, ``alpha * (exp(x) - 1)`` otherwise."""
    negative = alpha * (ops.exp(ops.minimum(x, 0.0)) - 1.0)  # exp of the clipped value never overflows
    return ops.where(_raw(x) > 0, x, negative)


def selu(x):
    """Scaled elu with the self-normalising constants."""
    return SELU_SCALE * elu(x, SELU_ALPHA)


def gelu(x, approximate=False):
    """Gaussian error linear unit ``x * Phi(x)`` (exact with erf; ``approximate=True`` uses the tanh form)."""
    if approximate:
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)
        return 0.5 * x * (1.0 + ops.tanh(inner))
    return 0.5 * x * (1.0 + ops.erf(x * (1.0 / math.sqrt(2.0))))


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


_BY_NAME = {f.__name__: f for f in (linear, sigmoid, tanh, relu, leaky_relu, softmax, softplus, elu, selu, gelu)}


def as_output_activation(fn):
    """``fn`` when it is sigmoid or softmax, the activations whose logits a cross-entropy can take, else None."""
    return fn if fn is sigmoid or fn is softmax else None


def get(identifier):
    """The activation for a name, a callable (returned as is) or None (linear)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    try:
        return _BY_NAME[identifier]
    except KeyError:
        raise ValueError(f"unknown activation {identifier!r}; known: {', '.join(sorted(_BY_NAME))}") from None


def name_of(fn) -> str:
    """The registered name of an activation function (for saving a model)."""
    for name, f in _BY_NAME.items():
        if f is fn:
            return name
    raise ValueError(f"activation {fn!r} has no name: pass a string like 'relu' to save the model")
