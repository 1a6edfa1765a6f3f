"""Dense: the fully connected layer, ``activation(x @ kernel + bias)``, and ``KernelLayer``, what Dense and the
convolutions share (an activation, a kernel and an optional bias with their initializers, regularizers and
constraints).

>>> import neurona as nr
>>> nr.layers.Dense(3, activation="relu")(nr.ones(2, 4)).shape
(2, 3)
"""
from __future__ import annotations

from .. import activations, checks, constraints, initializers, ops, regularizers
from .base import Layer

#: The activations the fused ``dense`` and ``conv2d`` primitives apply themselves, with the name they know them
#: by (None: linear). A layer with another activation applies it after the fused linear part.
FUSABLE = {activations.linear: None, activations.relu: "relu"}


class KernelLayer(Layer):
    """What Dense and the convolutions share: an activation, a kernel and an optional bias, each with its
    initializer, regularizer and constraint (Keras' arguments and defaults)."""

    def __init__(self, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def add_kernel_and_bias(self, kernel_shape):
        """Create ``kernel`` of ``kernel_shape`` and, with ``use_bias``, ``bias`` of its last size."""
        self.kernel = self.add_weight("kernel", kernel_shape, self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", (kernel_shape[-1],), self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def get_config(self):
        return {**super().get_config(), "activation": activations.name_of(self.activation),
                "use_bias": self.use_bias, "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class Dense(KernelLayer):
    """A fully connected layer: ``activation(x @ kernel + bias)``.

    Keras defaults: glorot_uniform kernel, zero bias, no activation. The kernel has shape (inputs, units).

    >>> import neurona as nr
    >>> layer = nr.layers.Dense(3, activation="relu")
    >>> layer(nr.ones(2, 4)).shape
    (2, 3)
    >>> layer.kernel.shape, layer.bias.shape
    ((4, 3), (3,))
    """
    compilable = True  # static in training: see Layer.compilable
    propagates_mask = True

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(activation, **kwargs)
        self.units = checks.positive_int(units, "units", "Dense")

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(f"Dense layer {self.name!r}: needs inputs with a batch axis and a feature axis, got "
                             f"shape {tuple(input_shape)}")
        self.add_kernel_and_bias((input_shape[-1], self.units))
        self.expected_input = (None,) * (len(input_shape) - 2) + (input_shape[-1],)

    def call(self, x, training=False):
        if self.activation in FUSABLE and self.bias is not None and x.ndim >= 2:
            if x.ndim == 2:
                return ops.dense(x, self.kernel, self.bias, FUSABLE[self.activation])  # the lines below, fused
            rows = ops.reshape(x, (-1, x.shape[-1]))   # (batch, steps, features): the steps as more rows
            out = ops.dense(rows, self.kernel, self.bias, FUSABLE[self.activation])
            return ops.reshape(out, x.shape[:-1] + (self.units,))
        return self.activation(self.call_before_activation(x))

    def call_before_activation(self, x, training=False):
        """``x @ kernel + bias`` (one fused ``dense`` for a (batch, features) ``x`` with a bias)."""
        if self.bias is not None and x.ndim == 2:
            return ops.dense(x, self.kernel, self.bias)
        y = x @ self.kernel
        if self.bias is not None:
            y = y + self.bias
        return y

    @property
    def output_activation(self):
        return activations.as_output_activation(self.activation)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
