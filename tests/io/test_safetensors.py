"""Weights as safetensors, checked with the ``safetensors`` package itself, and the version-1 files of neurona 0.1."""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load, load_file, save_file

import neurona as nr
from neurona import layers as L

DATA = Path(__file__).parent / "data"


def trained_model():
    nr.utils.set_random_seed(1)
    model = nr.Sequential([L.Input((5,)), L.Dense(8, activation="relu"), L.BatchNormalization(), L.Dense(3)])
    model.compile("adam", "mse")
    rng = np.random.default_rng(0)
    model.fit(rng.standard_normal((32, 5)), rng.standard_normal((32, 3)), epochs=2, verbose=0)
    return model


def test_the_archive_holds_weights_and_optimizer_state_any_safetensors_reader_opens(tmp_path):
    model = trained_model()
    model.save(tmp_path / "m.neurona")
    with zipfile.ZipFile(tmp_path / "m.neurona") as z:
        weights = load(z.read("weights.safetensors"))
        state = load(z.read("optimizer.safetensors"))
        assert b'"format_version": 2' in z.read("metadata.json")
    assert sorted(weights) == sorted(w.name for w in model.weights)
    dense, norm = model.layers[0].name, model.layers[1].name      # e.g. dense_3 and batch_normalization_1
    assert f"{dense}/kernel" in weights and f"{norm}/moving_mean" in weights
    for w in model.weights:
        np.testing.assert_array_equal(weights[w.name], w.numpy())
    assert int(state["iterations"]) == model.optimizer.iterations == 2
    np.testing.assert_array_equal(state["group0/m"], model.optimizer._groups[0].slots["m"])


def test_save_weights_writes_plain_safetensors_named_after_the_layers(tmp_path):
    model = trained_model()
    model.save_weights(tmp_path / "w.safetensors")
    written = load_file(tmp_path / "w.safetensors")
    assert sorted(written) == sorted(w.name for w in model.weights)
    np.testing.assert_array_equal(written[f"{model.layers[0].name}/kernel"], model.layers[0].kernel.numpy())


def test_load_weights_reads_a_file_another_tool_wrote_matching_by_name(tmp_path):
    model = trained_model()
    rng = np.random.default_rng(5)
    tensors = {w.name: rng.standard_normal(w.shape).astype(np.float32) for w in model.weights}
    save_file(dict(reversed(list(tensors.items()))), tmp_path / "other.safetensors")   # another order
    model.load_weights(tmp_path / "other.safetensors")
    for w in model.weights:
        np.testing.assert_array_equal(w.numpy(), tensors[w.name])


def test_load_weights_refuses_a_file_of_another_model(tmp_path):
    save_file({"dense/kernel": np.zeros((2, 2), np.float32)}, tmp_path / "other.safetensors")
    with pytest.raises(nr.io.CheckpointError, match="lacks the tensors"):
        trained_model().load_weights(tmp_path / "other.safetensors")


def test_a_version_1_file_written_by_neurona_0_1_still_loads():
    """``data/version1.neurona`` was saved by neurona 0.1 (weights.npz, optimizer.npz); its predictions for four
    inputs are in ``version1.expected.npz`` (to float32 rounding: the softmax's kernels may change its last bit)."""
    with zipfile.ZipFile(DATA / "version1.neurona") as z:
        assert "weights.npz" in z.namelist() and b'"format_version": 1' in z.read("metadata.json")
    model = nr.load_model(DATA / "version1.neurona")
    with np.load(DATA / "version1.expected.npz") as expected:
        np.testing.assert_allclose(model.predict(expected["x"], verbose=0), expected["predictions"], rtol=1e-6, atol=0)
    assert model.optimizer.iterations == 4          # two epochs of two batches: the state came back too


def test_npz_weights_still_work(tmp_path):
    model = trained_model()
    model.save_weights(tmp_path / "w.npz")
    other = trained_model()
    other.layers[0].kernel.data[...] = 0
    other.load_weights(tmp_path / "w.npz")
    np.testing.assert_array_equal(other.layers[0].kernel.numpy(), model.layers[0].kernel.numpy())
