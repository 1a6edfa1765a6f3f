"""One epoch of an LSTM (128 units) on 28-step sequences of 28 features, then a dense softmax, batch 64.

Neurona vs PyTorch, each in its own process with the same thread count.

    python benchmarks/lstm.py [--batch-size 64] [--samples 60000] [--steps 28] [--repeat 3]
"""
from __future__ import annotations

import numpy as np

from _harness import add_batch_and_samples, main, time_neurona_epoch, time_torch_epoch


def sequences(n, seed=0, steps=28):
    """``n`` sequences of ``steps`` steps of 28 features (MNIST rows when ``steps`` is 28) and their labels."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, steps, 28), dtype=np.uint8).astype(np.float32)
    x /= 255.0
    return x, rng.integers(0, 10, size=n)


def run_neurona(args):
    import neurona as nr
    from neurona import layers as L
    x, y = sequences(args.samples, steps=args.steps)
    nr.utils.set_random_seed(0)
    model = nr.Sequential([L.Input((args.steps, 28)), L.LSTM(128), L.Dense(10, activation="softmax")])
    return time_neurona_epoch(model, x, y, args.batch_size)


def run_torch(args):
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(28, 128, batch_first=True)
            self.out = torch.nn.Linear(128, 10)

        def forward(self, z):
            return self.out(self.lstm(z)[0][:, -1])
    torch.manual_seed(0)
    return time_torch_epoch(Net(), *sequences(args.samples, steps=args.steps), args.batch_size)


def add_arguments(parser):
    add_batch_and_samples(parser)
    parser.add_argument("--steps", type=int, default=28, help="sequence length")


if __name__ == "__main__":
    main(__doc__.splitlines()[0], __file__, run_neurona, run_torch, add_arguments)
