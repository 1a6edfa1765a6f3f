"""Reading a zip archive (a ``.neurona`` model, an ``.npz`` of weights) without trusting it.

A file may be truncated, corrupted or crafted. Whatever it holds, reading it raises :class:`CheckpointError`
(never ``KeyError``, ``MemoryError`` and the like) and costs memory in proportion to what the caller expects,
never to what the file claims:

- an entry is read only when it is asked for, and only after its declared size was checked against a bound
  the caller gives (what the model built from the configuration needs);
- an entry that expands more than ``MAX_EXPANSION`` times is refused before it is decompressed (neurona never
  compresses; a zip bomb does);
- an array's shape and dtype are read from its ``.npy`` header and compared with the expected ones before any
  memory is allocated for it; object arrays (pickles) are refused;
- every byte read is checked against the entry's CRC.

>>> import io, numpy as np
>>> buf = io.BytesIO(); np.savez(buf, w=np.ones(3, np.float32)); _ = buf.seek(0)
>>> read_arrays(buf.getvalue(), {"w": ((3,), np.dtype("float32"))}, "example")["w"]
array([1., 1., 1.], dtype=float32)
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

MAX_EXPANSION = 20              # decompressed / compressed size of an entry, at most
MAX_JSON_BYTES = 16 << 20       # a configuration larger than this is not one neurona wrote
NPY_OVERHEAD = 4096             # bytes an .npz member may hold beyond its array: zip and .npy headers


class CheckpointError(Exception):
    """A saved model or weights file that cannot be read: missing, truncated, corrupted or of another format."""


class Archive:
    """The entries of a zip file, each read on demand within a size bound. Use as a context manager."""

    def __init__(self, source, what: str):
        self.what = what
        try:
            self._zip = zipfile.ZipFile(source)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
                UnicodeDecodeError) as exc:
            raise CheckpointError(f"{what} is not a readable zip archive (truncated or corrupted?): {exc}") from None
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            self._zip.close()
            raise CheckpointError(f"{what} holds the same entry twice; it was not written by neurona")
        self.entries = {info.filename: info for info in infos}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._zip.close()
        return False

    def size(self, name: str) -> int:
        """The declared (uncompressed) size of entry ``name``, once it is known not to be a zip bomb."""
        info = self._info(name)
        if info.file_size > MAX_EXPANSION * info.compress_size + NPY_OVERHEAD:
            raise CheckpointError(f"{self.what}: entry {name} would expand from {info.compress_size} to "
                                  f"{info.file_size} bytes; neurona never compresses that much, refusing it")
        return info.file_size

    def read(self, name: str, max_bytes: int) -> bytes:
        """The bytes of entry ``name``, refused when it declares more than ``max_bytes``."""
        size = self.size(name)
        if size > max_bytes:
            raise CheckpointError(f"{self.what}: entry {name} holds {size} bytes where at most {max_bytes} are "
                                  "expected; the file does not match its own configuration")
        try:
            with self._zip.open(self.entries[name]) as f:
                return f.read()
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError,
                RuntimeError) as exc:  # RuntimeError: a flag bit says the member is encrypted
            raise CheckpointError(f"{self.what}: entry {name} is corrupted: {exc}") from None

    def json(self, name: str):
        """Entry ``name`` parsed as JSON."""
        data = self.read(name, MAX_JSON_BYTES)
        try:
            return json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise CheckpointError(f"{self.what}: {name} is corrupted: {exc}") from None

    def _info(self, name):
        if name not in self.entries:
            raise CheckpointError(f"{self.what}: the file has no {name}; it is not complete")
        return self.entries[name]


def npz_bound(expected: dict) -> int:
    """The most bytes an ``.npz`` holding exactly the ``expected`` arrays may take."""
    return sum(_nbytes(shape, dtype) + NPY_OVERHEAD for shape, dtype in expected.values()) + NPY_OVERHEAD


def read_arrays(data: bytes, expected: dict, what: str) -> dict:
    """The arrays of an ``.npz`` (given as bytes) named in ``expected`` (``{name: (shape, dtype)}``), each
    checked against its header before it is read; other members are skipped unread."""
    with Archive(io.BytesIO(data), what) as npz:
        missing = [name for name in expected if f"{name}.npy" not in npz.entries]
        if missing:
            raise CheckpointError(f"{what} lacks the arrays {', '.join(missing[:5])}"
                                  f"{' ...' if len(missing) > 5 else ''}; it does not match the model")
        return {name: _read_member(npz, name, shape, np.dtype(dtype)) for name, (shape, dtype) in expected.items()}


def _read_member(npz: Archive, name: str, shape: tuple, dtype: np.dtype) -> np.ndarray:
    member = f"{name}.npy"
    npz.size(member)
    if npz.entries[member].file_size > _nbytes(shape, dtype) + NPY_OVERHEAD:
        raise CheckpointError(f"{npz.what}: array {name} is larger than the {shape} {dtype} the model expects")
    try:
        with npz._zip.open(npz.entries[member]) as f:
            version = np.lib.format.read_magic(f)
            if version not in ((1, 0), (2, 0)):
                raise CheckpointError(f"{npz.what}: array {name} has .npy format {version}; expected 1.0 or 2.0")
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                np.lib.format.read_array_header_2_0
            found_shape, fortran, found_dtype = read_header(f)
            if found_dtype.hasobject:
                raise CheckpointError(f"{npz.what}: array {name} is corrupted or unsafe: it holds Python objects "
                                      "(a pickle), which neurona never loads")
            if tuple(found_shape) != tuple(shape) or found_dtype != dtype:
                raise CheckpointError(f"{npz.what}: array {name} has shape {tuple(found_shape)} and dtype "
                                      f"{found_dtype}, the model expects {tuple(shape)} and {dtype}")
            count = _nbytes(shape, dtype)
            raw = f.read(count)
            if len(raw) != count or f.read(1):
                raise CheckpointError(f"{npz.what}: array {name} holds {len(raw)} bytes of data, its header "
                                      f"promises {count}")
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError,
                RuntimeError) as exc:  # RuntimeError: a flag bit says the member is encrypted
        raise CheckpointError(f"{npz.what}: array {name} is corrupted: {exc}") from None
    array = np.frombuffer(raw, dtype=dtype)
    return (array.reshape(shape[::-1]).T if fortran else array.reshape(shape)).copy()


def _nbytes(shape, dtype) -> int:
    return int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize


def open_archive(path, what=None) -> Archive:
    """:class:`Archive` over the file at ``path``; a missing file raises ``FileNotFoundError``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no saved model or weights file at {path}")
    return Archive(path, what or str(path))
