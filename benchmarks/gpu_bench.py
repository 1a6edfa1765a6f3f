"""On a CUDA machine: one epoch of the MLP (batch 512) and of the convnet (batch 64) on the GPU, neurona (CuPy)
vs PyTorch CUDA in the same run, after a warm-up. Targets: MLP <= 1.5, convnet <= 2.0.

    python benchmarks/gpu_bench.py [--samples 60000]
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def data(shape, n):
    rng = np.random.default_rng(0)
    return rng.random((n,) + shape, dtype=np.float32), rng.integers(0, 10, n)


def neurona_epoch(build, x, y, batch_size):
    import neurona as nr
    nr.utils.set_random_seed(0)
    model = build().to("cuda")
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x[:4096], y[:4096], batch_size=batch_size, epochs=1, verbose=0)
    nr.cuda.synchronize()
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    nr.cuda.synchronize()
    return time.perf_counter() - start


def torch_epoch(net, x, y, batch_size):
    import torch
    net = net.cuda()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    xs, ys = torch.from_numpy(x).cuda(), torch.from_numpy(y).cuda()

    def epoch(n):
        order = torch.randperm(n, device="cuda")
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xs[index]), ys[index]).backward()
            opt.step()
    epoch(4096)
    torch.cuda.synchronize()
    start = time.perf_counter()
    epoch(len(x))
    torch.cuda.synchronize()
    return time.perf_counter() - start


def main(argv=None):
    import torch
    from gpu_parity import convnet, mlp
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60_000)
    args = parser.parse_args(argv)
    x, y = data((784,), args.samples)
    ours = neurona_epoch(mlp, x, y, 512)
    theirs = torch_epoch(torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                             torch.nn.ReLU(), torch.nn.Linear(128, 10)), x, y, 512)
    print(f"MLP batch 512:     neurona {ours:.2f} s  pytorch {theirs:.2f} s  ratio {ours / theirs:.2f} (target <= 1.5)")
    xi, yi = data((28, 28, 1), args.samples)
    ours = neurona_epoch(convnet, xi, yi, 64)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                              torch.nn.Linear(1600, 10))
    theirs = torch_epoch(net, np.ascontiguousarray(xi.transpose(0, 3, 1, 2)), yi, 64)
    print(f"convnet batch 64:  neurona {ours:.2f} s  pytorch {theirs:.2f} s  ratio {ours / theirs:.2f} (target <= 2.0)")


if __name__ == "__main__":
    main()
