"""Inference: ``predict`` latency on one sample and throughput at batch 1,024, neurona vs PyTorch eager
(``model.eval()`` under ``torch.no_grad()``), for the MLP, the convnet and the LSTM of the training benchmarks.
Each framework runs in its own process with the same thread count.

    python benchmarks/inference.py [--model mlp] [--threads 2]

Target: latency at or below 0.5x PyTorch's.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from _harness import thread_env

SHAPES = {"mlp": (784,), "cnn": (28, 28, 1), "lstm": (28, 28)}
LATENCY_CALLS, THROUGHPUT_SAMPLES, BATCH = 1000, 10_240, 1024
#: one-sample calls before the timed ones, for at least this long: in a fresh process neurona's MLP took 43-45 us
#: a call over its first 300 and 38-40 after 600 (PyTorch's 92-96, then 90); a served model runs in that steady state
WARMUP_S = 0.5


def neurona_model(kind):
    import neurona as nr
    L = nr.layers
    nr.utils.set_random_seed(0)
    if kind == "mlp":
        layers = [L.Input((784,)), L.Dense(256, activation="relu"), L.Dense(128, activation="relu"),
                  L.Dense(10, activation="softmax")]
    elif kind == "cnn":
        layers = [L.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                  L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.5),
                  L.Dense(10, activation="softmax")]
    else:
        layers = [L.Input((28, 28)), L.LSTM(128), L.Dense(10, activation="softmax")]
    model = nr.Sequential(layers)
    return lambda x, batch_size=BATCH: model.predict(x, batch_size=batch_size, verbose=0)


def torch_model(kind):
    import torch
    nn = torch.nn
    torch.manual_seed(0)
    if kind == "mlp":
        net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10),
                            nn.Softmax(-1))
    elif kind == "cnn":
        net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                            nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10), nn.Softmax(-1))
    else:
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm, self.out = nn.LSTM(28, 128, batch_first=True), nn.Linear(128, 10)

            def forward(self, z):
                return torch.softmax(self.out(self.lstm(z)[0][:, -1]), -1)
        net = Net()
    net.eval()
    channels_first = kind == "cnn"

    def predict(x, batch_size=BATCH):
        if channels_first:
            x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        with torch.no_grad():
            return np.concatenate([net(torch.from_numpy(x[i:i + batch_size])).numpy()
                                   for i in range(0, len(x), batch_size)])
    return predict


def worker(framework, kind, threads):
    if framework == "torch":
        import torch
        torch.set_num_threads(threads)
    predict = (neurona_model if framework == "neurona" else torch_model)(kind)
    rng = np.random.default_rng(0)
    one = rng.random((1,) + SHAPES[kind], dtype=np.float32)
    many = rng.random((THROUGHPUT_SAMPLES,) + SHAPES[kind], dtype=np.float32)
    start = time.perf_counter()
    while time.perf_counter() - start < WARMUP_S:
        predict(one)
    latencies = []
    for _ in range(LATENCY_CALLS):
        start = time.perf_counter()
        predict(one)
        latencies.append(time.perf_counter() - start)
    predict(many[:BATCH])
    start = time.perf_counter()
    predict(many)
    seconds = time.perf_counter() - start
    return {"latency_s": statistics.median(latencies), "samples_per_s": THROUGHPUT_SAMPLES / seconds}


def measure(kind, threads, repeat=3):
    """Median over ``repeat`` alternated fresh processes of each framework."""
    runs = {"neurona": [], "torch": []}
    for _ in range(repeat):
        for framework in runs:
            out = subprocess.run([sys.executable, __file__, "--worker", framework, "--model", kind,
                                  "--threads", str(threads)], capture_output=True, text=True,
                                 env=thread_env(threads), cwd=os.path.dirname(os.path.abspath(__file__)))
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-2000:])
            runs[framework].append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {f: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for f, rs in runs.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=list(SHAPES), nargs="*", default=list(SHAPES))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", choices=["neurona", "torch"])
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.model[0] if isinstance(args.model, list) else args.model,
                                args.threads)))
        return
    for kind in args.model:
        r = measure(kind, args.threads, args.repeat)
        n, t = r["neurona"], r["torch"]
        print(f"{kind}: latency neurona {n['latency_s'] * 1e6:.0f} us, PyTorch {t['latency_s'] * 1e6:.0f} us, "
              f"ratio {n['latency_s'] / t['latency_s']:.2f}; throughput neurona {n['samples_per_s']:.0f}/s, "
              f"PyTorch {t['samples_per_s']:.0f}/s")


if __name__ == "__main__":
    main()
