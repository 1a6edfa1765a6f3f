"""Regression metrics: errors averaged over an epoch, and the coefficient of determination R².

>>> import numpy as np
>>> from neurona.metrics import R2Score
>>> round(R2Score()([[1.0], [4.0], [3.0]], np.array([[2.0], [4.0], [4.0]])), 6)   # Keras' example
0.571429
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import checks
from ..devices.backend import to_numpy, xp_of
from ..functional import losses as fl
from .base import LossMetric, Metric, aligned, per_sample_weights


class MeanSquaredError(Metric):
    """``(y_pred - y_true)^2`` averaged over the elements and the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.MeanSquaredError()
    >>> round(m([[0, 1], [0, 0]], np.array([[1, 1], [0, 0]], dtype=float)), 4)
    0.25
    """
    direction = "down"

    def __init__(self, name="mse"):
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_true, y_pred = aligned(y_true, y_pred)
        return (y_pred - y_true) ** 2


class RootMeanSquaredError(MeanSquaredError):
    """The square root of the mean squared error over all the batches seen (not the mean of per-batch roots).

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.RootMeanSquaredError()
    >>> round(m([[0, 1], [0, 0]], np.array([[1, 1], [0, 0]], dtype=float)), 4)
    0.5
    """

    def __init__(self, name="root_mean_squared_error"):
        super().__init__(name)

    def result(self):
        return math.sqrt(super().result())


class MeanAbsoluteError(Metric):
    """``|y_pred - y_true|`` averaged over the elements and the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.MeanAbsoluteError()
    >>> round(m([[0, 1], [0, 0]], np.array([[1, 1], [0, 0]], dtype=float)), 4)
    0.25
    """
    direction = "down"

    def __init__(self, name="mae"):
        super().__init__(name)

    def values(self, y_true, y_pred):
        y_true, y_pred = aligned(y_true, y_pred)
        return xp_of(y_pred).abs(y_pred - y_true)


class MeanAbsolutePercentageError(LossMetric):
    """:func:`~neurona.functional.losses.mean_absolute_percentage_error`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.MeanAbsolutePercentageError()
    >>> round(m([[1, 2]], np.array([[2, 2]], dtype=float)), 4)
    50.0
    """
    function = staticmethod(fl.mean_absolute_percentage_error)

    def __init__(self, name="mean_absolute_percentage_error"):
        super().__init__(name)


class MeanSquaredLogarithmicError(LossMetric):
    """:func:`~neurona.functional.losses.mean_squared_logarithmic_error`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.MeanSquaredLogarithmicError()
    >>> round(m([[0, 1], [0, 0]], np.array([[1, 1], [0, 0]], dtype=float)), 4)
    0.1201
    """
    function = staticmethod(fl.mean_squared_logarithmic_error)

    def __init__(self, name="mean_squared_logarithmic_error"):
        super().__init__(name)


class LogCoshError(LossMetric):
    """:func:`~neurona.functional.losses.log_cosh`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.LogCoshError()
    >>> round(m([[0, 1], [0, 0]], np.array([[1, 1], [0, 0]], dtype=float)), 4)
    0.1084
    """
    function = staticmethod(fl.log_cosh)

    def __init__(self, name="logcosh"):
        super().__init__(name)


class CosineSimilarity(LossMetric):
    """The cosine of the angle between target and prediction along ``axis``, averaged (1 is best): the negative
    of :func:`~neurona.functional.losses.cosine_similarity`.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.CosineSimilarity()
    >>> round(m([[0.0, 1.0], [1.0, 1.0]], np.array([[1.0, 0.0], [1.0, 1.0]], dtype=float)), 4)
    0.5
    """
    direction = "up"
    function = staticmethod(fl.cosine_similarity)
    sign = -1.0

    def __init__(self, name="cosine_similarity", axis=-1):
        super().__init__(name, axis=checks.integer(axis, "axis", "CosineSimilarity"))


class R2Score(Metric):
    """The coefficient of determination, ``1 - SS_res / SS_tot`` per output, from sums over all the batches.

    ``class_aggregation``: "uniform_average" (the mean over the outputs, Keras' default),
    "variance_weighted_average" (weighted by each output's variance) or None (one score per output).
    ``num_regressors`` > 0 gives the adjusted R², ``1 - (1 - R²) (n - 1) / (n - p - 1)``.

    >>> import numpy as np
    >>> r2 = R2Score()
    >>> r2([[1.0], [2.0], [3.0]], np.array([[1.0], [2.0], [3.0]]))      # a perfect fit
    1.0
    >>> r2.reset_state()
    >>> r2([[1.0], [2.0], [3.0]], np.array([[2.0], [2.0], [2.0]]))      # predicting the mean
    0.0
    """
    state_names = ("weights", "sums", "squares", "residuals", "samples")
    AGGREGATIONS = ("uniform_average", "variance_weighted_average", None)

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score"):
        self.class_aggregation = checks.one_of(class_aggregation, self.AGGREGATIONS, "class_aggregation", "R2Score")
        self.num_regressors = checks.non_negative_int(num_regressors, "num_regressors", "R2Score")
        super().__init__(name)

    def reset_state(self):
        self.weights = self.sums = self.squares = self.residuals = 0.0
        self.samples = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = aligned(y_true, y_pred)
        y_true, y_pred = y_true.reshape(len(y_true), -1), y_pred.reshape(len(y_pred), -1)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"R2Score: targets of shape {y_true.shape} do not match predictions of shape "
                             f"{y_pred.shape}")
        y_true = y_true.astype(np.float64)
        w = xp_of(y_pred).ones((len(y_pred), 1)) if sample_weight is None else per_sample_weights(sample_weight,
                                                                                                y_pred)
        self.weights = self.weights + to_numpy((w * xp_of(y_pred).ones_like(y_true)).sum(axis=0))
        self.sums = self.sums + to_numpy((w * y_true).sum(axis=0))
        self.squares = self.squares + to_numpy((w * y_true * y_true).sum(axis=0))
        self.residuals = self.residuals + to_numpy((w * (y_true - y_pred) ** 2).sum(axis=0))
        self.samples += len(y_true)

    def result(self):
        if not self.samples:
            return 0.0
        weights = np.asarray(self.weights, dtype=np.float64)
        total = np.asarray(self.squares) - np.asarray(self.sums) ** 2 / weights
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1.0 - np.asarray(self.residuals) / total
        scores = np.where(np.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            scores = float(scores.mean())
        elif self.class_aggregation == "variance_weighted_average":
            scores = float((total * scores).sum() / total.sum())
        return self._adjusted(scores)

    def _adjusted(self, r2):
        n, p = self.samples, self.num_regressors
        if p == 0:
            return r2
        if p >= n - 1:
            warnings.warn(f"R2Score: num_regressors={p} needs more than {p + 1} samples for the adjusted score; "
                          f"got {int(n)}: the unadjusted score is returned", stacklevel=2)
            return r2
        return 1.0 - (1.0 - r2) * (n - 1) / (n - p - 1)
