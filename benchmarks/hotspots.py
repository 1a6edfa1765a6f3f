"""The top five hotspots of each training benchmark: one epoch of ``fit`` on a few thousand samples under
cProfile, functions ranked by their own time. ``--src`` profiles another version of neurona (a git worktree's
``src``), so a change can be shown before and after.

    python benchmarks/hotspots.py [--src /tmp/base/src] [--samples 3200] [--out results/hotspots.md]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = {"mlp_32": ("mlp_mnist", 32), "mlp_128": ("mlp_mnist", 128), "mlp_512": ("mlp_mnist", 512),
         "cnn": ("cnn_mnist", 64), "lstm": ("lstm", 64), "transformer": ("transformer", 64)}

WORKER = """
import cProfile, importlib, json, pstats, sys, time
sys.path.insert(0, {here!r})
import _harness
module = importlib.import_module({module!r})
captured = {{}}
def keep(model, x, y, batch_size, warmup=1024):
    captured.update(model=model, x=x, y=y, batch_size=batch_size)
    return 0.0, 0.0, 0.0
module.time_neurona_epoch = keep
class Args:
    batch_size, samples, steps, hidden = {batch}, {samples}, 28, 256
module.run_neurona(Args)
model, x, y, bs = captured["model"], captured["x"], captured["y"], captured["batch_size"]
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(x[:1024], y[:1024], batch_size=bs, epochs=1, verbose=0)
profile = cProfile.Profile()
start = time.perf_counter()
profile.runcall(model.fit, x, y, batch_size=bs, epochs=1, verbose=0)
total = time.perf_counter() - start
stats = pstats.Stats(profile).stats
rows = sorted(((v[2], f"{{k[2]}} ({{k[0].split('/')[-1]}}:{{k[1]}})") for k, v in stats.items()), reverse=True)[:5]
print(json.dumps({{"total_s": total, "top": rows}}))
"""


def profile_case(case, src, samples):
    module, batch = CASES[case]
    code = WORKER.format(here=str(HERE), module=module, batch=batch, samples=samples)
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=str(HERE))
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def markdown(results, label):
    lines = [f"## Hotspots: {label}", "",
             "Own time of the five costliest functions during one profiled epoch (cProfile adds overhead: compare "
             "shares, not seconds).", ""]
    for case, r in results.items():
        top = "; ".join(f"{name} {seconds / r['total_s']:.0%}" for seconds, name in r["top"])
        lines.append(f"- **{case}** ({r['total_s']:.2f} s profiled): {top}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=str(HERE.parent / "src"))
    parser.add_argument("--samples", type=int, default=3200)
    parser.add_argument("--label", default="this version")
    parser.add_argument("--only", nargs="*", choices=list(CASES))
    parser.add_argument("--out")
    args = parser.parse_args()
    results = {case: profile_case(case, args.src, args.samples) for case in (args.only or CASES)}
    text = markdown(results, args.label)
    if args.out:
        Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
