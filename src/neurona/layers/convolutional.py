"""Moved: convolutions to :mod:`neurona.layers.convolution`, pooling to :mod:`neurona.layers.pooling` (one concept
per file); this old import path keeps working."""
from .convolution import Conv1D, Conv2D  # noqa: F401
from .pooling import (AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,  # noqa: F401
                      GlobalMaxPooling2D, MaxPooling2D)
