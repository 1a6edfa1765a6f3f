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

from . import checks, ops
from .autograd.tensor import Tensor
from .functional import mean
from .functional.losses import (  # noqa: F401  (the per-sample functions, by their Keras names)
    EPSILON,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from .functional.losses import raw_target as _raw_target
from .functional.losses import kept_labels as _kept_labels
from .utils import snake_case

# ---- Loss objects (reduction, sample weights, names) -----------------------------------------------------

#: Keras' reductions of the per-sample losses: the mean over the batch (by default; "mean" is its other name),
#: the sum, the weighted mean (divided by the sum of the sample weights), or none (one loss per sample).
REDUCTIONS = ("sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", None, "none")


class Loss:
    """A loss with Keras' reduction: by default ``sum(loss_i * w_i) / N`` over the N per-sample losses.

    >>> import neurona as nr
    >>> nr.losses.MeanAbsoluteError(reduction="sum")([[1.0], [2.0]], nr.tensor([[2.0], [4.0]])).item()
    3.0
    """
    fn = None
    logits_of = None  # the output activation ("sigmoid", "softmax") whose logits the loss can take instead

    def __init__(self, name=None, reduction="sum_over_batch_size", **options):
        self.name = name or snake_case(type(self).__name__)
        self.reduction = checks.one_of(reduction, REDUCTIONS, "reduction", type(self).__name__)
        self.options = options

    def on_logits_of(self, activation) -> Loss | None:
        """This loss taking the logits behind ``activation`` (the model's output activation, a function)
        instead of its probabilities: the same loss, stable when the output saturates. None when the pair
        does not match (e.g. MSE, or a loss that already has ``from_logits=True``)."""
        if activation is None or activation.__name__ != self.logits_of or self.options.get("from_logits"):
            return None
        return type(self)(name=self.name, reduction=self.reduction, **{**self.options, "from_logits": True})

    def call(self, y_true, y_pred):
        """Per-sample losses."""
        return type(self).fn(y_true, y_pred, **self.options)

    def kept(self, y_true, losses) -> Tensor | None:
        """1 for each per-sample loss that counts in the mean, 0 for one that does not; None: all count."""
        return None

    def __call__(self, y_true, y_pred, sample_weight=None):
        losses = self.call(y_true, y_pred)
        kept = self.kept(y_true, losses)
        if self.reduction in (None, "none"):
            return losses if sample_weight is None else losses * self._weights(sample_weight, losses)
        if sample_weight is None and kept is None and self.reduction != "sum":
            return mean(losses)
        weights = None if sample_weight is None else self._weights(sample_weight, losses)
        total = ops.sum(losses if weights is None else losses * weights)
        if self.reduction == "sum":
            return total
        if self.reduction == "mean_with_sample_weight" and weights is not None:
            counted = ops.broadcast_to(weights, losses.shape)
            return total / ops.sum(counted if kept is None else counted * kept)
        return total / (max(losses.data.size, 1) if kept is None else ops.maximum(ops.sum(kept), 1.0))

    @staticmethod
    def _weights(sample_weight, losses):
        return ops.astype(Tensor(_loss_weights(_raw_target(sample_weight, losses), losses.shape)), losses.dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, **self.options}


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


def _probability(value, name, where):
    return checks.number(value, name, where, low=0, high=1)


class MeanSquaredError(Loss):
    """The batch's mean of :func:`~neurona.functional.losses.mean_squared_error`.

    >>> import neurona as nr
    >>> round(nr.losses.MeanSquaredError()([[1.0], [2.0]], nr.tensor([[1.5], [2.0]], dtype='float64')).item(), 4)
    0.125
    """
    fn = staticmethod(mean_squared_error)

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(name, reduction)


class MeanAbsoluteError(Loss):
    """The batch's mean of :func:`~neurona.functional.losses.mean_absolute_error`.

    >>> import neurona as nr
    >>> round(nr.losses.MeanAbsoluteError()([[1.0], [2.0]], nr.tensor([[1.5], [2.0]], dtype='float64')).item(), 4)
    0.25
    """
    fn = staticmethod(mean_absolute_error)

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(name, reduction)


class MeanAbsolutePercentageError(Loss):
    """The batch's mean of :func:`~neurona.functional.losses.mean_absolute_percentage_error`.

    >>> import neurona as nr
    >>> p = nr.tensor([[1.0], [4.0]], dtype="float64")
    >>> round(nr.losses.MeanAbsolutePercentageError()([[2.0], [4.0]], p).item(), 4)
    25.0
    """
    fn = staticmethod(mean_absolute_percentage_error)

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error"):
        super().__init__(name, reduction)


class MeanSquaredLogarithmicError(Loss):
    """The batch's mean of :func:`~neurona.functional.losses.mean_squared_logarithmic_error`.

    >>> import neurona as nr
    >>> p = nr.tensor([[1.0], [1.0]], dtype="float64")
    >>> round(nr.losses.MeanSquaredLogarithmicError()([[0.0], [1.0]], p).item(), 4)
    0.2402
    """
    fn = staticmethod(mean_squared_logarithmic_error)

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error"):
        super().__init__(name, reduction)


class LogCosh(Loss):
    """The batch's mean of :func:`~neurona.functional.losses.log_cosh`.

    >>> import neurona as nr
    >>> round(nr.losses.LogCosh()([[0.0], [0.0]], nr.tensor([[1.0], [-1.0]], dtype='float64')).item(), 4)
    0.4338
    """
    fn = staticmethod(log_cosh)

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh"):
        super().__init__(name, reduction)


class Poisson(Loss):
    """The batch's mean of :func:`~neurona.functional.losses.poisson`.

    >>> import neurona as nr
    >>> round(nr.losses.Poisson()([[1.0], [2.0]], nr.tensor([[1.0], [2.0]], dtype='float64')).item(), 4)
    0.8069
    """
    fn = staticmethod(poisson)

    def __init__(self, reduction="sum_over_batch_size", name="poisson"):
        super().__init__(name, reduction)


class KLDivergence(Loss):
    """The batch's mean of :func:`~neurona.functional.losses.kl_divergence`.

    >>> import neurona as nr
    >>> round(nr.losses.KLDivergence()([[0.5, 0.5]], nr.tensor([[0.9, 0.1]], dtype='float64')).item(), 4)
    0.5108
    """
    fn = staticmethod(kl_divergence)

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence"):
        super().__init__(name, reduction)


class Hinge(Loss):
    """The batch's mean of :func:`~neurona.functional.losses.hinge`.

    >>> import neurona as nr
    >>> round(nr.losses.Hinge()([[1.0], [0.0]], nr.tensor([[0.3], [-2.0]], dtype='float64')).item(), 4)
    0.35
    """
    fn = staticmethod(hinge)

    def __init__(self, reduction="sum_over_batch_size", name="hinge"):
        super().__init__(name, reduction)


class SquaredHinge(Loss):
    """The batch's mean of :func:`~neurona.functional.losses.squared_hinge`.

    >>> import neurona as nr
    >>> round(nr.losses.SquaredHinge()([[1.0], [0.0]], nr.tensor([[0.3], [-2.0]], dtype='float64')).item(), 4)
    0.245
    """
    fn = staticmethod(squared_hinge)

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge"):
        super().__init__(name, reduction)


class CategoricalHinge(Loss):
    """The batch's mean of :func:`~neurona.functional.losses.categorical_hinge`.

    >>> import neurona as nr
    >>> round(nr.losses.CategoricalHinge()([[0.0, 1.0]], nr.tensor([[0.8, 0.3]], dtype='float64')).item(), 4)
    1.5
    """
    fn = staticmethod(categorical_hinge)

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge"):
        super().__init__(name, reduction)


class Huber(Loss):
    """Quadratic for errors below ``delta``, linear above (:func:`~neurona.functional.losses.huber`).

    >>> import neurona as nr
    >>> round(nr.losses.Huber(delta=1.0)([[0.0], [0.0]], nr.tensor([[0.5], [3.0]], dtype='float64')).item(), 4)
    1.3125
    """
    fn = staticmethod(huber)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss"):
        super().__init__(name, reduction, delta=checks.number(delta, "delta", "Huber", low=0, low_open=True))


class CosineSimilarity(Loss):
    """``-cos(y_true, y_pred)`` along ``axis``: minimizing it aligns the vectors (-1 at best).

    >>> import neurona as nr
    >>> round(nr.losses.CosineSimilarity()([[1.0, 0.0]], nr.tensor([[1.0, 1.0]], dtype='float64')).item(), 4)
    -0.7071
    """
    fn = staticmethod(cosine_similarity)

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity"):
        super().__init__(name, reduction, axis=checks.integer(axis, "axis", "CosineSimilarity"))


class BinaryCrossentropy(Loss):
    """Binary cross-entropy, for a 1-unit sigmoid output and 0/1 targets
    (:func:`~neurona.functional.losses.binary_crossentropy`).

    >>> import neurona as nr
    >>> round(BinaryCrossentropy()([[1.0], [0.0]], nr.tensor([[0.9], [0.2]])).item(), 4)
    0.1643
    """
    logits_of = "sigmoid"
    fn = staticmethod(binary_crossentropy)

    def __init__(self, from_logits=False, label_smoothing=0.0, reduction="sum_over_batch_size",
                 name="binary_crossentropy"):
        where = "BinaryCrossentropy"
        super().__init__(name, reduction, from_logits=checks.flag(from_logits, "from_logits", where),
                         label_smoothing=_probability(label_smoothing, "label_smoothing", where))


class BinaryFocalCrossentropy(Loss):
    """The binary cross-entropy with well-classified elements weighed down by ``(1 - p_t)^gamma``
    (:func:`~neurona.functional.losses.binary_focal_crossentropy`).

    >>> import neurona as nr
    >>> p = nr.tensor([[0.9], [0.6]], dtype="float64")
    >>> round(nr.losses.BinaryFocalCrossentropy(gamma=2.0)([[1.0], [0.0]], p).item(), 4)
    0.1655
    """
    logits_of = "sigmoid"
    fn = staticmethod(binary_focal_crossentropy)

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 reduction="sum_over_batch_size", name="binary_focal_crossentropy"):
        where = "BinaryFocalCrossentropy"
        super().__init__(name, reduction,
                         apply_class_balancing=checks.flag(apply_class_balancing, "apply_class_balancing", where),
                         alpha=_probability(alpha, "alpha", where), gamma=checks.number(gamma, "gamma", where, low=0),
                         from_logits=checks.flag(from_logits, "from_logits", where),
                         label_smoothing=_probability(label_smoothing, "label_smoothing", where))


