"""Sphinx configuration of neurona's site: the guide (the course, topic by topic), the gallery of examples and
the reference generated from the docstrings.

Why Sphinx: its autodoc reads the docstrings neurona already has, reStructuredText and Markdown (MyST) pages
mix, and scikit-learn, NumPy and PyTorch build their sites with it. The furo theme ships its own fonts and
scripts (nothing from a CDN) and Sphinx's search runs in the browser from a local index, so the site works
offline. The gallery is a small extension (``_ext/gallery.py``): it renders each example from the one run the
tests made (``examples/_runs.py``), so CI runs every example once.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "neurona"
author = "the neurona developers"
copyright = "2026, the neurona developers"
release = __import__("neurona").__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode", "myst_parser", "gallery"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "README.md", "Thumbs.db", ".DS_Store"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]


autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autoclass_content = "both"

html_theme = "furo"
html_title = "neurona"
html_static_path = ["_static"]
html_css_files = ["neurona.css"]
html_theme_options = {"navigation_with_keys": True}
html_favicon = "_static/favicon.png"
