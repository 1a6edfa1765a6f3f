"""Every example of the course runs (quick mode unless marked slow) and shows what the lecture teaches."""
import importlib.util
import sys
from pathlib import Path

import pytest

from ..conftest import shared_data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(name, tmp_path, *extra, quick=True):
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.main(["--out", str(tmp_path)] + (["--quick"] if quick else []) + list(extra))
    finally:
        sys.path.remove(str(EXAMPLES))


def test_bribes_network_beats_the_straight_line(tmp_path):
    f = run("bribes_linear_vs_network", tmp_path)
    assert f["network (16 sigmoids) test MSE"] < 0.5 * f["linear model test MSE"]
    assert (tmp_path / "bribes_fits.png").stat().st_size > 10_000


def test_computational_graph_exercise(tmp_path):
    f = run("computational_graph", tmp_path)
    assert (f["e"], f["de/da (reverse mode)"], f["de/db (reverse mode)"]) == (6.0, 2.0, 5.0)
    assert (f["de/da (forward mode)"], f["de/db (forward mode)"]) == (2.0, 5.0)
    assert (tmp_path / "computational_graph.svg").exists() and (tmp_path / "computational_graph.png").exists()


def test_two_layer_gradients_match_the_hand_derivation(tmp_path):
    f = run("two_layer_gradients", tmp_path)
    assert f["max |dL/dw autograd - by hand|"] < 1e-12 and f["max |dL/dV autograd - by hand|"] < 1e-12
    assert f["largest |dL/dV|"] > 0.1


def test_reverse_mode_wins_as_inputs_grow(tmp_path):
    f = run("forward_vs_reverse", tmp_path)
    assert f["gradients agree"] and f["largest n"] == 64
    assert f["forward / reverse time at largest n"] > 5
    assert (tmp_path / "forward_vs_reverse.png").exists()


def test_zeros_initialization_keeps_units_identical(tmp_path):
    f = run("initializers", tmp_path)
    assert f["zeros: distinct hidden units"] == 1 and f["zeros: all hidden units identical"]
    assert f["glorot_uniform: distinct hidden units"] == 32 == f["he_normal: distinct hidden units"]
    assert f["glorot_uniform: test accuracy"] > 0.85 > 0.5 > f["zeros: test accuracy"]


def test_hyperparameter_experiments(tmp_path):
    f = run("hyperparameters", tmp_path)
    assert len(f) == 14 and all(v > 0 for v in f.values())
    assert f["learning rate 0.0003"] > f["learning rate 0.01"]  # too small a step barely moves in 25 epochs
    assert f["architecture 2"] > f["architecture 16-16"]
    assert (tmp_path / "hyperparameters.png").exists()


def test_regularization_treatments(tmp_path):
    f = run("regularization", tmp_path)
    assert f["none: diagnosis"] == "overfitting" and f["early_stopping: diagnosis"] == "good fit"
    for kind in ("l2", "dropout", "early_stopping"):
        assert f[f"{kind}: clean test accuracy"] > f["none: clean test accuracy"]
        assert f[f"{kind}: validation loss rise"] < f["none: validation loss rise"]


@pytest.mark.slow
def test_petfinder_reaches_75_percent(tmp_path):
    f = run("petfinder", tmp_path, "--data", str(shared_data("petfinder", "petfinder-mini.csv")), quick=False)
    assert f["test accuracy"] >= 0.75 > f["majority-class accuracy"]


def test_mnist_quick(tmp_path):
    f = run("mnist_mlp", tmp_path, "--data", str(shared_data("mnist", "idx")))
    assert f["test accuracy"] > 0.93


@pytest.mark.slow
def test_mnist_mlp_reaches_98_percent(tmp_path):
    f = run("mnist_mlp", tmp_path, "--data", str(shared_data("mnist", "idx")), quick=False)
    assert f["test accuracy"] >= 0.98
    assert (tmp_path / "mnist_mlp.neurona").exists()


def test_mnist_cnn_quick(tmp_path):
    f = run("mnist_cnn", tmp_path, "--data", str(shared_data("mnist", "idx")))
    assert f["test accuracy"] > 0.85  # 6,000 images, 2 epochs


@pytest.mark.slow
def test_mnist_cnn_reaches_99_percent_within_15_minutes(tmp_path):
    f = run("mnist_cnn", tmp_path, "--data", str(shared_data("mnist", "idx")), quick=False)
    assert f["test accuracy"] >= 0.99 and f["training minutes"] < 15


def test_sequence_models_quick(tmp_path):
    f = run("sequence_models", tmp_path, "--data", str(shared_data("mnist", "idx")))
    assert all(f[f"{name}: test accuracy"] > 0.5 for name in ("LSTM", "GRU", "Transformer"))


@pytest.mark.slow
def test_sequence_models_reach_97_percent(tmp_path):
    f = run("sequence_models", tmp_path, "--data", str(shared_data("mnist", "idx")), quick=False)
    for name in ("LSTM", "GRU", "Transformer"):
        assert f[f"{name}: test accuracy"] >= 0.97, name
