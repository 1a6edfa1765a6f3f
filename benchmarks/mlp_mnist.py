"""One epoch of the 784-256-128-10 ReLU MLP with Adam on 60,000 MNIST-shaped samples: neurona vs PyTorch.

Each framework trains in its own subprocess (so each one's peak RSS is its own), with the same thread count,
after a warm-up. Prints both times, both peak RSS and the ratios (targets: time <= 1.0, RSS <= 1.0).

    python benchmarks/mlp_mnist.py [--batch-size 128] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

N, FEATURES, CLASSES = 60_000, 784, 10


def mnist_shaped(seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.integers(0, 256, size=(N, FEATURES), dtype=np.uint8) / 255.0).astype(np.float32)
    y = rng.integers(0, CLASSES, size=N)
    return x, y


def run_neurona(batch_size, threads):
    import neurona as nr
    x, y = mnist_shaped()
    nr.utils.set_random_seed(0)
    model = nr.Sequential([nr.layers.Input((784,)), nr.layers.Dense(256, activation="relu"),
                           nr.layers.Dense(128, activation="relu"), nr.layers.Dense(10, activation="softmax")])
    model.compile(nr.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    model.fit(x[:2048], y[:2048], batch_size=batch_size, epochs=1, verbose=0)  # warm-up
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    return time.perf_counter() - start, history.history["loss"][0]


def run_torch(batch_size, threads):
    import torch
    torch.set_num_threads(threads)
    x, y = mnist_shaped()
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                              torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)

    def epoch(xs, ys):
        order = torch.randperm(len(xs))
        total = 0.0
        for start in range(0, len(xs), batch_size):
            index = order[start:start + batch_size]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(xs[index]), ys[index])
            loss.backward()
            opt.step()
            total += loss.item() * len(index)
        return total / len(xs)
    epoch(x[:2048], y[:2048])
    start = time.perf_counter()
    loss = epoch(x, y)
    return time.perf_counter() - start, loss


def worker(framework, batch_size, threads):
    seconds, loss = (run_neurona if framework == "neurona" else run_torch)(batch_size, threads)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "loss": loss, "peak_rss_mb": peak_kb / 1024}))


def measure(framework, batch_size, threads, repeat):
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads)}
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--worker", framework, "--batch-size", str(batch_size),
                              "--threads", str(threads)], capture_output=True, text=True, env=env, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs), "loss": runs[0]["loss"]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--worker", choices=["neurona", "torch"])
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.batch_size, args.threads)
    ours = measure("neurona", args.batch_size, args.threads, args.repeat)
    theirs = measure("torch", args.batch_size, args.threads, args.repeat)
    print(f"MLP 784-256-128-10, Adam, batch {args.batch_size}, one epoch of {N:,} samples, {args.threads} threads")
    print(f"  time      neurona {ours['seconds']:7.2f} s     pytorch {theirs['seconds']:7.2f} s     "
          f"ratio {ours['seconds'] / theirs['seconds']:.2f}  (target <= 1.0)")
    print(f"  peak RSS  neurona {ours['peak_rss_mb']:7.0f} MB    pytorch {theirs['peak_rss_mb']:7.0f} MB    "
          f"ratio {ours['peak_rss_mb'] / theirs['peak_rss_mb']:.2f}  (target <= 1.0)")
    print(f"  epoch loss: neurona {ours['loss']:.4f}  pytorch {theirs['loss']:.4f}")
    return {"neurona": ours, "pytorch": theirs}


if __name__ == "__main__":
    main()
