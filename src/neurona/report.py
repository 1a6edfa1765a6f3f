"""The training report: one self-contained ``report.html`` for a run, which a student opens in a browser.

``fit(..., callbacks=[nr.callbacks.Report("run/")])`` writes, in ``run/``:

- ``report.json``: everything the page shows (the model summary, the memory report, the hyperparameters, the
  epoch logs and times, the gradient flow, the diagnosis), rewritten after every epoch;
- ``report.html``: the page, rendered from it. Pictures are inline (PNG as data URIs, the graph as SVG), so the
  page needs no network and no other file. While training runs the page reloads itself every few seconds;
  the last rendering drops the reload.

``neurona report run/`` renders the page again from ``report.json``.

The sections: the model, memory, hyperparameters and timing; the learning curves; the diagnosis in words; the
gradient flow; the graph of one training step; the first convolution's filters, for a convnet.

>>> import os, tempfile, numpy as np, neurona as nr
>>> model = nr.Sequential([nr.layers.Input((3,)), nr.layers.Dense(2, activation="softmax")])
>>> model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
>>> folder = tempfile.mkdtemp()
>>> _ = model.fit(np.ones((8, 3)), np.arange(8) % 2, epochs=2, verbose=0, callbacks=[Report(folder)])
>>> sorted(os.listdir(folder))
['report.html', 'report.json']
"""
from __future__ import annotations

import base64
import html
import io
import json
import time
from pathlib import Path

import numpy as np

from .callbacks import Callback
from .gradient_flow import GradientFlow

RELOAD_SECONDS = 5


class Report(Callback):
    """Writes ``report.json`` and ``report.html`` into ``folder`` during and after training (see the module)."""

    def __init__(self, folder="neurona-report", title=None):
        super().__init__()
        self.folder, self.title = Path(folder), title
        self.flow = GradientFlow()

    def set_model(self, model):
        super().set_model(model)
        self.flow.set_model(model)

    def on_train_begin(self, logs=None):
        from .distributed import comm
        self._writes = comm.is_main()
        self.flow.on_train_begin(logs)
        model = self.model
        self.data = {"title": self.title or f"training {model.name}", "started": time.strftime("%Y-%m-%d %H:%M"),
                     "summary": model.summary(print_fn=None), "memory": _memory_text(model, self.params),
                     "hyperparameters": _hyperparameters(model, self.params), "history": {}, "epoch_seconds": [],
                     "graph_svg": _step_graph_svg(model), "filters_png": _filters_png(model), "finished": False}
        self._epoch_start = time.perf_counter()
        self._write()

    def on_epoch_begin(self, epoch, logs=None):
        self.flow.on_epoch_begin(epoch, logs)
        self._epoch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.flow.on_train_batch_end(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.flow.on_epoch_end(epoch, logs)
        for key, value in (logs or {}).items():
            self.data["history"].setdefault(key, []).append(float(value))
        self.data["epoch_seconds"].append(time.perf_counter() - self._epoch_start)
        self.data["gradient_flow"] = {"layers": self.flow.layers, "kinds": self.flow.kinds,
                                      "grad_norm": self.flow.grad_norm, "update_ratio": self.flow.update_ratio,
                                      "first_step": self.flow.first_step, "messages": self.flow.messages}
        self._write()

    def on_train_end(self, logs=None):
        self.data["finished"] = True
        self._write()

    def _write(self):
        if not self._writes:   # in an MPI job, rank 0 writes
            return
        from .io.atomic import atomic_write
        self.folder.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.folder / "report.json", "w") as f:
            json.dump(self.data, f)
        write_html(self.folder)

    @property
    def path(self) -> Path:
        return self.folder / "report.html"

    def _repr_html_(self):
        return f'<a href="{html.escape(str(self.path))}">{html.escape(str(self.path))}</a>'


def write_html(folder) -> Path:
    """Render ``folder/report.json`` into ``folder/report.html``; returns the page's path."""
    from .io.atomic import atomic_write
    folder = Path(folder)
    source = folder / "report.json"
    if not source.is_file():
        raise FileNotFoundError(f"no report.json in {folder}: write one with fit(callbacks=[Report({str(folder)!r})])")
    data = json.loads(source.read_text())
    page = folder / "report.html"
    with atomic_write(page, "w") as f:
        f.write(render(data))
    return page