class CategoricalCrossentropy(Loss):
    """Categorical cross-entropy, for a softmax output and one-hot (or soft) targets along ``axis``
    (:func:`~neurona.functional.losses.categorical_crossentropy`).

    >>> import neurona as nr
    >>> round(CategoricalCrossentropy()([[0.0, 1.0]], nr.tensor([[0.2, 0.8]])).item(), 4)
    0.2231
    """
    logits_of = "softmax"
    fn = staticmethod(categorical_crossentropy)

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy"):
        where = "CategoricalCrossentropy"
        super().__init__(name, reduction, from_logits=checks.flag(from_logits, "from_logits", where),
                         label_smoothing=_probability(label_smoothing, "label_smoothing", where),
                         axis=checks.integer(axis, "axis", where))


class CategoricalFocalCrossentropy(Loss):
    """The categorical cross-entropy with confident, correct classes weighed down by ``alpha (1 - p)^gamma``
    (:func:`~neurona.functional.losses.categorical_focal_crossentropy`).

    >>> import neurona as nr
    >>> p = nr.tensor([[0.2, 0.8]], dtype="float64")
    >>> round(nr.losses.CategoricalFocalCrossentropy()([[0.0, 1.0]], p).item(), 4)
    0.0022
    """
    logits_of = "softmax"
    fn = staticmethod(categorical_focal_crossentropy)

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy"):
        where = "CategoricalFocalCrossentropy"
        super().__init__(name, reduction, alpha=_probability(alpha, "alpha", where),
                         gamma=checks.number(gamma, "gamma", where, low=0),
                         from_logits=checks.flag(from_logits, "from_logits", where),
                         label_smoothing=_probability(label_smoothing, "label_smoothing", where),
                         axis=checks.integer(axis, "axis", where))


