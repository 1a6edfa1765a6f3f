"""Vanishing and exploding gradients (the lecture: gradients shrink or grow as they travel back through many
layers). Four 12-layer networks on the bundled digits, each watched by the GradientFlow callback:

- sigmoid everywhere: the gradient shrinks at every layer on its way back, so the first layers barely learn;
- relu with He initialization: the gradient keeps its size;
- relu with BatchNormalization after each layer: the same, and faster training;
- relu with far too large initial weights (normal, stddev 1): the gradients explode.

    python examples/vanishing_gradients.py
"""
from __future__ import annotations

import warnings

import neurona as nr
from neurona import layers as L

from _common import parse, run, show

DEPTH, WIDTH = 12, 32


def network(activation, initializer, batch_norm=False):
    layers = [L.Input((64,))]
    for _ in range(DEPTH):
        layers.append(L.Dense(WIDTH, activation=activation, kernel_initializer=initializer))
        if batch_norm:
            layers.append(L.BatchNormalization())
    return nr.Sequential(layers + [L.Dense(10, activation="softmax")])


RUNS = {
    "sigmoid, glorot": lambda: network("sigmoid", "glorot_uniform"),
    "relu, he": lambda: network("relu", "he_normal"),
    "relu, he, batch norm": lambda: network("relu", "he_normal", batch_norm=True),
    "relu, normal(stddev 1)": lambda: network("relu", nr.initializers.RandomNormal(stddev=1.0)),
}


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv)
    (x, y), _ = nr.datasets.load_digits()
    x = x.reshape(len(x), -1) / 16.0
    flows, figures = {}, {}
    for name, build in RUNS.items():
        nr.utils.set_random_seed(args.seed)
        model = build()
        model.compile(nr.optimizers.SGD(0.01), "sparse_categorical_crossentropy", ["accuracy"])
        flow = nr.callbacks.GradientFlow()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # the flow keeps its warnings in flow.messages; shown below
            history = model.fit(x, y, epochs=2 if args.quick else 5, batch_size=32, verbose=0, callbacks=[flow],
                                terminate_on_nan=False)
        flows[name] = flow
        first, last = flow.grad_norm[flow.layers[0]][-1], flow.grad_norm[flow.layers[-1]][-1]
        figures[f"{name}: |grad| first / last layer"] = f"{first:.2e} / {last:.2e}"
        figures[f"{name}: accuracy"] = f"{history.history['accuracy'][-1]:.3f}"
        for message in flow.messages[:1]:
            print(f"  {name}: {message}")
    show("Gradient flow through 12 layers (last epoch)", figures)
    path = args.out / "vanishing_gradients.png"
    nr.viz.plot_gradient_flow(flows, path)
    print(f"  picture: {path}")
    return flows


if __name__ == "__main__":
    run(main)
