"""The gallery: one page per script of ``examples/``, written before Sphinx reads the sources.

Each page shows the example's docstring, the command that runs it, what it printed and the pictures it drew, its
source, and a link to its notebook. The outputs come from the example's kept run (``examples/_runs.py``): the
full run when the slow tests made a current one, else the quick run the tests made, else a quick run made now.
Nothing here re-runs an example whose run is current.
"""
from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "docs" / "gallery"


def _runs():
    spec = importlib.util.spec_from_file_location("_runs", ROOT / "examples" / "_runs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_runs", module)
    spec.loader.exec_module(module)
    return module


#: Each example's title in the gallery (its docstring, shown below the title, says what it shows).
TITLES = {"bribes_linear_vs_network": "Bribes: a straight line versus a network",
          "computational_graph": "The computational-graph exercise",
          "decision_boundary": "What a hidden layer can separate",
          "distributed_mnist": "MNIST on several processes (MPI)",
          "forward_vs_reverse": "Forward mode versus reverse mode",
          "hyperparameters": "Architecture, optimizer and hyperparameters",
          "initializers": "Weight initialization",
          "mnist_cnn": "MNIST with a convnet",
          "mnist_mlp": "MNIST with a multilayer perceptron",
          "normalization_zigzag": "Why normalize the inputs: the zig-zag",
          "petfinder": "PetFinder.my: will a pet be adopted?",
          "petfinder_sklearn": "PetFinder.my in a scikit-learn pipeline",
          "regularization": "Regularization and early stopping",
          "sequence_models": "MNIST as sequences: LSTM, GRU, Transformer",
          "two_layer_gradients": "Backpropagation by hand and by autograd",
          "vanishing_gradients": "Vanishing and exploding gradients"}


def _docstring(name):
    tree = ast.parse((ROOT / "examples" / f"{name}.py").read_text())
    return ast.get_docstring(tree) or name


def _page(runs, name) -> str:
    run = runs.kept(name, quick=False) or runs.run(name, quick=True, raise_errors=False)
    title = TITLES.get(name, name.replace("_", " ").capitalize())
    lines = [f"# {title}", "", _docstring(name), ""]
    kind = "the full run" if not run.quick else "the quick run (`--quick`, the run the tests check)"
    if run.error:
        lines += ["This page could not show the run's output: the run stopped.", "", "```text",
                  run.error.strip()[-1500:], "```", ""]
    else:
        output = run.output.replace(str(run.folder), "examples-out").strip()
        lines += ["## What it prints", "", f"From {kind}:", "", "```text", output or "(nothing)", "```", ""]
    pictures = [p for p in run.pictures() if p.suffix == ".png"]
    if pictures:
        target = GALLERY / "images" / name
        target.mkdir(parents=True, exist_ok=True)
        lines += ["## Pictures", ""]
        for picture in pictures:
            shutil.copy2(picture, target / picture.name)
            lines += [f"```{{image}} images/{name}/{picture.name}", f":alt: {picture.stem}", "```", ""]
    notebook = ROOT / "notebooks" / f"{name}.ipynb"
    lines += ["## The code", ""]
    if notebook.exists():
        lines += [f"As a notebook: {{download}}`{name}.ipynb <../../notebooks/{name}.ipynb>`.", ""]
    lines += [f"```{{literalinclude}} ../../examples/{name}.py", ":language: python", "```", ""]
    return "\n".join(lines)


def write_gallery(app=None):
    """Write ``docs/gallery/<name>.md`` for every example and the index that lists them."""
    runs = _runs()
    shutil.rmtree(GALLERY, ignore_errors=True)
    GALLERY.mkdir(parents=True)
    names = runs.examples()
    index = ["# Gallery", "", "Every script of `examples/`, with what it printed and the pictures it drew. Each runs "
             "as `python examples/NAME.py` (add `--quick` for a short run) and is also a notebook in `notebooks/`.",
             "", "```{toctree}", ":maxdepth: 1", ""]
    for name in names:
        (GALLERY / f"{name}.md").write_text(_page(runs, name))
        index.append(name)
    index += ["```", ""]
    (GALLERY / "index.md").write_text("\n".join(index))


def setup(app):
    app.connect("builder-inited", write_gallery)
    return {"version": "1.0", "parallel_read_safe": True}
