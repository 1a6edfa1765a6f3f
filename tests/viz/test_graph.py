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


def test_the_picture_shows_mean_constants_argument_names_and_matrix_rows():
    import numpy as np
    from neurona.viz.graph_layout import CHAR_W, layout
    w = nr.tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True, name="W")
    loss = nr.mean((nr.tensor(np.ones((4, 2))) @ w - 1.0) ** 2)
    picture = nr.viz.graph(loss)
    loss.backward()
    dot = picture.dot()
    assert "{mean|" in dot and "div" not in dot and "sum" not in dot        # mean is one box, not sum / n
    assert "{sub (y = 1)|" in dot                                           # the 1 of "- 1.0", named
    assert 'label="a"' in dot and 'label="b"' in dot                        # matmul's two arguments, named
    weight = next(item for item in picture.items.values() if item.label == "W")
    lines = picture.lines(weight)
    assert sum(line.lstrip().startswith(("grad", "[")) for line in lines) >= 2   # one line per row of the gradient
    boxes = layout(picture)
    x, _, width, _, box_lines, _ = boxes[weight.key]
    assert width >= max(len(line) for line in box_lines) * CHAR_W           # the rows fit their box
