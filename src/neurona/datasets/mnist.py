"""MNIST: 70,000 handwritten digits (28x28, uint8) in the original IDX format.

>>> (x_train, y_train), (x_test, y_test) = load_mnist()   # doctest: +SKIP
>>> x_train.shape, x_train.dtype                             # doctest: +SKIP
((60000, 28, 28), dtype('uint8'))
"""
from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

from .files import DatasetError, locate

# sha256 of the decoded arrays (C-order bytes, no header): any gzip encoding of the same data is accepted
ARRAY_SHA256 = {
    "train_images": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "train_labels": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "test_images": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "test_labels": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
NAMES = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
         "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}


def _verifier(key):
    def verify(path):
        try:
            check_standard(key, path, read_idx(path, gz=True))
        except DatasetError:
            return False
        return True
    return verify


FILES = {key: ([f"{name}.gz", name], _verifier(key)) for key, name in NAMES.items()}
MIRRORS = ("https://storage.googleapis.com/cvdf-datasets/mnist/",
           "https://ossci-datasets.s3.amazonaws.com/mnist/")


def read_idx(path: Path, gz=None) -> np.ndarray:
    """Read one IDX file (gzipped or not): a big-endian header, then unsigned bytes. A truncated or corrupted
    file raises :class:`DatasetError` in one line."""
    gz = Path(path).suffix == ".gz" if gz is None else gz
    opener = gzip.open if gz else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (EOFError, OSError, zlib.error) as exc:
        raise DatasetError(f"{path} is truncated or corrupted ({exc or type(exc).__name__}). Hint: delete it and "
                           "download it again, or replace it with the original file.") from None
    if len(data) < 8 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DatasetError(f"{path} is not an IDX file of unsigned bytes")
    ndim = data[3]
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    expected = int(np.prod(dims))
    if len(data) - offset != expected:
        raise DatasetError(f"{path}: the header promises {expected} values, the file holds {len(data) - offset}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


def check_standard(key: str, path: Path, array: np.ndarray):
    """Raise :class:`DatasetError` unless ``array`` holds the values of the standard MNIST file ``key``."""
    if hashlib.sha256(array.tobytes()).hexdigest() != ARRAY_SHA256[key]:
        raise DatasetError(f"{path} is not the standard MNIST file {NAMES[key]} (the sha256 of its values differs). "
                           "Hint: replace it with the original file; to use a file of your own on purpose, pass "
                           "verify=False (neurona train: --no-verify).")


def load_mnist(path=None, verify=True):
    """``(x_train, y_train), (x_test, y_test)`` as uint8, like ``keras.datasets.mnist.load_data()``.

    Files are searched in ``path``, ``$NEURONA_DATA/mnist``, ``~/.cache/neurona/mnist`` and downloaded there if
    missing (see :mod:`neurona.datasets.files`). Files found on disk are checked against the sha256 of the
    standard files, as downloads are; ``verify=False`` accepts files of your own.

    >>> import os, tempfile
    >>> from unittest import mock
    >>> import neurona as nr
    >>> empty = tempfile.mkdtemp()
    >>> offline = {"HOME": empty, "NEURONA_DATA": "", "NEURONA_OFFLINE": "1"}   # no cache, no download
    >>> with mock.patch.dict(os.environ, offline):
    ...     try:
    ...         nr.datasets.load_mnist(empty)   # (x, y), (x_test, y_test) once the files are there
    ...     except nr.datasets.DatasetNotFoundError as e:
    ...         print(type(e).__name__)
    DatasetNotFoundError
    """
    files = locate("mnist", FILES, path, MIRRORS)
    arrays = {k: read_idx(p) for k, p in files.items()}
    if verify:
        for key, array in arrays.items():
            check_standard(key, files[key], array)
    return (arrays["train_images"], arrays["train_labels"]), (arrays["test_images"], arrays["test_labels"])
