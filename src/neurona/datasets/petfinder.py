"""PetFinder.my "mini": 11,537 pets and how fast they were adopted (the TensorFlow/Keras structured-data tutorial).

>>> frame, adopted, speed = load_petfinder()   # doctest: +SKIP
>>> frame.columns.tolist()[:4], adopted.mean().round(2)  # doctest: +SKIP
(['Type', 'Age', 'Breed1', 'Gender'], 0.73)
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from ..io.atomic import atomic_write
from .files import WHERE_HINT, DatasetNotFoundError, candidate_folders, download, find_file, offline

NAME = "petfinder-mini.csv"
ZIP_URL = "http://storage.googleapis.com/download.tensorflow.org/data/petfinder-mini.zip"
COLUMNS = ["Type", "Age", "Breed1", "Gender", "Color1", "Color2", "MaturitySize", "FurLength", "Vaccinated",
           "Sterilized", "Health", "Fee", "PhotoAmt", "AdoptionSpeed"]
NUMERIC = ["Age", "Fee", "PhotoAmt"]
CATEGORICAL = ["Type", "Breed1", "Gender", "Color1", "Color2", "MaturitySize", "FurLength", "Vaccinated",
               "Sterilized", "Health"]


def _valid_csv(path) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            header = f.readline().strip().split(",")
        return all(c in header for c in COLUMNS)
    except (OSError, UnicodeDecodeError):
        return False


def _download(folder: Path) -> Path:
    archive = download([ZIP_URL], folder / "petfinder-mini.zip", verify=zipfile.is_zipfile)
    with zipfile.ZipFile(archive) as z:
        member = next(n for n in z.namelist() if n.endswith(NAME))
        with atomic_write(folder / NAME) as f:
            f.write(z.read(member))
    if not _valid_csv(folder / NAME):
        raise ValueError("the downloaded petfinder-mini.csv lacks the expected columns")
    return folder / NAME


def find_csv(path=None) -> Path:
    """The CSV's path: a file given directly, or found/downloaded like the other datasets."""
    if path is not None and Path(path).is_file():
        return Path(path)
    folders = candidate_folders("petfinder", path)
    hit = find_file(folders, [NAME])
    if hit is not None:
        return hit
    where = f"Put it in {' or '.join(map(str, folders))}, or give its path ({WHERE_HINT})"
    if offline():
        raise DatasetNotFoundError(f"petfinder: missing {NAME}. {where}; NEURONA_OFFLINE=1 forbids the download.")
    try:
        return _download(folders[0] if path is not None else folders[-1])
    except (ConnectionError, OSError, ValueError, StopIteration):
        raise DatasetNotFoundError(f"petfinder: missing {NAME}. {where}; the download failed.") from None


def load_petfinder(path=None):
    """``(frame, adopted, speed)``: the features as a pandas DataFrame (with ``Description`` when the file has
    it), the tutorial's binary target ``AdoptionSpeed != 4`` (1 = adopted within three months) and the
    5-class ``AdoptionSpeed`` (0 same day ... 4 not adopted after 100 days).

    >>> import os, tempfile
    >>> import pandas as pd
    >>> import neurona as nr
    >>> from neurona.datasets.petfinder import COLUMNS
    >>> path = os.path.join(tempfile.mkdtemp(), "petfinder-mini.csv")
    >>> row = [1] * (len(COLUMNS) - 1) + [4]   # AdoptionSpeed 4: not adopted
    >>> pd.DataFrame([row], columns=COLUMNS).to_csv(path, index=False)
    >>> frame, adopted, speed = nr.datasets.load_petfinder(path)   # a file given directly: nothing downloaded
    >>> frame.shape, adopted.tolist(), speed.tolist()
    ((1, 13), [0], [4])
    """
    import pandas as pd
    csv = find_csv(path)
    frame = pd.read_csv(csv)
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed")])
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{csv}: not a PetFinder-mini file, columns {missing} are missing")
    speed = frame.pop("AdoptionSpeed").to_numpy(dtype=np.int64)
    return frame, (speed != 4).astype(np.int64), speed
