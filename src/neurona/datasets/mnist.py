"""MNIST: 70,000 handwritten digits (28x28, uint8) in the original IDX format.

>>> (x_train, y_train), (x_test, y_test) = load_mnist()   # doctest: +SKIP
>>> x_train.shape, x_train.dtype                             # doctest: +SKIP
((60000, 28, 28), dtype('uint8'))
"""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np

from .files import locate

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
            return hashlib.sha256(read_idx(path, gz=True).tobytes()).hexdigest() == ARRAY_SHA256[key]
        except (ValueError, OSError, EOFError):
            return False
    return verify


FILES = {key: ([f"{name}.gz", name], _verifier(key)) for key, name in NAMES.items()}
MIRRORS = ("https://storage.googleapis.com/cvdf-datasets/mnist/",
           "https://ossci-datasets.s3.amazonaws.com/mnist/")


def read_idx(path: Path, gz=None) -> np.ndarray:
    """Read one IDX file (gzipped or not): a big-endian header, then unsigned bytes."""
    gz = Path(path).suffix == ".gz" if gz is None else gz
    opener = gzip.open if gz else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 8 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = data[3]
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    expected = int(np.prod(dims))
    if len(data) - offset != expected:
        raise ValueError(f"{path}: the header promises {expected} values, the file holds {len(data) - offset}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


def load_mnist(path=None):
    """``(x_train, y_train), (x_test, y_test)`` as uint8, like ``keras.datasets.mnist.load_data()``.

    Files are searched in ``path``, ``$NEURONA_DATA/mnist``, ``~/.cache/neurona/mnist`` and downloaded there if
    missing (see :mod:`neurona.datasets.files`).
    """
    files = locate("mnist", FILES, path, MIRRORS)
    arrays = {k: read_idx(p) for k, p in files.items()}
    return (arrays["train_images"], arrays["train_labels"]), (arrays["test_images"], arrays["test_labels"])
