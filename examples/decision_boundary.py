"""Why a hidden layer (the lecture's linear model vs network, the story of the bribes example, in 2-D): on
scikit-learn's two moons a logistic regression can only cut the plane with a straight line; a small network
bends its boundary around the moons. Also draws the activations with their derivatives and the losses.

    python examples/decision_boundary.py
"""
from __future__ import annotations

from sklearn.datasets import make_moons

import neurona as nr
from neurona import layers as L

from _common import parse, run, show


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv)
    x, y = make_moons(400, noise=0.2, random_state=args.seed)
    nr.utils.set_random_seed(args.seed)
    linear = nr.Sequential([L.Input((2,)), L.Dense(1, activation="sigmoid")])
    network = nr.Sequential([L.Input((2,)), L.Dense(16, activation="relu"), L.Dense(16, activation="relu"),
                             L.Dense(1, activation="sigmoid")])
    figures = {}
    for name, model in (("linear model", linear), ("network 16-16", network)):
        model.compile(nr.optimizers.Adam(0.02), "binary_crossentropy", ["accuracy"])
        model.fit(x, y, epochs=60 if args.quick else 150, batch_size=32, verbose=0)
        figures[f"{name}: training accuracy"] = model.evaluate(x, y, verbose=0)[1]
    show("Two moons: a straight line against a bent boundary", figures)
    pictures = {"decision_boundary.png": lambda p: nr.viz.plot_decision_boundary(
                    {"linear model (logistic regression)": linear, "network, two hidden layers": network}, x, y, p),
                "activations.png": nr.viz.plot_activations, "losses.png": nr.viz.plot_losses}
    for name, draw in pictures.items():
        draw(args.out / name)
        print(f"  picture: {args.out / name}")
    return figures


if __name__ == "__main__":
    run(main)
