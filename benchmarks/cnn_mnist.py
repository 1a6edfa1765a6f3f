"""One epoch of the classic Keras MNIST convnet at batch 64: neurona vs PyTorch.

Conv 32 3x3, pool, Conv 64 3x3, pool, dropout, dense softmax, on 60,000 MNIST-shaped images.

    python benchmarks/cnn_mnist.py [--batch-size 64] [--samples 60000] [--repeat 3]
"""
from __future__ import annotations

import numpy as np

from _harness import add_batch_and_samples, main, time_neurona_epoch, time_torch_epoch


def images(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, 28, 28, 1), dtype=np.uint8).astype(np.float32)
    x /= 255.0
    return x, rng.integers(0, 10, size=n)


def run_neurona(args):
    import neurona as nr
    from neurona import layers as L
    x, y = images(args.samples)
    nr.utils.set_random_seed(0)
    model = nr.Sequential([L.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                           L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.5),
                           L.Dense(10, activation="softmax")])
    return time_neurona_epoch(model, x, y, args.batch_size)


def run_torch(args):
    import torch
    x, y = images(args.samples)
    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                              torch.nn.Dropout(0.5), torch.nn.Linear(1600, 10))
    return time_torch_epoch(net, x, y, args.batch_size)


if __name__ == "__main__":
    main(__doc__.splitlines()[0], __file__, run_neurona, run_torch, add_batch_and_samples)
