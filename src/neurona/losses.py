"""Losses with Keras' names, defaults and reduction (the mean over the batch of per-sample losses).

Output layer and loss go together (the lecture's table):

=============  ==========================  ==================================
problem        output layer                loss
=============  ==========================  ==================================
regression     1 unit, no activation       ``MeanSquaredError`` ("mse")
binary         1 unit, sigmoid             ``BinaryCrossentropy`` ("binary_crossentropy")
multiclass     C units, softmax            ``CategoricalCrossentropy`` (one-hot) or
                                           ``SparseCategoricalCrossentropy`` (integer labels)
=============  ==========================  ==================================

Targets of shape (N,) against predictions of shape (N, 1) are given the trailing axis deliberately (never
broadcast to an (N, N) loss); any other mismatch raises an error naming both shapes.

>>> import neurona as nr
>>> nr.losses.MeanSquaredError()(nr.tensor([1.0, 2.0]), nr.tensor([[1.5], [2.0]])).item()
0.125
"""
from __future__ import annotations

import numpy as np

from . import checks, ops
from . import functional as fn
from .autograd.engine import ShapeError
from .autograd.tensor import Tensor
from .devices.backend import is_array, xp_of
from .devices import device_of, to_device
from .functional import mean
from .utils import snake_case

EPSILON = 1e-7  # Keras' backend epsilon: probabilities are clipped to [eps, 1 - eps]


def _raw_target(y_true, y_pred, name="loss"):
    """The targets as a raw numeric array on the predictions' device."""
    raw = y_true.data if isinstance(y_true, Tensor) else y_true
    if not is_array(raw):
        raw = np.asarray(raw)
    if raw.dtype.kind not in "biuf":
        raise TypeError(f"{name}: targets must be numbers, got dtype {raw.dtype}. Hint: map class names to integers "
                        "0..C-1 first (neurona.datasets.preprocessing.Lookup does it).")
    return raw if xp_of(raw) is xp_of(y_pred.data) else to_device(raw, device_of(y_pred.data))


def _as_target(y_true, y_pred: Tensor, name: str) -> Tensor:
    """The target as a tensor of the prediction's shape and dtype, expanding (N,) to (N, 1) on purpose."""
    y = y_true if isinstance(y_true, Tensor) and xp_of(y_true.data) is xp_of(y_pred.data) else \
        Tensor(_raw_target(y_true, y_pred, name))
    if y.dtype != y_pred.dtype:
        y = ops.astype(y, y_pred.dtype)
    if y.shape != y_pred.shape:
        if y.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1 and y.shape == y_pred.shape[:-1]:
            return fn.expand_dims(y, -1)
        raise ShapeError(f"{name}: targets of shape {y.shape} do not match predictions of shape {y_pred.shape}. "
                         "Hint: for a 1-unit output pass targets of shape (N,) or (N, 1); for C units with "
                         "integer labels use sparse_categorical_crossentropy.")
    return y


