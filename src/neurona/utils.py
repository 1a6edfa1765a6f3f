"""Small utilities: one seed for everything, one-hot labels, Keras' names."""
from __future__ import annotations

import random
import re

import numpy as np

from . import checks
from . import random as nr_random


def set_random_seed(seed: int):
    """Seed every source of randomness neurona uses (initializers, dropout, shuffling) and Python's and NumPy's
    global generators: the same seed gives bit-identical training on the CPU.

    >>> set_random_seed(0)
    """
    nr_random.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot rows for integer class labels, like ``keras.utils.to_categorical``.

    >>> to_categorical([0, 2, 1], num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    labels = np.asarray(y)
    if labels.dtype.kind not in "biu" and not (labels.dtype.kind == "f" and np.all(labels == np.round(labels))):
        raise TypeError(f"to_categorical: y must hold integer class labels, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical: class labels must be >= 0, got {labels.min()}")
    needed = int(labels.max()) + 1 if labels.size else 0
    if num_classes is None:
        num_classes = needed
    num_classes = checks.positive_int(num_classes, "num_classes", "to_categorical")
    if needed > num_classes:
        raise ValueError(f"to_categorical: y has the label {needed - 1}, too large for num_classes={num_classes}")
    return np.eye(num_classes, dtype=checks.numeric_dtype(dtype, "to_categorical"))[labels]


def snake_case(name: str) -> str:
    """Keras' names of classes: ``Conv2D`` -> ``conv2d``, ``BatchNormalization`` -> ``batch_normalization``.

    >>> snake_case("MeanSquaredError")
    'mean_squared_error'
    """
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def from_torch_state_dict(model, state_dict):
    """Copy a PyTorch ``state_dict`` into ``model``: see :mod:`neurona.io.torch_weights` for the layouts."""
    from .io.torch_weights import from_torch_state_dict as convert
    return convert(model, state_dict)


def to_torch_state_dict(model, like=None, as_numpy=False):
    """The model's weights as a PyTorch ``state_dict``: see :mod:`neurona.io.torch_weights`."""
    from .io.torch_weights import to_torch_state_dict as convert
    return convert(model, like, as_numpy)

