"""Pooling layers (channels-last): MaxPooling2D and AveragePooling2D over windows, and the global poolings
over all positions.

>>> import neurona as nr
>>> nr.layers.MaxPooling2D(2)(nr.ones((1, 4, 4, 3))).shape
(1, 2, 2, 3)
"""
from __future__ import annotations

from .. import checks, ops
from ..autograd.engine import ShapeError
from ..functional import mean
from ..functional.pooling import global_pool2d, pool2d
from .base import Layer
from .convolution import check_window_fits


class _Pooling2D(Layer):
    compilable = True  # static in training: see Layer.compilable
    reduce = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.pool_size = checks.positive_ints(pool_size, 2, "pool_size", where)
        self.strides = self.pool_size if strides is None else checks.positive_ints(strides, 2, "strides", where)
        self.padding = checks.one_of(padding, ("valid", "same"), "padding", where)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ShapeError(f"{type(self).__name__} layer {self.name!r}: expected a 4-D input (batch, height, "
                             f"width, channels), got shape {tuple(input_shape)}")
        check_window_fits(self, input_shape, self.pool_size, "pool_size")
        self.expected_input = (None, None, input_shape[-1])

    def call(self, x, training=False):
        return pool2d(x, self.pool_size, self.strides, self.padding, self.reduce)

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size), "strides": list(self.strides),
                "padding": self.padding}


class MaxPooling2D(_Pooling2D):
    """The maximum of each ``pool_size`` window (default 2x2, stride = pool size).

    >>> import neurona as nr
    >>> nr.layers.MaxPooling2D(2)(nr.ones(1, 4, 4, 3)).shape
    (1, 2, 2, 3)
    """
    reduce = "max"


class AveragePooling2D(_Pooling2D):
    """The mean of each ``pool_size`` window.

    >>> import neurona as nr
    >>> nr.layers.AveragePooling2D(2)(nr.ones(1, 4, 4, 3)).shape
    (1, 2, 2, 3)
    """
    reduce = "mean"


class GlobalAveragePooling2D(Layer):
    """The mean over height and width: (batch, h, w, c) -> (batch, c).

    >>> import neurona as nr
    >>> nr.layers.GlobalAveragePooling2D()(nr.ones(2, 4, 4, 3)).shape
    (2, 3)
    """
    compilable = True  # static in training: see Layer.compilable

    def call(self, x, training=False):
        return global_pool2d(x, "mean")


class GlobalAveragePooling1D(Layer):
    """The mean over the steps: (batch, steps, features) -> (batch, features).

    >>> import neurona as nr
    >>> nr.layers.GlobalAveragePooling1D()(nr.ones(2, 5, 3)).shape
    (2, 3)
    """
    compilable = True  # static in training: see Layer.compilable

    def call(self, x, training=False):
        return mean(x, axis=1)


class GlobalMaxPooling1D(Layer):
    """The maximum over the steps: (batch, steps, features) -> (batch, features).

    >>> import neurona as nr
    >>> nr.layers.GlobalMaxPooling1D()(nr.tensor([[[1.0], [5.0], [2.0]]])).tolist()
    [[5.0]]
    """
    compilable = True  # static in training: see Layer.compilable

    def call(self, x, training=False):
        return ops.max(x, axis=1)


class GlobalMaxPooling2D(Layer):
    """The maximum over height and width: (batch, h, w, c) -> (batch, c).

    >>> import neurona as nr
    >>> nr.layers.GlobalMaxPooling2D()(nr.ones(2, 4, 4, 3)).shape
    (2, 3)
    """
    compilable = True  # static in training: see Layer.compilable

    def call(self, x, training=False):
        return global_pool2d(x, "max")
