"""Accuracies: the fraction of samples (or elements) predicted right, accumulated over batches.

>>> import numpy as np
>>> from neurona.metrics import TopKCategoricalAccuracy
>>> TopKCategoricalAccuracy(k=2)([[0, 0, 1], [0, 1, 0]], np.array([[0.5, 0.3, 0.2], [0.1, 0.8, 0.1]]))
0.5
"""
from __future__ import annotations

import numpy as np

from .. import checks
from ..devices.backend import xp_of
from .base import Metric, aligned, raw


class Accuracy(Metric):
    """How often the predictions equal the targets exactly (for integer predictions, e.g. from ``argmax``).

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.Accuracy()
    >>> round(m([[1], [2], [3]], np.array([[1], [2], [0]], dtype=float)), 4)
    0.6667
    """

    def __init__(self, name="accuracy"):
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_true, y_pred = aligned(y_true, y_pred)
        return (y_true == y_pred).astype(np.float64)


class BinaryAccuracy(Metric):
    """How often ``y_pred > threshold`` agrees with a 0/1 target.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.BinaryAccuracy()
    >>> round(m([[1], [0], [1]], np.array([[0.9], [0.2], [0.3]], dtype=float)), 4)
    0.6667
    """

    def __init__(self, name="accuracy", threshold=0.5):
        self.threshold = threshold
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_true, y_pred = aligned(y_true, y_pred)
        return ((y_pred > self.threshold) == (y_true > 0.5)).astype(np.float64)


class CategoricalAccuracy(Metric):
    """How often the largest score is the one-hot target's class.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.CategoricalAccuracy()
    >>> round(m([[0, 1], [1, 0]], np.array([[0.2, 0.8], [0.3, 0.7]], dtype=float)), 4)
    0.5
    """

    def __init__(self, name="accuracy"):
        super().__init__(name)

    def values(self, y_true, y_pred):
        return (raw(y_true).argmax(-1) == raw(y_pred).argmax(-1)).astype(np.float64)


def _labels(y_true, y_pred):
    """Integer labels of shape ``y_pred.shape[:-1]`` (a trailing axis of 1 dropped)."""
    y_true, y_pred = raw(y_true), raw(y_pred)
    if y_true.ndim == y_pred.ndim:
        y_true = y_true[..., 0]
    return xp_of(y_pred).asarray(y_true).astype(np.int64)


class SparseCategoricalAccuracy(Metric):
    """How often the largest score is the integer label's class.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.SparseCategoricalAccuracy()
    >>> round(m([1, 0], np.array([[0.2, 0.8], [0.3, 0.7]], dtype=float)), 4)
    0.5
    """

    def __init__(self, name="accuracy"):
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_pred = raw(y_pred)
        return (y_pred.argmax(-1) == _labels(y_true, y_pred)).astype(np.float64)


def _in_top_k(labels, y_pred, k):
    """1 where the label's score is among the ``k`` largest (ties count as in, as in Keras)."""
    xp = xp_of(y_pred)
    score = xp.take_along_axis(y_pred, labels[..., None], axis=-1)
    return ((y_pred > score).sum(axis=-1) < k).astype(np.float64)


class TopKCategoricalAccuracy(Metric):
    """How often the one-hot target's class is among the ``k`` largest scores (Keras' default ``k=5``).

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.TopKCategoricalAccuracy(k=2)
    >>> round(m([[0, 0, 1], [1, 0, 0]], np.array([[0.5, 0.1, 0.4], [0.1, 0.5, 0.4]], dtype=float)), 4)
    0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy"):
        self.k = checks.positive_int(k, "k", type(self).__name__)
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_pred = raw(y_pred)
        return _in_top_k(xp_of(y_pred).asarray(raw(y_true)).argmax(-1), y_pred, self.k)


class SparseTopKCategoricalAccuracy(Metric):
    """How often the integer label's class is among the ``k`` largest scores (Keras' default ``k=5``).

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.SparseTopKCategoricalAccuracy(k=2)
    >>> round(m([2, 0], np.array([[0.5, 0.1, 0.4], [0.1, 0.5, 0.4]], dtype=float)), 4)
    0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy"):
        self.k = checks.positive_int(k, "k", type(self).__name__)
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_pred = raw(y_pred)
        return _in_top_k(_labels(y_true, y_pred), y_pred, self.k)
