"""MNIST with the classic Keras convnet (the lecture's CNNs: early layers find simple shapes, later ones whole
parts of the digit).

Conv 32 3x3 relu -> max pool 2x2 -> Conv 64 3x3 relu -> max pool 2x2 -> flatten -> dropout 0.5 -> 10 softmax;
Adam, batches of 128, 10% of the training set for validation.

    python examples/mnist_cnn.py --data ../shared/data/mnist/idx
"""
from __future__ import annotations

import time

import neurona as nr
from neurona import layers as L

from _common import parse, run, save_model, show


def convnet():
    return nr.Sequential([L.Input((28, 28, 1)),
                          L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                          L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2),
                          L.Flatten(), L.Dropout(0.5), L.Dense(10, activation="softmax")])


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv, data=True)
    (x, y), (x_test, y_test) = nr.datasets.load_mnist(args.data)
    x, x_test = x[..., None] / 255.0, x_test[..., None] / 255.0
    if args.quick:
        x, y = x[:6000], y[:6000]
    nr.utils.set_random_seed(args.seed)
    model = convnet()
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    model.summary()
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=128, epochs=2 if args.quick else 15, validation_split=0.1, verbose=2)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
    figures = {"test accuracy": accuracy, "test loss": loss, "training minutes": seconds / 60,
               "diagnosis": nr.diagnose(history).verdict}
    show("MNIST, Keras' convnet", figures)
    nr.viz.plot_history(history, args.out / "mnist_cnn_learning_curves.png", title="MNIST convnet")
    print(f"  picture: {args.out / 'mnist_cnn_learning_curves.png'}")
    nr.viz.plot_filters(model, args.out / "mnist_cnn_filters.png")          # the first layer's 32 kernels
    nr.viz.plot_feature_maps(model, x_test[0], args.out / "mnist_cnn_feature_maps.png")
    print(f"  pictures: {args.out / 'mnist_cnn_filters.png'}, {args.out / 'mnist_cnn_feature_maps.png'}")
    save_model(model, args.out / "mnist_cnn.neurona", x_test[:64])
    return figures


if __name__ == "__main__":
    run(main)
