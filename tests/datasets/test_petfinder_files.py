"""Where load_petfinder looks for its CSV, and when it may download it: ``NEURONA_OFFLINE=1`` forbids the download
(as it does for MNIST), and the error then says so and where to put the file."""
import pandas as pd
import pytest

import neurona as nr
from neurona.datasets import petfinder
from neurona.datasets.files import DatasetNotFoundError


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    """No cached dataset anywhere: an empty home and an empty $NEURONA_DATA; every download attempt recorded."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEURONA_DATA", str(tmp_path / "data"))
    attempts = []

    def no_network(urls, target, verify, timeout=30):
        attempts.append(urls)
        raise ConnectionError("no network in this test")
    monkeypatch.setattr(petfinder, "download", no_network)
    return tmp_path, attempts


def test_offline_no_download_is_tried_and_the_error_says_why(empty_home, monkeypatch):
    tmp_path, attempts = empty_home
    monkeypatch.setenv("NEURONA_OFFLINE", "1")
    with pytest.raises(DatasetNotFoundError, match="NEURONA_OFFLINE=1 forbids the download") as error:
        nr.datasets.load_petfinder()
    assert attempts == []
    assert str(tmp_path / "data" / "petfinder") in str(error.value)


def test_online_the_download_is_tried_and_its_failure_reported(empty_home, monkeypatch):
    _, attempts = empty_home
    monkeypatch.delenv("NEURONA_OFFLINE", raising=False)
    with pytest.raises(DatasetNotFoundError, match="the download failed"):
        nr.datasets.load_petfinder()
    assert attempts == [[petfinder.ZIP_URL]]


def test_offline_a_file_in_neurona_data_is_found(empty_home, monkeypatch):
    tmp_path, attempts = empty_home
    monkeypatch.setenv("NEURONA_OFFLINE", "1")
    folder = tmp_path / "data" / "petfinder"
    folder.mkdir(parents=True)
    rows = [[2] * (len(petfinder.COLUMNS) - 1) + [speed] for speed in (0, 4)]
    pd.DataFrame(rows, columns=petfinder.COLUMNS).to_csv(folder / petfinder.NAME, index=False)
    frame, adopted, speed = nr.datasets.load_petfinder()
    assert frame.shape == (2, 13) and adopted.tolist() == [1, 0] and speed.tolist() == [0, 4]
    assert attempts == []
