"""The metric base: a state of sums accumulated over batches (``update_state``), read by ``result``.

>>> import numpy as np
>>> from neurona.metrics import MeanAbsoluteError
>>> m = MeanAbsoluteError()
>>> m([[1.0], [2.0]], np.array([[1.5], [2.0]]))   # calling a metric updates it and gives its result
0.25
"""
from __future__ import annotations

import inspect

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..devices.backend import is_array, xp_of


def raw(x):
    """The raw array (NumPy or CuPy: metrics run where the predictions are)."""
    if isinstance(x, Tensor):
        return x.data
    return x if is_array(x) else np.asarray(x)


def aligned(y_true, y_pred):
    """Targets and predictions as raw arrays, targets of shape (N,) given the trailing axis of (N, 1)."""
    y_true, y_pred = raw(y_true), raw(y_pred)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true[..., None]
    return y_true, y_pred


def per_sample_weights(sample_weight, y_pred):
    """One weight per sample, shaped to broadcast against ``y_pred``: (N, 1, ..., 1)."""
    w = xp_of(y_pred).asarray(raw(sample_weight), dtype=np.float64).reshape(-1)
    if w.size == 1:
        w = xp_of(y_pred).full(len(y_pred), float(w[0]))
    return w.reshape((-1,) + (1,) * (y_pred.ndim - 1))


def broadcast_weights(sample_weight, values):
    """``sample_weight`` shaped like ``values`` (per-sample values, per-element ones): a scalar, one weight per
    sample ((N,) or (N, 1)), or one per element; a trailing axis of 1 is dropped, missing trailing axes are
    added. Other shapes are refused with both shapes named."""
    xp = xp_of(values)
    w = xp.asarray(raw(sample_weight), dtype=np.float64)
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
    """Base class: subclasses give per-sample values in ``values``; the result is their (weighted) mean.

    Keras' three ways to use one: ``update_state(y_true, y_pred, sample_weight=None)`` adds a batch,
    ``result()`` reads the value so far, ``reset_state()`` starts afresh; calling the metric,
    ``metric(y_true, y_pred)``, updates it and returns its result.

    >>> import numpy as np
    >>> import neurona as nr
    >>> class Count(nr.metrics.Metric):
    ...     def values(self, y_true, y_pred):
    ...         return (np.asarray(y_pred) > 0).astype(float)
    >>> Count("positive")([[0], [0]], np.array([[1.0], [-1.0]]))
    0.5
    """
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
            v = values.reshape(len(raw(y_pred)), -1).mean(axis=1)
            self.total = self.total + v.sum()
            self.count += v.size
        else:   # per sample, per element (e.g. per time step) or a scalar: Keras' weights, counted by their sum
            w = broadcast_weights(sample_weight, values)
            self.total = self.total + (values * w).sum()
            self.count = self.count + w.sum()

    def result(self):
        count = float(self.count)
        return float(self.total) / count if count else 0.0

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Keras' call: ``update_state`` with this batch, then the ``result`` so far."""
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict:
        """The constructor's arguments that rebuild this metric (read from the attributes of the same names)."""
        options = getattr(self, "options", {})
        names = [p for p in inspect.signature(type(self).__init__).parameters if p not in ("self", "kwargs")]
        return {p: options[p] if p in options else getattr(self, p) for p in names}

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}: {self.result()}>"


class LossMetric(Metric):
    """The mean over the epoch of a per-sample loss of :mod:`neurona.functional.losses` (the same function the
    loss of that name uses: one definition of the math).

    >>> import numpy as np
    >>> import neurona as nr
    >>> class HuberMetric(nr.metrics.LossMetric):
    ...     function = staticmethod(nr.functional.losses.huber)
    >>> HuberMetric("huber")([[0.0]], np.array([[3.0]]))
    2.5
    """
    direction = "down"
    function = None
    sign = 1.0

    def __init__(self, name=None, **options):
        self.options = options
        super().__init__(name)

    def values(self, y_true, y_pred):
        with no_grad():
            out = type(self).function(y_true, Tensor(raw(y_pred)), **self.options).data
        return self.sign * out if self.sign != 1.0 else out
