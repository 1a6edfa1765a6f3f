"""Normalization layers: BatchNormalization (the lecture's batch norm), LayerNormalization (per sample, in
Transformers) and Normalization (input scaling).

The lecture: always normalize inputs, so gradient descent sees a round bowl instead of a narrow valley; batch
normalization normalizes each mini-batch with its own mean and variance, then scales by gamma and shifts by beta.
"""
from __future__ import annotations

import numpy as np

from .. import checks, ops
from ..autograd.tensor import Tensor
from ..devices.backend import to_numpy, xp_of
from ..devices import device_of, to_device
from ..distributed import comm
from ..functional import mean
from .base import Layer


def _reduction_axes(ndim, axis, where="normalization"):
    """The axes to reduce over (all but the feature ``axis``), and that axis checked (never wrapped around)."""
    axis = checks.axis(axis, ndim, where)
    if axis == 0:
        raise ValueError(f"{where}: axis 0 is the batch axis; give the feature axis (e.g. -1)")
    return tuple(i for i in range(ndim) if i != axis), axis


def _feature_spec(input_shape, axis, where):
    """The input shape a per-feature layer checks: only the feature axis is fixed."""
    _, axis = _reduction_axes(len(input_shape), axis, where)
    return tuple(input_shape[i] if i == axis else None for i in range(1, len(input_shape)))


def _broadcast_shape(ndim, axis, size):
    shape = [1] * ndim
    shape[axis] = size
    return tuple(shape)


