"""Metrics: values reported during training, accumulated over an epoch (``update_state``/``result``).

``"accuracy"`` is resolved from the loss, as Keras does: binary accuracy for binary cross-entropy, sparse
categorical accuracy for integer labels, categorical accuracy for one-hot targets.

>>> import numpy as np
>>> m = BinaryAccuracy()
>>> m.update_state(np.array([1, 0, 1]), np.array([0.9, 0.2, 0.3]))
>>> round(m.result(), 4)
0.6667
"""
from __future__ import annotations

import numpy as np

from .autograd.tensor import Tensor
from .devices.backend import is_array, xp_of


def _np(x):
    """The raw array (NumPy or CuPy: metrics run where the predictions are)."""
    if isinstance(x, Tensor):
        return x.data
    return x if is_array(x) else np.asarray(x)


def _align(y_true, y_pred):
    y_true, y_pred = _np(y_true), _np(y_pred)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true[..., None]
    return y_true, y_pred


def _weights(sample_weight, like):
    return xp_of(like).asarray(_np(sample_weight), dtype=np.float64).reshape(-1)


def _broadcast_weights(sample_weight, values):
    """``sample_weight`` shaped like ``values`` (per-sample values, per-element ones): a scalar, one weight per
    sample ((N,) or (N, 1)), or one per element; a trailing axis of 1 is dropped, missing trailing axes are
    added. Other shapes are refused with both shapes named."""
    xp = xp_of(values)
    w = xp.asarray(_np(sample_weight), dtype=np.float64)
    if w.ndim > values.ndim and w.shape[-1] == 1:
        w = w.reshape(w.shape[:-1])
    if w.ndim < values.ndim and w.shape == values.shape[:w.ndim]:
        w = w.reshape(w.shape + (1,) * (values.ndim - w.ndim))
    try:
        return xp.broadcast_to(w, values.shape)
    except ValueError:
        raise ValueError(f"sample_weight of shape {tuple(w.shape)} does not fit the metric's values of shape "
                         f"{tuple(values.shape)}: give one weight per sample, per element, or a scalar") from None


class Metric:
    """Base class: subclasses give per-sample values in ``values``; the result is their (weighted) mean."""
    direction = "up"
    #: The attributes that hold the state: sums over samples, so states of several shards add up (data-parallel
    #: training sums them over the ranks before ``result``).
    state_names = ("total", "count")

    def __init__(self, name=None):
        self.name = name or type(self).__name__.lower()
        self.reset_state()

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def values(self, y_true, y_pred) -> np.ndarray:
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self.values(y_true, y_pred)
        if sample_weight is None:
            v = values.reshape(len(_np(y_pred)), -1).mean(axis=1)
            self.total = self.total + v.sum()
            self.count += v.size
        else:   # per sample, per element (e.g. per time step) or a scalar: Keras' weights, counted by their sum
            w = _broadcast_weights(sample_weight, values)
            self.total = self.total + (values * w).sum()
            self.count = self.count + w.sum()

    def result(self) -> float:
        count = float(self.count)
        return float(self.total) / count if count else 0.0


class BinaryAccuracy(Metric):
    def __init__(self, name="accuracy", threshold=0.5):
        self.threshold = threshold
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_true, y_pred = _align(y_true, y_pred)
        return ((y_pred > self.threshold) == (y_true > 0.5)).astype(np.float64)


class CategoricalAccuracy(Metric):
    def __init__(self, name="accuracy"):
        super().__init__(name)

    def values(self, y_true, y_pred):
        return (_np(y_true).argmax(-1) == _np(y_pred).argmax(-1)).astype(np.float64)


class SparseCategoricalAccuracy(Metric):
    def __init__(self, name="accuracy"):
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_true, y_pred = _np(y_true), _np(y_pred)
        if y_true.ndim == y_pred.ndim:
            y_true = y_true[..., 0]
        return (y_pred.argmax(-1) == xp_of(y_pred).asarray(y_true)).astype(np.float64)


class MeanSquaredError(Metric):
    direction = "down"

    def __init__(self, name="mse"):
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_true, y_pred = _align(y_true, y_pred)
        return (y_pred - y_true) ** 2


class MeanAbsoluteError(Metric):
    direction = "down"

    def __init__(self, name="mae"):
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_true, y_pred = _align(y_true, y_pred)
        return xp_of(y_pred).abs(y_pred - y_true)


