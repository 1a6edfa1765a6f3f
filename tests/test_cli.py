"""The ``neurona`` command: demo, graph, info, and one-line errors for bad input."""
import subprocess
import sys

import pytest

from neurona.cli import main


def test_demo_prints_the_exercise_and_writes_the_picture(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "de/da = 2, de/db = 5" in out and "e = 6" in out
    assert (tmp_path / "graph.svg").read_text().startswith("<")


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
