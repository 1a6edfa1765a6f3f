"""Each course example that trains a model, run as a script (``python examples/NAME.py --quick``, the one kept
run of ``examples/_runs.py`` that the tests and the gallery share): it saves its model and a few predictions,
and a new interpreter loads the model and predicts the same numbers, bit for bit."""
import subprocess
import sys

import pytest

from ..conftest import example_run
from .helpers import ROOT, ok, run_python

CHECK = """
    import sys, numpy as np, neurona as nr
    for path in sys.argv[1:]:
        model = nr.load_model(path)
        with np.load(path.replace(".neurona", ".predictions.npz")) as saved:
            assert np.array_equal(model.predict(saved["x"]), saved["predictions"]), path
        print("reloaded", path)
"""


def reload_everything(folder, expected):
    models = sorted(str(p) for p in folder.glob("*.neurona"))
    assert [p.rsplit("/", 1)[1] for p in models] == sorted(expected)
    out = ok(run_python(CHECK, folder, *models)).stdout
    assert out.count("reloaded") == len(expected)


def test_bribes_example():
    done = example_run("bribes_linear_vs_network")
    assert "model:" in done.output
    reload_everything(done.folder, ["bribes_network.neurona"])


def test_petfinder_example():
    reload_everything(example_run("petfinder").folder, ["petfinder.neurona"])


@pytest.mark.slow
@pytest.mark.parametrize("name, models", [
    ("mnist_mlp", ["mnist_mlp.neurona"]), ("mnist_cnn", ["mnist_cnn.neurona"]),
    ("sequence_models", ["sequence_lstm.neurona", "sequence_gru.neurona", "sequence_transformer.neurona"])])
def test_mnist_examples(name, models):
    reload_everything(example_run(name).folder, models)


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
def test_examples_without_data_run_as_scripts(name):
    done = example_run(name)
    assert done.error is None and done.output.strip()


def test_petfinder_sklearn_example_prints_the_grid():
    output = example_run("petfinder_sklearn").output
    assert "CV accuracy" in output and "best CV accuracy" in output
    best = float(output.split("best CV accuracy")[1].split()[0])
    assert best > 0.7
