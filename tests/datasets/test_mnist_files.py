"""MNIST files read from disk are checked like downloads: a file that is not the standard one, or a truncated
``.gz``, gives one clear line, in the Python API and on the command line; ``verify=False`` / ``--no-verify``
accepts files of your own."""
import gzip

import numpy as np
import pytest

import neurona as nr
from neurona.datasets import DatasetError
from neurona.datasets.mnist import NAMES
from ..conftest import shared_data
from ..user_path.helpers import run_command


def idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_small_mnist(folder, n_train=60, n_test=20, seed=0):
    """An MNIST-shaped dataset of random digits: valid IDX files, but not the standard ones."""
    rng = np.random.default_rng(seed)
    arrays = {"train_images": rng.integers(0, 256, (n_train, 28, 28)), "train_labels": rng.integers(0, 10, n_train),
              "test_images": rng.integers(0, 256, (n_test, 28, 28)), "test_labels": rng.integers(0, 10, n_test)}
    for key, array in arrays.items():
        (folder / f"{NAMES[key]}.gz").write_bytes(gzip.compress(idx(array)))
    return arrays


def test_files_that_are_not_the_standard_ones_are_refused_unless_asked(tmp_path):
    arrays = write_small_mnist(tmp_path)
    with pytest.raises(DatasetError, match="not the standard MNIST file .* verify=False .*--no-verify"):
        nr.datasets.load_mnist(tmp_path)
    (x, y), (xt, yt) = nr.datasets.load_mnist(tmp_path, verify=False)
    np.testing.assert_array_equal(x, arrays["train_images"])
    np.testing.assert_array_equal(yt, arrays["test_labels"])


def test_a_truncated_gz_is_one_clear_error(tmp_path):
    write_small_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DatasetError, match="truncated or corrupted"):
        nr.datasets.load_mnist(tmp_path, verify=False)


def test_the_command_line_says_it_in_one_line_and_no_verify_trains(tmp_path):
    write_small_mnist(tmp_path)
    refused = run_command(["train", "--dataset", "mnist", "--data", tmp_path, "--out", tmp_path / "out"], tmp_path)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "--no-verify" in refused.stderr
    trained = run_command(["train", "--dataset", "mnist", "--data", tmp_path, "--no-verify", "--epochs", "1",
                           "--out", tmp_path / "out"], tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert (tmp_path / "out" / "mnist.neurona").exists()
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:30])
    truncated = run_command(["train", "--dataset", "mnist", "--data", tmp_path, "--no-verify"], tmp_path)
    assert truncated.returncode == 1 and "Traceback" not in truncated.stderr
    assert len(truncated.stderr.strip().splitlines()) == 1 and "truncated" in truncated.stderr


def test_the_standard_files_pass_the_check():
    (x, y), (xt, yt) = nr.datasets.load_mnist(shared_data("mnist", "idx"))
    assert x.shape == (60000, 28, 28) and yt.shape == (10000,)
