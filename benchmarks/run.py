"""Every benchmark against PyTorch in one run: same machine, same thread count, warm-up, repetitions, medians.

Writes ``benchmarks/results/benchmarks.md`` and ``benchmarks/results/benchmarks.json`` (with machine info) and
prints the table with each target.

    python benchmarks/run.py            # the full set (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick    # fewer samples, one repetition
    python benchmarks/run.py --only mlp_128 cnn
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path

import numpy as np

import _harness
import overhead

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# name: (script, extra arguments, time target, description)
TRAINING = {
    "mlp_32": ("mlp_mnist.py", ["--batch-size", "32"], 1.0, "MLP 784-256-128-10, Adam, batch 32, one epoch"),
    "mlp_128": ("mlp_mnist.py", ["--batch-size", "128"], 0.8, "MLP 784-256-128-10, Adam, batch 128, one epoch"),
    "mlp_512": ("mlp_mnist.py", ["--batch-size", "512"], 1.0, "MLP 784-256-128-10, Adam, batch 512, one epoch"),
    "cnn": ("cnn_mnist.py", ["--batch-size", "64"], 1.2, "Keras MNIST convnet, batch 64, one epoch"),
    "lstm": ("lstm.py", ["--batch-size", "64"], 1.5, "LSTM 128 on 28-step sequences, batch 64, one epoch"),
    "transformer": ("transformer.py", ["--batch-size", "64"], 1.5,
                    "2-layer Transformer encoder (64 wide, 4 heads), batch 64, one epoch"),
}
RSS_TARGET, IMPORT_TARGET, OVERHEAD_TARGET = 0.8, 0.15, 1.0


def machine_info(threads):
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch
    import neurona
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cores": os.cpu_count(), "threads": threads, "numpy": np.__version__, "torch": torch.__version__,
            "neurona": neurona.__version__}


def run(args):
    threads = args.threads
    results = {"machine": machine_info(threads), "cases": {}}
    cases = args.only or ["overhead", "import"] + list(TRAINING)
    if "overhead" in cases:
        overhead.set_threads(threads)
        ours, theirs = overhead.interleaved(repeat=15)
        results["cases"]["overhead"] = {"description": "1,000-op elementwise chain, forward + backward",
                                        "neurona_s": ours, "pytorch_s": theirs, "ratio": ours / theirs,
                                        "target": OVERHEAD_TARGET}
    if "import" in cases:
        ours, theirs = overhead.import_time("neurona"), overhead.import_time("torch")
        results["cases"]["import"] = {"description": "python -c 'import ...' (median of 3 fresh interpreters)",
                                      "neurona_s": ours, "pytorch_s": theirs, "ratio": ours / theirs,
                                      "target": IMPORT_TARGET}
    for name in [c for c in cases if c in TRAINING]:
        script, extra, target, description = TRAINING[name]
        if args.quick:
            extra = extra + ["--samples", "6000"] if script != "mlp_mnist.py" else extra
        repeat = 1 if args.quick else args.repeat
        ours, theirs = _harness.measure_pair(str(HERE / script), extra, threads, repeat)
        results["cases"][name] = {"description": description, "neurona_s": ours["seconds"],
                                  "pytorch_s": theirs["seconds"], "ratio": ours["seconds"] / theirs["seconds"],
                                  "target": target, "neurona_rss_mb": ours["peak_rss_mb"],
                                  "pytorch_rss_mb": theirs["peak_rss_mb"],
                                  "rss_ratio": ours["peak_rss_mb"] / theirs["peak_rss_mb"], "rss_target": RSS_TARGET}
        print(f"  {name}: ratio {results['cases'][name]['ratio']:.2f}", flush=True)
    return results


def markdown(results) -> str:
    m = results["machine"]
    lines = [f"# neurona vs PyTorch ({m['date']})", "",
             f"{m['cpu']}, {m['cores']} cores, {m['threads']} threads; Python {m['python']}, NumPy {m['numpy']}, "
             f"PyTorch {m['torch']}, neurona {m['neurona']}.", "",
             "| case | neurona | PyTorch | ratio | target | peak RSS neurona / PyTorch | RSS ratio |",
             "|---|---|---|---|---|---|---|"]
    for name, c in results["cases"].items():
        ok = "ok" if c["ratio"] <= c["target"] else "MISSED"
        rss = (f"{c['neurona_rss_mb']:.0f} / {c['pytorch_rss_mb']:.0f} MB",
               f"{c['rss_ratio']:.2f} ({'ok' if c['rss_ratio'] <= c['rss_target'] else 'MISSED'})") \
            if "rss_ratio" in c else ("", "")
        lines.append(f"| {name}: {c['description']} | {c['neurona_s']:.3f} s | {c['pytorch_s']:.3f} s | "
                     f"{c['ratio']:.2f} | <= {c['target']} ({ok}) | {rss[0]} | {rss[1]} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="*", choices=["overhead", "import"] + list(TRAINING))
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    results = run(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "benchmarks.json").write_text(json.dumps(results, indent=2))
    text = markdown(results)
    (out / "benchmarks.md").write_text(text)
    print(text)
    return results


if __name__ == "__main__":
    sys.exit(main() and 0)
