"""Layers with Keras' names and semantics (channels-last, batch-first)."""
from .activation import Activation, LeakyReLU, ReLU, Softmax
from .attention import MultiHeadAttention, TransformerEncoder
from .base import LAYER_CLASSES, Layer
from .convolution import Conv1D, Conv2D
from .core import Flatten, Input, InputLayer, Reshape
from .dense import Dense
from .dropout import Dropout
from .embedding import Embedding, Masking, PositionEmbedding
from .normalization import BatchNormalization, LayerNormalization, Normalization
from .pooling import (AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,
                      GlobalMaxPooling2D, MaxPooling2D)
from .recurrent import GRU, LSTM, Bidirectional, SimpleRNN

__all__ = ["Layer", "LAYER_CLASSES", "Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer",
           "LeakyReLU", "ReLU", "Reshape", "Softmax", "BatchNormalization", "Normalization", "Conv1D", "Conv2D",
           "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
           "GlobalMaxPooling1D", "GlobalMaxPooling2D", "Embedding",
           "Masking", "PositionEmbedding", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "LayerNormalization",
           "MultiHeadAttention", "TransformerEncoder"]
