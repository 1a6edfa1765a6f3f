"""Running one benchmark case for neurona and for PyTorch, each in its own subprocess (so each one's peak RSS is
its own), with the same thread count, and reporting the median time, peak RSS and the ratios.

A benchmark module defines ``run_neurona(args)`` and ``run_torch(args)`` returning (seconds, loss) and calls
:func:`main` with its description.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys


def thread_env(threads: int) -> dict:
    return {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
            "MKL_NUM_THREADS": str(threads)}


def run_worker(script, framework, extra, threads):
    out = subprocess.run([sys.executable, script, "--worker", framework, "--threads", str(threads), *extra],
                         capture_output=True, text=True, env=thread_env(threads))
    if out.returncode != 0:
        raise RuntimeError(f"{framework} worker failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_pair(script, extra, threads, repeat):
    """Fresh runs of both frameworks, alternating (the machine's speed drifts), ``repeat`` each: median
    seconds, peak RSS and the last loss for neurona and for PyTorch."""
    runs = {"neurona": [], "torch": []}
    for _ in range(repeat):
        for framework in runs:
            runs[framework].append(run_worker(script, framework, extra, threads))
    return tuple({"seconds": statistics.median(r["seconds"] for r in rs),
                  "first_call_s": statistics.median(r["first_call_s"] for r in rs),
                  "peak_rss_mb": max(r["peak_rss_mb"] for r in rs), "loss": rs[-1]["loss"]}
                 for rs in runs.values())


def main(description, script, run_neurona, run_torch, add_arguments=lambda p: None, argv=None, label=""):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--worker", choices=["neurona", "torch"])
    parser.add_argument("--torch-flush-denormal", action="store_true",
                        help="run PyTorch with torch.set_flush_denormal(True) (neurona flushes while training)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.worker:
        if args.worker == "torch":
            import torch
            torch.set_num_threads(args.threads)
            if args.torch_flush_denormal:
                torch.set_flush_denormal(True)
        seconds, loss, first = (run_neurona if args.worker == "neurona" else run_torch)(args)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": seconds, "loss": float(loss), "peak_rss_mb": peak, "first_call_s": first}))
        return None
    ours, theirs = measure_pair(script, _passthrough(args, parser), args.threads, args.repeat)
    ratio, rss_ratio = ours["seconds"] / theirs["seconds"], ours["peak_rss_mb"] / theirs["peak_rss_mb"]
    print(f"{description}{label}, {args.threads} threads, median of {args.repeat}")
    print(f"  time      neurona {ours['seconds']:8.2f} s    pytorch {theirs['seconds']:8.2f} s    ratio {ratio:.2f}")
    print(f"  peak RSS  neurona {ours['peak_rss_mb']:8.0f} MB   pytorch {theirs['peak_rss_mb']:8.0f} MB   "
          f"ratio {rss_ratio:.2f}")
    print(f"  loss      neurona {ours['loss']:8.4f}      pytorch {theirs['loss']:8.4f}")
    return {"neurona": ours, "pytorch": theirs, "ratio": ratio, "rss_ratio": rss_ratio}


def add_batch_and_samples(parser, batch_size=64):
    """The options every epoch benchmark takes."""
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--samples", type=int, default=60_000)


def time_neurona_epoch(model, x, y, batch_size, warmup=1024):
    """Compile ``model`` (Adam, sparse categorical cross-entropy), warm up on ``warmup`` samples, then time one
    epoch of ``fit`` on all of them; returns (seconds, epoch loss, seconds of the warm-up: the first call, with
    the kernels' loading or compiling and the tracing of the step)."""
    import time
    model.compile("adam", "sparse_categorical_crossentropy")
    start = time.perf_counter()
    model.fit(x[:warmup], y[:warmup], batch_size=batch_size, epochs=1, verbose=0)
    first = time.perf_counter() - start
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    return time.perf_counter() - start, history.history["loss"][0], first


def time_torch_epoch(net, x, y, batch_size, warmup=1024):
    """The usual PyTorch loop (Adam, cross-entropy, shuffled batches): a warm-up on ``warmup`` samples, then
    one timed epoch; returns (seconds, epoch loss, seconds of the warm-up). ``x``, ``y``: NumPy arrays."""
    import time
    import torch
    x, y = torch.from_numpy(x), torch.from_numpy(y)
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
    start = time.perf_counter()
    epoch(x[:warmup], y[:warmup])
    first = time.perf_counter() - start
    start = time.perf_counter()
    loss = epoch(x, y)
    return time.perf_counter() - start, loss, first


def _passthrough(args, parser):
    """The benchmark's own options, forwarded to the workers."""
    out = []
    for action in parser._actions:
        if action.dest in ("help", "repeat", "threads", "worker"):
            continue
        if isinstance(action, argparse._StoreTrueAction):
            out += [action.option_strings[0]] if getattr(args, action.dest) else []
            continue
        out += [action.option_strings[0], str(getattr(args, action.dest))]
    return out
