"""Normalization layers: BatchNormalization (the lecture's batch norm), LayerNormalization (per sample, in
Transformers) and Normalization (input scaling).

The lecture: always normalize inputs, so gradient descent sees a round bowl instead of a narrow valley; batch
normalization normalizes each mini-batch with its own mean and variance, then scales by gamma and shifts by beta.
"""
from __future__ import annotations

import numpy as np

from .. import checks, constraints, initializers, ops, regularizers
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

    >>> import neurona as nr
    >>> bn = nr.layers.BatchNormalization()
    >>> y = bn(nr.tensor([[1.0], [3.0]]), training=True)
    >>> [round(v, 3) for v in y.numpy().ravel().tolist()]
    [-1.0, 1.0]
    >>> [round(v, 3) for v in bn.moving_mean.tolist()]
    [0.02]
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized=False, **kwargs):
        super().__init__(**kwargs)
        self.initializers = {name: initializers.get(init) for name, init in (
            ("beta", beta_initializer), ("gamma", gamma_initializer), ("moving_mean", moving_mean_initializer),
            ("moving_variance", moving_variance_initializer))}
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.axis = checks.integer(axis, "axis", "BatchNormalization")
        self.momentum = checks.number(momentum, "momentum", "BatchNormalization", 0, 1)
        self.epsilon = checks.number(epsilon, "epsilon", "BatchNormalization", low=0)
        self.center, self.scale = center, scale
        self.synchronized = checks.flag(synchronized, "synchronized", "BatchNormalization")

    def build(self, input_shape):
        self.expected_input = _feature_spec(input_shape, self.axis, f"BatchNormalization layer {self.name!r}")
        size = input_shape[self.axis]
        init = self.initializers
        self.gamma = self.add_weight("gamma", (size,), init["gamma"], regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight("beta", (size,), init["beta"], regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", (size,), init["moving_mean"], trainable=False)
        self.moving_variance = self.add_weight("moving_variance", (size,), init["moving_variance"], trainable=False)

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
                "center": self.center, "scale": self.scale, "synchronized": self.synchronized,
                **{f"{name}_initializer": initializers.serialize(init) for name, init in self.initializers.items()},
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}


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
    """``(x - mean) / max(std, 1e-7)``, with ``mean`` and ``variance`` learned by ``adapt(data)`` from the training
    data only (or given). They are non-trainable weights, saved with the model. ``invert=True`` undoes the
    scaling, ``mean + x * std`` (e.g. to turn a network's normalized outputs back into the targets' units).

    ``axis`` names the axes that keep their own statistics: -1 (Keras' default) one mean per feature; a tuple such
    as ``(1, 2)`` one per position of an (N, H, W) input; None a single mean and variance for every element.
    ``adapt`` takes an array, or an iterable of batches (a generator, a data pipeline: of a pair ``(x, y)`` the
    ``x`` is used), combined exactly with Chan's parallel formulas.

    >>> import numpy as np
    >>> norm = Normalization()
    >>> norm.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    >>> norm(np.array([[1.0, 20.0]])).tolist()
    [[0.0, 0.0]]
    >>> Normalization(mean=5.0, variance=4.0, invert=True, axis=None)(np.array([[1.0, -1.0]])).tolist()
    [[7.0, 3.0]]
    """
    compilable = True  # static in training: see Layer.compilable
    EPSILON = 1e-7

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if not (axis is None or checks.is_int(axis) or isinstance(axis, (list, tuple)) and all(
                checks.is_int(a) for a in axis)):
            raise TypeError(f"Normalization: axis must be an integer, a tuple of integers or None, got {axis!r}")
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization: give both mean and variance, or neither (got mean={mean!r}, "
                             f"variance={variance!r})")
        self.axis = tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else axis
        self.invert = checks.flag(invert, "invert", "Normalization")
        self._given = (mean, variance)

    def kept_axes(self, ndim) -> tuple:
        """The axes (counted from 0, the batch axis) that keep their own mean and variance."""
        axes = () if self.axis is None else self.axis if isinstance(self.axis, tuple) else (self.axis,)
        where = f"Normalization layer {self.name!r}"
        kept = []
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(f"{where}: axis={self.axis} does not exist in inputs of {ndim} axes")
            _, positive = _reduction_axes(ndim, a, where)
            kept.append(positive)
        return tuple(sorted(set(kept)))

    def adapt(self, data):
        """Learn the mean and variance from ``data`` (a training set, never the test set): an array, or an
        iterable of batches."""
        count = mean = m2 = None
        for batch in _batches(data):
            if batch.ndim < 1 or batch.shape[0] == 0:
                raise ValueError("Normalization.adapt: needs a non-empty array of samples")
            kept = self._checked_for(batch.shape)
            reduced = tuple(i for i in range(batch.ndim) if i not in kept)
            n = float(np.prod([batch.shape[i] for i in reduced]))
            batch_mean = batch.mean(axis=reduced)
            batch_m2 = ((batch - batch.mean(axis=reduced, keepdims=True)) ** 2).sum(axis=reduced)
            if count is None:
                count, mean, m2 = n, batch_mean, batch_m2
            else:   # Chan et al.: the mean and the sum of squared deviations of the union of two sets
                delta = batch_mean - mean
                total = count + n
                mean = mean + delta * (n / total)
                m2 = m2 + batch_m2 + delta ** 2 * (count * n / total)
                count = total
        if count is None:
            raise ValueError("Normalization.adapt: the data held no batches")
        self.mean.data[...] = to_device(mean, device_of(self.mean.data))
        self.variance.data[...] = to_device(m2 / count, device_of(self.variance.data))

    def _checked_for(self, shape):
        """The kept axes for data of ``shape``, building the layer first; refuses data of another size."""
        kept = self.kept_axes(len(shape))
        sizes = tuple(shape[a] for a in kept)
        if not self.built:
            self.build(shape)
        elif sizes != tuple(self.mean.shape):
            raise ValueError(f"Normalization layer {self.name!r}: adapt got data of shape {tuple(shape)}, with sizes "
                             f"{sizes} on axis {self.axis}; the layer was built for {tuple(self.mean.shape)}")
        return kept

    def build(self, input_shape):
        kept = self.kept_axes(len(input_shape))
        self.expected_input = tuple(input_shape[i] if i in kept else None for i in range(1, len(input_shape)))
        sizes = tuple(input_shape[a] for a in kept)
        self.mean = self.add_weight("mean", sizes, "zeros", trainable=False)
        self.variance = self.add_weight("variance", sizes, "ones", trainable=False)
        mean_value, variance_value = self._given
        if mean_value is not None:
            self.mean.data[...] = mean_value
        if variance_value is not None:
            self.variance.data[...] = variance_value

    def statistics(self, ndim):
        """The mean and ``max(std, 1e-7)`` as raw arrays shaped to broadcast against inputs of ``ndim`` axes."""
        kept = self.kept_axes(ndim)
        shape = tuple(self.mean.shape[kept.index(i)] if i in kept else 1 for i in range(ndim))
        xp = xp_of(self.variance.data)
        std = xp.maximum(xp.sqrt(self.variance.data), self.EPSILON)
        return self.mean.data.reshape(shape), std.reshape(shape)

    def call(self, x, training=False):
        mean_value, std = self.statistics(x.ndim)
        if self.invert:
            return x * Tensor(std) + Tensor(mean_value)
        return (x - Tensor(mean_value)) / Tensor(std)

    def get_config(self):
        return {**super().get_config(), "axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis,
                "invert": self.invert}


def _batches(data):
    """``data`` as a sequence of float64 arrays: an array-like is one batch; any other iterable gives its
    batches (the ``x`` of ``(x, y)`` pairs)."""
    if isinstance(data, (np.ndarray, Tensor, list, tuple)) or hasattr(data, "__array__") or np.isscalar(data):
        data = [data]
    for batch in data:
        if isinstance(batch, tuple):
            batch = batch[0]
        yield np.asarray(to_numpy(batch.data) if isinstance(batch, Tensor) else to_numpy(batch), dtype=np.float64)


class LayerNormalization(Layer):
    """Normalize each sample over its last axis: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``
    (Keras default ``epsilon=1e-3``).

    >>> import neurona as nr
    >>> y = nr.layers.LayerNormalization()(nr.tensor([[1.0, 3.0]]))
    >>> [round(v, 3) for v in y.numpy().ravel().tolist()]
    [-1.0, 1.0]
    """
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
