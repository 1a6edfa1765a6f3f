"""Timing helpers shared by the benchmarks: warm-up, repetitions, median, same thread count for both."""
from __future__ import annotations

import os
import statistics
import time


def set_threads(n: int | None = None) -> int:
    """Give NumPy's BLAS and PyTorch the same thread count (all cores by default); returns it."""
    n = n or os.cpu_count() or 1
    import torch
    torch.set_num_threads(n)
    return n


def median_time(fn, repeat=7, warmup=2) -> float:
    """Median wall time of ``fn()`` in seconds, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
