"""Checking and batching the arrays given to ``fit``, ``evaluate`` and ``predict``.

Bad data is refused before the first step with a message that says what is wrong and where.
"""
from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import DEFAULT_FLOAT


def as_array(data, name: str, float_only=False) -> np.ndarray:
    """``data`` as a NumPy array (float32 for floats); refuses strings and objects."""
    if isinstance(data, Tensor):
        data = data.numpy()
    if hasattr(data, "to_numpy"):  # pandas
        data = data.to_numpy()
    array = np.asarray(data)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} has dtype {array.dtype}; models take numbers. Hint: encode text or categories "
                        "as numbers first (neurona.datasets.preprocessing has one-hot and lookup encoders).")
    if array.dtype.kind == "f" and array.dtype != DEFAULT_FLOAT:
        array = array.astype(DEFAULT_FLOAT)
    elif float_only and array.dtype.kind != "f":
        array = array.astype(DEFAULT_FLOAT)
    return array


def check_finite(array: np.ndarray, name: str):
    """Raise if ``array`` holds NaN or Inf, naming how many values, rows and which columns."""
    if array.dtype.kind != "f":
        return
    bad = ~np.isfinite(array)
    if not bad.any():
        return
    rows = bad.reshape(len(array), -1).any(axis=1)
    columns = np.flatnonzero(bad.reshape(len(array), -1).any(axis=0))
    shown = ", ".join(str(c) for c in columns[:10]) + (" ..." if len(columns) > 10 else "")
    raise ValueError(f"{name} has {int(bad.sum())} NaN/Inf values in {int(rows.sum())} of {len(array)} rows "
                     f"(columns {shown}; first row {int(np.flatnonzero(rows)[0])}). Hint: impute or drop them "
                     "before training.")


def check_dataset(x: np.ndarray, y, sample_weight):
    if x.ndim == 0 or len(x) == 0:
        raise ValueError("the dataset is empty: x has no samples. Hint: check the loading and filtering steps.")
    check_finite(x, "x")
    if y is not None:
        if len(y) != len(x):
            raise ValueError(f"x has {len(x)} samples but y has {len(y)}; they must match")
        check_finite(y, "y")
    if sample_weight is not None and len(sample_weight) != len(x):
        raise ValueError(f"sample_weight has {len(sample_weight)} values for {len(x)} samples")


def class_weights_to_samples(y: np.ndarray, class_weight: dict) -> np.ndarray:
    """Per-sample weights from a ``{class: weight}`` dict (labels, one-hot rows or 0/1 targets)."""
    if y.ndim > 1 and y.shape[-1] > 1:
        labels = y.argmax(axis=-1)
    else:
        labels = np.round(y.reshape(len(y))).astype(np.int64)
    weights = np.ones(len(y), dtype=np.float32)
    for cls, w in class_weight.items():
        weights[labels == int(cls)] = w
    return weights


def split_validation(x, y, sample_weight, fraction):
    """The last ``fraction`` of the samples (before shuffling) as validation data, like Keras."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_split must be in (0, 1), got {fraction}")
    cut = int(len(x) * (1.0 - fraction))
    if cut == 0 or cut == len(x):
        raise ValueError(f"validation_split={fraction} leaves no training or no validation samples "
                         f"out of {len(x)}")
    train = (x[:cut], y[:cut], None if sample_weight is None else sample_weight[:cut])
    val = (x[cut:], y[cut:], None if sample_weight is None else sample_weight[cut:])
    return train, val


def batches(n: int, batch_size: int, order=None):
    """Index ranges (slices, or index arrays when shuffled) of consecutive batches."""
    for start in range(0, n, batch_size):
        end = min(start + batch_size, n)
        yield slice(start, end) if order is None else order[start:end]
