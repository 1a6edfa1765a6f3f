"""Data-parallel scaling on this machine, and a ring-allreduce cost model for clusters.

Measured: one epoch of the MNIST MLP (batch 128) and of the Keras convnet (batch 64) on MNIST-shaped data, with
1 rank x 2 threads and with 2 ranks x 1 thread (``mpiexec -n 2``, the same global batch). Reported: the epoch
time, the time spent in Allreduce, the gradient bytes per step.

Predicted: for N = 8..256 nodes each training on the measured batch (weak scaling), a step costs the measured
compute time plus a ring allreduce of the gradient bytes B: ``2 (N - 1) latency + 2 (N - 1) / N * B /
bandwidth``, for 10 and 100 Gb/s links (latency 5 us, 1.5 us).

    python benchmarks/distributed.py [--samples 60000] [--out results/distributed.md]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
LINKS = {"10 Gb/s": (10e9 / 8, 5e-6), "100 Gb/s": (100e9 / 8, 1.5e-6)}
NODES = [8, 16, 32, 64, 128, 256]


def worker(case, samples):
    """One epoch of ``case`` with fit(distribute=True); rank 0 prints a JSON line of its figures."""
    sys.path.insert(0, str(HERE))
    import neurona as nr
    from neurona import layers as L
    from neurona.distributed import comm
    nr.distributed.init()
    nr.utils.set_random_seed(0)
    if case == "mlp":
        from mlp_mnist import mnist_shaped
        x, y = mnist_shaped(n=samples)
        model = nr.Sequential([L.Input((784,)), L.Dense(256, activation="relu"), L.Dense(128, activation="relu"),
                               L.Dense(10, activation="softmax")])
        batch = 128
    else:
        from cnn_mnist import images
        x, y = images(samples)
        model = nr.Sequential([L.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                               L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
                               L.Dropout(0.5), L.Dense(10, activation="softmax")])
        batch = 64
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x[:4096], y[:4096], batch_size=batch, epochs=1, verbose=0, distribute=True)   # warm-up
    for key in comm.stats:
        comm.stats[key] = type(comm.stats[key])(0)
    nr.distributed.barrier()
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch, epochs=1, verbose=0, distribute=True)
    seconds = time.perf_counter() - start
    steps = -(-len(x) // batch)
    params = sum(w.numpy().size for w in model.trainable_weights)
    if nr.distributed.is_main():
        print(json.dumps({"seconds": seconds, "loss": history.history["loss"][0], "steps": steps,
                          "allreduce_seconds": comm.stats["allreduce_seconds"],
                          "allreduce_calls": comm.stats["allreduce_calls"],
                          "gradient_bytes": params * 4, "batch": batch}))


def measure(case, ranks, threads, samples):
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads), "NUMBA_NUM_THREADS": str(threads)}
    command = [sys.executable, __file__, "--worker", case, "--samples", str(samples)]
    if ranks > 1:
        mpiexec = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or "mpiexec"
        command = [mpiexec, "-n", str(ranks)] + command
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def ring_allreduce_seconds(nbytes, nodes, bandwidth, latency):
    return 2 * (nodes - 1) * latency + 2 * (nodes - 1) / nodes * nbytes / bandwidth


def prediction_rows(case, one_rank):
    """Weak scaling: each node keeps the measured batch (the global batch grows with the nodes) and its step's
    compute time; a step adds one ring allreduce of the gradients. For each link and node count: the step time,
    the communication share, the efficiency and the speed-up in samples per second over one node."""
    compute = one_rank["seconds"] / one_rank["steps"]          # one step of the measured batch on this machine
    rows = []
    for link, (bandwidth, latency) in LINKS.items():
        for nodes in NODES:
            comm_s = ring_allreduce_seconds(one_rank["gradient_bytes"], nodes, bandwidth, latency)
            step = compute + comm_s
            rows.append(f"| {case} | {link} | {nodes} | {nodes * one_rank['batch']:,} | {step * 1e3:.2f} ms | "
                        f"{comm_s / step:.0%} | {nodes * compute / step:.0f}x |")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["mlp", "cnn"])
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--out", default=str(HERE / "results" / "distributed.md"))
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.samples)
    measured = ["| case | ranks x threads | epoch | in Allreduce | Allreduces per step (gradients + logs) | "
                "gradient bytes per step | loss |", "|---|---|---|---|---|---|---|"]
    predicted = ["| case | link | nodes | global batch | step | communication share | speed-up over 1 node |",
                 "|---|---|---|---|---|---|---|"]
    for case in ("mlp", "cnn"):
        one = measure(case, 1, 2, args.samples)
        two = measure(case, 2, 1, args.samples)
        for label, r in (("1 x 2", one), ("2 x 1", two)):
            measured.append(f"| {case} | {label} | {r['seconds']:.2f} s | {r['allreduce_seconds']:.2f} s | "
                            f"{r['allreduce_calls'] / r['steps']:.0f} | {r['gradient_bytes']:,} | "
                            f"{r['loss']:.4f} |")
        predicted += prediction_rows(case, one)
        print("\n".join(measured[-2:]), flush=True)
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    text = "\n".join([f"# Data-parallel scaling\n\n{cpu}, {os.cpu_count()} cores; `python benchmarks/distributed.py "
                      f"--samples {args.samples}`. One epoch, after a warm-up.\n", *measured,
                      "\n## Predicted for a cluster (ring allreduce, weak scaling)\n",
                      "Each node trains on the measured batch at this machine's measured step time; a step adds "
                      "2(N-1) latency + 2(N-1)/N x gradient bytes / bandwidth (latency 5 us at 10 Gb/s, 1.5 us at "
                      "100 Gb/s).\n", *predicted, ""])
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
