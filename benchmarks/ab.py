"""Two versions of neurona and PyTorch in one run: each case's workers alternate (base, new, PyTorch, in a new
order each repetition), so a refactoring is judged on the same machine in the same minutes.

    git worktree add /tmp/base <rev>
    python benchmarks/ab.py --base-src /tmp/base/src [--repeat 3] [--only mlp_32 lstm transformer_t128]

Prints a markdown table: the median seconds of each, the new/base ratio and both ratios to PyTorch.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
from pathlib import Path

from run import SCALING, TRAINING

CASES = {**TRAINING, **SCALING}   # the scaling rows too: same (script, arguments, ...) shape

HERE = Path(__file__).resolve().parent
NEW_SRC = HERE.parent / "src"
OVERHEAD = ("import sys; sys.path.insert(0, {here!r}); import overhead, _timing; "
            "print(_timing.median_time(overhead.{step}, repeat=15, warmup=3))")


def worker(src, case, worker_kind, threads):
    """Seconds of one run of ``case`` by ``worker_kind`` ("neurona" or "torch") with neurona from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    if case == "overhead":
        step = "neurona_step" if worker_kind == "neurona" else "torch_step"
        code = OVERHEAD.format(here=str(HERE), step=step)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                             cwd="/tmp").stdout
        return float(out.strip().splitlines()[-1])
    script, extra, _, _ = CASES[case]
    out = subprocess.run([sys.executable, str(HERE / script), *extra, "--worker", worker_kind, "--threads",
                          str(threads)], capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-src", required=True, help="the src/ folder of the base version")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="*", choices=["overhead"] + list(CASES))
    args = parser.parse_args(argv)
    cases = args.only or ["overhead"] + list(TRAINING)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    print(f"{cpu}, {args.threads} threads, median of {args.repeat} alternated runs\n")
    print("| case | base | new | new / base | base / PyTorch | new / PyTorch |")
    print("|---|---|---|---|---|---|")
    for case in cases:
        runs = {"base": [], "new": [], "torch": []}
        order = random.Random(0)
        for _ in range(args.repeat):
            for who in order.sample(sorted(runs), 3):  # a new order each time: no version always runs first
                src, kind = (args.base_src, "neurona") if who == "base" else (NEW_SRC, who.replace("new", "neurona"))
                runs[who].append(worker(src, case, kind, args.threads))
        base, new, torch = (statistics.median(runs[k]) for k in ("base", "new", "torch"))
        print(f"| {case} | {base:.4g} s | {new:.4g} s | {new / base:.2f} | {base / torch:.2f} | {new / torch:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
