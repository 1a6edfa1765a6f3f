"""Running Python the way a user does: a new interpreter, in a folder of its own, on files."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"


def run_python(code: str, cwd, *args, timeout=300, env=None) -> subprocess.CompletedProcess:
    """Run ``code`` in a new interpreter in ``cwd``; ``tests/`` is importable (for the model zoo)."""
    path = os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))
    environment = {**os.environ, "PYTHONPATH": path, **(env or {})}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=environment)


def run_command(argv, cwd, timeout=300, env=None) -> subprocess.CompletedProcess:
    """Run the ``neurona`` command (as installed by ``pip install``) in a new process."""
    neurona = Path(sys.executable).with_name("neurona")
    return subprocess.run([str(neurona), *map(str, argv)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    """``proc``, after checking it exited 0 (the assertion shows what it printed)."""
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    return proc
