"""MNIST read as sequences (the lecture's recurrent networks and Transformers): each image is 28 steps of 28
pixels, one row per step, and the model must tell the digit after reading all rows.

Three readers side by side: an LSTM (gates decide what the cell remembers), a GRU (a lighter gated cell) and a
small Transformer (self-attention lets every row look at every other row; a learned position embedding tells
them apart).

    python examples/sequence_models.py --data ../shared/data/mnist/idx
"""
from __future__ import annotations

import time

import neurona as nr
from neurona import layers as L

from _common import parse, run, save_model, show


def lstm():
    return nr.Sequential([L.Input((28, 28)), L.LSTM(128), L.Dense(10, activation="softmax")])


def gru():
    return nr.Sequential([L.Input((28, 28)), L.GRU(128), L.Dense(10, activation="softmax")])


def transformer():
    return nr.Sequential([L.Input((28, 28)), L.Dense(64), L.PositionEmbedding(28),
                          L.TransformerEncoder(intermediate_dim=128, num_heads=4),
                          L.GlobalAveragePooling1D(), L.Dense(10, activation="softmax")])


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv, data=True)
    (x, y), (x_test, y_test) = nr.datasets.load_mnist(args.data)
    x, x_test = x / 255.0, x_test / 255.0
    if args.quick:
        x, y, x_test, y_test = x[:6000], y[:6000], x_test[:1000], y_test[:1000]
    epochs = {"LSTM": 5, "GRU": 5, "Transformer": 10} if not args.quick else {"LSTM": 2, "GRU": 2, "Transformer": 2}
    learning_rate = {"LSTM": 1e-3, "GRU": 1e-3, "Transformer": 2e-3}
    figures = {}
    for name, build in (("LSTM", lstm), ("GRU", gru), ("Transformer", transformer)):
        nr.utils.set_random_seed(args.seed)
        model = build()
        model.compile(nr.optimizers.Adam(learning_rate[name]), "sparse_categorical_crossentropy", ["accuracy"])
        start = time.perf_counter()
        history = model.fit(x, y, batch_size=128, epochs=epochs[name], validation_split=0.1, verbose=2)
        figures[f"{name}: test accuracy"] = model.evaluate(x_test, y_test, batch_size=500, verbose=0)[1]
        figures[f"{name}: training seconds"] = time.perf_counter() - start
        figures[f"{name}: parameters"] = model.count_params()
        nr.viz.plot_history(history, args.out / f"sequence_{name.lower()}.png", title=f"MNIST rows, {name}")
        save_model(model, args.out / f"sequence_{name.lower()}.neurona", x_test[:32])
    show("MNIST rows as sequences", figures)
    return figures


if __name__ == "__main__":
    run(main)
