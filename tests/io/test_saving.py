"""Saving and loading: identical predictions, exact resumption, atomic writes, clear errors, no pickle."""
import io
import zipfile

import numpy as np
import pytest

import neurona as nr
from neurona.io import CheckpointError
from ..models.helpers import classification_data, small_classifier


def test_round_trip_restores_predictions_config_and_compile(tmp_path):
    x, y = classification_data()
    model = small_classifier(dropout=0.2)
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "m.neurona")
    loaded = nr.load_model(tmp_path / "m.neurona")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dropout", "Dense"]
    assert loaded.optimizer.iterations == model.optimizer.iterations
    assert loaded.compiled_loss.name == "binary_crossentropy" and loaded.compiled_metrics[0].name == "accuracy"


def test_training_resumes_exactly_after_loading(tmp_path):
    x, y = classification_data()
    model = small_classifier()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.neurona")
    loaded = nr.load_model(tmp_path / "m.neurona")
    model.fit(x, y, epochs=2, verbose=0, shuffle=False)
    loaded.fit(x, y, epochs=2, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_save_weights_and_load_weights(tmp_path):
    model, other = small_classifier(seed=0), small_classifier(seed=1)
    model.save_weights(tmp_path / "w.npz")
    other.load_weights(tmp_path / "w.npz")
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batchnorm_and_normalization_statistics_are_saved(tmp_path):
    x, y = classification_data()
    norm = nr.layers.Normalization()
    norm.adapt(x)
    model = nr.Sequential([nr.layers.Input((8,)), norm, nr.layers.Dense(8), nr.layers.BatchNormalization(),
                           nr.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.neurona")
    np.testing.assert_array_equal(nr.load_model(tmp_path / "m.neurona").predict(x), model.predict(x))


@pytest.mark.parametrize("damage", ["truncate", "flip", "not_zip", "empty"])
def test_damaged_files_raise_checkpoint_error(tmp_path, damage):
    path = tmp_path / "m.neurona"
    small_classifier().save(path)
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    elif damage == "not_zip":
        path.write_text("hello")
    else:
        path.write_bytes(b"")
    with pytest.raises(CheckpointError):
        nr.load_model(path)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.neurona"):
        nr.load_model(tmp_path / "nope.neurona")


def test_pickled_arrays_are_refused(tmp_path):
    path = tmp_path / "m.neurona"
    small_classifier().save(path)
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    buf = io.BytesIO()
    np.savez(buf, **{"0000": np.array([object()], dtype=object)})
    from .test_untrusted_files import as_version_1
    entries = as_version_1(entries)   # pickles could only hide in the .npz of format version 1
    entries["weights.npz"] = buf.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        for n, d in entries.items():
            z.writestr(n, d)
    with pytest.raises(CheckpointError, match="corrupted"):
        nr.load_model(path)


def test_keras_habit_models_save_model_and_load_model(tmp_path):
    """``keras.models.save_model`` / ``keras.models.load_model`` written with ``nr.models``: the same functions."""
    x, y = classification_data()
    model = small_classifier()
    model.fit(x, y, epochs=1, verbose=0)
    nr.models.save_model(model, tmp_path / "m.neurona")
    loaded = nr.models.load_model(tmp_path / "m.neurona")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert nr.models.load_model is nr.load_model
    with pytest.raises(AttributeError, match="no attribute 'load_weights'"):
        nr.models.load_weights
