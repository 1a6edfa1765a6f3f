"""Gradient flow: the gradient norm of each layer, from the input to the output, as recorded by the
:class:`~neurona.callbacks.GradientFlow` callback. Vanishing gradients show as a line that falls by orders of
magnitude towards the input; exploding ones as a line that rises.

>>> import numpy as np, neurona as nr
>>> model = nr.Sequential([nr.layers.Input((3,)), nr.layers.Dense(4), nr.layers.Dense(1)])
>>> model.compile("sgd", "mse")
>>> flow = nr.callbacks.GradientFlow()
>>> _ = model.fit(np.ones((8, 3)), np.ones(8), epochs=2, verbose=0, callbacks=[flow])
>>> fig = plot_gradient_flow({"tiny": flow})
"""
from __future__ import annotations

from pathlib import Path

import numpy as np


def plot_gradient_flow(flows, path=None, epoch=-1):
    """One row per run (``flows``: a GradientFlow, or ``{title: GradientFlow}``): left, the gradient norm per layer
    at ``epoch`` (default the last) on a log scale, the vanishing threshold dashed; right, the update-to-weight ratio
    per layer. Saved to ``path`` when given; returns the Figure.

    >>> import os, tempfile
    >>> import numpy as np
    >>> import neurona as nr
    >>> folder = tempfile.mkdtemp()
    >>> x = np.random.default_rng(0).normal(size=(32, 4)).astype(np.float32)
    >>> model = nr.Sequential([nr.layers.Input((4,)), nr.layers.Dense(8, activation="relu"), nr.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> flow = nr.callbacks.GradientFlow()
    >>> _ = model.fit(x, x[:, :1], epochs=1, verbose=0, callbacks=[flow])
    >>> fig = nr.viz.plot_gradient_flow(flow, os.path.join(folder, "flow.png"))
    >>> os.path.getsize(os.path.join(folder, "flow.png")) > 10_000
    True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    flows = flows if isinstance(flows, dict) else {"gradient flow": flows}
    fig = Figure(figsize=(11, 2.6 * len(flows) + 0.6), dpi=100)
    FigureCanvasAgg(fig)
    for row, (title, flow) in enumerate(flows.items()):
        if not flow.layers or not flow.grad_norm[flow.layers[0]]:
            raise ValueError(f"plot_gradient_flow: {title!r} recorded nothing; pass it to fit(callbacks=[...])")
        positions = np.arange(1, len(flow.layers) + 1)
        norms = np.array([flow.grad_norm[name][epoch] for name in flow.layers])
        ratios = np.array([flow.update_ratio[name][epoch] for name in flow.layers])
        when = "last epoch" if epoch == -1 else f"epoch {epoch + 1 if epoch >= 0 else epoch}"
        if not np.isfinite(norms).all():   # diverged: show the first step, when the gradients were still numbers
            norms, when = np.array([flow.first_step[name] for name in flow.layers]), "first step (then: not finite)"
            ratios = np.full(len(positions), np.nan)
        left = fig.add_subplot(len(flows), 2, 2 * row + 1)
        left.semilogy(positions, np.clip(norms, 1e-30, None), "o-", color="crimson")
        left.axhline(flow.vanish, color="gray", ls="--", lw=1, label=f"vanishing: below {flow.vanish:g}")
        left.set_title(f"{title}: gradient norm per layer, {when}", fontsize=10)
        left.set_ylabel("mean |gradient|")
        left.legend(fontsize=7, loc="lower right")
        right = fig.add_subplot(len(flows), 2, 2 * row + 2)
        right.semilogy(positions, np.clip(ratios, 1e-30, None), "s-", color="royalblue")
        right.set_title(f"{title}: |update| / |weight| over the epoch", fontsize=10)
        if np.isnan(ratios).all():
            right.text(0.5, 0.5, "the weights are no longer finite", ha="center", transform=right.transAxes)
        labels = [f"{_short(flow.kinds.get(name, ''))}{i}" for i, name in enumerate(flow.layers, start=1)]
        for ax in (left, right):
            ax.set_xticks(positions)
            ax.set_xticklabels(labels, fontsize=7, rotation=90 if len(labels) > 14 else 0)
            ax.set_xlabel("layer, from the input (D: Dense, BN: BatchNormalization, ...)")
            ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    return fig


def _short(kind: str) -> str:
    """The capitals of a layer class's name: Dense -> D, BatchNormalization -> BN."""
    return "".join(c for c in kind if c.isupper()) or kind[:1]

