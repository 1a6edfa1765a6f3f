"""GEMM speed at the shapes the benchmark models use: NumPy's BLAS (what neurona calls) against PyTorch's, and
oneDNN's ``dnnl_sgemm`` when a ``libdnnl.so`` is given. GFLOP/s, float32, ``out=`` buffers reused, best of
many repetitions, the same thread count for all.

    python benchmarks/gemm.py [--threads 2] [--dnnl /path/to/libdnnl.so.3]

neurona keeps NumPy's BLAS unless another library is faster at these shapes on the machine measured: the
table this prints is the evidence (``benchmarks/results/gemm.md``).
"""
from __future__ import annotations

import argparse
import ctypes
import os
import time
from pathlib import Path

import numpy as np

# (M, K, N, what uses it)
SHAPES = [
    (32, 784, 256, "MLP layer 1, batch 32"),
    (128, 784, 256, "MLP layer 1, batch 128"),
    (512, 784, 256, "MLP layer 1, batch 512"),
    (784, 128, 256, "MLP layer 1 weight gradient, batch 128 (x^T g)"),
    (7744, 288, 64, "convnet conv2 im2col, batch 64"),
    (64, 128, 512, "LSTM recurrent step, batch 64"),
    (1792, 64, 128, "Transformer feed-forward, batch 64 x 28 steps"),
    (1024, 1024, 1024, "square"),
]


def best_seconds(fn, budget=0.3):
    fn()
    best, spent = float("inf"), 0.0
    while spent < budget:
        start = time.perf_counter()
        fn()
        took = time.perf_counter() - start
        best, spent = min(best, took), spent + took
    return best


def dnnl_gemm(path):
    lib = ctypes.CDLL(path)
    f = lib.dnnl_sgemm
    f.restype = ctypes.c_int
    f.argtypes = [ctypes.c_char, ctypes.c_char] + [ctypes.c_int64] * 3 + [ctypes.c_float, ctypes.c_void_p,
                  ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64, ctypes.c_float, ctypes.c_void_p, ctypes.c_int64]

    def gemm(a, b, c):  # row-major, as oneDNN takes it
        m, k = a.shape
        n = b.shape[1]
        if f(b"N", b"N", m, n, k, 1.0, a.ctypes.data, k, b.ctypes.data, n, 0.0, c.ctypes.data, n) != 0:
            raise RuntimeError("dnnl_sgemm failed")
    return gemm


def measure(threads, dnnl=None):
    import torch
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    rows = []
    for m, k, n, what in SHAPES:
        a, b = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
        c = np.empty((m, n), dtype=np.float32)
        flops = 2.0 * m * k * n
        row = {"shape": f"{m}x{k}x{n}", "what": what,
               "numpy": flops / best_seconds(lambda: np.matmul(a, b, out=c)) / 1e9}
        ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
        row["torch"] = flops / best_seconds(lambda: torch.mm(ta, tb, out=tc)) / 1e9
        if dnnl is not None:
            row["onednn"] = flops / best_seconds(lambda: dnnl(a, b, c)) / 1e9
        rows.append(row)
    return rows


def markdown(rows, threads):
    import platform
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    libs = [k for k in ("numpy", "torch", "onednn") if k in rows[0]]
    out = [f"# GEMM, GFLOP/s ({cpu}, {threads} threads, float32, best of repetitions)", "",
           "| shape M×K×N | used by | " + " | ".join(libs) + " |", "|---|---|" + "---|" * len(libs)]
    for r in rows:
        out.append(f"| {r['shape']} | {r['what']} | " + " | ".join(f"{r[k]:.0f}" for k in libs) + " |")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--dnnl", help="path to libdnnl.so.3 (e.g. from the onednn-cpu-gomp wheel)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "gemm.md"))
    args = parser.parse_args()
    text = markdown(measure(args.threads, dnnl_gemm(args.dnnl) if args.dnnl else None), args.threads)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