class BatchNormalization(Layer):
    """In training: ``gamma * (x - batch_mean) / sqrt(batch_var + epsilon) + beta`` and the moving statistics
    move towards the batch's (``moving = moving * momentum + batch * (1 - momentum)``). In inference the moving
    statistics are used. Keras defaults: ``momentum=0.99, epsilon=1e-3``; the batch variance is the biased one.

    In data-parallel training (:mod:`neurona.distributed`) each rank normalizes with the statistics of its own
    shard by default (Horovod's default; the moving statistics then differ between ranks, and rank 0's are
    saved). ``synchronized=True`` (Keras 3's flag) sums the statistics over the ranks, so every rank uses the
    global batch's mean and variance, as one process on the whole batch would; it costs two Allreduces per
    layer and step, forward and backward.

    A frozen layer (``trainable = False``) runs in inference mode even when ``training=True``, as in Keras: it
    normalizes with the moving statistics and leaves them unchanged. This is how a frozen feature extractor is
    fine-tuned.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, synchronized=False,
                 **kwargs):
        super().__init__(**kwargs)
        if not checks.is_int(axis):
            raise TypeError(f"BatchNormalization: axis must be an integer, got {axis!r}")
        self.axis = axis
        self.momentum = checks.number(momentum, "momentum", "BatchNormalization", 0, 1)
        self.epsilon = checks.number(epsilon, "epsilon", "BatchNormalization", low=0)
        self.center, self.scale = center, scale
        if not isinstance(synchronized, (bool, np.bool_)):
            raise TypeError(f"BatchNormalization: synchronized must be True or False, got {synchronized!r}")
        self.synchronized = bool(synchronized)

    def build(self, input_shape):
        self.expected_input = _feature_spec(input_shape, self.axis, f"BatchNormalization layer {self.name!r}")
        size = input_shape[self.axis]
        self.gamma = self.add_weight("gamma", (size,), "ones") if self.scale else None
        self.beta = self.add_weight("beta", (size,), "zeros") if self.center else None
        self.moving_mean = self.add_weight("moving_mean", (size,), "zeros", trainable=False)
        self.moving_variance = self.add_weight("moving_variance", (size,), "ones", trainable=False)

    def call(self, x, training=False):
        axes, axis = _reduction_axes(x.ndim, self.axis)
        shape = _broadcast_shape(x.ndim, axis, x.shape[axis])
        training = training and self.trainable   # frozen (trainable=False): inference mode, as in Keras
        if training and self.synchronized and comm.active():
            batch_mean, centered, batch_var = _global_batch_moments(x, axes)
            self._update_moving(batch_mean.data.reshape(-1), batch_var.data.reshape(-1))
            normalized = centered / ops.sqrt(batch_var + self.epsilon)
        elif training:
            batch_mean = mean(x, axis=axes, keepdims=True)
            centered = x - batch_mean
            batch_var = mean(centered * centered, axis=axes, keepdims=True)
            self._update_moving(batch_mean.data.reshape(-1), batch_var.data.reshape(-1))
            normalized = centered / ops.sqrt(batch_var + self.epsilon)
        else:
            mm = ops.reshape(self.moving_mean, shape)
            mv = ops.reshape(self.moving_variance, shape)
            normalized = (x - mm) / ops.sqrt(mv + self.epsilon)
        if self.gamma is not None:
            normalized = normalized * ops.reshape(self.gamma, shape)
        if self.beta is not None:
            normalized = normalized + ops.reshape(self.beta, shape)
        return normalized

    def _update_moving(self, batch_mean, batch_var):
        for stat, value in ((self.moving_mean, batch_mean), (self.moving_variance, batch_var)):
            stat.data *= self.momentum
            stat.data += (1.0 - self.momentum) * value.astype(stat.dtype, copy=False)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "synchronized": self.synchronized}


def _global_batch_moments(x, axes):
    """The mean and biased variance over ``axes`` of the global batch (every rank's ``x`` together), and ``x``
    centred: sums over the ranks with ``ops.allreduce_sum``, whose gradient flows back to every rank."""
    rows = np.array([float(np.prod([x.shape[a] for a in axes]))])
    count = float(comm.allreduce_sum_(rows)[0])
    batch_mean = ops.allreduce_sum(ops.sum(x, axis=axes, keepdims=True)) / count
    centered = x - batch_mean
    batch_var = ops.allreduce_sum(ops.sum(centered * centered, axis=axes, keepdims=True)) / count
    return batch_mean, centered, batch_var


class Normalization(Layer):
    """``(x - mean) / max(std, 1e-7)`` per feature, with ``mean`` and ``variance`` learned by ``adapt(data)``
    from the training data only (or given). They are non-trainable weights, saved with the model.

    >>> import numpy as np
    >>> norm = Normalization()
    >>> norm.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    >>> norm(np.array([[1.0, 20.0]])).tolist()
    [[0.0, 0.0]]
    """
    compilable = True  # static in training: see Layer.compilable
    EPSILON = 1e-7

    def __init__(self, axis=-1, mean=None, variance=None, **kwargs):
        super().__init__(**kwargs)
        if not checks.is_int(axis):
            raise TypeError(f"Normalization: axis must be an integer, got {axis!r}")
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization: give both mean and variance, or neither (got mean={mean!r}, "
                             f"variance={variance!r})")
        self.axis = axis
        self._given = (mean, variance)

    def adapt(self, data):
        """Learn the mean and variance of each feature from ``data`` (a training set, never the test set)."""
        data = np.asarray(to_numpy(data.data) if isinstance(data, Tensor) else data, dtype=np.float64)
        if data.ndim < 1 or data.shape[0] == 0:
            raise ValueError("Normalization.adapt: needs a non-empty array of samples")
        axes, axis = _reduction_axes(data.ndim, self.axis, f"Normalization layer {self.name!r}")
        if not self.built:
            self.build(data.shape)
        elif data.shape[axis] != self.mean.shape[0]:
            raise ValueError(f"Normalization layer {self.name!r}: adapt got data with {data.shape[axis]} features on "
                             f"axis {self.axis} (shape {data.shape}); the layer was built for "
                             f"{self.mean.shape[0]}")
        self.mean.data[...] = to_device(data.mean(axis=axes), device_of(self.mean.data))
        self.variance.data[...] = to_device(data.var(axis=axes), device_of(self.variance.data))

    def build(self, input_shape):
        if not -len(input_shape) <= self.axis < len(input_shape):
            raise ValueError(f"Normalization layer {self.name!r}: axis={self.axis} does not exist in inputs of shape "
                             f"{tuple(input_shape)} ({len(input_shape)} axes)")
        self.expected_input = _feature_spec(input_shape, self.axis, f"Normalization layer {self.name!r}")
        size = input_shape[self.axis]
        self.mean = self.add_weight("mean", (size,), "zeros", trainable=False)
        self.variance = self.add_weight("variance", (size,), "ones", trainable=False)
        mean_value, variance_value = self._given
        if mean_value is not None:
            self.mean.data[...] = mean_value
        if variance_value is not None:
            self.variance.data[...] = variance_value

    def call(self, x, training=False):
        _, axis = _reduction_axes(x.ndim, self.axis)
        shape = _broadcast_shape(x.ndim, axis, x.shape[axis])
        xp = xp_of(self.variance.data)
        std = xp.maximum(xp.sqrt(self.variance.data), self.EPSILON).reshape(shape)
        return (x - Tensor(self.mean.data.reshape(shape))) / Tensor(std)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class LayerNormalization(Layer):
    """Normalize each sample over its last axis: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``
    (Keras default ``epsilon=1e-3``)."""
    compilable = True  # static in training: see Layer.compilable
    propagates_mask = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, **kwargs):
        super().__init__(**kwargs)
        if axis != -1:
            raise NotImplementedError(f"LayerNormalization: only axis=-1 (the last axis) is implemented, got "
                                      f"axis={axis!r}")
        self.epsilon = checks.number(epsilon, "epsilon", "LayerNormalization", low=0)
        self.axis, self.center, self.scale = axis, center, scale

    def build(self, input_shape):
        size = input_shape[-1]
        self.gamma = self.add_weight("gamma", (size,), "ones") if self.scale else None
        self.beta = self.add_weight("beta", (size,), "zeros") if self.center else None
        self.expected_input = (None,) * (len(input_shape) - 2) + (size,)

    def call(self, x, training=False):
        if self.gamma is not None and self.beta is not None:
            return ops.layer_norm(x, self.gamma, self.beta, self.epsilon)  # fused; its reference is below
        centered = x - mean(x, axis=-1, keepdims=True)
        out = centered / ops.sqrt(mean(centered * centered, axis=-1, keepdims=True) + self.epsilon)
        if self.gamma is not None:
            out = out * self.gamma
        return out + self.beta if self.beta is not None else out

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale}
