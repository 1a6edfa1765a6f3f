"""Small models and datasets shared by the model tests."""
import numpy as np

import neurona as nr


def classification_data(n=200, features=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] + x[:, 2] > 0).astype(np.float32)
    return x, y


def small_classifier(features=8, seed=0, dropout=0.0):
    nr.utils.set_random_seed(seed)
    layers = [nr.layers.Input((features,)), nr.layers.Dense(16, activation="relu")]
    if dropout:
        layers.append(nr.layers.Dropout(dropout))
    layers.append(nr.layers.Dense(1, activation="sigmoid"))
    model = nr.Sequential(layers)
    model.compile("adam", "binary_crossentropy", ["accuracy"])
    return model
