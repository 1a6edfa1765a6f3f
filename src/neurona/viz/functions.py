"""The lecture's functions, drawn: each activation with its derivative (computed by neurona's autograd), each
loss against the prediction for one target, and a classifier's decision boundary on 2-D data.

>>> fig = plot_activations(); fig2 = plot_losses()
"""
from __future__ import annotations

import numpy as np

from ._canvas import figure as _figure, save as _save

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus", "selu")


def _value_and_slope(fn, z):
    """``fn(z)`` and its derivative, by reverse mode on a vector (each output depends on its own input)."""
    from .. import tensor
    t = tensor(z, requires_grad=True)
    out = fn(t)
    out.sum().backward()
    return out.numpy(), t.grad.numpy()


def plot_activations(path=None, names=ACTIVATIONS):
    """One panel per activation: the function (solid) and its derivative (dashed), from -4 to 4. Saturating
    ones (sigmoid, tanh) have derivatives that fall to zero at both ends: the source of vanishing gradients.

    >>> import os, tempfile
    >>> import neurona as nr
    >>> folder = tempfile.mkdtemp()
    >>> fig = nr.viz.plot_activations(os.path.join(folder, "activations.png"))
    >>> os.path.getsize(os.path.join(folder, "activations.png")) > 10_000
    True
    """
    from .. import activations
    z = np.linspace(-4, 4, 401)
    columns = 4
    rows = -(-len(names) // columns)
    fig = _figure(3.2 * columns, 2.6 * rows)
    for i, name in enumerate(names):
        value, slope = _value_and_slope(activations.get(name), z)
        ax = fig.add_subplot(rows, columns, i + 1)
        ax.plot(z, value, color="crimson", label=name)
        ax.plot(z, slope, "--", color="royalblue", label="derivative")
        ax.axhline(0, color="gray", lw=0.6)
        ax.axvline(0, color="gray", lw=0.6)
        ax.set_title(f"{name}: max slope {slope.max():.2f}", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return _save(fig, path)


def plot_losses(path=None):
    """Each loss as a function of the prediction for one target: MSE and MAE for a regression target of 0;
    binary cross-entropy for a target of 1 and of 0 (probabilities); categorical cross-entropy for the true
    class's probability.

    >>> import os, tempfile
    >>> import neurona as nr
    >>> folder = tempfile.mkdtemp()
    >>> fig = nr.viz.plot_losses(os.path.join(folder, "losses.png"))
    >>> os.path.getsize(os.path.join(folder, "losses.png")) > 10_000
    True
    """
    from .. import losses, tensor
    fig = _figure(12, 3.3)
    y = np.linspace(-2, 2, 401)
    ax = fig.add_subplot(1, 3, 1)
    for name, loss in (("MSE", losses.MeanSquaredError()), ("MAE", losses.MeanAbsoluteError())):
        values = [float(loss(np.zeros(1), tensor(np.array([v])))) for v in y]
        ax.plot(y, values, label=name)
    ax.set_title("regression, target 0", fontsize=9)
    ax.set_xlabel("prediction")
    p = np.linspace(0.005, 0.995, 300)
    ax2 = fig.add_subplot(1, 3, 2)
    bce = losses.BinaryCrossentropy()
    for target in (1.0, 0.0):
        values = [float(bce(np.array([target]), tensor(np.array([v])))) for v in p]
        ax2.plot(p, values, label=f"target {target:g}")
    ax2.set_title("binary cross-entropy", fontsize=9)
    ax2.set_xlabel("predicted probability of class 1")
    ax3 = fig.add_subplot(1, 3, 3)
    cce = losses.SparseCategoricalCrossentropy()
    values = [float(cce(np.array([0]), tensor(np.array([[v, (1 - v) / 2, (1 - v) / 2]])))) for v in p]
    ax3.plot(p, values, label="-log p(true class)")
    ax3.set_title("categorical cross-entropy, 3 classes", fontsize=9)
    ax3.set_xlabel("predicted probability of the true class")
    for a in (ax, ax2, ax3):
        a.set_ylabel("loss")
        a.grid(alpha=0.3)
        a.legend(fontsize=8)
    return _save(fig, path)


def plot_decision_boundary(models: dict, x, y, path=None, resolution=200):
    """One panel per ``{title: fitted binary or multiclass model}``: the predicted class over the plane (shaded)
    and the data points, for 2-D inputs ``x``. A linear model can only cut the plane with a straight line.

    >>> import os, tempfile
    >>> import numpy as np
    >>> import neurona as nr
    >>> folder = tempfile.mkdtemp()
    >>> x = np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32)
    >>> y = (x[:, 0] > 0).astype(np.float32)
    >>> model = nr.Sequential([nr.layers.Input((2,)), nr.layers.Dense(1, activation="sigmoid")])
    >>> fig = nr.viz.plot_decision_boundary({"logistic": model}, x, y, os.path.join(folder, "boundary.png"))
    >>> os.path.getsize(os.path.join(folder, "boundary.png")) > 10_000
    True
    """
    x = np.asarray(x, dtype=np.float32)
    low, high = x.min(axis=0) - 0.5, x.max(axis=0) + 0.5
    g1, g2 = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    grid = np.stack([g1.ravel(), g2.ravel()], axis=1).astype(np.float32)
    fig = _figure(5.2 * len(models), 4.4)
    for i, (title, model) in enumerate(models.items()):
        out = np.asarray(model.predict(grid, verbose=0))
        classes = (out[:, 0] > 0.5).astype(int) if out.ndim == 1 or out.shape[1] == 1 else out.argmax(axis=1)
        ax = fig.add_subplot(1, len(models), i + 1)
        ax.contourf(g1, g2, classes.reshape(g1.shape), alpha=0.25, cmap="coolwarm")
        ax.scatter(x[:, 0], x[:, 1], c=np.asarray(y), s=10, cmap="coolwarm", edgecolors="k", linewidths=0.3)
        mine = np.asarray(model.predict(x, verbose=0))
        predicted = (mine.reshape(len(x), -1)[:, 0] > 0.5).astype(int) if mine.ndim == 1 or mine.shape[1] == 1 \
            else mine.argmax(axis=1)
        ax.set_title(f"{title}: accuracy {np.mean(predicted == np.asarray(y)):.3f}", fontsize=10)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
    return _save(fig, path)
