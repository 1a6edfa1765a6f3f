"""Metrics from confusion counts accumulated over batches: precision, recall, F1 and the area under the ROC
curve.

>>> import numpy as np
>>> from neurona.metrics import F1Score
>>> y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]])
>>> y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
>>> F1Score(threshold=0.5)(y_true, y_pred).round(4).tolist()   # Keras' example: one score per class
[0.5, 0.8, 0.6667]
"""
from __future__ import annotations

import numpy as np

from .. import checks
from ..devices.backend import to_numpy, xp_of
from .base import Metric, aligned, per_sample_weights


class _Confusion(Metric):
    """Counts of true/false positives at a threshold, accumulated over batches."""

    def __init__(self, name, threshold=0.5):
        self.threshold = threshold
        super().__init__(name)

    state_names = ("tp", "fp", "fn")

    def reset_state(self):
        self.tp = self.fp = self.fn = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = aligned(y_true, y_pred)
        xp = xp_of(y_pred)
        w = xp.ones(len(y_pred)) if sample_weight is None else per_sample_weights(sample_weight, y_pred)
        w = xp.broadcast_to(w.reshape((-1,) + (1,) * (y_pred.ndim - 1)), y_pred.shape)
        positive, truth = y_pred > self.threshold, y_true > 0.5
        self.tp = self.tp + (w * (positive & truth)).sum()
        self.fp = self.fp + (w * (positive & ~truth)).sum()
        self.fn = self.fn + (w * (~positive & truth)).sum()


class Precision(_Confusion):
    """Of the predicted positives, the fraction that are positive: ``tp / (tp + fp)``.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.Precision()
    >>> round(m([1, 0, 1, 1], np.array([0.9, 0.8, 0.2, 0.7], dtype=float)), 4)
    0.6667
    """

    def __init__(self, name="precision", threshold=0.5):
        super().__init__(name, threshold)

    def result(self):
        tp, fp = float(self.tp), float(self.fp)
        return tp / (tp + fp) if tp + fp else 0.0


class Recall(_Confusion):
    """Of the actual positives, the fraction found: ``tp / (tp + fn)``.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.Recall()
    >>> round(m([1, 0, 1, 1], np.array([0.9, 0.8, 0.2, 0.7], dtype=float)), 4)
    0.6667
    """

    def __init__(self, name="recall", threshold=0.5):
        super().__init__(name, threshold)

    def result(self):
        tp, fn = float(self.tp), float(self.fn)
        return tp / (tp + fn) if tp + fn else 0.0


class AUC(Metric):
    """Area under the ROC curve from confusion counts at ``num_thresholds`` thresholds (Keras' default 200,
    trapezoidal rule), accumulated over batches.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.AUC()
    >>> round(m([0, 0, 1, 1], np.array([0.1, 0.4, 0.35, 0.8], dtype=float)), 4)
    0.75
    """

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
        y_true, y_pred = aligned(y_true, y_pred)
        xp = xp_of(y_pred)
        p, t = y_pred.reshape(-1), (y_true > 0.5).reshape(-1)
        w = xp.ones(p.shape, dtype=np.float64) if sample_weight is None else xp.broadcast_to(
            per_sample_weights(sample_weight, y_pred), y_pred.shape).reshape(-1)
        # number of thresholds strictly below each prediction: the prediction counts as positive at those
        below = xp.searchsorted(xp.asarray(self.thresholds), p, side="left")
        for counts, weights in ((self.pos, w * t), (self.neg, w * ~t)):
            hist = xp.bincount(below, weights=weights, minlength=self.num_thresholds + 1)
            counts += to_numpy(xp.cumsum(hist[::-1])[::-1][1:])

    def result(self):
        total_pos, total_neg = self.pos[0], self.neg[0]
        if total_pos == 0 or total_neg == 0:
            return 0.0
        tpr, fpr = self.pos / total_pos, self.neg / total_neg
        return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2.0))




class FBetaScore(Metric):
    """The F-beta score per class, ``(1 + beta²) P R / (beta² P + R)``, from true and false positives and false
    negatives summed over the batches (targets and predictions of shape (N, classes)).

    ``threshold=None`` counts each sample's largest score as its predicted class; a number counts every score
    above it as predicted. ``average``: None (one score per class, Keras' default), "micro" (from the counts
    summed over the classes), "macro" (the mean of the classes' scores) or "weighted" (weighted by each class's
    number of positive targets).

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.FBetaScore(beta=2.0, threshold=0.5, average="micro")
    >>> round(m([[1, 0], [1, 1]], np.array([[0.9, 0.8], [0.2, 0.7]], dtype=float)), 4)
    0.6667
    """
    state_names = ("tp", "fp", "fn", "positives")
    AVERAGES = (None, "micro", "macro", "weighted")
    EPSILON = 1e-7

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score"):
        where = type(self).__name__
        self.average = checks.one_of(average, self.AVERAGES, "average", where)
        self.beta = checks.number(beta, "beta", where, low=0, low_open=True)
        self.threshold = None if threshold is None else checks.number(threshold, "threshold", where, 0, 1)
        super().__init__(name)

    def reset_state(self):
        self.tp = self.fp = self.fn = self.positives = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = aligned(y_true, y_pred)
        if y_pred.ndim != 2 or y_true.shape != y_pred.shape:
            raise ValueError(f"{type(self).__name__}: targets and predictions must both have shape (samples, "
                             f"classes); got {tuple(y_true.shape)} and {tuple(y_pred.shape)}")
        xp = xp_of(y_pred)
        if self.threshold is None:   # each sample's top class (a row of zeros predicts none)
            predicted = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (xp.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted, truth = predicted.astype(np.float64), xp.asarray(y_true, dtype=np.float64)
        w = 1.0 if sample_weight is None else per_sample_weights(sample_weight, y_pred)
        self.tp = self.tp + to_numpy((w * predicted * truth).sum(axis=0))
        self.fp = self.fp + to_numpy((w * predicted * (1 - truth)).sum(axis=0))
        self.fn = self.fn + to_numpy((w * (1 - predicted) * truth).sum(axis=0))
        self.positives = self.positives + to_numpy((w * truth).sum(axis=0))

    def result(self):
        tp, fp, fn = (np.asarray(v, dtype=np.float64) for v in (self.tp, self.fp, self.fn))
        if self.average == "micro":
            tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
        precision = tp / (tp + fp + self.EPSILON)
        recall = tp / (tp + fn + self.EPSILON)
        b2 = self.beta ** 2
        scores = (1 + b2) * precision * recall / (b2 * precision + recall + self.EPSILON)
        if self.average == "weighted":
            positives = np.asarray(self.positives, dtype=np.float64)
            return float((scores * positives / positives.sum()).sum())
        return scores if self.average is None else float(np.mean(scores))


class F1Score(FBetaScore):
    """The F1 score, the harmonic mean of precision and recall per class (:class:`FBetaScore` with beta 1).

    >>> import numpy as np
    >>> f1 = F1Score(average="macro")                        # each sample's top class is its prediction
    >>> round(f1([[1, 0], [0, 1], [0, 1]], np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]])), 4)
    0.6667
    """

    def __init__(self, average=None, threshold=None, name="f1_score"):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name)
