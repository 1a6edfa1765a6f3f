"""The core layers: Input, Dense, Activation (and ReLU, LeakyReLU, Softmax), Dropout, Flatten, Reshape."""
from __future__ import annotations

import numpy as np

from .. import activations, checks, initializers, ops, regularizers
from .. import random as nr_random
from ..autograd.tensor import Tensor
from ..backend import xp_of
from .base import Layer


class InputLayer(Layer):
    """Declares the shape of one sample (without the batch axis); passes its input through."""

    def __init__(self, shape, name=None, **kwargs):
        super().__init__(name=name, input_shape=tuple(shape), **kwargs)
        self.shape = tuple(shape)

    def call(self, x, training=False):
        return x

    def check_input(self, shape):
        """The next layer checks the shape, and its error names the layer that cannot take the input."""

    def get_config(self):
        return {"shape": list(self.shape), "name": self.name}


def Input(shape, name=None) -> InputLayer:
    """``Input(shape=(784,))``: the first element of a ``Sequential`` model, fixing the input shape."""
    return InputLayer(shape, name=name)


class KernelLayer(Layer):
    """What Dense and the convolutions share: an activation, a kernel and an optional bias, each with its
    initializer and regularizer (Keras' arguments and defaults)."""

    def __init__(self, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def add_kernel_and_bias(self, kernel_shape):
        """Create ``kernel`` of ``kernel_shape`` and, with ``use_bias``, ``bias`` of its last size."""
        self.kernel = self.add_weight("kernel", kernel_shape, self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self.bias = self.add_weight("bias", (kernel_shape[-1],), self.bias_initializer,
                                    regularizer=self.bias_regularizer) if self.use_bias else None

    def get_config(self):
        return {**super().get_config(), "activation": activations.name_of(self.activation),
                "use_bias": self.use_bias, "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer)}


class Dense(KernelLayer):
    """A fully connected layer: ``activation(x @ kernel + bias)``.

    Keras defaults: glorot_uniform kernel, zero bias, no activation. The kernel has shape (inputs, units).
    """
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
        fused = _FUSED.get(self.activation, False)
        if fused is not False and self.bias is not None and x.ndim == 2:
            return ops.dense(x, self.kernel, self.bias, fused)  # the lines below, fused (tested equal)
        return self.activation(self.call_before_activation(x))

    def call_before_activation(self, x, training=False):
        """``x @ kernel + bias``."""
        y = x @ self.kernel
        if self.bias is not None:
            y = y + self.bias
        return y

    @property
    def output_activation(self):
        return activations.as_output_activation(self.activation)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


_FUSED = {activations.linear: None, activations.relu: "relu"}  # activations the fused dense primitive applies


class Activation(Layer):
    """Applies an activation function by name or callable."""
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
    """``max(x, 0)``, optionally capped at ``max_value`` (Keras' ReLU layer)."""

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
    """``x`` for positive inputs, ``negative_slope * x`` otherwise (Keras' layer default 0.3)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = checks.number(negative_slope, "negative_slope", "LeakyReLU", low=0)

    def call(self, x, training=False):
        return ops.leaky_relu(x, self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class Softmax(Layer):
    """Softmax along ``axis``."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not checks.is_int(axis):
            raise TypeError(f"Softmax: axis must be an integer, got {axis!r}")
        self.axis = axis

    def call(self, x, training=False):
        return ops.softmax(x, self.axis)

    def call_before_activation(self, x, training=False):
        return x

    @property
    def output_activation(self):
        return activations.softmax if self.axis == -1 else None

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dropout(Layer):
    """Inverted dropout: in training, each input is zeroed with probability ``rate`` and the others are scaled
    by ``1 / (1 - rate)``, so nothing changes at inference (where the layer passes its input through)."""
    propagates_mask = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = checks.number(rate, "rate", "Dropout", 0, 1, high_open=True)
        self.noise_shape, self.seed = noise_shape, seed
        self._rng = None

    def _generator(self, like):
        """The layer's random generator, on the device of ``like``, seeded from ``seed`` or else from the global
        generator, and seeded again when the global seed is set again (``nr.utils.set_random_seed``), so that
        the rest of a run is reproducible, a loaded model's included."""
        key = (xp_of(like).__name__, nr_random.default_generator.generation if self.seed is None else None)
        if self._rng is None or self._rng[0] != key:
            seed = self.seed if self.seed is not None else int(nr_random.default_generator.np.integers(2 ** 63))
            self._rng = (key, nr_random.device_generator(like, seed))
        return self._rng[1]

    def call(self, x, training=False):
        if not training or self.rate == 0.0:
            return x
        shape = x.shape if self.noise_shape is None else tuple(
            n if n is not None else s for n, s in zip(self.noise_shape, x.shape))
        keep = self._generator(x.data).random(shape, dtype=np.float32) >= self.rate
        mask = keep.astype(x.dtype)
        mask *= 1.0 / (1.0 - self.rate)
        return x * Tensor(mask)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


class Flatten(Layer):
    """Merges all axes but the batch axis."""

    def call(self, x, training=False):
        return ops.reshape(x, (x.shape[0], -1))


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (the batch axis is kept)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(target_shape, (tuple, list)) or not all(checks.is_int(d) and (d > 0 or d == -1)
                                                                    for d in target_shape):
            raise TypeError(f"Reshape: target_shape must be a tuple of positive integers (one may be -1), got "
                            f"{target_shape!r}")
        self.target_shape = tuple(int(d) for d in target_shape)

    def call(self, x, training=False):
        return ops.reshape(x, (x.shape[0],) + self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}
