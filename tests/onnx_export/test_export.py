"""ONNX export, checked in onnxruntime: every layer of ``nr.layers`` (each activation, padding, stride and mode)
and the course's models give ``model.predict``'s outputs (rtol 1e-5, atol 1e-6 for values near zero), at two
batch sizes (the batch axis is dynamic), and pass ``onnx.checker``. (The folder is not named ``onnx``: the
user-path tests put ``tests/`` on ``sys.path``, where it would hide the onnx package.)"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import neurona as nr
from neurona import layers as L

onnx = pytest.importorskip("onnx", reason="needs the ONNX extra: pip install 'neurona[onnx]'")
ort = pytest.importorskip("onnxruntime", reason="needs the ONNX extra: pip install 'neurona[onnx]'")

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax", "softplus", "elu", "selu", "gelu", "leaky_relu"]
IMAGE, SEQ = (9, 8, 3), (7, 4)

LAYER_CASES = {
    **{f"Dense-{a}": (lambda a=a: [L.Dense(5, activation=a)], (6,)) for a in ACTIVATIONS},
    "Dense-3d": (lambda: [L.Dense(5)], SEQ),
    "Activation": (lambda: [L.Activation("tanh")], (6,)),
    "ReLU": (lambda: [L.ReLU()], (6,)),
    "ReLU-capped-leaky-threshold": (lambda: [L.ReLU(max_value=0.8, negative_slope=0.1, threshold=0.2)], (6,)),
    "LeakyReLU": (lambda: [L.LeakyReLU(0.25)], (6,)),
    "Softmax": (lambda: [L.Softmax()], (6,)),
    "Softmax-axis1": (lambda: [L.Softmax(axis=1)], SEQ),
    "Dropout": (lambda: [L.Dense(5), L.Dropout(0.5)], (6,)),
    "Flatten": (lambda: [L.Flatten()], IMAGE),
    "Reshape": (lambda: [L.Reshape((4, -1))], (6, 2)),
    "BatchNormalization": (lambda: [L.BatchNormalization()], (6,)),
    "BatchNormalization-axis1": (lambda: [L.BatchNormalization(axis=1, center=False)], SEQ),
    "BatchNormalization-image": (lambda: [L.BatchNormalization(scale=False)], IMAGE),
    "LayerNormalization": (lambda: [L.LayerNormalization()], SEQ),
    "LayerNormalization-plain": (lambda: [L.LayerNormalization(center=False, scale=False)], (6,)),
    "Normalization": (lambda: [L.Normalization(mean=np.arange(6.0), variance=np.arange(6.0) + 0.5)], (6,)),
    "Normalization-invert-axes": (lambda: [L.Normalization(axis=(1, 2), invert=True)], SEQ),
    "Normalization-scalar": (lambda: [L.Normalization(axis=None)], SEQ),
    **{f"Conv2D-{p}-s{s}-d{d}": (lambda p=p, s=s, d=d: [L.Conv2D(4, 3, strides=s, padding=p, dilation_rate=d,
                                                                  activation="relu")], IMAGE)
       for p in ("valid", "same") for s, d in ((1, 1), (2, 1), (1, 2))},
    "Conv2D-rect": (lambda: [L.Conv2D(2, (2, 3), strides=(2, 1), padding="same")], IMAGE),
    **{f"Conv1D-{p}-s{s}-d{d}": (lambda p=p, s=s, d=d: [L.Conv1D(3, 3, strides=s, padding=p, dilation_rate=d)],
                                 (10, 4)) for p in ("valid", "same", "causal") for s, d in ((1, 1), (2, 1), (1, 2))},
    **{f"{cls.__name__}-{p}-s{s}": (lambda cls=cls, p=p, s=s: [cls(2, strides=s, padding=p)], IMAGE)
       for cls in (L.MaxPooling2D, L.AveragePooling2D) for p in ("valid", "same") for s in (None, 1)},
    "MaxPooling2D-3x3-s2": (lambda: [L.MaxPooling2D(3, strides=2)], IMAGE),
    "GlobalAveragePooling1D": (lambda: [L.GlobalAveragePooling1D()], SEQ),
    "GlobalMaxPooling1D": (lambda: [L.GlobalMaxPooling1D()], SEQ),
    "GlobalAveragePooling2D": (lambda: [L.GlobalAveragePooling2D()], IMAGE),
    "GlobalMaxPooling2D": (lambda: [L.GlobalMaxPooling2D()], IMAGE),
    "Masking": (lambda: [L.Masking(0.0), L.Dense(3)], SEQ),
    "PositionEmbedding": (lambda: [L.PositionEmbedding(10)], SEQ),
    **{f"{cls.__name__}-{'seq' if r else 'last'}{'-backwards' if b else ''}":
       (lambda cls=cls, r=r, b=b: [cls(5, return_sequences=r, go_backwards=b)], SEQ)
       for cls in (L.SimpleRNN, L.LSTM, L.GRU) for r in (False, True) for b in (False, True)},
    "SimpleRNN-relu": (lambda: [L.SimpleRNN(5, activation="relu", return_sequences=True)], SEQ),
    **{f"Bidirectional-{cls.__name__}-{m}-{'seq' if r else 'last'}":
       (lambda cls=cls, m=m, r=r: [L.Bidirectional(cls(3, return_sequences=r), merge_mode=m)], SEQ)
       for cls in (L.SimpleRNN, L.LSTM, L.GRU) for m in ("concat", "sum", "ave", "mul") for r in (False, True)},
    "MultiHeadAttention": (lambda: [L.MultiHeadAttention(2, 3)], SEQ),
    "MultiHeadAttention-value_dim": (lambda: [L.MultiHeadAttention(3, 2, value_dim=4, output_shape=5)], SEQ),
    "TransformerEncoder": (lambda: [L.TransformerEncoder(8, 2)], SEQ),
    "TransformerEncoder-causal-gelu": (lambda: [L.TransformerEncoder(6, 4, activation="gelu", causal=True)], SEQ),
}


def randomized(model, seed=0):
    """Every weight drawn at random (biases, moving statistics and all), so that each one's place is tested."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        low = 0.5 if "variance" in w.name else -0.8
        w.data[...] = rng.uniform(low, 1.0, w.shape).astype(w.data.dtype)
    return model


