"""What every picture of :mod:`neurona.viz` starts and ends with: an off-screen matplotlib Figure (the Agg
canvas: no display needed, the user's backend untouched), and saving it where it was asked for."""
from __future__ import annotations

from pathlib import Path


def figure(width, height):
    """A Figure of ``width`` x ``height`` inches at 100 dpi, drawn off-screen."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def save(fig, path):
    """Lay ``fig`` out and, when ``path`` is given, write it (PNG, SVG or PDF by the suffix); returns ``fig``."""
    fig.tight_layout()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    return fig
