"""Shared test fixtures: the shared data folder, seeded generators."""
from __future__ import annotations

import os
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
