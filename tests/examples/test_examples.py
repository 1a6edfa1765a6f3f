"""Every example of the course runs (quick mode unless marked slow) and shows what the lecture teaches."""
import pytest

from ..conftest import example_run


def run(name, quick=True):
    """The example's facts and its folder of pictures, from the one kept run that the gallery shows too."""
    done = example_run(name, quick)
    return done.facts, done.folder


def test_bribes_network_beats_the_straight_line():
    f, out = run("bribes_linear_vs_network")
    assert f["network (16 sigmoids) test MSE"] < 0.5 * f["linear model test MSE"]
    assert (out / "bribes_fits.png").stat().st_size > 10_000


def test_computational_graph_exercise():
    f, out = run("computational_graph")
    assert (f["e"], f["de/da (reverse mode)"], f["de/db (reverse mode)"]) == (6.0, 2.0, 5.0)
    assert (f["de/da (forward mode)"], f["de/db (forward mode)"]) == (2.0, 5.0)
    assert (out / "computational_graph.svg").exists() and (out / "computational_graph.png").exists()


def test_two_layer_gradients_match_the_hand_derivation():
    f, out = run("two_layer_gradients")
    assert f["max |dL/dw autograd - by hand|"] < 1e-12 and f["max |dL/dV autograd - by hand|"] < 1e-12
    assert f["largest |dL/dV|"] > 0.1


def test_reverse_mode_wins_as_inputs_grow():
    f, out = run("forward_vs_reverse")
    assert f["gradients agree"] and f["largest n"] == 64
    assert f["forward / reverse time at largest n"] > 5
    assert (out / "forward_vs_reverse.png").exists()


def test_zeros_initialization_keeps_units_identical():
    """With zeros the hidden units are copies of each other after an epoch, up to float32 rounding (how the
    BLAS rounds each column depends on the CPU); from a random start they differ by whole units."""
    f, out = run("initializers")
    assert f["zeros: units' largest difference after epoch 1"] <= 1e-5
    assert f["zeros: hidden units identical after epoch 1 (to 1e-5)"]
    assert f["glorot_uniform: units' largest difference after epoch 1"] > 0.1
    assert f["he_normal: units' largest difference after epoch 1"] > 0.1
    for init in ("glorot_uniform", "he_normal"):
        assert f[f"{init}: distinct hidden units at the end"] == 32
    assert f["glorot_uniform: test accuracy"] > 0.85 > 0.5 > f["zeros: test accuracy"]


def test_hyperparameter_experiments():
    f, out = run("hyperparameters")
    assert len(f) == 14 and all(v > 0 for v in f.values())
    assert f["learning rate 0.0003"] > f["learning rate 0.01"]  # too small a step barely moves in 25 epochs
    assert f["architecture 2"] > f["architecture 16-16"]
    assert (out / "hyperparameters.png").exists()


def test_regularization_treatments():
    f, out = run("regularization")
    assert f["none: diagnosis"] == "overfitting" and f["early_stopping: diagnosis"] == "good fit"
    for kind in ("l2", "dropout", "early_stopping"):
        assert f[f"{kind}: clean test accuracy"] > f["none: clean test accuracy"]
        assert f[f"{kind}: validation loss rise"] < f["none: validation loss rise"]


@pytest.mark.slow
def test_petfinder_reaches_75_percent():
    f, out = run("petfinder", quick=False)
    assert f["test accuracy"] >= 0.75 > f["majority-class accuracy"]


def test_mnist_quick():
    f, out = run("mnist_mlp")
    assert f["test accuracy"] > 0.93


@pytest.mark.slow
def test_mnist_mlp_reaches_98_percent():
    f, out = run("mnist_mlp", quick=False)
    assert f["test accuracy"] >= 0.98
    assert (out / "mnist_mlp.neurona").exists()


def test_mnist_cnn_quick():
    f, out = run("mnist_cnn")
    assert f["test accuracy"] > 0.85  # 6,000 images, 2 epochs


@pytest.mark.slow
def test_mnist_cnn_reaches_99_percent_within_15_minutes():
    f, out = run("mnist_cnn", quick=False)
    assert f["test accuracy"] >= 0.99 and f["training minutes"] < 15


def test_sequence_models_quick():
    f, out = run("sequence_models")
    assert all(f[f"{name}: test accuracy"] > 0.5 for name in ("LSTM", "GRU", "Transformer"))


@pytest.mark.slow
def test_sequence_models_reach_97_percent():
    f, out = run("sequence_models", quick=False)
    for name in ("LSTM", "GRU", "Transformer"):
        assert f[f"{name}: test accuracy"] >= 0.97, name
