"""MNIST with a multilayer perceptron (the lecture's multiclass example: 10 output units, softmax, categorical
cross-entropy).

784 pixels scaled to [0, 1] -> 256 relu -> dropout 0.3 -> 128 relu -> dropout 0.3 -> 10 softmax, Adam, batches
of 128, 20 epochs.

    python examples/mnist_mlp.py --data ../shared/data/mnist/idx
"""
from __future__ import annotations

import time

import neurona as nr
from neurona import layers as L

from _common import parse, run, save_model, show


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv, data=True)
    (x, y), (x_test, y_test) = nr.datasets.load_mnist(args.data)
    x, x_test = x.reshape(len(x), -1) / 255.0, x_test.reshape(len(x_test), -1) / 255.0
    if args.quick:
        x, y = x[:10000], y[:10000]
    nr.utils.set_random_seed(args.seed)
    model = nr.Sequential([L.Input((784,)), L.Dense(256, activation="relu"), L.Dropout(0.3),
                           L.Dense(128, activation="relu"), L.Dropout(0.3), L.Dense(10, activation="softmax")])
    model.compile(nr.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"])
    model.summary()
    start = time.perf_counter()
    history = model.fit(x, y, epochs=3 if args.quick else 20, batch_size=128, validation_split=0.1, verbose=2)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    figures = {"test accuracy": accuracy, "test loss": loss, "training seconds": seconds,
               "diagnosis": nr.diagnose(history).verdict}
    show("MNIST, multilayer perceptron", figures)
    nr.viz.plot_history(history, args.out / "mnist_mlp_learning_curves.png", title="MNIST MLP")
    print(f"  picture: {args.out / 'mnist_mlp_learning_curves.png'}")
    save_model(model, args.out / "mnist_mlp.neurona", x_test[:64])
    return figures


if __name__ == "__main__":
    run(main)