class _Confusion(Metric):
    """Counts of true/false positives at a threshold, accumulated over batches."""

    def __init__(self, name, threshold=0.5):
        self.threshold = threshold
        super().__init__(name)

    state_names = ("tp", "fp", "fn")

    def reset_state(self):
        self.tp = self.fp = self.fn = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _align(y_true, y_pred)
        xp = xp_of(y_pred)
        w = xp.ones(len(y_pred)) if sample_weight is None else _weights(sample_weight, y_pred)
        w = xp.broadcast_to(w.reshape((-1,) + (1,) * (y_pred.ndim - 1)), y_pred.shape)
        positive, truth = y_pred > self.threshold, y_true > 0.5
        self.tp = self.tp + (w * (positive & truth)).sum()
        self.fp = self.fp + (w * (positive & ~truth)).sum()
        self.fn = self.fn + (w * (~positive & truth)).sum()


class Precision(_Confusion):
    """Of the predicted positives, the fraction that are positive: ``tp / (tp + fp)``."""

    def __init__(self, name="precision", threshold=0.5):
        super().__init__(name, threshold)

    def result(self):
        tp, fp = float(self.tp), float(self.fp)
        return tp / (tp + fp) if tp + fp else 0.0


class Recall(_Confusion):
    """Of the actual positives, the fraction found: ``tp / (tp + fn)``."""

    def __init__(self, name="recall", threshold=0.5):
        super().__init__(name, threshold)

    def result(self):
        tp, fn = float(self.tp), float(self.fn)
        return tp / (tp + fn) if tp + fn else 0.0


class AUC(Metric):
    """Area under the ROC curve from confusion counts at ``num_thresholds`` thresholds (Keras' default 200,
    trapezoidal rule), accumulated over batches."""

    def __init__(self, name="auc", num_thresholds=200):
        self.num_thresholds = num_thresholds
        eps = 1e-7
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = np.array([0.0 - eps] + inner + [1.0 + eps])
        super().__init__(name)

    state_names = ("pos", "neg")

    def reset_state(self):
        self.pos = np.zeros(self.num_thresholds)  # weighted positives predicted above each threshold
        self.neg = np.zeros(self.num_thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _align(y_true, y_pred)
        xp = xp_of(y_pred)
        p, t = y_pred.reshape(-1), (y_true > 0.5).reshape(-1)
        w = xp.ones(p.shape, dtype=np.float64) if sample_weight is None else xp.broadcast_to(
            _weights(sample_weight, y_pred).reshape((-1,) + (1,) * (y_pred.ndim - 1)), y_pred.shape).reshape(-1)
        # number of thresholds strictly below each prediction: the prediction counts as positive at those
        below = xp.searchsorted(xp.asarray(self.thresholds), p, side="left")
        for counts, weights in ((self.pos, w * t), (self.neg, w * ~t)):
            hist = xp.bincount(below, weights=weights, minlength=self.num_thresholds + 1)
            counts += np.asarray(_host(xp.cumsum(hist[::-1])[::-1][1:]))

    def result(self):
        total_pos, total_neg = self.pos[0], self.neg[0]
        if total_pos == 0 or total_neg == 0:
            return 0.0
        tpr, fpr = self.pos / total_pos, self.neg / total_neg
        return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2.0))


def _host(a):
    from .devices.backend import to_numpy
    return to_numpy(a)


_BY_NAME = {"mse": MeanSquaredError, "mean_squared_error": MeanSquaredError, "mae": MeanAbsoluteError,
            "mean_absolute_error": MeanAbsoluteError, "precision": Precision, "recall": Recall, "auc": AUC,
            "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
            "sparse_categorical_accuracy": SparseCategoricalAccuracy}


def get(identifier, loss=None) -> Metric:
    """A metric from a name; ``"accuracy"``/``"acc"`` depends on the loss (see the module docstring)."""
    if isinstance(identifier, Metric):
        return identifier
    if identifier in ("accuracy", "acc"):
        loss_name = getattr(loss, "name", "") or ""
        if "sparse_categorical" in loss_name:
            return SparseCategoricalAccuracy(identifier)
        if "categorical" in loss_name:
            return CategoricalAccuracy(identifier)
        from_logits = getattr(loss, "options", {}).get("from_logits", False)
        return BinaryAccuracy(identifier, threshold=0.0 if from_logits else 0.5)
    try:
        return _BY_NAME[identifier]()
    except (KeyError, TypeError):
        raise ValueError(f"unknown metric {identifier!r}; known: accuracy, {', '.join(sorted(_BY_NAME))}") from None