def render(data: dict) -> str:
    """The page's HTML for the report's data."""
    from .diagnosis import diagnose
    history = data["history"]
    sections = [("model", "The model", f"<pre>{html.escape(data['summary'])}</pre>"),
                ("memory", "Memory", f"<pre>{html.escape(data['memory'])}</pre>"),
                ("hyperparameters", "Hyperparameters and timing", _table(data))]
    if history.get("loss"):
        curves = _png(lambda: _history_figure(history))
        sections.append(("curves", "Learning curves", f'<img alt="learning curves" src="{curves}">'))
        sections.append(("diagnosis", "Diagnosis", f"<p>{html.escape(str(diagnose(history)))}</p>"))
    flow = data.get("gradient_flow")
    if flow and flow["layers"]:
        picture = _png(lambda: _flow_figure(flow))
        words = "".join(f"<li>{html.escape(m)}</li>" for m in flow["messages"][:5]) or \
            "<li>No layer's gradients vanished or exploded.</li>"
        sections.append(("gradients", "Gradient flow", f'<img alt="gradient flow" src="{picture}"><ul>{words}</ul>'))
    if data.get("graph_svg"):
        sections.append(("graph", "The graph of one step", f'<div class="graph">{data["graph_svg"]}</div>'))
    if data.get("filters_png"):
        sections.append(("filters", "First-layer filters",
                         f'<img alt="filters" src="data:image/png;base64,{data["filters_png"]}">'))
    reload = "" if data.get("finished") else f'<meta http-equiv="refresh" content="{RELOAD_SECONDS}">'
    state = "finished" if data.get("finished") else "training… (this page reloads itself)"
    body = "\n".join(f'<section id="{key}"><h2>{title}</h2>{content}</section>' for key, title, content in sections)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">{reload}
<title>{html.escape(data['title'])}</title>
<style>
body {{ font-family: system-ui, Helvetica, Arial, sans-serif; max-width: 60rem; margin: auto; padding: 0.8rem;
        color: #222; }}
section {{ border-top: 1px solid #ddd; padding: 0.4rem 0; }}
h1 {{ font-size: 1.4rem; }} h2 {{ font-size: 1.1rem; }}
pre {{ overflow-x: auto; font-size: 0.8rem; background: #f6f6f6; padding: 0.5rem; }}
img, svg {{ max-width: 100%; height: auto; }}
.graph {{ overflow: auto; max-height: 40rem; }} .graph svg {{ max-width: none; }}
table {{ border-collapse: collapse; font-size: 0.9rem; }} td {{ padding: 0.1rem 0.8rem 0.1rem 0; }}
</style></head><body>
<h1>{html.escape(data['title'])}</h1>
<p id="state">Started {html.escape(data['started'])}; {state}.</p>
{body}
</body></html>
"""


def _table(data):
    rows = dict(data["hyperparameters"])
    seconds = data.get("epoch_seconds") or []
    if seconds:
        rows["epochs run"] = len(seconds)
        rows["seconds per epoch"] = f"{np.mean(seconds):.2f}"
        rows["training seconds"] = f"{sum(seconds):.1f}"
    return "<table>" + "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>"
                               for k, v in rows.items()) + "</table>"


def _png(draw) -> str:
    buf = io.BytesIO()
    draw().savefig(buf, format="png")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _history_figure(history):
    from .viz import plot_history
    return plot_history(history)


def _flow_figure(flow):
    from .viz import plot_gradient_flow
    recorded = GradientFlow()
    recorded.layers, recorded.kinds = flow["layers"], flow["kinds"]
    recorded.grad_norm, recorded.update_ratio, recorded.first_step = (flow["grad_norm"], flow["update_ratio"],
                                                                      flow["first_step"])
    return plot_gradient_flow({"last epoch": recorded})


def _memory_text(model, params):
    try:
        return str(model.memory_report(batch_size=params.get("batch_size") or 32))
    except Exception as exc:  # noqa: BLE001 - the report shows what it can
        return f"(no memory report: {exc})"


def _hyperparameters(model, params):
    optimizer = model.optimizer
    rows = {"optimizer": type(optimizer).__name__, "learning rate": f"{optimizer.learning_rate:g}",
            "loss": type(model.compiled_loss).__name__, "batch size": params.get("batch_size"),
            "epochs": params.get("epochs"), "steps per epoch": params.get("steps"),
            "metrics": ", ".join(m.name for m in model.compiled_metrics) or "none"}
    rows.update({k: v for k, v in optimizer.hyperparameters().items() if isinstance(v, (int, float, str))})
    return rows


def _step_graph_svg(model):
    """The graph of the loss of one sample (zero input and target): what one training step differentiates."""
    from . import viz
    from .autograd.grad_mode import enable_grad
    from .autograd.tensor import Tensor
    from .devices import backend
    try:
        x = np.zeros((1,) + tuple(model.expected_input), dtype=backend.DEFAULT_FLOAT)
        with enable_grad():
            out = model(Tensor(x, name="input (zeros)"), training=False)
            target = np.zeros(out.shape[:-1], dtype=np.int64) if "Sparse" in type(model.compiled_loss).__name__ \
                else np.zeros(out.shape, dtype=out.data.dtype)
            loss = model.compiled_loss(target, out)
        picture = viz.graph(loss)
        if len(picture.items) > 60:
            return ""   # too large to read in a page
        loss.backward()
        return picture.svg()
    except Exception:  # noqa: BLE001 - the report shows what it can
        return ""


def _filters_png(model):
    from .layers import Conv2D
    if not any(isinstance(layer, Conv2D) and layer.rank == 2 for layer in model.layers):
        return ""
    from .viz import plot_filters
    buf = io.BytesIO()
    plot_filters(model).savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode()
