"""A picture of a computational graph, with forward values and backward gradients on every node.

Take the picture before calling ``backward``; gradients appear on it once backward has run (the picture asks
the engine to keep the gradient of every node it shows)::

    >>> import neurona as nr
    >>> a = nr.tensor(2.0, requires_grad=True, name="a")
    >>> b = nr.tensor(1.0, requires_grad=True, name="b")
    >>> e = (a + b) * (b + 1)
    >>> g = nr.viz.graph(e)
    >>> e.backward()
    >>> "grad 5" in g.dot()
    True

``dot()`` gives Graphviz text; ``svg()``, ``save("g.svg")`` and ``save("g.png")`` render it with Graphviz when
``dot`` is installed, otherwise with a built-in layout (SVG always; PNG through matplotlib). In a notebook the
object displays itself.
"""
from __future__ import annotations

import shutil
import subprocess
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..devices import backend
from ..autograd.node import COMPOSITES
from ..autograd.tensor import Tensor

MAX_SHOWN = 6  # tensors with more elements show their shape and a summary instead of every value


class _GradSlot:
    """Receives the gradient of one graph node during backward (the engine writes ``.grad``)."""
    __slots__ = ("grad", "__weakref__")

    def __init__(self):
        self.grad = None


@dataclass
class _Item:
    key: int
    kind: str                 # "leaf", "constant" or "op"
    label: str
    shape: tuple
    value: np.ndarray
    extra: str = ""
    inputs: list = field(default_factory=list)
    input_labels: list = field(default_factory=list)   # the argument each input feeds, e.g. "a", "b"
    leaf: Tensor = None       # the user's leaf (its .grad is read at drawing time)
    slot: object = None       # holder that receives an op's gradient


def _format(array) -> str:
    if array is None:
        return ""
    a = np.asarray(array)
    if a.size == 1:
        return f"{a.reshape(()).item():.4g}"
    if a.size <= MAX_SHOWN:
        return np.array2string(a, precision=3, separator=", ", suppress_small=True).replace("\n", "")
    return f"mean {a.mean():.3g}, min {a.min():.3g}, max {a.max():.3g}"


def _value_lines(prefix, array) -> list:
    """``prefix value``; a small matrix gets one line per row, so that its box stays narrow."""
    a = None if array is None else np.asarray(array)
    if a is None or a.ndim < 2 or a.size > MAX_SHOWN:
        return [f"{prefix} {_format(a)}"]
    rows = [np.array2string(r, precision=3, separator=", ", suppress_small=True) for r in a.reshape(-1, a.shape[-1])]
    return [f"{prefix} [{rows[0]}"] + [f"{' ' * len(prefix)}  {r}" for r in rows[1:-1]] + \
        [f"{' ' * len(prefix)}  {rows[-1]}]"]


def _describe_params(node) -> str:
    return ", ".join(f"{k}={v}" for k, v in node.params.items() if k in ("axis", "exponent", "alpha", "shape", "axes"))


