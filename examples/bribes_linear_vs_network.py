"""The lecture's first question: how can we improve the linear model of the bribes problem?

A linear model only produces straight lines (hyperplanes), but the grade bought with a bribe rises and then
saturates. A network with one hidden layer maps the single input to h hidden units with one matrix product
(H = X beta, n x 1 times 1 x h), squashes each with a sigmoid, and combines them: its prediction can bend.

    python examples/bribes_linear_vs_network.py
"""
from __future__ import annotations

import numpy as np

import neurona as nr
from neurona import layers as L

from _common import figure, parse, run, save, save_model, show


def build(hidden):
    scale = L.Normalization(mean=[5.0], variance=[25.0 / 3.0])  # inputs in [0, 10] -> mean 0, std 1
    body = [L.Dense(hidden, activation="sigmoid")] if hidden else []
    model = nr.Sequential([L.Input((1,)), scale] + body + [L.Dense(1)])
    model.compile(nr.optimizers.Adam(0.05), "mse")
    return model


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv)
    nr.utils.set_random_seed(args.seed)
    x, y = nr.datasets.make_bribes(300, seed=args.seed)
    x_test, y_test = nr.datasets.make_bribes(300, seed=args.seed + 1)
    epochs = 60 if args.quick else 200
    linear, network = build(0), build(16)
    linear.fit(x, y, epochs=epochs, verbose=0)
    network.fit(x, y, epochs=epochs, verbose=0)
    mse_linear = linear.evaluate(x_test, y_test, verbose=0)
    mse_network = network.evaluate(x_test, y_test, verbose=0)
    figures = {"linear model test MSE": mse_linear, "network (16 sigmoids) test MSE": mse_network,
               "ratio network / linear": mse_network / mse_linear}
    show("Bribes: a straight line vs a network with one hidden layer", figures)

    grid = np.linspace(0, 10, 200, dtype=np.float32)[:, None]
    fig = figure(6, 4)
    ax = fig.add_subplot()
    ax.scatter(x[:, 0], y, s=8, alpha=0.4, label="data")
    ax.plot(grid, nr.datasets.bribes_curve(grid[:, 0]), "k--", lw=1, label="true curve")
    ax.plot(grid, linear.predict(grid, batch_size=200), lw=2, label=f"linear (MSE {mse_linear:.2f})")
    ax.plot(grid, network.predict(grid, batch_size=200), lw=2, label=f"network (MSE {mse_network:.2f})")
    ax.set_xlabel("bribe (hundreds of euros)")
    ax.set_ylabel("grade")
    ax.legend()
    save(fig, args.out / "bribes_fits.png")
    save_model(network, args.out / "bribes_network.neurona", x_test[:64])
    return figures


if __name__ == "__main__":
    run(main)
