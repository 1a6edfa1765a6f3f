"""Ready-made training setups for the course's datasets, used by ``neurona demo`` and ``neurona train``.

Each recipe loads its data, builds the network the lecture would use for that problem (the output layer and
loss matched to the task) and names the figure it reports.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import layers as L
from .datasets import (TabularEncoder, load_digits, load_mnist, load_petfinder, make_bribes, train_test_split)
from .models import Sequential
from .optimizers import Adam, Optimizer


@dataclass
class Task:
    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    model: Sequential
    loss: str
    metrics: list = field(default_factory=list)
    epochs: int = 20
    batch_size: int = 32
    optimizer: str | Optimizer = "adam"
    report: str = "accuracy"  # the test figure printed at the end


def digits(data=None, verify=True) -> Task:
    """8x8 digits (bundled with scikit-learn): a 64-256-10 MLP with dropout and a softmax output."""
    (x, y), (xt, yt) = load_digits()
    model = Sequential([L.Input((64,)), L.Dense(256, activation="relu"), L.Dropout(0.3),
                        L.Dense(10, activation="softmax")])
    return Task("digits", x.reshape(len(x), -1) / 16.0, y, xt.reshape(len(xt), -1) / 16.0, yt, model,
                "sparse_categorical_crossentropy", ["accuracy"], epochs=60)


def mnist(data=None, verify=True) -> Task:
    """Full MNIST: 784-256-128-10 MLP with dropout."""
    (x, y), (xt, yt) = load_mnist(data, verify=verify)
    model = Sequential([L.Input((784,)), L.Dense(256, activation="relu"), L.Dropout(0.2),
                        L.Dense(128, activation="relu"), L.Dropout(0.2), L.Dense(10, activation="softmax")])
    return Task("mnist", x.reshape(len(x), -1) / 255.0, y, xt.reshape(len(xt), -1) / 255.0, yt, model,
                "sparse_categorical_crossentropy", ["accuracy"], epochs=12, batch_size=128)


def petfinder(data=None, verify=True) -> Task:
    """PetFinder-mini, adopted or not: normalized numbers and one-hot categories into a small MLP."""
    from .datasets.petfinder import CATEGORICAL, NUMERIC
    frame, adopted, _ = load_petfinder(data)
    train, test, y, yt = train_test_split(frame, adopted, test_size=0.2, stratify=adopted, seed=0)
    encoder = TabularEncoder(numeric=NUMERIC, categorical=CATEGORICAL).adapt(train)
    x, xt = encoder.transform(train), encoder.transform(test)
    model = Sequential([L.Input((x.shape[1],)), L.Dense(64, activation="relu"), L.Dropout(0.5),
                        L.Dense(1, activation="sigmoid")])
    return Task("petfinder", x, y, xt, yt, model, "binary_crossentropy", ["accuracy"], epochs=20)


def bribes(data=None, verify=True) -> Task:
    """The lecture's bribes regression: one input, one hidden layer of sigmoids, one linear output, trained with
    Adam at 0.05 as in ``examples/bribes_linear_vs_network.py`` (at Keras' 0.001 it has not converged after 150
    epochs and is still worse than the straight line)."""
    x, y = make_bribes(400, seed=0)
    xt, yt = make_bribes(200, seed=1)
    model = Sequential([L.Input((1,)), L.Normalization(mean=[5.0], variance=[25.0 / 3.0]),
                        L.Dense(16, activation="sigmoid"), L.Dense(1)])
    return Task("bribes", x, y, xt, yt, model, "mse", [], epochs=150, optimizer=Adam(0.05), report="mse")


RECIPES = {"digits": digits, "mnist": mnist, "petfinder": petfinder, "bribes": bribes}
