"""Each example run once and kept: its printed output, the figures it returns and its pictures, in
``build/example-runs/<name>-<quick|full>/``. The tests (``tests/examples``) and the documentation's gallery
(``docs/_ext/gallery.py``) read the same run, so CI runs every example once.

A kept run is reused while nothing it depends on changed: its key is a hash of the example, the code the examples
share and neurona's sources. Delete the folder to run everything afresh.

>>> run("computational_graph").facts["e"]      # doctest: +SKIP
6.0
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
ROOT = EXAMPLES.parent
RUNS = ROOT / "build" / "example-runs"
SHARED_DATA = Path(os.environ.get("NEURONA_SHARED", ROOT.parent / "shared")).resolve() / "data"
#: The examples that read a dataset of ../shared/data, and where it is there.
DATA = {"mnist_mlp": ("mnist", "idx"), "mnist_cnn": ("mnist", "idx"), "sequence_models": ("mnist", "idx"),
        "distributed_mnist": ("mnist", "idx"), "petfinder": ("petfinder", "petfinder-mini.csv"),
        "petfinder_sklearn": ("petfinder", "petfinder-mini.csv")}


def data_path(name: str) -> Path | None:
    """Where example ``name`` finds its dataset under ../shared/data (None: it needs none)."""
    return SHARED_DATA.joinpath(*DATA[name]) if name in DATA else None


def examples() -> list[str]:
    """The names of the examples, in file order."""
    return sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_"))


@dataclass
class Run:
    """One run of an example: what ``main`` returned (``facts``), what it printed, its folder of pictures, and
    the error that stopped it (None when it finished)."""
    name: str
    quick: bool
    facts: dict
    output: str
    folder: Path
    error: str | None = None

    def pictures(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.suffix in (".png", ".svg"))


def key(name: str, quick: bool, extra=()) -> str:
    """A hash of what the run depends on: the example, ``_common.py``, neurona's sources and the arguments."""
    digest = hashlib.sha256(repr((quick, tuple(extra))).encode())
    for path in [EXAMPLES / f"{name}.py", EXAMPLES / "_common.py",
                 *sorted((ROOT / "src" / "neurona").rglob("*.py"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def folder_of(name: str, quick: bool) -> Path:
    return RUNS / f"{name}-{'quick' if quick else 'full'}"


def arguments(name: str) -> tuple:
    """The arguments a run of ``name`` is given besides ``--out`` and ``--quick``: its dataset's path under
    ../shared/data when it is there (elsewhere the example looks for the dataset, or downloads it, itself)."""
    path = data_path(name)
    return ("--data", str(path)) if path is not None and path.exists() else ()


def kept(name: str, quick: bool = True) -> Run | None:
    """The kept run of ``name``, if one is there and still current."""
    extra = arguments(name)
    folder = folder_of(name, quick)
    record = folder / "run.json"
    if not record.exists():
        return None
    saved = json.loads(record.read_text())
    if saved["key"] != key(name, quick, extra):
        return None
    return Run(name, quick, saved["facts"], saved["output"], folder, saved["error"])


def run(name: str, quick: bool = True, raise_errors: bool = True) -> Run:
    """The run of example ``name`` (``main(["--out", folder, "--quick", "--data", path])``): the kept one when
    it is current, else a new one, kept for the next reader. An error is kept too, and raised unless
    ``raise_errors`` is False (the gallery shows it instead)."""
    found = kept(name, quick)
    if found is None:
        found = _execute(name, quick, arguments(name))
    if found.error and raise_errors:
        raise RuntimeError(f"example {name} failed:\n{found.error}")
    return found


def _execute(name, quick, extra) -> Run:
    """``python examples/<name>.py --out <folder> [--quick] [--data <path>]`` in a new process, as a user runs it."""
    folder = folder_of(name, quick)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    command = [sys.executable, str(EXAMPLES / f"{name}.py"), "--out", str(folder)] + (["--quick"] if quick else [])
    proc = subprocess.run(command + list(extra), capture_output=True, text=True, cwd=folder, timeout=3600)
    error = None if proc.returncode == 0 else f"exit status {proc.returncode}\n{proc.stderr[-4000:]}"
    facts_file = folder / "facts.json"
    facts = json.loads(facts_file.read_text()) if facts_file.exists() else {}
    record = {"key": key(name, quick, extra), "facts": facts, "output": proc.stdout, "stderr": proc.stderr,
              "error": error}
    (folder / "run.json").write_text(json.dumps(record, indent=1))
    return Run(name, quick, facts, proc.stdout, folder, error)
