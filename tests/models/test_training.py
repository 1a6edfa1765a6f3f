"""fit/evaluate/predict behaviour: determinism, validation, weights, progress output, subclassed models."""
import io
import os
import tracemalloc

import numpy as np
import pytest

import neurona as nr
from neurona.progress import Progress
from .helpers import classification_data, small_classifier


def test_same_seed_gives_bit_identical_training():
    x, y = classification_data()

    def run(seed):
        model = small_classifier(seed=seed, dropout=0.3)
        history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
        return model.get_weights(), history.history
    (w1, h1), (w2, h2) = run(4), run(4)
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2)) and h1 == h2
    assert not all(np.array_equal(a, b) for a, b in zip(w1, run(5)[0]))


def test_fit_learns_and_reports_keras_logs():
    x, y = classification_data(n=400)
    model = small_classifier()
    history = model.fit(x, y, epochs=30, batch_size=32, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.75  # the majority class alone gives about 0.5
    loss, acc = model.evaluate(x[300:], y[300:], verbose=0)
    assert loss == pytest.approx(history.history["val_loss"][-1], rel=1e-5)
    assert acc == pytest.approx(history.history["val_accuracy"][-1])
    assert model.predict(x[:5]).shape == (5, 1)
    assert history.params["baseline_loss"] == pytest.approx(0.693, abs=0.01)


def test_validation_split_takes_the_last_samples_before_shuffling():
    x, y = classification_data()
    model = small_classifier()
    h = model.fit(x, y, epochs=1, validation_split=0.1, verbose=0)
    assert h.history["val_loss"][0] == pytest.approx(model.evaluate(x[180:], y[180:], verbose=0)[0], rel=1e-6)


def test_class_and_sample_weights_change_the_loss():
    x, y = classification_data()
    plain = small_classifier().fit(x, y, epochs=1, shuffle=False, verbose=0).history["loss"][0]
    weighted = small_classifier().fit(x, y, epochs=1, shuffle=False, verbose=0,
                                      class_weight={0: 0.0, 1: 2.0}).history["loss"][0]
    zeroed = small_classifier().fit(x, y, epochs=1, shuffle=False, verbose=0,
                                    sample_weight=np.zeros(len(x))).history["loss"][0]
    assert weighted != pytest.approx(plain) and zeroed == 0.0


def test_initial_epoch_and_train_on_batch():
    x, y = classification_data()
    model = small_classifier()
    h = model.fit(x, y, epochs=3, initial_epoch=1, verbose=0)
    assert h.epoch == [1, 2]
    loss, acc = model.train_on_batch(x[:32], y[:32])
    assert np.isfinite(loss) and 0 <= acc <= 1
    assert set(model.test_on_batch(x[:32], y[:32], return_dict=True)) == {"loss", "accuracy"}


def test_non_terminal_output_is_one_plain_line_per_epoch(capsys):
    x, y = classification_data()
    small_classifier().fit(x, y, epochs=3, verbose=1, validation_split=0.2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("Epoch 1/3 - ")
    assert "ms/step - loss: " in lines[0] and "val_accuracy: " in lines[2]
    assert not any(ch in "".join(lines) for ch in "\r\x1b\b")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run_progress(logs, stream, steps=5):
    progress = Progress(1, epochs=1, steps=steps, stream=stream)
    progress.epoch_begin(0)
    for step in range(steps):
        progress.batch_end(step, logs)
    progress.epoch_end(0, logs)
    return progress.mode, stream.getvalue()


def test_terminal_output_is_a_progress_bar_then_the_full_epoch_line():
    mode, text = run_progress({"loss": 0.5}, Terminal())
    assert mode == "bar" and "\r" in text and "Epoch 1/1:" in text and "step/s" in text
    assert text.endswith("Epoch 1/1" + text.rsplit("Epoch 1/1", 1)[1])
    assert text.splitlines()[-1].endswith("ms/step - loss: 0.5000")


def test_a_narrow_terminal_still_gets_every_metric_at_the_end_of_an_epoch(monkeypatch):
    logs = {"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625, "val_accuracy": 0.5}
    monkeypatch.setenv("COLUMNS", "50")
    mode, text = run_progress(logs, Terminal())
    assert mode == "bar"
    assert text.splitlines()[-1].endswith("loss: 0.5000 - accuracy: 0.7500 - val_loss: 0.6250 - val_accuracy: 0.5000")


@pytest.mark.parametrize("columns", [0, 10])
def test_a_terminal_of_width_zero_gets_plain_lines_and_no_blank_ones(monkeypatch, columns):
    import shutil
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=(80, 24): os.terminal_size((columns, 24)))
    mode, text = run_progress({"loss": 0.5}, Terminal())
    assert mode == "line" and "\r" not in text
    assert text.splitlines() == [line for line in text.splitlines() if line.strip()] and len(text.splitlines()) == 1


def test_summary_lists_layers_shapes_parameters_and_bytes():
    model = nr.Sequential([nr.layers.Input((784,)), nr.layers.Dense(256, activation="relu", name="h1"),
                           nr.layers.Dropout(0.2, name="drop"), nr.layers.Dense(10, name="out")])
    text = model.summary(print_fn=None)
    assert "h1 (Dense)" in text and "(None, 256)" in text and "200,960" in text
    assert "drop (Dropout)" in text and "out (Dense)" in text and "2,570" in text
    assert "Total params: 203,530 (795.04 KB)" in text


class TwoLayer(nr.Model):
    def __init__(self):
        super().__init__()
        self.hidden = nr.layers.Dense(16, activation="relu")
        self.out = nr.layers.Dense(1, activation="sigmoid")

    def call(self, x, training=False):
        return self.out(self.hidden(x))


def test_subclassed_model_trains_and_tracks_its_layers():
    x, y = classification_data(n=400)
    nr.utils.set_random_seed(0)
    model = TwoLayer()
    model.compile(nr.optimizers.Adam(0.01), "binary_crossentropy", ["accuracy"])
    history = model.fit(x, y, epochs=20, verbose=0)
    assert len(model.trainable_weights) == 4 and model.layers == [model.hidden, model.out]
    assert history.history["accuracy"][-1] > 0.85
    with pytest.raises(NotImplementedError, match="get_config"):
        model.save("never.neurona")


def test_memory_report_is_within_20_percent_of_the_measured_peak():
    for batch_size in (32, 512):
        tracemalloc.start()
        nr.utils.set_random_seed(0)
        model = nr.Sequential([nr.layers.Input((784,)), nr.layers.Dense(256, activation="relu"),
                               nr.layers.Dense(128, activation="relu"), nr.layers.Dense(10, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        x = np.random.default_rng(0).random((batch_size, 784), dtype=np.float32)
        y = np.arange(batch_size) % 10
        model.train_on_batch(x, y)
        model.train_on_batch(x, y)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        report = model.memory_report(batch_size)
        assert 0.8 * peak <= report.total <= 1.2 * peak, (batch_size, report.total, peak)
    assert report.parameters == 4 * (784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10)
    assert report.optimizer_state == 3 * report.gradients  # Adam's m and v, and the scratch buffer
    fits = model.memory_report(32, budget_bytes=report.total).largest_batch
    assert 500 <= fits <= 530
