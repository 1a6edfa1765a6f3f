"""The training report in a real browser: headless Chromium (Debian's package; ``.ci/run`` installs it) loads
the page ``neurona train --report`` wrote, with every section and picture, no console message, and takes a
screenshot at a phone's width. Without a browser the tests skip, except under CI, where they fail."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from .browser import browse as browse_url, require_browser
from .helpers import ok, run_command

require_browser("the report's browser tests")

SECTIONS = ("model", "memory", "hyperparameters", "curves", "diagnosis", "gradients", "graph")


def browse(page: Path, *flags):
    """Chromium headless on the file ``page``."""
    return browse_url(page.resolve().as_uri(), *flags)


def test_the_console_check_sees_a_script_error(tmp_path):
    """The negative control: a page whose script fails is caught by the same check."""
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>undefined_function();</script></body></html>")
    _, console = browse(bad, "--dump-dom")
    assert any("Uncaught ReferenceError" in line for line in console)


def test_the_cli_report_opens_in_chromium_with_every_section(tmp_path):
    ok(run_command(["train", "--dataset", "digits", "--epochs", "3", "--out", str(tmp_path / "out"),
                    "--report", str(tmp_path / "run")], tmp_path, timeout=600))
    page = tmp_path / "run" / "report.html"
    dom, console = browse(page, "--dump-dom")
    assert console == [], console
    for section in SECTIONS:
        assert f'<section id="{section}">' in dom, section
    assert dom.count('src="data:image/png;base64,') >= 2          # curves and gradient flow, inline
    assert "<svg" in dom and 'http-equiv="refresh"' not in dom    # the graph; finished, so no more reloads
    shot = tmp_path / "report.png"
    browse(page, f"--screenshot={shot}", "--window-size=412,3000")    # a phone's width
    assert shot.stat().st_size > 20_000
    keep = os.environ.get("NEURONA_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)


def test_a_convnet_report_has_filters_and_reloads_while_training(tmp_path):
    code = f"""
import numpy as np, neurona as nr
from neurona import layers as L
from neurona.report import render
import json
(x, y), _ = nr.datasets.load_digits()
model = nr.Sequential([L.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.Flatten(), L.Dense(10, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
model.fit(x.reshape(-1, 8, 8, 1) / 16, y, epochs=2, verbose=0, callbacks=[nr.callbacks.Report({str(tmp_path / 'cnn')!r})])
data = json.load(open({str(tmp_path / 'cnn' / 'report.json')!r}))
data["finished"] = False
open({str(tmp_path / 'live.html')!r}, "w").write(render(data))
"""
    ok(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300))
    dom, console = browse(tmp_path / "cnn" / "report.html", "--dump-dom")
    assert console == [] and '<section id="filters">' in dom
    live = (tmp_path / "live.html").read_text()
    assert 'http-equiv="refresh"' in live and "training" in live
    assert np.isfinite(1.0)