def run_onnx(model, x, path):
    proto = model.export(path)
    onnx.checker.check_model(proto, full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


def assert_same_as_predict(model, x, tmp_path):
    expected = model.predict(x, verbose=0)
    got = run_onnx(model, x, tmp_path / "model.onnx")
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_each_layer_exports_and_matches_predict_in_onnxruntime(case, tmp_path):
    layers, shape = LAYER_CASES[case]
    nr.utils.set_random_seed(0)
    model = randomized(nr.Sequential([L.Input(shape), *layers()]))
    rng = np.random.default_rng(1)
    for batch in (3, 1):
        x = rng.standard_normal((batch,) + shape).astype(np.float32)
        if case == "Masking":
            x[:, -2:] = 0.0   # padded steps
        assert_same_as_predict(model, x, tmp_path)


def test_embedding_exports_with_integer_ids(tmp_path):
    model = randomized(nr.Sequential([L.Input((6,)), L.Embedding(20, 4), L.GlobalAveragePooling1D(), L.Dense(2)]))
    x = np.random.default_rng(2).integers(0, 20, (3, 6)).astype(np.int64)
    assert_same_as_predict(model, x, tmp_path)


def test_every_layer_class_is_covered():
    covered = {"Embedding", "InputLayer", "Input"}
    for factory, shape in LAYER_CASES.values():
        covered.update(type(layer).__name__ for layer in factory())
    public = {name for name in L.__all__ if name not in ("Layer", "LAYER_CLASSES")}
    assert public <= covered, public - covered


COURSE_MODELS = {
    "bribes network": (lambda: [L.Input((1,)), L.Dense(16, activation="relu"), L.Dense(16, activation="relu"),
                                L.Dense(1)], (1,)),
    "petfinder MLP": (lambda: [L.Input((20,)), L.Dense(32, activation="relu"), L.Dropout(0.3),
                               L.BatchNormalization(), L.Dense(1, activation="sigmoid")], (20,)),
    "mnist MLP": (lambda: [L.Input((784,)), L.Dense(256, activation="relu"), L.Dropout(0.2),
                           L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")], (784,)),
    "mnist convnet": (lambda: [L.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                               L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.5),
                               L.Dense(10, activation="softmax")], (28, 28, 1)),
    "sequence LSTM": (lambda: [L.Input((28, 28)), L.LSTM(64), L.Dense(10, activation="softmax")], (28, 28)),
    "sequence GRU": (lambda: [L.Input((28, 28)), L.Bidirectional(L.GRU(32)), L.Dense(10, activation="softmax")],
                     (28, 28)),
    "sequence Transformer": (lambda: [L.Input((28, 28)), L.Dense(32), L.PositionEmbedding(28),
                                      L.TransformerEncoder(64, 4), L.TransformerEncoder(64, 4),
                                      L.GlobalAveragePooling1D(), L.Dense(10, activation="softmax")], (28, 28)),
}


@pytest.mark.parametrize("name", sorted(COURSE_MODELS))
def test_the_course_models_export_after_training(name, tmp_path):
    layers, shape = COURSE_MODELS[name]
    nr.utils.set_random_seed(0)
    model = nr.Sequential(layers())
    rng = np.random.default_rng(3)
    x = rng.random((64,) + shape).astype(np.float32)
    units = model.layers[-1].kernel.shape[-1]
    if units == 10:
        model.compile("adam", "sparse_categorical_crossentropy")
        y = rng.integers(0, 10, 64)
    else:
        model.compile("adam", "binary_crossentropy" if model.layers[-1].activation is nr.activations.sigmoid
                      else "mse")
        y = (rng.random(64) > 0.5).astype(np.float32)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert_same_as_predict(model, x[:5], tmp_path)


def test_what_onnx_cannot_express_is_refused_by_name(tmp_path):
    masked = nr.Sequential([L.Input((5, 3)), L.Masking(), L.LSTM(2, name="encoder")])
    with pytest.raises(nr.onnx.NotExportable, match="layer 'encoder' receives a mask"):
        masked.export(tmp_path / "m.onnx")
    odd = nr.Sequential([L.Input((5, 3)), L.LSTM(2, activation="elu", name="odd")])
    with pytest.raises(nr.onnx.NotExportable, match="layer 'odd' uses the activation 'elu'"):
        odd.export(tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="format must be 'onnx'"):
        odd.export(tmp_path / "m.tflite", format="tflite")


def test_the_cli_exports_a_saved_model(tmp_path):
    model = randomized(nr.Sequential([L.Input((4,)), L.Dense(3, activation="softmax")]))
    model.save(tmp_path / "m.neurona")
    cli = [sys.executable, "-m", "neurona.cli", "export", str(tmp_path / "m.neurona"), "--format", "onnx"]
    done = subprocess.run(cli, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m.onnx").exists() and "m.onnx" in done.stdout
    x = np.random.default_rng(4).standard_normal((2, 4)).astype(np.float32)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"input": x})[0], model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
