"""Convolutional layers (channels-last, as in Keras): Conv2D over images and Conv1D over sequences.

>>> import neurona as nr
>>> nr.layers.Conv2D(8, 3, padding="same")(nr.ones((2, 28, 28, 1))).shape
(2, 28, 28, 8)
"""
from __future__ import annotations

from .. import checks, ops
from ..autograd.engine import ShapeError
from ..functional.convolution import conv2d
from .dense import FUSABLE, KernelLayer


def check_window_fits(layer, input_shape, window, what):
    """A ``valid`` window (kernel or pool) larger than the input leaves no output: say so, naming the layer."""
    spatial = tuple(input_shape[1:-1])
    if layer.padding == "valid" and any(s is not None and w > s for w, s in zip(window, spatial)):
        raise ShapeError(f"{type(layer).__name__} layer {layer.name!r}: the {what} {window} is larger than the "
                         f"input's {spatial} (input shape {tuple(input_shape)}), so no output is left. Hint: use "
                         "padding='same', a smaller window, or a larger input.")


class Conv2D(KernelLayer):
    """``activation(conv(x, kernel) + bias)`` with a (kh, kw, in_channels, filters) kernel; inputs are
    (batch, height, width, channels). Keras defaults: glorot_uniform kernel (fans include the kernel area), zero
    bias, ``padding="valid"``, ``strides=1``.

    >>> import neurona as nr
    >>> nr.layers.Conv2D(8, 3, padding="same")(nr.ones(2, 6, 6, 1)).shape
    (2, 6, 6, 8)
    """
    compilable = True  # static in training: see Layer.compilable
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", dilation_rate=1, activation=None,
                 **kwargs):
        super().__init__(activation, **kwargs)
        where = type(self).__name__
        self.filters = checks.positive_int(filters, "filters", where)
        self.kernel_size = checks.positive_ints(kernel_size, self.rank, "kernel_size", where)
        self.strides = checks.positive_ints(strides, self.rank, "strides", where)
        self.dilation_rate = checks.positive_ints(dilation_rate, self.rank, "dilation_rate", where)
        self.padding = checks.one_of(padding, ("valid", "same", "causal") if self.rank == 1 else ("valid", "same"),
                                     "padding", where)

    def build(self, input_shape):
        if len(input_shape) != self.rank + 2:
            axes = "(batch, height, width, channels)" if self.rank == 2 else "(batch, steps, channels)"
            raise ShapeError(f"{type(self).__name__} layer {self.name!r}: expected a {self.rank + 2}-D input "
                             f"{axes}, got shape {tuple(input_shape)}")
        channels = input_shape[-1]
        reach = tuple((k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate))
        check_window_fits(self, input_shape, reach, "kernel (with its dilation)")
        self.add_kernel_and_bias(self.kernel_size + (channels, self.filters))
        self.expected_input = (None,) * self.rank + (channels,)

    def call(self, x, training=False):
        if self.activation in FUSABLE:  # bias and relu applied in place inside the convolution's matrix product
            return conv2d(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate,
                          FUSABLE[self.activation])
        y = conv2d(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate)
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "padding": self.padding, "dilation_rate": list(self.dilation_rate)}


class Conv1D(Conv2D):
    """1-D convolution over (batch, steps, channels) with a (k, in_channels, filters) kernel; ``padding`` may
    also be ``"causal"`` (output step t sees only inputs up to t).

    >>> import neurona as nr
    >>> nr.layers.Conv1D(4, 3)(nr.ones(2, 10, 3)).shape
    (2, 8, 4)
    """
    compilable = True  # static in training: see Layer.compilable
    rank = 1

    def call(self, x, training=False):
        n, steps, channels = x.shape
        kernel = ops.reshape(self.kernel, (1,) + self.kernel.shape)
        fused = self.activation in FUSABLE
        y = conv2d(ops.reshape(x, (n, 1, steps, channels)), kernel, self.bias, (1,) + self.strides,
                   "valid" if self.padding == "valid" else self.padding, (1,) + self.dilation_rate,
                   FUSABLE.get(self.activation))
        y = ops.reshape(y, (n, y.shape[2], self.filters))
        return y if fused else self.activation(y)
