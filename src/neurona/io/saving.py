"""Saving and loading models: one zip file, nothing ever unpickled.

The ``.neurona`` file (format version 2) holds ``metadata.json`` (format and version), ``config.json`` (the
architecture, and the input shape the model was built for), ``weights.safetensors`` (each weight under its path,
``dense_1/kernel``), ``compile.json`` and ``optimizer.safetensors`` (the optimizer's state, so training resumes
exactly). Any safetensors reader opens the weights. Version 1 files, written by neurona 0.1 with ``weights.npz``
and ``optimizer.npz`` instead, still load. Writes are atomic (:mod:`neurona.io.atomic`).

Loading trusts nothing in the file (:mod:`neurona.io.archive`): the model is rebuilt from its configuration
first, within a memory budget set by the size of the weights the file holds; then every array is checked
against the shape the model needs before it is read. Any malformed file raises :class:`CheckpointError`.

>>> import neurona as nr, tempfile, os
>>> model = nr.Sequential([nr.layers.Dense(2)]); _ = model.predict([[1.0, 2.0]])  # built by its first call
>>> path = os.path.join(tempfile.mkdtemp(), "m.neurona"); model.save(path)
>>> nr.load_model(path).predict([[1.0, 2.0]]).tolist() == model.predict([[1.0, 2.0]]).tolist()
True
"""
from __future__ import annotations

import io
import json
import math
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np

from .. import __version__, losses, metrics, optimizers
from ..distributed import comm
from ..devices import device_of, to_device
from .archive import CheckpointError, npz_bound, open_archive, read_arrays
from .atomic import atomic_write
from .safetensors_io import bound as safetensors_bound, read_safetensors, safetensors_bytes

FORMAT = "neurona-model"
FORMAT_VERSION = 2
SUPPORTED_VERSIONS = (1, 2)
MAX_INPUT_ELEMENTS = 1 << 26  # a saved input shape of more values per sample is refused (a crafted file)

__all__ = ["CheckpointError", "save_model", "load_model", "save_weights", "load_weights"]


# ---- saving -----------------------------------------------------------------------------------------------

def save_model(model, path):
    """Write ``model`` to ``path`` atomically (see the module docstring). Warns when a weight is NaN or Inf.
    In an MPI job only rank 0 writes (the ranks hold the same weights; see :mod:`neurona.distributed`)."""
    from ..layers.base import serialize
    if not comm.is_main():
        return
    config = serialize(model)
    if model.build_input_shape is not None and not isinstance(model.build_input_shape, list):
        config["build_input_shape"] = [None if d is None else int(d) for d in model.build_input_shape]
    compile_config = None
    if model.compiled_loss is not None:
        compile_config = {"optimizer": optimizers.serialize(model.optimizer),
                          "loss": losses.serialize(model.compiled_loss),
                          "metrics": [metrics.serialize(m) for m in model.compiled_metrics], "jit": model.jit}
    _warn_if_not_finite(model, path)
    entries = {
        "metadata.json": json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION,
                                     "neurona_version": __version__, "saved_at": time.time()}).encode(),
        "config.json": json.dumps(config).encode(),
        "compile.json": json.dumps(compile_config).encode(),
        "weights.safetensors": safetensors_bytes(named_weights(model)),
    }
    if model.optimizer is not None and model.optimizer.built:
        entries["optimizer.safetensors"] = safetensors_bytes(model.optimizer.state_arrays())
    with atomic_write(path) as f:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, data in entries.items():
                archive.writestr(name, data)


def save_weights(model, path):
    """Write the model's weights, atomically (in an MPI job, rank 0 only): a ``.safetensors`` path gets a plain
    safetensors file, each weight under its path (``dense_1/kernel``); any other path an ``.npz`` of the weights
    in order."""
    if not comm.is_main():
        return
    _warn_if_not_finite(model, path)
    data = safetensors_bytes(named_weights(model)) if str(path).endswith(".safetensors") else \
        _npz_bytes(_weight_arrays(model))
    with atomic_write(path) as f:
        f.write(data)


def named_weights(model) -> dict:
    """``{path: array}`` of every weight, in order: the layer path and the weight's name (``dense_1/kernel``); a
    name given twice gets ``#2``, ``#3``... so that every weight keeps its own entry."""
    names: dict = {}
    for w in model.weights:
        name = w.name or "weight"
        names[name if name not in names else f"{name}#{sum(n.split('#')[0] == name for n in names) + 1}"] = w
    return {name: w.numpy() for name, w in names.items()}


def _named_spec(model) -> dict:
    return {name: (a.shape, a.dtype) for name, a in named_weights(model).items()}


