"""Layers with Keras' names and semantics (channels-last, batch-first)."""
from .attention import LayerNormalization, MultiHeadAttention, TransformerEncoder
from .base import LAYER_CLASSES, Layer
from .convolutional import (AveragePooling2D, Conv1D, Conv2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
                            GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling2D)
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, LeakyReLU, ReLU, Reshape, Softmax
from .embedding import Embedding, Masking, PositionEmbedding
from .normalization import BatchNormalization, Normalization
from .recurrent import GRU, LSTM, Bidirectional, SimpleRNN

__all__ = ["Layer", "LAYER_CLASSES", "Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer",
           "LeakyReLU", "ReLU", "Reshape", "Softmax", "BatchNormalization", "Normalization", "Conv1D", "Conv2D",
           "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
           "GlobalMaxPooling1D", "GlobalMaxPooling2D", "Embedding",
           "Masking", "PositionEmbedding", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "LayerNormalization",
           "MultiHeadAttention", "TransformerEncoder"]
