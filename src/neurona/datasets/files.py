"""Finding, downloading and verifying dataset files.

Search order for a dataset's folder: the ``path`` argument, ``$NEURONA_DATA/<name>``, then
``~/.cache/neurona/<name>``. Missing files are downloaded (when the network is reachable) from the usual public
mirrors with a progress bar, checked against their sha256 and written atomically. Offline, the error names the
files and where to put them. ``NEURONA_OFFLINE=1`` forbids every download (see :func:`offline`).
"""
from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

from ..io.atomic import atomic_write


WHERE_HINT = "--data on the command line, path= in Python, or $NEURONA_DATA"


class DatasetNotFoundError(FileNotFoundError):
    """The dataset files are neither on disk nor downloadable; the message says which files and where.

    >>> import tempfile
    >>> import neurona as nr
    >>> try:
    ...     locate("demo", {"x": (["x.bin"], None)}, tempfile.mkdtemp())   # no such file, no mirror to fetch it
    ... except nr.datasets.DatasetNotFoundError:
    ...     print("not there")
    not there
    """


class DatasetError(ValueError):
    """A dataset file that is there but cannot be used: truncated, corrupted or not the standard file.

    >>> import neurona as nr
    >>> issubclass(nr.datasets.DatasetError, ValueError)
    True
    """


def candidate_folders(name: str, path=None) -> list[Path]:
    folders = []
    if path is not None:
        folders.append(Path(path).expanduser())
    if os.environ.get("NEURONA_DATA"):
        folders.append(Path(os.environ["NEURONA_DATA"]).expanduser() / name)
    folders.append(Path.home() / ".cache" / "neurona" / name)
    return folders


def find_file(folders, names) -> Path | None:
    """The first existing file among ``names`` (e.g. with and without ``.gz``) in ``folders``."""
    for folder in folders:
        for n in names:
            if (folder / n).is_file():
                return folder / n
    return None


def download(urls, target: Path, verify, timeout=30) -> Path:
    """Fetch the first working URL into ``target`` atomically; ``verify(path)`` must accept the content (a
    sha256 check) before the file takes its final name."""
    errors = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or 0)
                with atomic_write(target) as f, _progress(total, target.name) as bar:
                    for block in iter(lambda: response.read(1 << 16), b""):
                        f.write(block)
                        bar(len(block))
                    f.flush()
                    if not verify(Path(f.name)):
                        raise ValueError(f"sha256 mismatch for {url}")
            return target
        except Exception as exc:  # noqa: BLE001 - try the next mirror, report all failures
            errors.append(f"{url}: {exc}")
    raise ConnectionError("; ".join(errors))


class _progress:
    def __init__(self, total, label):
        self.total, self.label, self.bar = total, label, None

    def __enter__(self):
        try:
            from tqdm import tqdm
            self.bar = tqdm(total=self.total or None, unit="B", unit_scale=True, desc=f"downloading {self.label}",
                            file=sys.stderr, disable=not sys.stderr.isatty())
        except ImportError:
            self.bar = None
        return lambda n: self.bar.update(n) if self.bar else None

    def __exit__(self, *exc):
        if self.bar:
            self.bar.close()
        return False


def offline() -> bool:
    """Whether downloads are off (``NEURONA_OFFLINE=1``): the loaders then only search their folders.

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"NEURONA_OFFLINE": "1"}):
    ...     offline()
    True
    """
    return os.environ.get("NEURONA_OFFLINE") == "1"


def locate(name: str, files: dict, path=None, mirrors=()) -> dict:
    """Paths of every file of a dataset: ``files`` maps a key to (accepted names, verify(path) -> bool).

    Downloads what is missing into the last folder searched when ``mirrors`` are given and the network answers.
    """
    folders = candidate_folders(name, path)
    found, missing = {}, []
    for key, (names, _) in files.items():
        hit = find_file(folders, names)
        if hit is None:
            missing.append(key)
        else:
            found[key] = hit
    if missing and mirrors and not offline():
        cache = folders[-1] if path is None else folders[0]
        try:
            for key in missing:
                names, verify = files[key]
                found[key] = download([m + names[0] for m in mirrors], cache / names[0], verify)
            missing = []
        except (ConnectionError, OSError):
            pass
    if missing:
        wanted = ", ".join(files[k][0][0] for k in missing)
        where = " or ".join(str(f) for f in folders)
        raise DatasetNotFoundError(f"{name}: missing {wanted}. Put the file(s) in {where}, or give their folder "
                                   f"({WHERE_HINT}); the download from the public mirrors failed or was not possible.")
    return found
