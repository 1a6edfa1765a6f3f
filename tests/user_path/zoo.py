"""Every kind of model a user can save, with data to train it: imported by the save process and by the load
process of ``test_save_and_load.py`` (as a user imports the module that defines their model)."""
from __future__ import annotations

import numpy as np

import neurona as nr
from neurona import layers as L


class TwoLayer(nr.Model):
    """A subclassed model (layers in ``__init__``, computation in ``call``), saved through its ``get_config``."""

    def __init__(self, units=16, name=None):
        super().__init__(name=name)
        self.units = units
        self.hidden = L.Dense(units, activation="relu")
        self.out = L.Dense(3)

    def call(self, x, training=False):
        return self.out(self.hidden(x))

    def get_config(self):
        return {"units": self.units, "name": self.name}


def tabular(n=96, features=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(np.int64)


def sequences(n=64, steps=7, features=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, steps, features)).astype(np.float32)
    return x, (x[:, :, 0].sum(axis=1) > 0).astype(np.int64)


def images(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 10, 10, 1)).astype(np.float32)
    return x, (x[:, :5].mean(axis=(1, 2, 3)) > x[:, 5:].mean(axis=(1, 2, 3))).astype(np.int64)


def tokens(n=64, steps=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 20, size=(n, steps))
    return x, (x[:, 0] > 9).astype(np.int64)


def _sequential(layers, data, loss="sparse_categorical_crossentropy", optimizer="adam"):
    model = nr.Sequential(layers)
    model.compile(optimizer, loss, ["accuracy"])
    return model, data


def build(kind):
    """``(model, (x, y))`` for ``kind``, compiled and untrained (weights from the global seed)."""
    nr.utils.set_random_seed(0)
    if kind == "sequential_with_input":
        return _sequential([L.Input((6,)), L.Dense(16, activation="relu"), L.Dropout(0.2),
                            L.Dense(3, activation="softmax")], tabular())
    if kind == "sequential_without_input":
        return _sequential([L.Dense(16, activation="relu"), L.Dense(1, activation="sigmoid")], tabular(),
                           loss="binary_crossentropy", optimizer=nr.optimizers.SGD(0.05, momentum=0.9))
    if kind == "subclassed":
        model = TwoLayer()
        model.compile(nr.optimizers.RMSprop(0.01), nr.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model, tabular()
    if kind == "convolutional":
        return _sequential([L.Input((10, 10, 1)), L.Conv2D(4, 3, activation="relu", padding="same"),
                            L.MaxPooling2D(2), L.Conv2D(4, 3), L.Flatten(), L.Dense(2, activation="softmax")],
                           images())
    if kind == "recurrent":
        return _sequential([L.Input((7, 5)), L.Bidirectional(L.LSTM(6, return_sequences=True)), L.GRU(5),
                            L.Dense(2, activation="softmax")], sequences())
    if kind == "simple_rnn_and_embedding":
        return _sequential([L.Embedding(20, 4, mask_zero=True), L.SimpleRNN(6), L.Dense(2, activation="softmax")],
                           tokens())
    if kind == "attention":
        return _sequential([L.Input((7, 5)), L.Dense(8), L.PositionEmbedding(7),
                            L.TransformerEncoder(intermediate_dim=16, num_heads=2), L.GlobalAveragePooling1D(),
                            L.Dense(2, activation="softmax")], sequences(), optimizer=nr.optimizers.AdamW(0.003))
    if kind == "batchnorm_and_normalization":
        x, y = tabular()
        norm = L.Normalization()
        norm.adapt(x * 3.0 + 1.0)
        return _sequential([L.Input((6,)), norm, L.Dense(16), L.BatchNormalization(), L.ReLU(),
                            L.LayerNormalization(), L.Dense(3, activation="softmax")], (x, y))
    raise ValueError(f"unknown model kind {kind!r}")


KINDS = ["sequential_with_input", "sequential_without_input", "subclassed", "convolutional", "recurrent",
         "simple_rnn_and_embedding", "attention", "batchnorm_and_normalization"]
