"""The notebooks: generated from the examples (one source), and each one executes without an error in a
Jupyter kernel. The cell that runs the example (``main(["--quick", ...])``) reuses the example's kept run
(``examples/_runs.py``, the same quick run the tests check and the gallery shows) instead of training again:
CI runs each example once."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SHARED_DATA, example_run

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NEEDS_DATA = {"mnist_cnn": "mnist", "mnist_mlp": "mnist", "sequence_models": "mnist", "petfinder": "petfinder",
              "petfinder_sklearn": "petfinder"}
SHARED_FOLDERS = {"mnist": SHARED_DATA / "mnist" / "idx", "petfinder": SHARED_DATA / "petfinder"}


def test_the_notebooks_are_generated_from_the_current_examples():
    done = subprocess.run([sys.executable, str(NOTEBOOKS / "generate.py"), "--check"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_each_notebook_opens_with_its_lecture_topic():
    nbformat = pytest.importorskip("nbformat")
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0]
        assert first.cell_type == "markdown" and "**The lecture:**" in first.source, path.name


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")))
def test_the_notebook_executes(name, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    if name in NEEDS_DATA and not SHARED_FOLDERS[NEEDS_DATA[name]].exists():
        pytest.skip(f"needs {SHARED_FOLDERS[NEEDS_DATA[name]]}")
    data = tmp_path / "data"      # $NEURONA_DATA/<name>: where the examples' loaders look for a dataset
    data.mkdir()
    for dataset, folder in SHARED_FOLDERS.items():
        if folder.exists():
            os.symlink(folder, data / dataset)
    monkeypatch.setenv("NEURONA_DATA", str(data))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    run_cell = next(cell for cell in notebook.cells if cell.source.startswith("figures = main("))
    assert run_cell.source == f'figures = main(["--quick", "--out", "notebook-out/{name}"])'   # what the kept run ran
    run_cell.source = (f"import json, shutil\nshutil.copytree({str(example_run(name).folder)!r}, "
                       f"'notebook-out/{name}')   # the kept run\n"
                       f"figures = json.load(open('notebook-out/{name}/facts.json'))")
    work = tmp_path / "notebooks"
    work.mkdir()
    os.symlink(ROOT / "examples", tmp_path / "examples")      # the notebook imports ../examples/_common.py
    nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(work)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outputs)
    drawn = list((work / "notebook-out" / name).glob("*.png"))
    shown = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(shown) == len(drawn)          # every picture the example drew is shown inline
