"""Weights as safetensors: a JSON header (names, dtypes, shapes, offsets) and the raw bytes, readable by any tool of
the ecosystem (``safetensors``, PyTorch, JAX, Hugging Face). Version 2 of the ``.neurona`` archive stores its
weights and optimizer state this way; ``model.save_weights("w.safetensors")`` writes a plain file.

Reading trusts nothing: the header is parsed and every tensor's name, dtype, shape and byte range are checked
against what the model expects before the ``safetensors`` package reads a single array.

>>> import numpy as np
>>> data = safetensors_bytes({"dense/kernel": np.ones((2, 3), np.float32)})
>>> read_safetensors(data, {"dense/kernel": ((2, 3), np.dtype("float32"))}, "example")["dense/kernel"].shape
(2, 3)
"""
from __future__ import annotations

import json
import struct

import numpy as np

from .archive import CheckpointError, MAX_JSON_BYTES

_DTYPES = {"F16": "float16", "F32": "float32", "F64": "float64", "I8": "int8", "I16": "int16", "I32": "int32",
           "I64": "int64", "U8": "uint8", "BOOL": "bool"}


def safetensors_bytes(arrays: dict) -> bytes:
    """The safetensors serialization of ``{name: array}`` (host copies of device arrays)."""
    from safetensors.numpy import save
    from ..devices.backend import to_numpy
    host = {name: np.asarray(to_numpy(a)) for name, a in arrays.items()}
    return save({name: a if a.flags.c_contiguous else a.copy(order="C") for name, a in host.items()})


def bound(expected: dict) -> int:
    """The most bytes a safetensors file holding exactly the ``expected`` arrays may take."""
    data = sum(int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize for shape, dtype in expected.values())
    return data + 8 + 256 * (len(expected) + 1)


def read_safetensors(data: bytes, expected: dict, what: str) -> dict:
    """The arrays of a safetensors blob named in ``expected`` (``{name: (shape, dtype)}``), each checked against
    the header first; a malformed or mismatching file raises :class:`CheckpointError`."""
    header = _header(data, what)
    missing = [name for name in expected if name not in header]
    if missing:
        raise CheckpointError(f"{what} lacks the tensors {', '.join(missing[:5])}"
                              f"{' ...' if len(missing) > 5 else ''}; it does not match the model")
    start = 8 + struct.unpack("<Q", data[:8])[0]
    for name, (shape, dtype) in expected.items():
        _check_tensor(header[name], name, tuple(shape), np.dtype(dtype), len(data) - start, what)
    from safetensors.numpy import load
    try:
        arrays = load(data)
    except Exception as exc:  # noqa: BLE001 - whatever the reader raises on a corrupted file
        raise CheckpointError(f"{what} is corrupted: {exc}") from None
    return {name: arrays[name].copy() for name in expected}


def _header(data: bytes, what: str) -> dict:
    if len(data) < 8:
        raise CheckpointError(f"{what} is not a safetensors file: {len(data)} bytes")
    size = struct.unpack("<Q", data[:8])[0]
    if size > min(MAX_JSON_BYTES, len(data) - 8):
        raise CheckpointError(f"{what} is not a safetensors file (its header claims {size} bytes)")
    try:
        header = json.loads(data[8:8 + size])
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CheckpointError(f"{what}: the safetensors header is corrupted: {exc}") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{what}: the safetensors header is not a table of tensors")
    header.pop("__metadata__", None)
    return header


def _check_tensor(entry, name, shape, dtype, data_bytes, what):
    ok = isinstance(entry, dict) and isinstance(entry.get("shape"), list) and isinstance(entry.get("data_offsets"),
                                                                                            list)
    found_dtype = _DTYPES.get(entry.get("dtype")) if ok else None
    if not ok or found_dtype is None:
        raise CheckpointError(f"{what}: tensor {name} has a malformed header entry {entry!r:.80}")
    if tuple(entry["shape"]) != shape or np.dtype(found_dtype) != dtype:
        raise CheckpointError(f"{what}: tensor {name} has shape {tuple(entry['shape'])} and dtype {found_dtype}, "
                              f"the model expects {shape} and {dtype}")
    begin, end = entry["data_offsets"]
    if not (0 <= begin <= end <= data_bytes) or end - begin != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise CheckpointError(f"{what}: tensor {name} has byte range {begin}:{end}, which does not fit its shape or "
                              "the file")