def _npz_bytes(arrays: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _weight_arrays(model) -> dict:
    return {f"{i:04d}": w.numpy() for i, w in enumerate(model.weights)}


def _weight_spec(model) -> dict:
    """``{name: (shape, dtype)}`` of the arrays :func:`_weight_arrays` writes: what a file must hold."""
    return {f"{i:04d}": (w.shape, w.data.dtype) for i, w in enumerate(model.weights)}


def _warn_if_not_finite(model, path):
    bad = [w.name for w in model.weights if w.dtype.kind == "f" and not np.isfinite(w.numpy()).all()]
    if bad:
        warnings.warn(f"saving {path}: the weights {', '.join(bad[:3])}{' ...' if len(bad) > 3 else ''} hold NaN "
                      "or Inf values (did training diverge?); the saved model will predict NaN", stacklevel=3)


# ---- loading ----------------------------------------------------------------------------------------------

def load_model(path, custom_objects=None, compile=True):
    """Rebuild a model saved with ``model.save``, in any process: the same predictions, bit for bit, and the
    optimizer state restored so that ``fit`` resumes where it stopped. ``custom_objects`` maps the names of
    your own layer or model classes to the classes.

    >>> import neurona as nr
    >>> import tempfile, os
    >>> model = nr.Sequential([nr.layers.Input((2,)), nr.layers.Dense(1)])
    >>> path = os.path.join(tempfile.mkdtemp(), "m.neurona")
    >>> model.save(path)
    >>> nr.load_model(path).count_params()
    3
    """
    with open_archive(path) as archive:
        _check_metadata(archive.json("metadata.json"), path)
        version = archive.json("metadata.json")["format_version"]
        entry = "weights.npz" if version == 1 else "weights.safetensors"
        model = _rebuild(archive.json("config.json"), custom_objects, archive.size(entry), path)
        if version == 1:
            expected = _weight_spec(model)
            arrays = read_arrays(archive.read(entry, npz_bound(expected)), expected, f"{path}: {entry}")
            _assign(model, arrays)
        else:
            expected = _named_spec(model)
            arrays = read_safetensors(archive.read(entry, safetensors_bound(expected)), expected, f"{path}: {entry}")
            _assign(model, {f"{i:04d}": arrays[name] for i, name in enumerate(expected)})
        compile_config = archive.json("compile.json")
        if compile and compile_config is not None:
            _restore_compile(model, compile_config, archive, path, version)
    return model


def load_weights(model, path):
    """Read weights written by ``save_weights`` (safetensors or ``.npz``) into a model of the same architecture.
    A safetensors file is matched by name (``dense_1/kernel``), whoever wrote it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no weights file at {path}")
    with open(path, "rb") as f:
        is_zip = f.read(2) == b"PK"
    if not is_zip:
        expected = _named_spec(model)
        if path.stat().st_size > safetensors_bound(expected):
            raise CheckpointError(f"{path} holds {path.stat().st_size} bytes, more than the weights of "
                                  f"{model.name} can take; is it the weights of another model?")
        arrays = read_safetensors(path.read_bytes(), expected, str(path))
        _assign(model, {f"{i:04d}": arrays[name] for i, name in enumerate(expected)})
        return
    expected = _weight_spec(model)
    if path.stat().st_size > npz_bound(expected):
        raise CheckpointError(f"{path} holds {path.stat().st_size} bytes, more than the weights of "
                              f"{model.name} ({len(expected)} arrays) can take; is it the weights of another model?")
    _assign(model, read_arrays(path.read_bytes(), expected, str(path)))


def _check_metadata(meta, path):
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else meta
        raise CheckpointError(f"{path}: not a neurona model file (format {found!r:.40})")
    version = meta.get("format_version")
    if version not in SUPPORTED_VERSIONS:
        raise CheckpointError(f"{path}: format version {version!r:.20} is not one this neurona ({__version__}) "
                              f"reads; it reads versions {', '.join(map(str, SUPPORTED_VERSIONS))}. Hint: load it "
                              "with the neurona version that saved it, or upgrade neurona.")


def _rebuild(spec, custom_objects, weight_bytes, path):
    """The model described by ``config.json``, built (so it has its weights) within ``weight_bytes``."""
    from ..layers.base import custom_object_scope, deserialize, weight_budget
    _check_input_shapes(spec, path)
    try:
        with custom_object_scope(custom_objects), weight_budget(weight_bytes):
            model = deserialize(spec)
            shape = spec.get("build_input_shape")
            if not model.built and shape is not None:
                model.output_shape_for(tuple(shape))
    except MemoryError as exc:
        raise CheckpointError(f"{path}: the weights are corrupted or belong to another model: they hold "
                              f"{weight_bytes} bytes, too few for the model config.json describes ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - whatever a malformed configuration makes a constructor raise
        raise CheckpointError(f"{path}: config.json describes a model that cannot be rebuilt: "
                              f"{type(exc).__name__}: {exc}") from exc
    return model


def _check_input_shapes(spec, path):
    """Refuse saved input shapes that are not lists of sizes, or too large, before anything is built."""
    stack = [spec]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("input_shape", "shape", "build_input_shape") and value is not None:
                    _check_shape(key, value, path)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def _check_shape(key, value, path):
    ok = isinstance(value, list) and all(d is None or (type(d) is int and d >= 0) for d in value)
    if not ok or math.prod(d or 1 for d in value) > MAX_INPUT_ELEMENTS:
        raise CheckpointError(f"{path}: config.json gives {key} = {value!r:.60}, not a list of at most "
                              f"{MAX_INPUT_ELEMENTS} sizes")


def _assign(model, arrays):
    for i, w in enumerate(model.weights):
        w.data[...] = to_device(arrays[f"{i:04d}"], device_of(w.data))


def _restore_compile(model, config, archive, path, version):
    try:
        model.compile(optimizers.get(config["optimizer"]), losses.get(config["loss"]), config["metrics"],
                      jit=config.get("jit", True))
    except Exception as exc:  # noqa: BLE001 - a malformed compile.json
        raise CheckpointError(f"{path}: compile.json cannot be restored: {type(exc).__name__}: {exc}") from exc
    entry = "optimizer.npz" if version == 1 else "optimizer.safetensors"
    if entry in archive.entries:
        model.optimizer.build(model.trainable_weights)
        expected = model.optimizer.state_spec()
        if version == 1:
            state = read_arrays(archive.read(entry, npz_bound(expected)), expected, f"{path}: {entry}")
        else:
            state = read_safetensors(archive.read(entry, safetensors_bound(expected)), expected, f"{path}: {entry}")
        model.optimizer.load_state_arrays(state)
