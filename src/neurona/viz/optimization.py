"""The lecture's ball in the valley: paths of gradient descent, momentum and Adam on the loss of a two-weight
linear model, drawn over the loss's contours. On raw features of very different scales the valley is narrow and
gradient descent zig-zags across it; on normalized features it is a round bowl and the path goes straight down.

The paths are computed with neurona's own optimizers on the model ``y = w1 x1 + w2 x2`` (mean squared error,
the whole dataset per step).

>>> import numpy as np
>>> x, y = zigzag_data()
>>> paths = optimization_paths(x, y, {"GD": lambda: nr_optimizers().SGD(0.001)}, steps=5)
>>> paths["GD"].shape
(6, 2)
"""
from __future__ import annotations

import numpy as np

from ._canvas import figure as _figure, save as _save


def nr_optimizers():
    from .. import optimizers
    return optimizers


def zigzag_data(n=200, scales=(1.0, 8.0), seed=0):
    """Two centred features of the given scales and a target ``y = x1 + x2 / scale2 * 1.5`` plus noise: the
    lecture's regression on features like a size in m² and a number of rooms."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2)) * np.asarray(scales)
    y = 1.0 * x[:, 0] / scales[0] + 1.5 * x[:, 1] / scales[1] + 0.1 * rng.standard_normal(n)
    return x - x.mean(axis=0), y - y.mean()


def _loss(x, y, w):
    return float(np.mean((x @ w - y) ** 2))


def optimization_paths(x, y, optimizers: dict, steps=60, start=(-2.0, -2.0)) -> dict:
    """``{name: (steps + 1, 2) array}``: the weights after each full-batch step of each optimizer factory."""
    from .. import tensor
    from ..losses import MeanSquaredError
    paths = {}
    xt = np.asarray(x, dtype=np.float64)
    for name, make in optimizers.items():
        w = tensor(np.array(start, dtype=np.float64), requires_grad=True)
        optimizer = make()
        points = [w.numpy().copy()]
        for _ in range(steps):
            loss = MeanSquaredError()(np.asarray(y, np.float64), tensor(xt) @ w)
            w.grad = None
            loss.backward()
            optimizer.apply([w.grad], [w])
            points.append(w.numpy().copy())
        paths[name] = np.array(points)
    return paths


def stable_learning_rate(x) -> float:
    """0.8 times the largest step gradient descent takes without diverging on this problem: 2 / the largest
    eigenvalue of the loss's Hessian, 2 X^T X / n."""
    hessian = 2.0 * x.T @ x / len(x)
    return 0.8 * 2.0 / float(np.linalg.eigvalsh(hessian).max())


def plot_optimization_path(x, y, ax=None, steps=60, title=None, learning_rate=None, adam_rate=0.1):
    """Contours of the loss over (w1, w2) and the paths of GD, momentum (0.9) and Adam from the same start.
    ``learning_rate`` defaults to :func:`stable_learning_rate` (the largest that does not diverge, times 0.8).

    >>> import os, tempfile
    >>> import numpy as np
    >>> import neurona as nr
    >>> folder = tempfile.mkdtemp()
    >>> x = np.random.default_rng(0).normal(size=(50, 2))
    >>> y = x @ np.array([1.0, -2.0])
    >>> fig = nr.viz.plot_optimization_path(x, y, steps=20)
    >>> [label.split(":")[0] for label in fig.axes[0].get_legend_handles_labels()[1]]
    ['gradient descent', 'momentum 0.9', 'Adam', 'minimum']
    """
    opt = nr_optimizers()
    lr = stable_learning_rate(x) if learning_rate is None else learning_rate
    paths = optimization_paths(x, y, {"gradient descent": lambda: opt.SGD(lr),
                                      "momentum 0.9": lambda: opt.SGD(lr * 0.1, momentum=0.9),
                                      "Adam": lambda: opt.Adam(adam_rate)}, steps=steps)
    best = np.linalg.lstsq(x, y, rcond=None)[0]
    ax = ax or _figure(6, 5).add_subplot(1, 1, 1)
    reach = max(np.abs(np.concatenate(list(paths.values())) - best).max(), 1.0) * 1.15
    w1, w2 = np.meshgrid(np.linspace(best[0] - reach, best[0] + reach, 160),
                         np.linspace(best[1] - reach, best[1] + reach, 160))
    grid = np.stack([w1.ravel(), w2.ravel()], axis=1)
    losses = np.mean((x @ grid.T - y[:, None]) ** 2, axis=0).reshape(w1.shape)
    ax.contour(w1, w2, losses, levels=np.geomspace(losses.min() + 1e-3, losses.max(), 18), cmap="viridis",
               linewidths=0.8)
    for (name, path), color in zip(paths.items(), ("crimson", "darkorange", "royalblue")):
        ax.plot(path[:, 0], path[:, 1], ".-", color=color, lw=1.2, ms=3,
                label=f"{name}: loss {_loss(x, y, path[-1]):.3f} after {steps} steps")
    ax.plot(*best, "k*", ms=12, label="minimum")
    ax.set_xlabel("w1 (weight of feature 1)")
    ax.set_ylabel("w2 (weight of feature 2)")
    ax.set_aspect("equal")
    ax.set_title(title or f"learning rate {lr:.3g}")
    ax.legend(fontsize=7, loc="upper left")
    return ax.figure


def plot_normalization_zigzag(x=None, y=None, path=None, steps=40):
    """Side by side: the paths on the raw features and on the same features normalized (zero mean, unit
    variance), each with gradient descent at its own largest stable rate. Saved to ``path`` when given.

    >>> import os, tempfile
    >>> import neurona as nr
    >>> folder = tempfile.mkdtemp()
    >>> fig = nr.viz.plot_normalization_zigzag(path=os.path.join(folder, "zigzag.png"))
    >>> os.path.getsize(os.path.join(folder, "zigzag.png")) > 10_000
    True
    """
    if x is None:
        x, y = zigzag_data()
    fig = _figure(12, 5.4)
    scales = x.std(axis=0)
    normalized = (x - x.mean(axis=0)) / scales
    plot_optimization_path(x, y, fig.add_subplot(1, 2, 1), steps=steps,
                           title=f"raw features (std {scales[0]:.1f} and {scales[1]:.1f}): a narrow valley")
    plot_optimization_path(normalized, y, fig.add_subplot(1, 2, 2), steps=steps,
                           title="normalized features: a round bowl")
    return _save(fig, path)

