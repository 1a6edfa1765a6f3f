"""Per-sample losses with Keras' formulas: each takes ``(y_true, y_pred)`` and gives one loss per sample (the
last axis is reduced), composed from primitives only, so every mode of differentiation comes for free and a
compiled training step recomputes it from each batch. :mod:`neurona.losses` wraps them with the reduction over
the batch and the sample weights; :mod:`neurona.metrics` averages the same functions over an epoch.

Targets of shape (N,) against predictions of shape (N, 1) are given the trailing axis deliberately (never
broadcast to an (N, N) loss); any other mismatch raises an error naming both shapes.

>>> import neurona as nr
>>> nr.functional.losses.mean_squared_error([[1.0], [2.0]], nr.tensor([[1.5], [2.0]])).tolist()
[0.25, 0.0]
"""
from __future__ import annotations

import math

import numpy as np

from .. import ops
from ..autograd.engine import ShapeError
from ..autograd.tensor import Tensor
from ..devices import device_of, to_device
from ..devices.backend import is_array, xp_of
from .reductions import mean
from .shape import expand_dims

EPSILON = 1e-7  # Keras' backend epsilon: probabilities are clipped to [eps, 1 - eps]


def raw_target(y_true, y_pred, name="loss"):
    """The targets as a raw numeric array on the predictions' device."""
    raw = y_true.data if isinstance(y_true, Tensor) else y_true
    if not is_array(raw):
        raw = np.asarray(raw)
    if raw.dtype.kind not in "biuf":
        raise TypeError(f"{name}: targets must be numbers, got dtype {raw.dtype}. Hint: map class names to integers "
                        "0..C-1 first (neurona.datasets.preprocessing.Lookup does it).")
    return raw if xp_of(raw) is xp_of(y_pred.data) else to_device(raw, device_of(y_pred.data))


def as_target(y_true, y_pred: Tensor, name: str) -> Tensor:
    """The target as a tensor of the prediction's shape and dtype, expanding (N,) to (N, 1) on purpose."""
    y = y_true if isinstance(y_true, Tensor) and xp_of(y_true.data) is xp_of(y_pred.data) else \
        Tensor(raw_target(y_true, y_pred, name))
    if y.dtype != y_pred.dtype:
        y = ops.astype(y, y_pred.dtype)
    if y.shape != y_pred.shape:
        if y.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1 and y.shape == y_pred.shape[:-1]:
            return expand_dims(y, -1)
        raise ShapeError(f"{name}: targets of shape {y.shape} do not match predictions of shape {y_pred.shape}. "
                         "Hint: for a 1-unit output pass targets of shape (N,) or (N, 1); for C units with "
                         "integer labels use sparse_categorical_crossentropy.")
    return y


