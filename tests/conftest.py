"""Shared test fixtures: the shared data folder, seeded generators."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest

SHARED = Path(os.environ.get("NEURONA_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared")).resolve()
SHARED_DATA = SHARED / "data"


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def shared_data(*parts) -> Path:
    """Path under ../shared/data, or skip the test cleanly when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    return path


def _example_runs():
    """``examples/_runs.py``: each example run once, kept for the tests and the documentation's gallery."""
    path = Path(__file__).resolve().parents[1] / "examples" / "_runs.py"
    spec = importlib.util.spec_from_file_location("_runs", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_runs"] = module
    spec.loader.exec_module(module)
    return module


EXAMPLE_RUNS = _example_runs()


def example_run(name, quick=True):
    """The kept run of example ``name`` (run as a script the first time), or a clean skip when its dataset is
    absent; an example that failed raises with its stderr."""
    if name in EXAMPLE_RUNS.DATA:
        shared_data(*EXAMPLE_RUNS.DATA[name])
    return EXAMPLE_RUNS.run(name, quick=quick)
