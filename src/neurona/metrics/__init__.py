"""Metrics: values reported during training, accumulated over an epoch (``update_state``/``result``, or call
the metric). Keras' names, defaults and formulas; the table in the README lists them with their string names.

``"accuracy"`` is resolved from the loss, as Keras does: binary accuracy for binary cross-entropy, sparse
categorical accuracy for integer labels, categorical accuracy for one-hot targets.

>>> import numpy as np
>>> m = BinaryAccuracy()
>>> m.update_state(np.array([1, 0, 1]), np.array([0.9, 0.2, 0.3]))
>>> round(m.result(), 4)
0.6667
"""
from __future__ import annotations

from .accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
)
from .base import LossMetric, Metric  # noqa: F401  (for subclassing)
from .confusion import AUC, F1Score, FBetaScore, Precision, Recall
from .probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from .regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)

_BY_NAME = {"mse": MeanSquaredError, "mean_squared_error": MeanSquaredError, "mae": MeanAbsoluteError,
            "mean_absolute_error": MeanAbsoluteError, "rmse": RootMeanSquaredError,
            "root_mean_squared_error": RootMeanSquaredError, "mape": MeanAbsolutePercentageError,
            "mean_absolute_percentage_error": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError,
            "mean_squared_logarithmic_error": MeanSquaredLogarithmicError, "logcosh": LogCoshError,
            "log_cosh": LogCoshError, "cosine_similarity": CosineSimilarity, "r2_score": R2Score,
            "precision": Precision, "recall": Recall, "auc": AUC, "f1_score": F1Score, "fbeta_score": FBetaScore,
            "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
            "sparse_categorical_accuracy": SparseCategoricalAccuracy,
            "top_k_categorical_accuracy": TopKCategoricalAccuracy,
            "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
            "binary_crossentropy": BinaryCrossentropy, "categorical_crossentropy": CategoricalCrossentropy,
            "sparse_categorical_crossentropy": SparseCategoricalCrossentropy, "kl_divergence": KLDivergence,
            "kld": KLDivergence, "poisson": Poisson, "hinge": Hinge, "squared_hinge": SquaredHinge,
            "categorical_hinge": CategoricalHinge}
_CLASSES = {cls.__name__: cls for cls in set(_BY_NAME.values()) | {Accuracy}}


def get(identifier, loss=None) -> Metric:
    """A metric from a name (``"mae"``, ``"f1_score"``, its class name ``"R2Score"``, ...) or an instance;
    ``"accuracy"``/``"acc"`` depends on the loss (see the module docstring).

    >>> import neurona as nr
    >>> type(nr.metrics.get("mae")).__name__
    'MeanAbsoluteError'
    >>> type(nr.metrics.get("accuracy", nr.losses.get("sparse_categorical_crossentropy"))).__name__
    'SparseCategoricalAccuracy'
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict) and identifier.get("class_name") in _CLASSES:
        return _CLASSES[identifier["class_name"]](**identifier.get("config", {}))
    if identifier in ("accuracy", "acc"):
        loss_name = getattr(loss, "name", "") or ""
        if "sparse_categorical" in loss_name:
            return SparseCategoricalAccuracy(identifier)
        if "categorical" in loss_name:
            return CategoricalAccuracy(identifier)
        from_logits = getattr(loss, "options", {}).get("from_logits", False)
        return BinaryAccuracy(identifier, threshold=0.0 if from_logits else 0.5)
    try:
        return (_BY_NAME.get(identifier) or _CLASSES[identifier])()
    except (KeyError, TypeError):
        raise ValueError(f"unknown metric {identifier!r}; known: accuracy, {', '.join(sorted(_BY_NAME))}") from None




def serialize(metric: Metric) -> dict | str:
    """``{"class_name": ..., "config": ...}`` for a built-in metric (what :func:`get` rebuilds it from); a
    custom metric is saved by its name.

    >>> import neurona as nr
    >>> nr.metrics.serialize(nr.metrics.TopKCategoricalAccuracy(k=3))
    {'class_name': 'TopKCategoricalAccuracy', 'config': {'k': 3, 'name': 'top_k_categorical_accuracy'}}
    """
    cls = type(metric)
    if _CLASSES.get(cls.__name__) is cls:
        return {"class_name": cls.__name__, "config": metric.get_config()}
    return metric.name
