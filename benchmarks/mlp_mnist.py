"""One epoch of the 784-256-128-10 ReLU MLP with Adam on 60,000 MNIST-shaped samples: neurona vs PyTorch.

Targets: time ratio <= 1.0 (<= 0.8 at batch 128), peak RSS ratio <= 1.0.

    python benchmarks/mlp_mnist.py [--batch-size 128] [--repeat 3]
"""
from __future__ import annotations

import time

import numpy as np

from _harness import main

N, FEATURES, CLASSES = 60_000, 784, 10


def mnist_shaped(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(N, FEATURES), dtype=np.uint8).astype(np.float32)
    x /= 255.0
    return x, rng.integers(0, CLASSES, size=N)


def run_neurona(args):
    import neurona as nr
    x, y = mnist_shaped()
    nr.utils.set_random_seed(0)
    model = nr.Sequential([nr.layers.Input((784,)), nr.layers.Dense(256, activation="relu"),
                           nr.layers.Dense(128, activation="relu"), nr.layers.Dense(10, activation="softmax")])
    model.compile(nr.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    model.fit(x[:2048], y[:2048], batch_size=args.batch_size, epochs=1, verbose=0)  # warm-up
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=args.batch_size, epochs=1, verbose=0)
    return time.perf_counter() - start, history.history["loss"][0]


def run_torch(args):
    import torch
    x, y = mnist_shaped()
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                              torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    return torch_epoch(net, opt, x, y, args.batch_size, torch.nn.functional.cross_entropy)


def torch_epoch(net, opt, x, y, batch_size, loss_fn, warmup=2048):
    """A warm-up on the first samples, then one timed shuffled epoch (the usual PyTorch loop)."""
    import torch

    def epoch(xs, ys):
        order = torch.randperm(len(xs))
        total = 0.0
        for start in range(0, len(xs), batch_size):
            index = order[start:start + batch_size]
            opt.zero_grad()
            loss = loss_fn(net(xs[index]), ys[index])
            loss.backward()
            opt.step()
            total += loss.item() * len(index)
        return total / len(xs)
    epoch(x[:warmup], y[:warmup])
    start = time.perf_counter()
    loss = epoch(x, y)
    return time.perf_counter() - start, loss


if __name__ == "__main__":
    main(__doc__.splitlines()[0], __file__, run_neurona, run_torch,
         lambda p: p.add_argument("--batch-size", type=int, default=128))
