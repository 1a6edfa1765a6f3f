"""Callbacks with Keras semantics, on scripted loss sequences where the expected behaviour is known."""
import csv

import numpy as np
import pytest

import neurona as nr
from neurona.callbacks import Callback, EarlyStopping, LambdaCallback
from .models.helpers import classification_data, small_classifier


class Script(Callback):
    """Replaces val_loss by a scripted sequence and records the weights at each epoch end."""

    def __init__(self, values):
        super().__init__()
        self.values, self.weights = values, []

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.values[epoch]
        self.weights.append(self.model.get_weights())


def run(values, **early):
    x, y = classification_data()
    model = small_classifier()
    script = Script(values)
    stop = EarlyStopping(**early)
    history = model.fit(x, y, epochs=len(values), batch_size=50, verbose=0, callbacks=[script, stop])
    return model, script, stop, history


SEQUENCE = [1.0, 0.8, 0.85, 0.7, 0.72, 0.71, 0.75, 0.9, 0.95, 1.0]


def test_early_stopping_stops_where_keras_rule_says_and_restores_the_best():
    # wait counts epochs since the last improvement; stop when wait >= patience: best 0.7 at epoch 3 (0-based),
    # then 0.72 (wait 1), 0.71 (wait 2 -> stop at epoch 5)
    model, script, stop, history = run(SEQUENCE, patience=2, restore_best_weights=True)
    assert len(history.epoch) == 6 and stop.stopped_epoch == 5 and stop.best_epoch == 3
    for got, best in zip(model.get_weights(), script.weights[3]):
        np.testing.assert_array_equal(got, best)
    assert not all(np.array_equal(a, b) for a, b in zip(model.get_weights(), script.weights[-1]))


def test_min_delta_baseline_and_start_epoch():
    # min_delta 0.12: 0.8 (-0.2) improves, 0.7 (-0.1) does not -> wait 1,2 at epochs 2,3 -> stop at 3
    _, _, stop, history = run(SEQUENCE, patience=2, min_delta=0.12)
    assert stop.stopped_epoch == 3 and len(history.epoch) == 4
    # a baseline never beaten: improvements (epochs 0, 1) do not reset the wait, and an improving epoch never
    # stops; the first epoch without improvement (2) stops
    _, _, stop, _ = run(SEQUENCE, patience=1, baseline=0.5)
    assert stop.stopped_epoch == 2
    # nothing is counted before start_from_epoch
    _, _, stop, _ = run(SEQUENCE, patience=2, start_from_epoch=6)
    assert stop.stopped_epoch == 8


def test_model_checkpoint_saves_only_improvements(tmp_path):
    x, y = classification_data()
    model = small_classifier()
    script = Script([1.0, 0.5, 0.7, 0.4])
    path = tmp_path / "best_{epoch:02d}.neurona"
    ckpt = nr.callbacks.ModelCheckpoint(str(path), save_best_only=True)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[script, ckpt])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best_01.neurona", "best_02.neurona", "best_04.neurona"]
    restored = nr.load_model(tmp_path / "best_04.neurona")
    np.testing.assert_array_equal(restored.predict(x), model.predict(x))


def test_reduce_lr_on_plateau_and_scheduler():
    x, y = classification_data()
    model = small_classifier()
    script = Script([1.0, 1.0, 1.0, 1.0, 0.5, 0.5])
    plateau = nr.callbacks.ReduceLROnPlateau(factor=0.5, patience=2, min_lr=0.0002)
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[script, plateau])
    assert history.history["learning_rate"] == pytest.approx([0.001, 0.001, 0.001, 0.0005, 0.0005, 0.0005])
    model2 = small_classifier()
    sched = nr.callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    h2 = model2.fit(x, y, epochs=3, verbose=0, callbacks=[sched])
    assert h2.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_terminate_on_nan():
    x, y = classification_data()
    model = nr.Sequential([nr.layers.Input((8,)), nr.layers.Dense(4, activation="relu"), nr.layers.Dense(1)])
    model.compile(nr.optimizers.SGD(1e30), "mse")
    steps = []
    with np.errstate(over="ignore", invalid="ignore"):
        history = model.fit(x * 1e20, y, epochs=5, batch_size=20, verbose=0, callbacks=[
            nr.callbacks.TerminateOnNaN(),
            LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(logs["loss"]))])
    assert history.epoch == [0] and len(steps) == 1 and not np.isfinite(steps[0])


def test_csv_logger_and_lambda(tmp_path):
    x, y = classification_data()
    model = small_classifier()
    seen = []
    path = tmp_path / "log.csv"
    model.fit(x, y, epochs=3, verbose=0, validation_split=0.2, callbacks=[
        nr.callbacks.CSVLogger(path), LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))])
    with open(path) as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"] and seen == [0, 1, 2]
    assert set(rows[0]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy"}
