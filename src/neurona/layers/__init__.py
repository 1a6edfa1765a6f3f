"""Layers with Keras' names and semantics (channels-last, batch-first)."""
from .base import LAYER_CLASSES, Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, LeakyReLU, ReLU, Reshape, Softmax
from .normalization import BatchNormalization, Normalization

__all__ = ["Layer", "LAYER_CLASSES", "Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer",
           "LeakyReLU", "ReLU", "Reshape", "Softmax", "BatchNormalization", "Normalization"]
