"""The learning-curve diagnosis on real training runs: too small underfits, too large on few samples overfits."""
import numpy as np
import pytest

import neurona as nr
from neurona.callbacks import History


def wave(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(n, 1)).astype(np.float32)
    return x, (np.sin(2.5 * x) + 0.3 * rng.normal(size=x.shape)).astype(np.float32)


def train(layers, x, y, epochs, lr=0.01, batch_size=32):
    nr.utils.set_random_seed(0)
    model = nr.Sequential([nr.layers.Input((1,))] + layers)
    model.compile(nr.optimizers.Adam(lr), "mse")
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, validation_data=wave(300, 1), verbose=0)


def test_a_too_small_model_underfits():
    history = train([nr.layers.Dense(1)], *wave(300, 0), epochs=40)
    d = nr.diagnose(history)
    assert d.verdict == "underfitting"
    assert d.numbers["min_train_loss"] > 0.5 * d.numbers["baseline_loss"]
    assert "baseline" in str(d)


def test_a_too_large_model_on_few_samples_overfits():
    big = [nr.layers.Dense(256, activation="relu"), nr.layers.Dense(256, activation="relu"), nr.layers.Dense(1)]
    history = train(big, *wave(12, 2), epochs=300, lr=0.003, batch_size=12)
    d = nr.diagnose(history)
    assert d.verdict == "overfitting" and d.overfit_epoch is not None
    assert d.numbers["final_val_loss"] > 2 * d.numbers["final_train_loss"]


def test_a_right_sized_model_fits_well():
    history = train([nr.layers.Dense(32, activation="tanh"), nr.layers.Dense(1)], *wave(300, 0), epochs=100)
    assert nr.diagnose(history).verdict == "good fit"


def test_rising_validation_loss_is_overfitting_from_the_epoch_after_its_minimum():
    h = History()
    h.history = {"loss": [1.0, 0.6, 0.4, 0.3, 0.25, 0.2], "val_loss": [1.0, 0.7, 0.55, 0.6, 0.7, 0.8]}
    d = nr.diagnose(h)
    assert (d.verdict, d.best_epoch, d.overfit_epoch) == ("overfitting", 3, 4)
    assert d.numbers["val_rise"] == pytest.approx(0.8 / 0.55 - 1)


def test_target_defines_the_goal():
    h = History()
    h.history = {"loss": [1.0, 0.9, 0.85], "val_loss": [1.0, 0.92, 0.86]}
    assert nr.diagnose(h, target=0.1).verdict == "underfitting"
    assert nr.diagnose(h, target=1.0).verdict == "good fit"
