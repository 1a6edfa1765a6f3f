"""Devices: names, errors without CUDA, and the whole device path on a simulated GPU (tests/fake_cupy.py)."""
import numpy as np
import pytest

import neurona as nr
from neurona import backend, devices
from .fake_cupy import DeviceArray, FakeCupy
from .models.helpers import classification_data, small_classifier


def test_device_names():
    assert devices.canonical("cuda") == "cuda:0" and devices.canonical("CUDA:1") == "cuda:1"
    assert devices.canonical("cpu") == "cpu" and nr.tensor([1.0]).device == "cpu"
    with pytest.raises(devices.DeviceError, match="unknown device 'tpu'"):
        devices.canonical("tpu")


@pytest.mark.skipif(nr.cuda.is_available(), reason="checks the message given when CUDA is missing")
def test_without_cuda_the_error_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(backend, "_cupy", None)
    monkeypatch.setitem(__import__("sys").modules, "cupy", None)
    assert nr.cuda.is_available() is False
    with pytest.raises(RuntimeError, match="pip install 'neurona\\[cuda\\]'"):
        nr.tensor([1.0]).to("cuda")
    assert "not available" in nr.cuda.describe()


@pytest.fixture
def gpu(monkeypatch):
    """A simulated GPU: CuPy replaced by the NumPy-backed stand-in."""
    monkeypatch.setattr(backend, "_cupy", FakeCupy())
    yield
    devices.set_default_device("cpu")


def test_to_moves_and_gradients_come_back(gpu):
    x = nr.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("cuda")
    assert y.device == "cuda:0" and isinstance(y.data, DeviceArray)
    (y * y).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    assert type(y.numpy()) is np.ndarray


def test_mixing_devices_names_both(gpu):
    a, b = nr.tensor([1.0]).to("cuda"), nr.tensor([2.0])
    with pytest.raises(devices.DeviceError, match=r"add: inputs on different devices, cuda:0 and cpu"):
        a + b


def test_default_device_for_new_tensors(gpu):
    nr.set_default_device("cuda")
    assert nr.zeros(2).device == "cuda:0" and nr.tensor([1.0]).device == "cuda:0"
    assert nr.randn(3).device == "cuda:0"


def test_training_on_the_device_equals_training_on_the_cpu(gpu):
    x, y = classification_data()
    cpu = small_classifier(seed=3, dropout=0.2)
    history_cpu = cpu.fit(x, y, epochs=2, batch_size=32, validation_split=0.2, verbose=0)
    device = small_classifier(seed=3, dropout=0.2).to("cuda")
    assert all(isinstance(w.data, DeviceArray) for w in device.weights)
    history_dev = device.fit(x, y, epochs=2, batch_size=32, validation_split=0.2, verbose=0)
    assert device.optimizer._groups[0].params.__class__ is DeviceArray
    assert history_dev.history["loss"] == pytest.approx(history_cpu.history["loss"], rel=1e-6)
    np.testing.assert_allclose(device.predict(x), cpu.predict(x), rtol=1e-5)
    assert device.evaluate(x, y, verbose=0)[0] == pytest.approx(cpu.evaluate(x, y, verbose=0)[0], rel=1e-5)


@pytest.mark.parametrize("build", ["conv", "lstm", "transformer"])
def test_layers_run_on_the_device(gpu, build):
    from neurona import layers as L
    nr.utils.set_random_seed(0)
    if build == "conv":
        model = nr.Sequential([L.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.MaxPooling2D(),
                               L.Flatten(), L.Dense(3, activation="softmax")])
        x = np.random.default_rng(0).random((16, 8, 8, 1), dtype=np.float32)
    elif build == "lstm":
        model = nr.Sequential([L.Input((5, 4)), L.Masking(), L.LSTM(6), L.Dense(3, activation="softmax")])
        x = np.random.default_rng(0).random((16, 5, 4), dtype=np.float32)
    else:
        model = nr.Sequential([L.Input((5, 4)), L.Dense(8), L.PositionEmbedding(5),
                               L.TransformerEncoder(16, 2, causal=True), L.GlobalAveragePooling1D(),
                               L.Dense(3, activation="softmax")])
        x = np.random.default_rng(0).random((16, 5, 4), dtype=np.float32)
    y = np.arange(16) % 3
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    reference = [w.copy() for w in model.get_weights()]
    model.to("cuda")
    loss = model.fit(x, y, epochs=1, batch_size=8, verbose=0).history["loss"][0]
    assert np.isfinite(loss)
    assert any(not np.array_equal(a, b) for a, b in zip(reference, model.get_weights()))
