"""Headless Chromium for the tests that look at a page as a reader does (Debian's package; ``.ci/run`` installs
it). Without a browser those tests skip, except under CI, where they fail."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(name)), None)


def require_browser(what: str):
    """Skip the calling test module without a browser (fail under CI, which must have one)."""
    if BROWSER is not None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must have a browser for {what}: .ci/run installs Debian's chromium", pytrace=False)
    pytest.skip(f"no Chromium here (apt-get install chromium); {what} need one", allow_module_level=True)


def browse(url: str, *flags):
    """Chromium headless on ``url``: (stdout, the console lines of its log: script errors, failed loads)."""
    done = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", *flags, url], capture_output=True, text=True, timeout=120)
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    return done.stdout, console
