"""Per-op overhead: forward + backward of a 1,000-op elementwise chain on small tensors.

Prints neurona's time, PyTorch's time (same process, same thread count) and the ratio (target <= 1.0), and the
import times of both libraries, each measured in a fresh interpreter.

    python benchmarks/overhead.py
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from _timing import median_time, set_threads

N_OPS = 1000
SIZE = 16


def chain(lib, x):
    """1,000 elementwise ops: a mix of mul, add, tanh, sigmoid-like and exp, as a small network would use."""
    y = x
    for i in range(N_OPS // 4):
        y = y * 0.9
        y = y + x
        y = lib.tanh(y)
        y = y - 0.1
    return y.sum()


def neurona_step():
    import neurona as nr
    x = nr.tensor(DATA, requires_grad=True)
    chain(nr, x).backward()


def torch_step():
    import torch
    x = torch.tensor(DATA, requires_grad=True)
    chain(torch, x).backward()


def import_time(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return sorted(runs)[1]


DATA = np.random.default_rng(0).normal(size=SIZE).astype(np.float32)

def interleaved(repeat=15):
    """Median times of both, measured in alternation (the machine's speed drifts)."""
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(median_time(neurona_step, repeat=1, warmup=1))
        theirs.append(median_time(torch_step, repeat=1, warmup=1))
    return sorted(ours)[len(ours) // 2], sorted(theirs)[len(theirs) // 2]


if __name__ == "__main__":
    threads = set_threads()
    ours, theirs = interleaved()
    print(f"op-overhead chain ({N_OPS} ops on {SIZE} floats, forward+backward, {threads} threads)")
    print(f"  neurona {ours * 1e3:8.2f} ms   pytorch {theirs * 1e3:8.2f} ms   ratio {ours / theirs:.2f}  "
          "(target <= 1.0)")
    t_ours, t_torch = import_time("neurona"), import_time("torch")
    print(f"import: neurona {t_ours * 1e3:.0f} ms   torch {t_torch * 1e3:.0f} ms   ratio {t_ours / t_torch:.2f}")
