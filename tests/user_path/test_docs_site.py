"""The documentation site as a reader meets it: ``make docs``'s build (Sphinx, warnings as errors, offline) and
its pages in headless Chromium, served from this machine: the home page, a guide page, a gallery page and a
reference page load with no console message and no request that fails (an image, a script, a style sheet),
every internal link and anchor resolves, nothing comes from another host, and the search finds EarlyStopping.
Screenshots go to $NEURONA_KEEP_SCREENSHOTS."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .browser import browse, require_browser
from .helpers import ROOT, ok, run_python

require_browser("the documentation site's browser tests")

PAGES = {"home": "index.html", "guide": "guide/normalization.html", "gallery": "gallery/normalization_zigzag.html",
         "reference": "reference/neurona.callbacks.html"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built as ``make docs`` builds it (the examples' kept runs are reused, or made once)."""
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run([str(Path(sys.executable).with_name("sphinx-build")), "-W", "--keep-going", "-q", "-b",
                           "html", str(ROOT / "docs"), str(out)], capture_output=True, text=True, timeout=3000)
    assert done.returncode == 0, done.stderr[-5000:]
    return out


class _Server:
    """The site on http://127.0.0.1:PORT/, recording every request's path and status."""

    def __init__(self, folder):
        self.requests = []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def log_request(self, code="-", size="-"):
                server.requests.append((self.path, int(code)))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def visit(self, page, *flags):
        """(dom, console lines, failed requests) of ``page`` in Chromium."""
        self.requests.clear()
        dom, console = browse(self.url + page, *flags)
        return dom, console, [(path, code) for path, code in self.requests if code >= 400]


@pytest.fixture(scope="module")
def server(site):
    served = _Server(site)
    yield served
    served.httpd.shutdown()


@pytest.mark.parametrize("kind", PAGES)
def test_each_kind_of_page_loads_without_a_console_message(server, site, kind, tmp_path):
    dom, console, failed = server.visit(PAGES[kind], "--dump-dom")
    assert console == [] and failed == [], (console, failed)
    assert "<h1>" in dom or "<h1 " in dom
    images = re.findall(r'<img[^>]+src="([^"]+)"', dom)
    if kind == "gallery":
        assert images        # the zig-zag picture
    for src in images:
        assert (site / PAGES[kind]).parent.joinpath(unquote(src)).resolve().stat().st_size > 1000, src
    shot = tmp_path / f"{kind}.png"
    server.visit(PAGES[kind], f"--screenshot={shot}", "--window-size=1280,1600")
    assert shot.stat().st_size > 20_000
    keep = os.environ.get("NEURONA_KEEP_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


def test_the_check_sees_a_missing_image(tmp_path):
    """The negative control: a page with an image that is not there is caught by the same check."""
    (tmp_path / "broken.html").write_text('<html><body><h1>x</h1><img src="nowhere.png"></body></html>')
    served = _Server(tmp_path)
    try:
        _, _, failed = served.visit("broken.html", "--dump-dom")
    finally:
        served.httpd.shutdown()
    assert ("/nowhere.png", 404) in failed


def test_search_finds_early_stopping_offline(server):
    dom, console, failed = server.visit("search.html?q=EarlyStopping", "--dump-dom", "--virtual-time-budget=10000")
    assert console == [] and failed == [], (console, failed)
    results = re.search(r'<ul[^>]*class="search"[^>]*>(.*?)</ul>', dom, re.S)
    assert results, "no list of search results"
    assert "reference/neurona.callbacks.html#neurona.callbacks.EarlyStopping" in results.group(1)


def test_every_internal_link_and_anchor_resolves(site):
    pages = sorted(site.rglob("*.html"))
    ids = {page: set(re.findall(r'\bid="([^"]+)"', page.read_text(errors="replace"))) for page in pages}
    broken = []
    for page in pages:
        for href in re.findall(r'\bhref="([^"]+)"', page.read_text(errors="replace")):
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {href}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in ids.get(target, set()):
                broken.append(f"{page.relative_to(site)}: {href} (no such anchor)")
    assert broken == [], broken[:20]


def test_nothing_is_fetched_from_another_host(site):
    outside = []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(errors="replace")
        for src in re.findall(r'<(?:script|img|iframe)[^>]+src="(https?:[^"]+)"', text):
            outside.append(f"{page.relative_to(site)}: {src}")
        for tag in re.findall(r'<link[^>]+>', text):
            href = re.search(r'href="(https?:[^"]+)"', tag)
            if href and "stylesheet" in tag or href and "preload" in tag:
                outside.append(f"{page.relative_to(site)}: {href.group(1)}")
    for css in site.rglob("*.css"):
        outside += [f"{css.name}: {url}" for url in re.findall(r'url\(["\']?(https?:[^)"\']+)', css.read_text())]
    assert outside == [], outside[:10]


def test_the_site_has_every_guide_topic_and_every_example(site):
    guide = sorted(p.stem for p in (site / "guide").glob("*.html"))
    assert len(guide) == 15   # the index and the lecture's 14 topics
    examples = sorted(p.stem for p in (ROOT / "examples").glob("*.py") if not p.stem.startswith("_"))
    assert sorted(p.stem for p in (site / "gallery").glob("*.html") if p.stem != "index") == examples


def test_the_code_blocks_of_the_pages_are_python():
    """Every ``python`` block of the guide and the arrival pages compiles (they show fragments, with names such as
    ``x`` and ``model`` standing for the reader's own, so they are compiled, not run)."""
    blocks = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        if "gallery" in page.parts or "_build" in page.parts:
            continue
        for number, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), re.S)):
            blocks.append(page.name)
            compile(block.replace("[...]", "[]"), f"{page.name} block {number}", "exec")
    assert len(blocks) >= 15


@pytest.mark.parametrize("page", ["graphs-and-autodiff", "backprop", "why-networks", "outputs-and-losses",
                                  "cnn-rnn-transformers"])
def test_the_self_contained_guide_blocks_run(page, tmp_path):
    """The guide's blocks that need nothing of the reader's run as shown, in a new interpreter."""
    code = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "guide" / f"{page}.md").read_text(), re.S)[0]
    out = ok(run_python(code, tmp_path)).stdout
    if page == "graphs-and-autodiff":     # the lecture's exercise: e = 6, de/da = 2, de/db = 5, in both modes
        assert out.split("\n")[:2] == ["6.0 2.0 5.0", "6.0 2.0"]
