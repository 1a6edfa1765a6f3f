"""The ``neurona`` command: demo, graph, info, and one-line errors for bad input."""
import subprocess
import sys

import pytest

from neurona.cli import main


def test_graph_command_prints_value_and_gradients(tmp_path, capsys):
    assert main(["graph", "sigmoid(w*x + b)", "--at", "w=0.5,x=2,b=-1", "--out", str(tmp_path),
                 "--format", "svg,dot"]) == 0
    out = capsys.readouterr().out
    assert "= 0.5" in out and "d/dw = 0.5" in out and "d/db = 0.25" in out
    assert (tmp_path / "graph.dot").exists() and (tmp_path / "graph.svg").exists()


@pytest.mark.parametrize("argv, message", [
    (["graph", "a.b", "--at", "a=1"], "not allowed"),
    (["graph", "a+", "--at", "a=1"], "cannot parse"),
    (["graph", "a+c", "--at", "a=1"], "unknown variable 'c'"),
    (["graph", "open('x')", "--at", "a=1"], "unknown function"),
    (["graph", "a", "--at", "a=x"], "not a number"),
])
def test_bad_input_is_one_line_without_traceback(argv, message):
    proc = subprocess.run([sys.executable, "-m", "neurona.cli", *argv], capture_output=True, text=True)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_import_pulls_in_no_heavy_library():
    code = "import neurona, sys; print(sorted(m for m in ('torch', 'matplotlib', 'pandas', 'cupy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_demo_trains_on_the_bundled_digits(tmp_path, capsys):
    from neurona.cli import train
    result = train("digits", out=str(tmp_path), verbose=0)
    assert result["figure"] >= 0.95
    assert result["curves"].exists() and result["model"].exists()
    out = capsys.readouterr().out
    assert "test accuracy" in out and "diagnosis:" in out


def test_train_command_on_bribes(tmp_path, capsys):
    assert main(["train", "--dataset", "bribes", "--epochs", "3", "--out", str(tmp_path)]) == 0
    assert "test mse" in capsys.readouterr().out and (tmp_path / "bribes.neurona").exists()


@pytest.mark.parametrize("argv, message", [
    (["train", "--dataset", "cifar"], "invalid choice: 'cifar'"),
    (["train", "--dataset", "mnist", "--data", "/no/such/folder"], "missing train-images-idx3-ubyte"),
    (["train", "--dataset", "petfinder", "--data", "/no/such/file.csv"], "missing petfinder-mini.csv"),
])
def test_bad_training_input_is_one_line(argv, message):
    env = {**__import__("os").environ, "NEURONA_OFFLINE": "1", "HOME": "/nonexistent-home"}
    proc = subprocess.run([sys.executable, "-m", "neurona.cli", *argv], capture_output=True, text=True, env=env)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_info(capsys):
    assert main(["info"]) == 0
    assert "neurona 0.1.0" in capsys.readouterr().out
