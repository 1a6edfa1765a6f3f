"""The lecture's exercise: change the architecture, the optimizer and the hyperparameters on the bribes problem.

Four experiments, each changing one thing from a reference setup (16 sigmoid units, Adam, learning rate 0.01,
batch 32), with the validation curves side by side:

- architecture: 2, 16 or 64 hidden units, or two hidden layers;
- optimizer: SGD, SGD with momentum, RMSprop, Adam;
- learning rate: too small, about right, too large;
- batch size: 8, 32, the whole training set (gradient descent).

    python examples/hyperparameters.py
"""
from __future__ import annotations

import neurona as nr
from neurona import layers as L

from _common import figure, parse, run, save, show

REFERENCE = {"hidden": [16], "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32}
OPTIMIZERS = {"sgd": lambda lr: nr.optimizers.SGD(lr), "sgd+momentum": lambda lr: nr.optimizers.SGD(lr, 0.9),
              "rmsprop": lambda lr: nr.optimizers.RMSprop(lr), "adam": lambda lr: nr.optimizers.Adam(lr)}
EXPERIMENTS = {
    "architecture": [{"hidden": [2]}, {"hidden": [16]}, {"hidden": [64]}, {"hidden": [16, 16]}],
    "optimizer": [{"optimizer": name} for name in OPTIMIZERS],
    "learning rate": [{"learning_rate": lr} for lr in (0.0003, 0.01, 0.3)],
    "batch size": [{"batch_size": b} for b in (8, 32, 240)],
}


def label(change):
    value = next(iter(change.values()))
    return "-".join(map(str, value)) if isinstance(value, list) else str(value)


def train_once(setup, x, y, xv, yv, epochs, seed):
    nr.utils.set_random_seed(seed)
    hidden = [L.Dense(units, activation="sigmoid") for units in setup["hidden"]]
    model = nr.Sequential([L.Input((1,)), L.Normalization(mean=[5.0], variance=[25.0 / 3.0])] + hidden + [L.Dense(1)])
    model.compile(OPTIMIZERS[setup["optimizer"]](setup["learning_rate"]), "mse")
    return model.fit(x, y, epochs=epochs, batch_size=setup["batch_size"], validation_data=(xv, yv), verbose=0)


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv)
    x, y = nr.datasets.make_bribes(240, seed=args.seed)
    xv, yv = nr.datasets.make_bribes(200, seed=args.seed + 1)
    epochs = 25 if args.quick else 100
    results, figures = {}, {}
    for experiment, changes in EXPERIMENTS.items():
        for change in changes:
            history = train_once({**REFERENCE, **change}, x, y, xv, yv, epochs, args.seed)
            results.setdefault(experiment, {})[label(change)] = history.history["val_loss"]
            figures[f"{experiment} {label(change)}"] = history.history["val_loss"][-1]
    show(f"Bribes, validation MSE after {epochs} epochs", figures)

    fig = figure(16, 3.8)
    for i, (experiment, curves) in enumerate(results.items()):
        ax = fig.add_subplot(1, len(results), i + 1)
        for name, values in curves.items():
            ax.plot(range(1, len(values) + 1), values, label=name)
        ax.set_yscale("log")
        ax.set_title(experiment)
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation MSE")
        ax.legend(fontsize=8)
    save(fig, args.out / "hyperparameters.png")
    return figures


if __name__ == "__main__":
    run(main)
