"""The graph picture: DOT text, SVG without Graphviz, PNG, notebook display."""
import shutil

import numpy as np
import pytest

import neurona as nr


def small_graph():
    x = nr.tensor(np.array([1.0, -2.0]), requires_grad=True, name="x")
    w = nr.tensor(np.array([0.5, 0.25]), name="w")
    y = (nr.relu(x) * w).sum()
    return x, y


def test_dot_lists_nodes_edges_values_and_gradients():
    x, y = small_graph()
    g = nr.viz.graph(y)
    before = g.dot()
    assert "grad" not in before and "relu" in before and "constant" not in before  # w is named
    y.backward()
    after = g.dot()
    assert "grad [0.5, 0. ]" in after  # x's gradient: w where x > 0
    assert after.count("->") == 4      # x->relu, relu->mul, w->mul, mul->sum


def test_svg_fallback_without_graphviz(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    _, y = small_graph()
    svg = nr.viz.graph(y).svg()
    assert svg.startswith("<svg") and svg.count("<rect") == 5 and "relu" in svg


def test_save_png_and_svg(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    _, y = small_graph()
    g = nr.viz.graph(y)
    y.backward()
    png = g.save(tmp_path / "g.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in g.save(tmp_path / "g.svg").read_text()
    assert g._repr_svg_().startswith("<svg")


def test_graph_after_a_freeing_backward_explains_what_to_do():
    _, y = small_graph()
    y.backward()
    with pytest.raises(RuntimeError, match="before calling backward"):
        nr.viz.graph(y)


def test_large_tensors_are_summarised():
    x = nr.tensor(np.arange(100.0), requires_grad=True)
    text = nr.viz.graph((x * 2).sum()).dot()
    assert "mean 49.5" in text and "shape (100,)" in text
