"""The core layers: ``Input`` (declares the shape of a sample), ``Flatten`` and ``Reshape``.

The other layers of Keras' core live in files named after their concept: ``dense.py``, ``activation.py``,
``dropout.py``; their old import path (``neurona.layers.core.Dense``) keeps working.
"""
from __future__ import annotations

from .. import checks, ops
from .activation import Activation, LeakyReLU, ReLU, Softmax  # noqa: F401  (the old import path)
from .base import Layer
from .dense import Dense, KernelLayer  # noqa: F401  (the old import path)
from .dropout import Dropout  # noqa: F401  (the old import path)


class InputLayer(Layer):
    """Declares the shape of one sample (without the batch axis); passes its input through.

    >>> import neurona as nr
    >>> nr.layers.InputLayer((3,)).get_config()["shape"]
    [3]
    """
    compilable = True  # static in training: see Layer.compilable

    def __init__(self, shape, name=None, **kwargs):
        super().__init__(name=name, input_shape=tuple(shape), **kwargs)
        self.shape = tuple(shape)

    def call(self, x, training=False):
        return x

    def check_input(self, shape):
        """The next layer checks the shape, and its error names the layer that cannot take the input."""

    def get_config(self):
        return {"shape": list(self.shape), "name": self.name}


def Input(shape, name=None) -> InputLayer:
    """``Input(shape=(784,))``: the first element of a ``Sequential`` model, fixing the input shape.

    >>> import neurona as nr
    >>> model = nr.Sequential([nr.layers.Input((3,)), nr.layers.Dense(2)])
    >>> model.build_input_shape
    (None, 3)
    """
    return InputLayer(shape, name=name)


class Flatten(Layer):
    """Merges all axes but the batch axis.

    >>> import neurona as nr
    >>> nr.layers.Flatten()(nr.ones(2, 3, 4)).shape
    (2, 12)
    """
    compilable = True  # static in training: see Layer.compilable

    def call(self, x, training=False):
        return ops.reshape(x, (x.shape[0], -1))


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (the batch axis is kept).

    >>> import neurona as nr
    >>> nr.layers.Reshape((2, -1))(nr.ones(5, 6)).shape
    (5, 2, 3)
    """
    compilable = True  # static in training: see Layer.compilable

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(target_shape, (tuple, list)) or not all(checks.is_int(d) and (d > 0 or d == -1)
                                                                    for d in target_shape):
            raise TypeError(f"Reshape: target_shape must be a tuple of positive integers (one may be -1), got "
                            f"{target_shape!r}")
        self.target_shape = tuple(int(d) for d in target_shape)

    def call(self, x, training=False):
        return ops.reshape(x, (x.shape[0],) + self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}