def _as_prediction(y_pred) -> Tensor:
    """The predictions as a floating tensor: a loss is computed in floats even for integer predictions."""
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor(np.asarray(y_pred)) if not isinstance(y_pred, (list, tuple)) else Tensor(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = ops.astype(y_pred, np.float32)
    return y_pred


# ---- per-sample functions -------------------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """``mean((y_pred - y_true)^2)`` over the last axis, one value per sample."""
    y_pred = _as_prediction(y_pred)
    diff = y_pred - _as_target(y_true, y_pred, "mean_squared_error")
    return mean(diff * diff, axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(|y_pred - y_true|)`` over the last axis."""
    y_pred = _as_prediction(y_pred)
    return mean(ops.abs(y_pred - _as_target(y_true, y_pred, "mean_absolute_error")), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Quadratic for errors below ``delta``, linear above; mean over the last axis."""
    y_pred = _as_prediction(y_pred)
    err = ops.abs(y_pred - _as_target(y_true, y_pred, "huber"))
    quadratic = ops.minimum(err, delta)
    return mean(0.5 * quadratic * quadratic + delta * (err - quadratic), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """``-(y log p + (1 - y) log(1 - p))`` averaged over the last axis.

    From logits it is ``softplus(x) - x * y``: finite for logits of +-1e4. From probabilities they are clipped
    to ``[1e-7, 1 - 1e-7]``, as in Keras. (A model whose output layer applies the sigmoid gives this loss the
    logits behind it, in training and evaluation alike: see ``Model.compile``.)
    """
    y_pred = _as_prediction(y_pred)
    y = _as_target(y_true, y_pred, "binary_crossentropy")
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return mean(ops.softplus(y_pred) - y_pred * y, axis=-1)
    p = ops.clip(y_pred, EPSILON, 1.0 - EPSILON)
    return mean(-(y * ops.log(p) + (1.0 - y) * ops.log(1.0 - p)), axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """``-sum(y * log p)`` over the class axis, with one-hot (or soft) targets."""
    y_pred = _as_prediction(y_pred)
    y = _as_target(y_true, y_pred, "categorical_crossentropy")
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[axis]
    if from_logits:
        if axis in (-1, y_pred.ndim - 1):
            return ops.softmax_cross_entropy(y_pred, y)  # fused -sum(y * log_softmax(logits)), tested equal
        return -ops.sum(y * ops.log_softmax(y_pred, axis), axis=axis)
    p = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    return -ops.sum(y * ops.log(ops.clip(p, EPSILON, 1.0 - EPSILON)), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Categorical cross-entropy with integer class labels of shape (N,) or (N, 1)."""
    y_pred = _as_prediction(y_pred)
    labels = given = _raw_target(y_true, y_pred, "sparse_categorical_crossentropy")
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        raise ShapeError(f"sparse_categorical_crossentropy: labels of shape {labels.shape} do not match "
                         f"predictions of shape {y_pred.shape}; expected labels of shape {y_pred.shape[:-1]}.")
    classes = y_pred.shape[-1]
    if isinstance(labels, np.ndarray) and labels.size and (  # on a GPU this check runs once, in fit
            labels.min() < 0 or labels.max() >= classes or np.any(labels != np.round(labels))):
        raise ValueError(f"sparse_categorical_crossentropy: labels must be integers in [0, {classes}) for an output "
                         f"of {classes} units; got values from {labels.min()} to {labels.max()}.")
    # from the labels as given, through primitives only: a traced step recomputes it from each batch
    one_hot = ops.one_hot(ops.reshape(Tensor(given), labels.shape), classes, y_pred.dtype)
    return categorical_crossentropy(one_hot, y_pred, from_logits=from_logits)


# ---- Loss objects (reduction, sample weights, names) -----------------------------------------------------

class Loss:
    """A loss with Keras' reduction: ``sum(loss_i * w_i) / N`` over the N samples of the batch."""
    fn = None
    logits_of = None  # the output activation ("sigmoid", "softmax") whose logits the loss can take instead

    def on_logits_of(self, activation) -> "Loss | None":
        """This loss taking the logits behind ``activation`` (the model's output activation, a function)
        instead of its probabilities: the same loss, stable when the output saturates. None when the pair
        does not match (e.g. MSE, or a loss that already has ``from_logits=True``)."""
        if activation is None or activation.__name__ != self.logits_of or self.options.get("from_logits"):
            return None
        return type(self)(name=self.name, **{**self.options, "from_logits": True})

    def __init__(self, name=None, **options):
        self.name = name or snake_case(type(self).__name__)
        self.options = options

    def call(self, y_true, y_pred):
        """Per-sample losses."""
        return type(self).fn(y_true, y_pred, **self.options)

    def __call__(self, y_true, y_pred, sample_weight=None):
        per_sample = self.call(y_true, y_pred)
        if sample_weight is not None:
            w = _loss_weights(_raw_target(sample_weight, per_sample), per_sample.shape)
            w = ops.astype(Tensor(w), per_sample.dtype)
            return ops.sum(per_sample * w) / max(per_sample.data.size, 1)
        return mean(per_sample)

    def get_config(self) -> dict:
        return {"name": self.name, **self.options}


def _loss_weights(w, shape):
    """Keras' sample weights against the per-sample (or per-element) losses of ``shape``: a scalar weighs them
    all; (N,) or (N, 1) weighs each sample; the losses' own shape weighs each element (e.g. each time step)."""
    if w.size == 1:
        return w.reshape(())
    if w.ndim == len(shape) + 1 and w.shape[-1] == 1:
        w = w.reshape(w.shape[:-1])
    if w.shape == tuple(shape):
        return w
    if w.ndim < len(shape) and w.shape == tuple(shape[:w.ndim]):
        return w.reshape(w.shape + (1,) * (len(shape) - w.ndim))
    raise ValueError(f"sample_weight of shape {tuple(w.shape)} does not fit the losses of shape {tuple(shape)}: give "
                     "a scalar, one weight per sample, or one per element of the loss")


class MeanSquaredError(Loss):
    fn = staticmethod(mean_squared_error)

    def __init__(self, name="mean_squared_error"):
        super().__init__(name)


class MeanAbsoluteError(Loss):
    fn = staticmethod(mean_absolute_error)

    def __init__(self, name="mean_absolute_error"):
        super().__init__(name)


class Huber(Loss):
    fn = staticmethod(huber)

    def __init__(self, delta=1.0, name="huber_loss"):
        super().__init__(name, delta=checks.number(delta, "delta", "Huber", low=0, low_open=True))


class BinaryCrossentropy(Loss):
    logits_of = "sigmoid"
    fn = staticmethod(binary_crossentropy)

    def __init__(self, from_logits=False, label_smoothing=0.0, name="binary_crossentropy"):
        super().__init__(name, from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(Loss):
    logits_of = "softmax"
    fn = staticmethod(categorical_crossentropy)

    def __init__(self, from_logits=False, label_smoothing=0.0, name="categorical_crossentropy"):
        super().__init__(name, from_logits=from_logits, label_smoothing=label_smoothing)


class SparseCategoricalCrossentropy(Loss):
    logits_of = "softmax"
    fn = staticmethod(sparse_categorical_crossentropy)

    def __init__(self, from_logits=False, name="sparse_categorical_crossentropy"):
        super().__init__(name, from_logits=from_logits)


_ALIASES = {"mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
            "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
            "huber": Huber, "huber_loss": Huber,
            "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
            "categorical_crossentropy": CategoricalCrossentropy, "cce": CategoricalCrossentropy,
            "sparse_categorical_crossentropy": SparseCategoricalCrossentropy}
_CLASSES = {cls.__name__: cls for cls in set(_ALIASES.values())}


def get(identifier) -> Loss:
    """A Loss from an alias ("mse", "binary_crossentropy", ...), a saved config or an instance."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        config = dict(identifier.get("config", {}))
        return _CLASSES[identifier["class_name"]](**config)
    if isinstance(identifier, str) and identifier in _ALIASES:
        return _ALIASES[identifier]()
    if callable(identifier):
        return _FunctionLoss(identifier)
    raise ValueError(f"unknown loss {identifier!r}; known: {', '.join(sorted(_ALIASES))}")


def serialize(loss: Loss) -> dict:
    if type(loss).__name__ not in _CLASSES:
        raise ValueError(f"loss {loss!r} cannot be saved: use one of the built-in losses")
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


class _FunctionLoss(Loss):
    """A user function ``f(y_true, y_pred) -> per-sample losses`` wrapped with the Keras reduction."""

    def __init__(self, fn):
        super().__init__(getattr(fn, "__name__", "loss"))
        self._fn = fn

    def call(self, y_true, y_pred):
        return self._fn(y_true, y_pred)
