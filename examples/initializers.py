"""Weight initialization (the lecture's exercise: which initializer does Keras use by default for Dense?).

Keras' default for Dense kernels is glorot_uniform (uniform in +-sqrt(6 / (fan_in + fan_out))) with zero
biases. Here the same network is trained on the digits from three starts: glorot_uniform, he_normal (suited to
relu) and all zeros. With zeros every hidden unit of a layer computes the same thing and receives the same
gradient: in exact arithmetic they stay identical forever (the symmetry is never broken), so the layer is as
good as one unit. In float32 the matrix products may round one column differently from another (how depends on
the CPU's BLAS), and the symmetric state is unstable: those 1e-7 differences grow about tenfold an epoch. The
units are still copies of each other after the first epoch, and the network learns far less than from a
random start either way.

    python examples/initializers.py
"""
from __future__ import annotations

import numpy as np

import neurona as nr
from neurona import layers as L

from _common import figure, parse, run, save, show


def data():
    (x, y), (xt, yt) = nr.datasets.load_digits()
    return x.reshape(len(x), -1) / 16.0, y, xt.reshape(len(xt), -1) / 16.0, yt


def build(init):
    model = nr.Sequential([L.Input((64,)),
                           L.Dense(32, activation="sigmoid", kernel_initializer=init, name="hidden"),
                           L.Dense(10, activation="softmax", kernel_initializer=init, name="output")])
    model.compile(nr.optimizers.Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"])
    return model


def units_spread(layer):
    """The largest difference between a hidden unit's incoming weights and the first unit's."""
    kernel = layer.kernel.numpy()
    return float(np.abs(kernel - kernel[:, :1]).max())


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv)
    default = nr.layers.Dense(1)
    print(f"Keras' (and neurona's) default Dense initializers: kernel {type(default.kernel_initializer).__name__}, "
          f"bias {type(default.bias_initializer).__name__}")
    x, y, xt, yt = data()
    epochs = 8 if args.quick else 25
    figures, histories = {}, {}
    for init in ("glorot_uniform", "he_normal", "zeros"):
        nr.utils.set_random_seed(args.seed)
        model = build(init)
        spread = []   # after each epoch, how far the hidden units' weights are from the first unit's
        record = nr.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs, m=model: spread.append(units_spread(m.get_layer("hidden"))))
        histories[init] = model.fit(x, y, epochs=epochs, validation_split=0.2, verbose=0, callbacks=[record])
        figures[f"{init}: test accuracy"] = model.evaluate(xt, yt, verbose=0)[1]
        figures[f"{init}: units' largest difference after epoch 1"] = spread[0]
        kernel = model.get_layer("hidden").kernel.numpy()
        figures[f"{init}: distinct hidden units at the end"] = len(np.unique(kernel.round(6), axis=1).T)
    figures["zeros: hidden units identical after epoch 1 (to 1e-5)"] = (
        figures["zeros: units' largest difference after epoch 1"] <= 1e-5)
    show("Initializers on the digits (32 sigmoid hidden units)", figures)

    fig = figure(11, 3.5)
    for i, (init, history) in enumerate(histories.items()):
        ax = fig.add_subplot(1, 3, i + 1)
        ax.plot(history.history["loss"], label="training")
        ax.plot(history.history["val_loss"], label="validation")
        ax.set_title(init)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.legend()
    save(fig, args.out / "initializers.png")
    return figures


if __name__ == "__main__":
    run(main)
