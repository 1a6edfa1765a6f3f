"""One epoch of the 784-256-128-10 ReLU MLP with Adam on 60,000 MNIST-shaped samples: neurona vs PyTorch.

Targets: time ratio <= 1.0 (<= 0.8 at batch 128), peak RSS ratio <= 1.0.

    python benchmarks/mlp_mnist.py [--batch-size 128] [--samples 60000] [--hidden 256] [--repeat 3]
"""
from __future__ import annotations

import numpy as np

from _harness import main, time_neurona_epoch, time_torch_epoch

N, FEATURES, CLASSES = 60_000, 784, 10


def mnist_shaped(seed=0, n=N):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, FEATURES), dtype=np.uint8).astype(np.float32)
    x /= 255.0
    return x, rng.integers(0, CLASSES, size=n)


def run_neurona(args):
    import neurona as nr
    x, y = mnist_shaped(n=args.samples)
    nr.utils.set_random_seed(0)
    model = nr.Sequential([nr.layers.Input((784,)), nr.layers.Dense(args.hidden, activation="relu"),
                           nr.layers.Dense(128, activation="relu"), nr.layers.Dense(10, activation="softmax")])
    return time_neurona_epoch(model, x, y, args.batch_size, warmup=2048)


def add_arguments(parser):
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--samples", type=int, default=N)
    parser.add_argument("--hidden", type=int, default=256, help="width of the first hidden layer")


def run_torch(args):
    import torch
    x, y = mnist_shaped(n=args.samples)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(784, args.hidden), torch.nn.ReLU(), torch.nn.Linear(args.hidden, 128),
                              torch.nn.ReLU(), torch.nn.Linear(128, 10))
    return time_torch_epoch(net, x, y, args.batch_size, warmup=2048)


if __name__ == "__main__":
    main(__doc__.splitlines()[0], __file__, run_neurona, run_torch, add_arguments)
