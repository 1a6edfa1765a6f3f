"""Each course example that trains a model, run as a script (``python examples/NAME.py --quick``): it saves its
model and a few predictions, and a new interpreter loads the model and predicts the same numbers, bit for bit."""
import subprocess
import sys

import pytest

from ..conftest import shared_data
from .helpers import ROOT, ok, run_python

CHECK = """
    import sys, numpy as np, neurona as nr
    for path in sys.argv[1:]:
        model = nr.load_model(path)
        with np.load(path.replace(".neurona", ".predictions.npz")) as saved:
            assert np.array_equal(model.predict(saved["x"]), saved["predictions"]), path
        print("reloaded", path)
"""


def run_example(name, tmp_path, *extra):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), "--quick", "--out", str(tmp_path),
                           *map(str, extra)], capture_output=True, text=True, timeout=900)
    return ok(proc)


def reload_everything(tmp_path, expected):
    models = sorted(str(p) for p in tmp_path.glob("*.neurona"))
    assert [p.rsplit("/", 1)[1] for p in models] == sorted(expected)
    out = ok(run_python(CHECK, tmp_path, *models)).stdout
    assert out.count("reloaded") == len(expected)


def test_bribes_example(tmp_path):
    proc = run_example("bribes_linear_vs_network", tmp_path)
    assert "model:" in proc.stdout
    reload_everything(tmp_path, ["bribes_network.neurona"])


def test_petfinder_example(tmp_path):
    run_example("petfinder", tmp_path, "--data", shared_data("petfinder", "petfinder-mini.csv"))
    reload_everything(tmp_path, ["petfinder.neurona"])


@pytest.mark.slow
@pytest.mark.parametrize("name, models", [
    ("mnist_mlp", ["mnist_mlp.neurona"]), ("mnist_cnn", ["mnist_cnn.neurona"]),
    ("sequence_models", ["sequence_lstm.neurona", "sequence_gru.neurona", "sequence_transformer.neurona"])])
def test_mnist_examples(tmp_path, name, models):
    run_example(name, tmp_path, "--data", shared_data("mnist", "idx"))
    reload_everything(tmp_path, models)


EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.py") if not p.stem.startswith("_"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_starts_as_a_script(name, tmp_path):
    """``python examples/NAME.py --help`` in a new process: the script imports and reaches its argument parser."""
    proc = ok(subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), "--help"], capture_output=True,
                             text=True, timeout=120, cwd=tmp_path))
    assert "--quick" in proc.stdout and "--out" in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", ["computational_graph", "forward_vs_reverse", "hyperparameters", "initializers",
                                  "regularization", "two_layer_gradients", "normalization_zigzag",
                                  "vanishing_gradients", "decision_boundary"])
def test_examples_without_data_run_as_scripts(name, tmp_path):
    proc = run_example(name, tmp_path)
    assert "Traceback" not in proc.stderr and proc.stdout.strip()


def test_petfinder_sklearn_example_prints_the_grid(tmp_path):
    proc = run_example("petfinder_sklearn", tmp_path, "--data", shared_data("petfinder", "petfinder-mini.csv"))
    assert "CV accuracy" in proc.stdout and "best CV accuracy" in proc.stdout
    best = float(proc.stdout.split("best CV accuracy")[1].split()[0])
    assert best > 0.7
