"""Why normalize the inputs (the lecture: unnormalized features make gradient descent zig-zag down a narrow
valley; normalized ones give a round bowl). A linear regression on two features of very different scales:
the paths of gradient descent, momentum and Adam (neurona's optimizers) over the loss's contours, on the raw
features and on the same features normalized.

    python examples/normalization_zigzag.py
"""
from __future__ import annotations

import numpy as np

import neurona as nr
from neurona.viz.optimization import optimization_paths, stable_learning_rate, zigzag_data

from _common import parse, run, show


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv)
    x, y = zigzag_data(seed=args.seed)
    normalized = (x - x.mean(axis=0)) / x.std(axis=0)
    figures = {}
    for name, features in (("raw", x), ("normalized", normalized)):
        lr = stable_learning_rate(features)
        path = optimization_paths(features, y, {"GD": lambda lr=lr: nr.optimizers.SGD(lr)}, steps=40)["GD"]
        best = np.linalg.lstsq(features, y, rcond=None)[0]
        figures[f"{name}: feature std"] = " and ".join(f"{s:.2f}" for s in features.std(axis=0))
        figures[f"{name}: GD learning rate"] = lr
        figures[f"{name}: distance to the minimum after 40 steps"] = float(np.linalg.norm(path[-1] - best))
    show("Gradient descent on raw and normalized features", figures)
    picture = args.out / "normalization_zigzag.png"
    nr.viz.plot_normalization_zigzag(x, y, picture)
    print(f"  picture: {picture}")
    return figures


if __name__ == "__main__":
    run(main)
