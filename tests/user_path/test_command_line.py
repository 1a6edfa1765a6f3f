"""The ``neurona`` command as the README documents it, run as an installed program in a new process: each
command ends with status 0 and writes what it says; bad input ends with one line on stderr and a non-zero
status, never a traceback."""
import pytest

from .helpers import ok, run_command, run_python


def test_demo_trains_reports_and_writes_a_model_that_loads(tmp_path):
    proc = ok(run_command(["demo", "--epochs", "3", "--out", "out"], tmp_path))
    assert "test accuracy:" in proc.stdout and "diagnosis:" in proc.stdout
    assert (tmp_path / "out" / "digits_learning_curves.png").exists()
    ok(run_python("import neurona as nr; nr.load_model('out/digits.neurona')", tmp_path))


@pytest.mark.parametrize("dataset", ["digits", "bribes"])
def test_train_on_the_bundled_datasets(tmp_path, dataset):
    proc = ok(run_command(["train", "--dataset", dataset, "--epochs", "2", "--batch-size", "16",
                           "--optimizer", "sgd", "--out", "out"], tmp_path))
    assert f"model: out/{dataset}.neurona" in proc.stdout
    ok(run_python(f"import neurona as nr; print(nr.load_model('out/{dataset}.neurona').optimizer.iterations)",
                  tmp_path))


def test_graph_and_info(tmp_path):
    proc = ok(run_command(["graph", "(a + b) * (b + 1)", "--at", "a=2,b=1", "--format", "svg,dot", "--out", "g"],
                          tmp_path))
    assert "= 6" in proc.stdout and "d/da = 2" in proc.stdout and "d/db = 5" in proc.stdout
    assert (tmp_path / "g" / "graph.svg").exists() and (tmp_path / "g" / "graph.dot").exists()
    assert "neurona 0.1.0" in ok(run_command(["info"], tmp_path)).stdout
    assert "usage: neurona" in ok(run_command(["--help"], tmp_path)).stdout


@pytest.mark.parametrize("argv, status, message", [
    ([], 2, "required"),
    (["fly"], 2, "invalid choice"),
    (["train"], 2, "--dataset"),
    (["train", "--dataset", "cifar"], 2, "invalid choice"),
    (["train", "--dataset", "digits", "--epochs", "two"], 2, "not a whole number"),
    (["train", "--dataset", "digits", "--epochs", "0"], 2, "must be at least 1"),
    (["train", "--dataset", "mnist", "--data", "/no/such/folder"], 2, "missing train-images-idx3-ubyte"),
    (["train", "--dataset", "petfinder", "--data", "/no/such/file.csv"], 2, "missing petfinder-mini.csv"),
    (["graph", "a +", "--at", "a=1"], 2, "cannot parse"),
    (["graph", "a", "--at", "a=one"], 2, "not a number"),
])
def test_bad_input_is_one_line_and_a_non_zero_status(tmp_path, argv, status, message):
    proc = run_command(argv, tmp_path, env={"NEURONA_OFFLINE": "1", "HOME": str(tmp_path)})
    assert proc.returncode == status, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