def as_prediction(y_pred) -> Tensor:
    """The predictions as a floating tensor: a loss is computed in floats even for integer predictions."""
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor(np.asarray(y_pred)) if not isinstance(y_pred, (list, tuple)) else Tensor(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = ops.astype(y_pred, np.float32)
    return y_pred


def _pair(y_true, y_pred, name):
    y_pred = as_prediction(y_pred)
    return as_target(y_true, y_pred, name), y_pred


# ---- regression ---------------------------------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """``mean((y_pred - y_true)^2)`` over the last axis, one value per sample.

    >>> import neurona as nr
    >>> p = nr.tensor([[2.0, 2.0], [0.0, 1.0]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.mean_squared_error([[1.0, 2.0], [0.0, 0.0]], p).tolist()]
    [0.5, 0.5]
    """
    y, p = _pair(y_true, y_pred, "mean_squared_error")
    diff = p - y
    return mean(diff * diff, axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(|y_pred - y_true|)`` over the last axis.

    >>> import neurona as nr
    >>> p = nr.tensor([[2.0, 2.0], [0.0, 1.0]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.mean_absolute_error([[1.0, 2.0], [0.0, 0.0]], p).tolist()]
    [0.5, 0.5]
    """
    y, p = _pair(y_true, y_pred, "mean_absolute_error")
    return mean(ops.abs(p - y), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7))`` over the last axis (Keras': a zero target makes
    the loss huge rather than infinite).

    >>> import neurona as nr
    >>> p = nr.tensor([[1.0], [4.0]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.mean_absolute_percentage_error([[2.0], [4.0]], p).tolist()]
    [50.0, 0.0]
    """
    y, p = _pair(y_true, y_pred, "mean_absolute_percentage_error")
    return 100.0 * mean(ops.abs(y - p) / ops.maximum(ops.abs(y), EPSILON), axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean((log(1 + max(y_pred, 1e-7)) - log(1 + max(y_true, 1e-7)))^2)`` over the last axis.

    >>> import neurona as nr
    >>> p = nr.tensor([[1.0], [1.0]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.mean_squared_logarithmic_error([[0.0], [1.0]], p).tolist()]
    [0.4805, 0.0]
    """
    y, p = _pair(y_true, y_pred, "mean_squared_logarithmic_error")
    diff = ops.log(ops.maximum(p, EPSILON) + 1.0) - ops.log(ops.maximum(y, EPSILON) + 1.0)
    return mean(diff * diff, axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Quadratic for errors below ``delta``, linear above; mean over the last axis.

    >>> import neurona as nr
    >>> p = nr.tensor([[0.5], [3.0]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.huber([[0.0], [0.0]], p).tolist()]
    [0.125, 2.5]
    """
    y, p = _pair(y_true, y_pred, "huber")
    err = ops.abs(p - y)
    quadratic = ops.minimum(err, delta)
    return mean(0.5 * quadratic * quadratic + delta * (err - quadratic), axis=-1)


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)))`` over the last axis, computed as ``x + softplus(-2x) - log 2``, which
    does not overflow for large errors (about ``x^2 / 2`` for small ones, ``|x| - log 2`` for large).

    >>> import neurona as nr
    >>> p = nr.tensor([[0.0], [1.0]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.log_cosh([[0.0], [0.0]], p).tolist()]
    [0.0, 0.4338]
    """
    y, p = _pair(y_true, y_pred, "log_cosh")
    x = p - y
    return mean(x + ops.softplus(-2.0 * x) - math.log(2.0), axis=-1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + 1e-7))`` over the last axis: the negative log-likelihood of counts
    ``y_true`` under Poisson rates ``y_pred`` (without the constant ``log(y_true!)``).

    >>> import neurona as nr
    >>> p = nr.tensor([[1.0], [2.0]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.poisson([[1.0], [2.0]], p).tolist()]
    [1.0, 0.6137]
    """
    y, p = _pair(y_true, y_pred, "poisson")
    return mean(p - y * ops.log(p + EPSILON), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """``-sum(normalize(y_true) * normalize(y_pred))`` along ``axis``: -1 for vectors pointing the same way, 0
    for orthogonal ones. A vector's norm is taken as at least 1e-7 (a zero vector gives 0).

    >>> import neurona as nr
    >>> p = nr.tensor([[2.0, 0.0], [1.0, 1.0]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.cosine_similarity([[1.0, 0.0], [0.0, 1.0]], p).tolist()]
    [-1.0, -0.7071]
    """
    y, p = _pair(y_true, y_pred, "cosine_similarity")
    return -ops.sum(_l2_normalize(y, axis) * _l2_normalize(p, axis), axis=axis)


def _l2_normalize(x, axis):
    return x / ops.sqrt(ops.maximum(ops.sum(x * x, axis=axis, keepdims=True), EPSILON * EPSILON))


# ---- margins ------------------------------------------------------------------------------------------------

def _hinge_labels(y):
    """Labels 0/1 as -1/1; labels -1/1 stay (``clip(2y - 1, -1, 1)``, one formula for both conventions)."""
    return ops.clip(2.0 * y - 1.0, -1.0, 1.0)


def hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0))`` over the last axis, with labels -1/1 (0/1 are converted).

    >>> import neurona as nr
    >>> p = nr.tensor([[0.3], [-2.0]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.hinge([[1.0], [0.0]], p).tolist()]
    [0.7, 0.0]
    """
    y, p = _pair(y_true, y_pred, "hinge")
    return mean(ops.maximum(1.0 - _hinge_labels(y) * p, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0)^2)`` over the last axis, with labels -1/1 (0/1 are converted).

    >>> import neurona as nr
    >>> p = nr.tensor([[0.3], [-2.0]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.squared_hinge([[1.0], [0.0]], p).tolist()]
    [0.49, 0.0]
    """
    y, p = _pair(y_true, y_pred, "squared_hinge")
    margin = ops.maximum(1.0 - _hinge_labels(y) * p, 0.0)
    return mean(margin * margin, axis=-1)


def categorical_hinge(y_true, y_pred):
    """``max(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred)`` (the true class's score, one-hot targets)
    and ``neg = max((1 - y_true) * y_pred)`` (the best wrong class's score).

    >>> import neurona as nr
    >>> p = nr.tensor([[0.2, 0.8], [0.5, 0.5]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.categorical_hinge([[0.0, 1.0], [1.0, 0.0]], p).tolist()]
    [0.4, 1.0]
    """
    y, p = _pair(y_true, y_pred, "categorical_hinge")
    pos = ops.sum(y * p, axis=-1)
    neg = ops.max((1.0 - y) * p, axis=-1)
    return ops.maximum(neg - pos + 1.0, 0.0)


# ---- probabilities ------------------------------------------------------------------------------------------

def kl_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred))`` over the last axis, both clipped to ``[1e-7, 1]``.

    >>> import neurona as nr
    >>> p = nr.tensor([[0.5, 0.5], [0.5, 0.5]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.kl_divergence([[0.5, 0.5], [1.0, 0.0]], p).tolist()]
    [0.0, 0.6931]
    """
    y, p = _pair(y_true, y_pred, "kl_divergence")
    y = ops.clip(y, EPSILON, 1.0)
    return ops.sum(y * ops.log(y / ops.clip(p, EPSILON, 1.0)), axis=-1)


def _smoothed(y, label_smoothing, classes):
    """Targets moved ``label_smoothing`` of the way towards ``1 / classes`` (0.5 for binary ones)."""
    return y * (1.0 - label_smoothing) + label_smoothing / classes if label_smoothing else y


def _binary_crossentropy_elements(y, p, from_logits):
    """The element-wise binary cross-entropy: ``softplus(x) - x * y`` from logits (finite for logits of +-1e4),
    else ``-(y log p + (1 - y) log(1 - p))`` with ``p`` clipped to ``[1e-7, 1 - 1e-7]`` as in Keras."""
    if from_logits:
        return ops.softplus(p) - p * y
    p = ops.clip(p, EPSILON, 1.0 - EPSILON)
    return -(y * ops.log(p) + (1.0 - y) * ops.log(1.0 - p))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """``-(y log p + (1 - y) log(1 - p))`` averaged over the last axis; labels are smoothed towards 0.5.

    (A model whose output layer applies the sigmoid gives this loss the logits behind it, in training and
    evaluation alike: see ``Model.compile``.)

    >>> import neurona as nr
    >>> p = nr.tensor([[0.9], [0.2]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.binary_crossentropy([[1.0], [0.0]], p).tolist()]
    [0.1054, 0.2231]
    """
    y, p = _pair(y_true, y_pred, "binary_crossentropy")
    y = _smoothed(y, label_smoothing, 2)   # towards 0.5
    return mean(_binary_crossentropy_elements(y, p, from_logits), axis=-1)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0):
    """The binary cross-entropy of each element times ``(1 - p_t)^gamma``, where ``p_t`` is the probability given
    to the true label: well-classified elements count less (Lin et al., 2017). With ``apply_class_balancing``
    positives are also weighed by ``alpha`` and negatives by ``1 - alpha``. Mean over the last axis.

    >>> import neurona as nr
    >>> p = nr.tensor([[0.9], [0.2]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.binary_focal_crossentropy([[1.0], [0.0]], p, gamma=2.0).tolist()]
    [0.0011, 0.0089]
    """
    y, p = _pair(y_true, y_pred, "binary_focal_crossentropy")
    y = _smoothed(y, label_smoothing, 2)   # towards 0.5
    bce = _binary_crossentropy_elements(y, p, from_logits)
    prob = ops.sigmoid(p) if from_logits else p
    p_t = y * prob + (1.0 - y) * (1.0 - prob)
    focal = ops.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y * alpha + (1.0 - y) * (1.0 - alpha)) * focal
    return mean(focal, axis=-1)


def _log_probabilities(p, from_logits, axis):
    """``log p`` along the class ``axis``: ``log_softmax`` of logits, else the log of the probabilities
    renormalized to sum to 1 and clipped to ``[1e-7, 1 - 1e-7]`` (Keras')."""
    if from_logits:
        return ops.log_softmax(p, axis)
    return ops.log(ops.clip(p / ops.sum(p, axis=axis, keepdims=True), EPSILON, 1.0 - EPSILON))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """``-sum(y * log p)`` over the class ``axis``, with one-hot (or soft) targets.

    >>> import neurona as nr
    >>> p = nr.tensor([[0.2, 0.8], [0.5, 0.5]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.categorical_crossentropy([[0.0, 1.0], [1.0, 0.0]], p).tolist()]
    [0.2231, 0.6931]
    """
    y, p = _pair(y_true, y_pred, "categorical_crossentropy")
    y = _smoothed(y, label_smoothing, p.shape[axis])
    if from_logits and axis in (-1, p.ndim - 1):
        return ops.softmax_cross_entropy(p, y)  # fused -sum(y * log_softmax(logits)), tested equal
    return -ops.sum(y * _log_probabilities(p, from_logits, axis), axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """``-sum(alpha * (1 - p)^gamma * y * log p)`` over the class ``axis``: the categorical cross-entropy with
    confident, correct classes weighed down. From logits ``log p`` is ``log_softmax``, which stays finite.

    >>> import neurona as nr
    >>> p = nr.tensor([[0.2, 0.8], [0.5, 0.5]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.categorical_focal_crossentropy([[0.0, 1.0], [1.0, 0.0]], p).tolist()]
    [0.0022, 0.0433]
    """
    y, p = _pair(y_true, y_pred, "categorical_focal_crossentropy")
    y = _smoothed(y, label_smoothing, p.shape[axis])
    log_p = _log_probabilities(p, from_logits, axis)
    weight = alpha * ops.pow(1.0 - ops.exp(log_p), gamma)
    return -ops.sum(weight * y * log_p, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None):
    """Categorical cross-entropy with integer class labels of shape (N,) or (N, 1) (or (N, T) for sequences).

    Labels equal to ``ignore_class`` (e.g. padding, or -1) get a loss of 0; :class:`neurona.losses.
    SparseCategoricalCrossentropy` then averages over the other labels only.

    >>> import neurona as nr
    >>> p = nr.tensor([[0.2, 0.8], [0.5, 0.5]], dtype="float64")
    >>> [round(v, 4) for v in nr.functional.losses.sparse_categorical_crossentropy([1, 0], p).tolist()]
    [0.2231, 0.6931]
    """
    y_pred = as_prediction(y_pred)
    labels, given = _checked_labels(y_true, y_pred, ignore_class)
    # from the labels as given, through primitives only: a traced step recomputes it from each batch
    target = ops.reshape(Tensor(given), labels.shape)
    if ignore_class is None:
        return categorical_crossentropy(ops.one_hot(target, y_pred.shape[-1], y_pred.dtype), y_pred,
                                        from_logits=from_logits)
    valid = kept_labels(target, ignore_class, y_pred.dtype)
    target = ops.astype(target, y_pred.dtype) * valid  # an ignored label becomes class 0, its loss is then zeroed
    loss = categorical_crossentropy(ops.one_hot(target, y_pred.shape[-1], y_pred.dtype), y_pred,
                                    from_logits=from_logits)
    return loss * valid


def kept_labels(labels, ignore_class, dtype=np.float32) -> Tensor:
    """1.0 for each label to count, 0.0 for each equal to ``ignore_class``, computed from primitives as
    ``clip(|label - ignore_class|, 0, 1)`` (integer labels differ by at least 1); a trailing axis of 1 is dropped.
    """
    labels = ops.astype(labels if isinstance(labels, Tensor) else Tensor(np.asarray(labels)), dtype)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = ops.reshape(labels, labels.shape[:-1])
    return ops.clip(ops.abs(labels - float(ignore_class)), 0.0, 1.0)


def _checked_labels(y_true, y_pred, ignore_class):
    """The labels (without a trailing axis of 1) and the array as given; refuses labels outside [0, classes)
    other than ``ignore_class``."""
    labels = given = raw_target(y_true, y_pred, "sparse_categorical_crossentropy")
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        raise ShapeError(f"sparse_categorical_crossentropy: labels of shape {labels.shape} do not match "
                         f"predictions of shape {y_pred.shape}; expected labels of shape {y_pred.shape[:-1]}.")
    classes = y_pred.shape[-1]
    if isinstance(labels, np.ndarray) and labels.size:  # on a GPU this check runs once, in fit
        counted = labels if ignore_class is None else labels[labels != ignore_class]
        if counted.size and (counted.min() < 0 or counted.max() >= classes or np.any(counted != np.round(counted))):
            raise ValueError(f"sparse_categorical_crossentropy: labels must be integers in [0, {classes}) for an "
                             f"output of {classes} units; got values from {counted.min()} to {counted.max()}."
                             + ("" if ignore_class is None else f" (Labels equal to ignore_class={ignore_class} "
                                "are skipped.)"))
    return labels, given
