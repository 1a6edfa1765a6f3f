"""Saving and loading models: one zip file, nothing ever unpickled.

The ``.neurona`` file holds ``config.json`` (architecture), ``weights.npz``, ``optimizer.npz`` (state, so
training resumes exactly), ``compile.json`` and ``metadata.json``. Arrays are read with
``allow_pickle=False``. Writes are atomic (:mod:`neurona.io.atomic`); a truncated or corrupted file raises
:class:`CheckpointError`.
"""
from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import numpy as np

from .. import __version__, losses, optimizers
from ..devices import device_of, to_device
from .atomic import atomic_write

FORMAT = "neurona-model"
FORMAT_VERSION = 1


class CheckpointError(Exception):
    """A saved model or weights file that cannot be read: missing, truncated, corrupted or of another format."""


def _npz_bytes(arrays: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _read_npz(data: bytes, what: str) -> dict:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise CheckpointError(f"{what} is corrupted: {exc}") from None


def _weight_arrays(model) -> dict:
    return {f"{i:04d}": w.numpy() for i, w in enumerate(model.weights)}


def save_model(model, path):
    """Write ``model`` to ``path`` atomically (see the module docstring)."""
    config = {"class_name": type(model).__name__, "config": model.get_config()}
    compile_config = None
    if model.compiled_loss is not None:
        compile_config = {"optimizer": optimizers.serialize(model.optimizer),
                          "loss": losses.serialize(model.compiled_loss),
                          "metrics": [m.name for m in model.compiled_metrics]}
    entries = {
        "metadata.json": json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION,
                                     "neurona_version": __version__, "saved_at": time.time()}).encode(),
        "config.json": json.dumps(config).encode(),
        "compile.json": json.dumps(compile_config).encode(),
        "weights.npz": _npz_bytes(_weight_arrays(model)),
    }
    if model.optimizer is not None and model.optimizer.built:
        entries["optimizer.npz"] = _npz_bytes(model.optimizer.state_arrays())
    with atomic_write(path) as f:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, data in entries.items():
                archive.writestr(name, data)


def _open(path) -> dict:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no saved model at {path}")
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            if bad is not None:
                raise CheckpointError(f"{path}: entry {bad} is corrupted (checksum mismatch)")
            return {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise CheckpointError(f"{path} is not a readable neurona model (truncated or corrupted?): {exc}") from None


def _json(entries, name, path):
    if name not in entries:
        raise CheckpointError(f"{path}: the file has no {name}; it is not a complete neurona model")
    try:
        return json.loads(entries[name])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path}: {name} is corrupted: {exc}") from None


def load_model(path, custom_objects=None, compile=True):
    """Rebuild a model saved with ``model.save``: same predictions, and the optimizer state restored."""
    from ..layers.base import LAYER_CLASSES
    entries = _open(path)
    meta = _json(entries, "metadata.json", path)
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a neurona model file (format {meta.get('format')!r})")
    config = _json(entries, "config.json", path)
    classes = {**LAYER_CLASSES, **(custom_objects or {})}
    cls = classes.get(config["class_name"])
    if cls is None:
        raise CheckpointError(f"{path}: unknown model class {config['class_name']!r}; pass custom_objects=")
    model = cls.from_config(config["config"], custom_objects) if config["class_name"] == "Sequential" \
        else cls.from_config(config["config"])
    if "weights.npz" not in entries:
        raise CheckpointError(f"{path}: the file has no weights.npz")
    arrays = _read_npz(entries["weights.npz"], f"{path}: weights.npz")
    if not model.built:
        raise CheckpointError(f"{path}: the saved model has no input shape, so it cannot be rebuilt. Hint: start "
                              "the model with Input(shape) before saving.")
    _assign(model, arrays, path)
    compile_config = _json(entries, "compile.json", path)
    if compile and compile_config:
        model.compile(optimizers.get(compile_config["optimizer"]), losses.get(compile_config["loss"]),
                      compile_config["metrics"])
        if "optimizer.npz" in entries:
            model.optimizer.build(model.trainable_weights)
            model.optimizer.load_state_arrays(_read_npz(entries["optimizer.npz"], f"{path}: optimizer.npz"))
    return model


def _assign(model, arrays, path):
    weights = model.weights
    if len(arrays) != len(weights):
        raise CheckpointError(f"{path}: {len(arrays)} weight arrays for a model with {len(weights)} weights")
    for i, w in enumerate(weights):
        value = arrays[f"{i:04d}"]
        if value.shape != w.shape:
            raise CheckpointError(f"{path}: weight {w.name} should have shape {w.shape}, the file has {value.shape}")
        w.data[...] = to_device(value, device_of(w.data))


def save_weights(model, path):
    """Write the model's weights to a ``.npz`` file, atomically."""
    with atomic_write(path) as f:
        f.write(_npz_bytes(_weight_arrays(model)))


def load_weights(model, path):
    """Read weights written by ``save_weights`` into a model of the same architecture."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no weights file at {path}")
    _assign(model, _read_npz(path.read_bytes(), str(path)), path)
