"""Bad input gets a clear error before the first step, and nothing is lost."""
import os
import signal
import warnings

import numpy as np
import pytest

import neurona as nr
from neurona.callbacks import Callback
from .helpers import classification_data, small_classifier


def mnist_like_model(units=10, activation="softmax"):
    nr.utils.set_random_seed(0)
    model = nr.Sequential([nr.layers.Input((784,)), nr.layers.Dense(32, activation="relu", name="hidden"),
                           nr.layers.Dense(units, activation=activation, name="output")])
    return model


def test_nan_in_x_is_reported_before_the_first_step():
    x, y = classification_data()
    x[3, 2] = np.nan
    x[7, 5] = np.inf
    model = small_classifier()
    before = model.get_weights()
    with pytest.raises(ValueError) as info:
        model.fit(x, y, verbose=0)
    message = str(info.value)
    assert "2 NaN/Inf values in 2 of 200 rows" in message and "columns 2, 5" in message
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_nan_in_y_is_reported():
    x, y = classification_data()
    y[0] = np.nan
    with pytest.raises(ValueError, match="y has 1 NaN/Inf"):
        small_classifier().fit(x, y, verbose=0)


@pytest.mark.parametrize("layout", ["contiguous", "strided"])
def test_the_finite_check_sees_every_nan_and_passes_huge_finite_values(layout):
    """The quick test is one sum: huge values must still pass, and a NaN or an Inf anywhere must still be found,
    in a contiguous array and in a strided view alike."""
    from neurona.models.data import check_finite
    huge = np.full((4, 6), 3e38, dtype=np.float32)
    huge = huge if layout == "contiguous" else huge[:, ::2]
    check_finite(huge, "x")   # a float32 sum of these would be Inf; the values themselves are finite
    for bad in (np.nan, np.inf, -np.inf):
        x = np.ones((4, 6), dtype=np.float32)
        x[2, 4] = bad
        x = x if layout == "contiguous" else x[:, ::2]
        with pytest.raises(ValueError, match="1 NaN/Inf values in 1 of 4 rows"):
            check_finite(x, "x")


def test_predict_names_a_missing_x():
    with pytest.raises(TypeError, match=r"x is None; expected the samples as an array"):
        mnist_like_model().predict(None, verbose=0)


def test_predict_refuses_a_nan_in_one_sample():
    model = mnist_like_model()
    x = np.zeros((1, 784), dtype=np.float32)
    assert model.predict(x, verbose=0).shape == (1, 10)
    x[0, 100] = np.nan
    with pytest.raises(ValueError, match=r"x has 1 NaN/Inf values in 1 of 1 rows \(columns 100.*impute or drop"):
        model.predict(x, verbose=0)


def test_wrong_feature_count_names_the_layer_and_both_shapes():
    model = mnist_like_model()
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError) as info:
        model.fit(np.zeros((10, 100)), np.zeros(10), verbose=0)
    message = str(info.value)
    assert "hidden" in message and "(None, 784)" in message and "(2, 100)" in message


def test_empty_dataset():
    model = small_classifier()
    with pytest.raises(ValueError, match="empty"):
        model.fit(np.zeros((0, 8)), np.zeros(0), verbose=0)


def test_labels_out_of_range_for_the_output_layer():
    model = mnist_like_model()
    model.compile("adam", "sparse_categorical_crossentropy")
    y = np.arange(20) % 13
    with pytest.raises(ValueError, match=r"\[0, 10\).*10 units"):
        model.fit(np.zeros((20, 784)), y, verbose=0)


def test_softmax_output_with_from_logits_warns():
    model = mnist_like_model()
    with pytest.warns(UserWarning, match="applies softmax.*from_logits=True"):
        model.compile("adam", nr.losses.SparseCategoricalCrossentropy(from_logits=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mnist_like_model(activation=None).compile("adam", nr.losses.SparseCategoricalCrossentropy(from_logits=True))


def test_targets_n_and_n_by_1_train_identically():
    x, y = classification_data()
    losses = []
    for target in (y, y[:, None]):
        model = small_classifier()
        losses.append(model.fit(x, target, epochs=2, verbose=0, shuffle=False).history["loss"])
    assert losses[0] == losses[1]


def test_mismatched_target_shape_is_refused():
    x, _ = classification_data()
    model = small_classifier()
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 1\)"):
        model.fit(x, np.zeros((200, 3)), verbose=0)


def test_strings_are_refused():
    with pytest.raises(TypeError, match="encode"):
        small_classifier().fit(np.array([["a"] * 8] * 4), np.zeros(4), verbose=0)


class InterruptAt(Callback):
    """Sends Ctrl-C to this process after a given step and records the weights after every step."""

    def __init__(self, epoch, step):
        super().__init__()
        self.at, self.epoch, self.weights = (epoch, step), 0, []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self.weights.append(self.model.get_weights())
        if (self.epoch, batch) == self.at:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_keeps_the_last_completed_step_and_the_finished_epochs(capsys):
    x, y = classification_data()
    model = small_classifier()
    interrupt = InterruptAt(epoch=1, step=2)
    handler_before = signal.getsignal(signal.SIGINT)   # Python's default, or SIG_IGN in a job started in background
    history = model.fit(x, y, epochs=5, batch_size=20, verbose=0, callbacks=[interrupt])
    assert history.epoch == [0] and len(history.history["loss"]) == 1
    assert len(interrupt.weights) == 10 + 3
    for got, last in zip(model.get_weights(), interrupt.weights[-1]):
        np.testing.assert_array_equal(got, last)
    assert "Interrupted" in capsys.readouterr().out
    # and the usual Ctrl-C behaviour is back afterwards: the handler the process had before fit
    assert signal.getsignal(signal.SIGINT) is handler_before
