"""Learning curves: training vs validation loss (and each metric) per epoch, the best epoch marked.

Drawn with matplotlib's Agg canvas (no display needed, any backend untouched).
"""
from __future__ import annotations

from pathlib import Path


def _best(values, higher_is_better):
    return max(range(len(values)), key=values.__getitem__) if higher_is_better else \
        min(range(len(values)), key=values.__getitem__)


def _higher_is_better(name):
    return not any(k in name for k in ("loss", "error", "mse", "mae"))


def plot_history(history, path=None, title=None):
    """Draw the curves of a History (or its ``.history`` dict); save to ``path`` (PNG/SVG/PDF) when given.

    Returns the matplotlib Figure.

    >>> import os, tempfile
    >>> import neurona as nr
    >>> folder = tempfile.mkdtemp()
    >>> history = nr.callbacks.History()
    >>> history.history = {"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.8]}
    >>> fig = nr.viz.plot_history(history, os.path.join(folder, "curves.png"))
    >>> os.path.getsize(os.path.join(folder, "curves.png")) > 10_000
    True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    logs = getattr(history, "history", history)
    names = [k for k in logs if not k.startswith("val_") and k != "learning_rate"]
    if not names:
        raise ValueError("plot_history: the history is empty")
    fig = Figure(figsize=(5 * len(names), 3.6), dpi=100)
    FigureCanvasAgg(fig)
    bests = {name: _best(logs.get(f"val_{name}") or logs[name], _higher_is_better(name)) for name in names}
    for i, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), i + 1)
        train = logs[name]
        epochs = list(range(1, len(train) + 1))
        ax.plot(epochs, train, "o-", ms=3, label=f"training {name}")
        val = logs.get(f"val_{name}")
        marked = val if val else train
        if val:
            ax.plot(epochs, val, "s-", ms=3, label=f"validation {name}")
        best = bests[name]
        label = f"best epoch {best + 1}"
        if name != names[0] and best != bests[names[0]]:   # the stars of two panels mark different epochs
            label += f" ({names[0]}'s best: epoch {bests[names[0]] + 1})"
        ax.axvline(best + 1, color="gray", ls="--", lw=1)
        ax.plot([best + 1], [marked[best]], "*", ms=12, color="crimson", label=label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # epochs are whole numbers
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.set_title(name if title is None or i else f"{title}: {name}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    return fig