def _argument_names(prim) -> list:
    """The names of a primitive's inputs, from its forward's signature: the labels of the graph's edges."""
    import inspect
    names = [p.name for p in inspect.signature(prim.forward).parameters.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return names[1:] if names and names[0] == "self" else names


class Graph:
    """A snapshot of the graph that produced ``root``. See the module docstring.

    >>> import neurona as nr
    >>> a, b = nr.tensor(2.0, requires_grad=True), nr.tensor(1.0, requires_grad=True)
    >>> e = (a + b) * (b + 1)
    >>> g = nr.viz.graph(e)   # before backward(), which frees the graph
    >>> g.svg().startswith("<svg") or g.svg().startswith("<?xml")
    True
    """

    def __init__(self, root: Tensor):
        if not isinstance(root, Tensor):
            raise TypeError(f"viz.graph expects a Tensor, got {type(root).__name__}")
        if root._node is not None and root._node.freed:
            raise RuntimeError("viz.graph: the graph of this tensor was freed by backward(). Take the picture "
                               "before calling backward() (gradients appear on it afterwards), or call "
                               "backward(retain_graph=True).")
        self.root = root
        self.items: dict[int, _Item] = {}
        self._snapshot(root)

    # ---- capture ------------------------------------------------------------------------------------------
    def _key(self, t: Tensor) -> int:
        return id(t._node) if t._node is not None else id(t)

    def _snapshot(self, root):
        stack = [root]
        while stack:
            t = stack.pop()
            key = self._key(t)
            if key in self.items:
                continue
            value = backend.to_numpy(t.data).copy() if t.size <= MAX_SHOWN else backend.to_numpy(t.data)
            node = t._node
            if node is None:
                kind = "leaf" if t.requires_grad else "constant"
                self.items[key] = _Item(key, kind, t.name or kind, t.shape, value, leaf=t)
                continue
            slot = self._watch(node, t)
            name, extra, inputs, labels = self._shown_as(node)
            # a Python number or array is named in the op's box with the argument it feeds: "add (y = 1)"
            constants = [f"{label} = {_format(x)}" for x, label in zip(inputs, labels) if not isinstance(x, Tensor)]
            extra = ", ".join(constants + ([extra] if extra else []))
            item = _Item(key, "op", name if not t.name else f"{t.name} = {name}", t.shape, value, extra, slot=slot)
            for x, label in zip(inputs, labels):
                if isinstance(x, Tensor):
                    item.inputs.append(self._key(x))
                    item.input_labels.append(label)
                    stack.append(x)
            self.items[key] = item

    @staticmethod
    def _shown_as(node):
        """(label, parameters, inputs, their argument names) of an op; a composite (mean = sum / n) is shown
        as one op over the composite's own input."""
        shown = COMPOSITES.get(node)
        if shown is not None:
            inner = node.inputs[0]._node   # mean: the sum node, whose input is the mean's input
            return shown[0], shown[1], list(inner.inputs[:1]), ["x"]
        labels = _argument_names(node.prim)
        labels += [f"input {i + 1}" for i in range(len(labels), len(node.inputs))]
        return node.prim.name, _describe_params(node), list(node.inputs), labels[:len(node.inputs)]

    @staticmethod
    def _watch(node, t):
        current = node.retain_ref() if node.retain_ref is not None else None
        if current is not None:
            return current
        slot = _GradSlot()
        node.retain_ref = weakref.ref(slot)
        return slot

    # ---- reading --------------------------------------------------------------------------------------------
    def gradient(self, item: _Item):
        holder = item.leaf if item.kind != "op" else item.slot
        grad = getattr(holder, "grad", None)
        return None if grad is None else backend.to_numpy(grad.data if isinstance(grad, Tensor) else grad)

    def lines(self, item: _Item) -> list[str]:
        """The text of one node: name/op, shape, value, gradient."""
        head = item.label + (f" ({item.extra})" if item.extra else "")
        out = [head, f"shape {item.shape}" if item.shape else "scalar"] + _value_lines("value", item.value)
        grad = self.gradient(item)
        if grad is not None:
            out += _value_lines("grad", grad)
        return out

    def order(self) -> list[_Item]:
        """Items in topological order: every input before the nodes that use it (deterministic)."""
        done, out = set(), []
        stack = [(next(iter(self.items)), False)]
        while stack:
            key, expanded = stack.pop()
            if expanded:
                out.append(self.items[key])
            elif key not in done:
                done.add(key)
                stack.append((key, True))
                stack.extend((k, False) for k in reversed(self.items[key].inputs) if k not in done)
        return out

    # ---- output ---------------------------------------------------------------------------------------------
    def dot(self) -> str:
        """Graphviz DOT text of the graph."""
        colors = {"leaf": "#cfe8ff", "constant": "#eeeeee", "op": "#fff2cc"}
        out = ["digraph neurona {", '  rankdir=LR; node [shape=record, fontname="Helvetica", fontsize=11];']
        names = {item.key: f"n{i}" for i, item in enumerate(self.order())}
        for item in self.order():
            label = "{" + "|".join(_dot_escape(s) for s in self.lines(item)) + "}"
            out.append(f'  {names[item.key]} [label="{label}", style=filled, fillcolor="{colors[item.kind]}"];')
        for item in self.order():
            for src, label in zip(item.inputs, item.input_labels):
                out.append(f'  {names[src]} -> {names[item.key]} [label="{_dot_escape(label)}", fontsize=9];')
        out.append("}")
        return "\n".join(out)

    def svg(self) -> str:
        """SVG text: Graphviz when installed, else the built-in layered layout."""
        if shutil.which("dot"):
            try:
                return subprocess.run(["dot", "-Tsvg"], input=self.dot(), capture_output=True, text=True,
                                      check=True, timeout=60).stdout
            except (subprocess.SubprocessError, OSError):
                pass
        from .graph_layout import svg_from_layout
        return svg_from_layout(self)

    def save(self, path) -> Path:
        """Write ``.svg``, ``.png`` or ``.dot`` (chosen by the suffix)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".dot":
            path.write_text(self.dot())
        elif suffix == ".svg":
            path.write_text(self.svg())
        elif suffix == ".png":
            path.write_bytes(self.png())
        else:
            raise ValueError(f"viz.graph.save: unknown picture type {suffix!r}; use .svg, .png or .dot")
        return path

    def png(self) -> bytes:
        """PNG bytes: Graphviz when installed, else drawn with matplotlib."""
        if shutil.which("dot"):
            try:
                return subprocess.run(["dot", "-Tpng"], input=self.dot().encode(), capture_output=True,
                                      check=True, timeout=60).stdout
            except (subprocess.SubprocessError, OSError):
                pass
        from .graph_layout import png_from_layout
        return png_from_layout(self)

    def _repr_svg_(self):
        return self.svg()

    def __repr__(self):
        return f"<neurona.viz.Graph with {len(self.items)} nodes>"


def _dot_escape(text: str) -> str:
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def graph(root: Tensor) -> Graph:
    """The picture of the graph that produced ``root`` (see :class:`Graph`).

    >>> import neurona as nr
    >>> x = nr.tensor(3.0, requires_grad=True)
    >>> y = x ** 2
    >>> y.backward(retain_graph=True)
    >>> "digraph" in nr.viz.graph(y).dot()
    True
    """
    return Graph(root)

