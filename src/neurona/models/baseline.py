"""The baseline loss: what a model that ignores its input would score (predicting the average target, or the
class frequencies). ``fit`` records it in ``history.params["baseline_loss"]``; :func:`neurona.diagnose` compares
the training loss with it to spot underfitting."""
from __future__ import annotations

import numpy as np

from .. import losses
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor

_EPS = 1e-7


def baseline_loss(loss, y: np.ndarray, output_shape: tuple):
    """The loss of the best constant prediction for targets ``y`` (None for a custom loss)."""
    n = len(y)
    from_logits = loss.options.get("from_logits", False)
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        labels = y.reshape(-1)
        ignore_class = loss.options.get("ignore_class")
        labels = (labels if ignore_class is None else labels[labels != ignore_class]).astype(np.int64)
        freq = np.bincount(labels, minlength=output_shape[-1]) / max(len(labels), 1)
        pred = np.log(freq + _EPS) if from_logits else freq
    elif isinstance(loss, losses.CategoricalCrossentropy):
        freq = y.reshape(n, -1).mean(axis=0)
        pred = np.log(freq + _EPS) if from_logits else freq
    elif isinstance(loss, losses.BinaryCrossentropy):
        p = np.clip(y.reshape(n, -1).mean(axis=0), _EPS, 1 - _EPS)
        pred = np.log(p / (1 - p)) if from_logits else p
    elif isinstance(loss, losses.MeanAbsoluteError):
        pred = np.median(y.reshape(n, -1), axis=0)
    elif isinstance(loss, (losses.MeanSquaredError, losses.Huber)):
        pred = y.reshape(n, -1).mean(axis=0)
    else:
        return None
    prediction = np.broadcast_to(np.asarray(pred, dtype=np.float32).reshape(1, -1),
                                 (n,) + tuple(output_shape[1:])).copy()
    with no_grad():
        return float(loss(y, Tensor(prediction)).item())
