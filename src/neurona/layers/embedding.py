"""Embedding (integer ids to vectors), Masking, and a learned positional embedding."""
from __future__ import annotations

import numpy as np

from .. import checks, constraints, initializers, ops
from ..autograd.engine import ShapeError
from ..autograd.tensor import Tensor
from ..devices.backend import xp_of
from .base import Layer


class Embedding(Layer):
    """Rows of a (input_dim, output_dim) table looked up by integer ids. With ``mask_zero=True`` id 0 is
    padding: the layer produces a mask that recurrent layers use to skip padded steps. Keras default
    initializer: uniform in [-0.05, 0.05].

    >>> import neurona as nr
    >>> nr.layers.Embedding(10, 4)(nr.tensor([[1, 2, 3]])).shape
    (1, 3, 4)
    """
    compilable = True  # static in training: see Layer.compilable
    propagates_mask = True

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", mask_zero=False,
                 embeddings_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = checks.positive_int(input_dim, "input_dim", "Embedding")
        self.output_dim = checks.positive_int(output_dim, "output_dim", "Embedding")
        self.mask_zero = mask_zero
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.embeddings_initializer = initializers.RandomUniform() if embeddings_initializer == "uniform" \
            else initializers.get(embeddings_initializer)

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer, constraint=self.embeddings_constraint)
        self.expected_input = tuple(None for _ in input_shape[1:])

    def call(self, x, training=False):
        ids = x.data if isinstance(x, Tensor) else np.asarray(x)
        if ids.dtype.kind not in "iu":
            if ids.dtype.kind == "f" and bool((ids % 1 == 0).all()):
                ids = ids.astype(np.int64)
            else:
                raise TypeError(f"Embedding layer {self.name!r}: ids must be integers, got dtype {ids.dtype}")
        if isinstance(ids, np.ndarray) and ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            raise ValueError(f"Embedding layer {self.name!r}: ids must be in [0, {self.input_dim}), got values "
                             f"from {ids.min()} to {ids.max()}")
        return ops.getitem(self.embeddings, ids)

    def compute_mask(self, x, mask=None):
        if not self.mask_zero:
            return mask
        ids = x.data if isinstance(x, Tensor) else np.asarray(x)
        return ids != 0

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "mask_zero": self.mask_zero,
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint)}


class Masking(Layer):
    """Marks the steps whose features all equal ``mask_value`` as padding (and zeroes them).

    >>> import neurona as nr
    >>> nr.layers.Masking(0.0)(nr.tensor([[[1.0], [0.0]]])).shape
    (1, 2, 1)
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def compute_mask(self, x, mask=None):
        return xp_of(x.data).any(x.data != self.mask_value, axis=-1)

    def call(self, x, training=False):
        keep = self.compute_mask(x)[..., None].astype(x.dtype)
        return x * Tensor(keep)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


class PositionEmbedding(Layer):
    """Adds a learned vector per position to a (batch, steps, features) input, so attention can tell the
    order of the steps (``sequence_length`` is the longest sequence it accepts).

    >>> import neurona as nr
    >>> nr.layers.PositionEmbedding(sequence_length=10)(nr.ones(2, 5, 8)).shape
    (2, 5, 8)
    """
    compilable = True  # static in training: see Layer.compilable
    propagates_mask = True

    def __init__(self, sequence_length, initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.sequence_length = checks.positive_int(sequence_length, "sequence_length", "PositionEmbedding")
        self.initializer = initializers.get(initializer)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ShapeError(f"PositionEmbedding layer {self.name!r}: expected (batch, steps, features), got "
                             f"{tuple(input_shape)}")
        self.position_embeddings = self.add_weight("embeddings", (self.sequence_length, input_shape[-1]),
                                                   self.initializer)
        self.expected_input = (None, input_shape[-1])

    def call(self, x, training=False):
        steps = x.shape[1]
        if steps > self.sequence_length:
            raise ShapeError(f"PositionEmbedding layer {self.name!r}: sequences of {steps} steps are longer than "
                             f"sequence_length={self.sequence_length}")
        return x + self.position_embeddings[:steps]

    def get_config(self):
        return {**super().get_config(), "sequence_length": self.sequence_length}
