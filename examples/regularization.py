"""Stability and regularization (the lecture's last training topic), on a setup built to overfit: a large
network (two layers of 256 relu units) trained on 500 digits whose labels are 25% wrong (flipped at random).
A network that memorises its training set learns the wrong labels too; its validation loss starts rising.

The same network is trained five times: as it is, with an L2 penalty on its kernels, with dropout, with batch
normalization, and with early stopping (stop where the validation loss starts rising, keep the best weights).
Each run's learning curves are drawn side by side, with neurona's diagnosis, and each is scored on a clean
test set. (Batch normalization mostly speeds up and stabilises training; its regularizing effect is small.)

    python examples/regularization.py
"""
from __future__ import annotations

import numpy as np

import neurona as nr
from neurona import layers as L

from _common import figure, parse, run, save, show

TREATMENTS = ("none", "l2", "dropout", "batchnorm", "early_stopping")


def build(kind):
    reg = nr.regularizers.L2(5e-3) if kind == "l2" else None
    body = []
    for _ in range(2):
        body.append(L.Dense(256, activation=None if kind == "batchnorm" else "relu", kernel_regularizer=reg))
        if kind == "batchnorm":
            body += [L.BatchNormalization(), L.Activation("relu")]
        if kind == "dropout":
            body.append(L.Dropout(0.5))
    model = nr.Sequential([L.Input((64,))] + body + [L.Dense(10, activation="softmax")])
    model.compile(nr.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"])
    return model


def noisy_digits(seed, n_train=500, noise=0.25):
    (x, y), (x_test, y_test) = nr.datasets.load_digits(test_size=0.5, seed=seed)
    x, x_test = x.reshape(len(x), -1) / 16.0, x_test.reshape(len(x_test), -1) / 16.0
    rng = np.random.default_rng(seed)
    wrong = rng.random(len(y)) < noise
    labels = y.copy()
    labels[wrong] = rng.integers(0, 10, int(wrong.sum()))
    return (x[:n_train], labels[:n_train]), (x[n_train:], labels[n_train:]), (x_test, y_test)


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv)
    (x, y), validation, (x_test, y_test) = noisy_digits(args.seed)
    epochs = 40 if args.quick else 80
    figures, runs = {}, {}
    for kind in TREATMENTS:
        nr.utils.set_random_seed(args.seed)
        model = build(kind)
        callbacks = [nr.callbacks.EarlyStopping(patience=10, restore_best_weights=True)] \
            if kind == "early_stopping" else []
        history = model.fit(x, y, epochs=epochs, batch_size=32, validation_data=validation, callbacks=callbacks,
                            verbose=0)
        diagnosis = nr.diagnose(history)
        runs[kind] = (history, diagnosis)
        figures[f"{kind}: clean test accuracy"] = model.evaluate(x_test, y_test, verbose=0)[1]
        figures[f"{kind}: validation loss rise"] = diagnosis.numbers["val_rise"]
        figures[f"{kind}: diagnosis"] = diagnosis.verdict
        print(f"  {kind:<15} {diagnosis}")
    show("A network that overfits 500 noisy digits, and four treatments", figures)

    fig = figure(18, 3.8)
    for i, (kind, (history, diagnosis)) in enumerate(runs.items()):
        ax = fig.add_subplot(1, len(runs), i + 1)
        ax.plot(range(1, len(history.epoch) + 1), history.history["loss"], label="training")
        ax.plot(range(1, len(history.epoch) + 1), history.history["val_loss"], label="validation")
        ax.axvline(diagnosis.best_epoch, color="gray", ls="--", lw=1)
        ax.set_title(f"{kind}: {diagnosis.verdict}", fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.set_ylim(0, 3)
        ax.legend(fontsize=8)
    save(fig, args.out / "regularization.png")
    return figures


if __name__ == "__main__":
    run(main)
