"""Activation layers: ``Activation`` (any activation by name), ``ReLU``, ``LeakyReLU`` and ``Softmax``.

Leaky ReLU's slope for negative inputs is called ``negative_slope`` everywhere. Its default follows Keras,
which differs by place: 0.3 for the ``LeakyReLU`` layer, 0.2 for the ``leaky_relu`` activation function (and
0.01 for the ``nr.leaky_relu`` tensor op, PyTorch's default, since PyTorch users call it).

>>> import neurona as nr
>>> nr.layers.LeakyReLU()(nr.tensor([[-1.0, 2.0]])).tolist()
[[-0.30000001192092896, 2.0]]
"""
from __future__ import annotations

from .. import activations, checks, ops
from .base import Layer


class Activation(Layer):
    """Applies an activation function by name or callable.

    >>> import neurona as nr
    >>> nr.layers.Activation("relu")(nr.tensor([[-1.0, 2.0]])).tolist()
    [[0.0, 2.0]]
    """
    compilable = True  # static in training: see Layer.compilable
    propagates_mask = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, x, training=False):
        return self.activation(x)

    def call_before_activation(self, x, training=False):
        return x

    @property
    def output_activation(self):
        return activations.as_output_activation(self.activation)

    def get_config(self):
        return {**super().get_config(), "activation": activations.name_of(self.activation)}


class ReLU(Layer):
    """``max(x, 0)``, optionally capped at ``max_value`` (Keras' ReLU layer).

    >>> import neurona as nr
    >>> nr.layers.ReLU(max_value=1.0)(nr.tensor([[-1.0, 0.5, 2.0]])).tolist()
    [[0.0, 0.5, 1.0]]
    """
    compilable = True  # static in training: see Layer.compilable

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = checks.optional_number(max_value, "max_value", "ReLU", low=0)
        self.negative_slope = checks.number(negative_slope, "negative_slope", "ReLU", low=0)
        self.threshold = checks.number(threshold, "threshold", "ReLU")

    def call(self, x, training=False):
        if self.negative_slope == 0.0 and self.threshold == 0.0:
            y = ops.relu(x)
        else:
            shifted = x - self.threshold
            y = ops.where(x.data > self.threshold, x, self.negative_slope * shifted)
        return y if self.max_value is None else ops.minimum(y, float(self.max_value))

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(Layer):
    """``x`` for positive inputs, ``negative_slope * x`` otherwise (Keras' layer default 0.3).

    >>> import neurona as nr
    >>> nr.layers.LeakyReLU(0.1)(nr.tensor([[-1.0, 2.0]])).tolist()
    [[-0.10000000149011612, 2.0]]
    """
    compilable = True  # static in training: see Layer.compilable

    def __init__(self, negative_slope=0.3, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = checks.number(negative_slope, "negative_slope", "LeakyReLU", low=0)

    def call(self, x, training=False):
        return ops.leaky_relu(x, self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class Softmax(Layer):
    """Softmax along ``axis``.

    >>> import neurona as nr
    >>> nr.layers.Softmax()(nr.tensor([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    """
    compilable = True  # static in training: see Layer.compilable

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = checks.integer(axis, "axis", "Softmax")

    def call(self, x, training=False):
        return ops.softmax(x, self.axis)

    def call_before_activation(self, x, training=False):
        return x

    @property
    def output_activation(self):
        return activations.softmax if self.axis == -1 else None

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