class SparseCategoricalCrossentropy(Loss):
    """Categorical cross-entropy with integer labels. Labels equal to ``ignore_class`` count neither in the sum
    nor in the number of samples it is divided by, as in Keras.

    >>> import neurona as nr
    >>> loss = nr.losses.SparseCategoricalCrossentropy(ignore_class=-1)
    >>> round(loss([0, -1], nr.tensor([[0.5, 0.5], [0.9, 0.1]])).item(), 4)   # only the first label counts
    0.6931
    """
    logits_of = "softmax"
    fn = staticmethod(sparse_categorical_crossentropy)

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy"):
        where = "SparseCategoricalCrossentropy"
        if ignore_class is not None and not checks.is_int(ignore_class):
            raise TypeError(f"{where}: ignore_class must be an integer class label or None, got {ignore_class!r}")
        super().__init__(name, reduction, from_logits=checks.flag(from_logits, "from_logits", where),
                         ignore_class=None if ignore_class is None else int(ignore_class))

    def kept(self, y_true, losses):
        ignore_class = self.options["ignore_class"]
        if ignore_class is None:
            return None
        return _kept_labels(_raw_target(y_true, losses), ignore_class, losses.dtype)


_ALIASES = {"mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
            "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
            "mape": MeanAbsolutePercentageError, "mean_absolute_percentage_error": MeanAbsolutePercentageError,
            "msle": MeanSquaredLogarithmicError, "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
            "huber": Huber, "huber_loss": Huber, "log_cosh": LogCosh, "logcosh": LogCosh,
            "poisson": Poisson, "kl_divergence": KLDivergence, "kld": KLDivergence,
            "kullback_leibler_divergence": KLDivergence, "cosine_similarity": CosineSimilarity,
            "hinge": Hinge, "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
            "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
            "binary_focal_crossentropy": BinaryFocalCrossentropy,
            "categorical_crossentropy": CategoricalCrossentropy, "cce": CategoricalCrossentropy,
            "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
            "sparse_categorical_crossentropy": SparseCategoricalCrossentropy}
_CLASSES = {cls.__name__: cls for cls in set(_ALIASES.values())}


def get(identifier) -> Loss:
    """A Loss from an alias ("mse", "binary_crossentropy", ...), its class name ("MeanSquaredError"), a saved
    config or an instance.

    >>> import neurona as nr
    >>> nr.losses.get("mse").name
    'mean_squared_error'
    >>> type(nr.losses.get("MeanAbsoluteError")).__name__
    'MeanAbsoluteError'
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        config = dict(identifier.get("config", {}))
        return _CLASSES[identifier["class_name"]](**config)
    if isinstance(identifier, str) and (identifier in _ALIASES or identifier in _CLASSES):
        return _ALIASES.get(identifier, _CLASSES.get(identifier))()
    if callable(identifier):
        return _FunctionLoss(identifier)
    raise ValueError(f"unknown loss {identifier!r}; known: {', '.join(sorted(_ALIASES))}")


def serialize(loss: Loss) -> dict:
    """``{"class_name": ..., "config": ...}``, what :func:`get` rebuilds the loss from.

    >>> serialize(MeanSquaredError())["class_name"]
    'MeanSquaredError'
    """
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
