"""Every benchmark against PyTorch in one run: same machine, same thread count, warm-up, repetitions, medians.

Writes ``benchmarks/results/benchmarks.md`` and ``benchmarks/results/benchmarks.json`` (with the machine: CPU,
instruction set, the BLAS of NumPy and PyTorch) and prints the tables with each target:

- training: one epoch of each model (time, peak RSS, and the first call with its compiling and tracing);
- scaling: the MLP's width, the LSTM's and the Transformer's sequence length, on a fixed budget of samples or
  tokens, as time per sample or token and its ratio to PyTorch;
- inference: ``predict`` latency on one sample and throughput at batch 1,024;
- the compiled kernels' cost (numba) with an empty and a warm on-disk cache.

    python benchmarks/run.py            # the full set (about 15 minutes on 2 cores)
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
import compile_cost
import inference
import overhead

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# name: (script, extra arguments, time target, description)
TRAINING = {
    "mlp_32": ("mlp_mnist.py", ["--batch-size", "32"], 1.0, "MLP 784-256-128-10, Adam, batch 32, one epoch"),
    "mlp_128": ("mlp_mnist.py", ["--batch-size", "128"], 0.8, "MLP 784-256-128-10, Adam, batch 128, one epoch"),
    "mlp_512": ("mlp_mnist.py", ["--batch-size", "512"], 1.0, "MLP 784-256-128-10, Adam, batch 512, one epoch"),
    "cnn": ("cnn_mnist.py", ["--batch-size", "64"], 1.0, "Keras MNIST convnet, batch 64, one epoch"),
    "lstm": ("lstm.py", ["--batch-size", "64"], 1.0, "LSTM 128 on 28-step sequences, batch 64, one epoch"),
    "transformer": ("transformer.py", ["--batch-size", "64"], 1.0,
                    "2-layer Transformer encoder (64 wide, 4 heads), batch 64, one epoch"),
}
# name: (script, extra arguments, work units, unit): each on a fixed budget of samples (MLP) or tokens
SCALING = {
    **{f"mlp_h{h}": ("mlp_mnist.py", ["--batch-size", "128", "--hidden", str(h), "--samples", "12000"], 12000,
                     "sample") for h in (256, 1024, 4096)},
    **{f"lstm_t{t}": ("lstm.py", ["--steps", str(t), "--samples", str(168_000 // t)], 168_000, "token")
       for t in (28, 100, 400)},
    **{f"transformer_t{t}": ("transformer.py", ["--steps", str(t), "--samples", str(128_000 // t)], 128_000,
                             "token") for t in (32, 128, 512)},
}
RSS_TARGET, IMPORT_TARGET, OVERHEAD_TARGET, LATENCY_TARGET, SCALING_TARGET = 0.8, 0.15, 1.0, 0.5, 1.0
#: alternated processes of each framework for a latency: more than for the epochs, as a process takes seconds and
#: one framework's processes could otherwise all fall in the machine's slow minutes (both swing by 1.5-3x here)
LATENCY_REPEAT = 5
#: alternated runs of each framework for a scaling row, likewise: a row is a few seconds a run, and its ratio moved
#: by up to 0.2 between full runs on the same code (transformer_t512: 0.81, 0.84, 1.01) with medians of 3
SCALING_REPEAT = 5


def machine_info(threads):
    cpu, flags = platform.processor(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and cpu == platform.processor():
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    import torch
    import neurona
    from neurona.devices import cpu_kernels
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "neither AVX2 nor AVX-512"
    numpy_blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    torch_config = torch.__config__.show()
    torch_blas = next((part.split("=", 1)[1] for part in torch_config.replace(",", " ").split()
                       if part.startswith("BLAS_INFO=")), "unknown")
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(), "platform": platform.platform(), "cpu": cpu, "isa": isa,
            "cores": os.cpu_count(), "threads": threads, "numpy": np.__version__, "torch": torch.__version__,
            "neurona": neurona.__version__,
            "numpy_blas": f"{numpy_blas.get('name', 'unknown')} {numpy_blas.get('version', '')}".strip(),
            "torch_blas": torch_blas,
            "neurona_gemm": "NumPy's BLAS (see results/gemm.md for the libraries measured)",
            "neurona_kernels": "numba " + cpu_kernels._numba().__version__ if cpu_kernels._numba() else "NumPy only"}


def _pair(script, extra, threads, repeat):
    ours, theirs = _harness.measure_pair(str(HERE / script), extra, threads, repeat)
    return {"neurona_s": ours["seconds"], "pytorch_s": theirs["seconds"], "ratio": ours["seconds"] / theirs["seconds"],
            "neurona_first_s": ours["first_call_s"], "pytorch_first_s": theirs["first_call_s"],
            "neurona_rss_mb": ours["peak_rss_mb"], "pytorch_rss_mb": theirs["peak_rss_mb"],
            "rss_ratio": ours["peak_rss_mb"] / theirs["peak_rss_mb"], "rss_target": RSS_TARGET}


def run(args):
    threads, repeat = args.threads, 1 if args.quick else args.repeat
    latency_repeat = 1 if args.quick else max(repeat, LATENCY_REPEAT)
    scaling_repeat = 1 if args.quick else max(repeat, SCALING_REPEAT)
    results = {"machine": {**machine_info(threads), "torch_flush_denormal": args.torch_flush_denormal,
                           "repeat": repeat, "latency_repeat": latency_repeat, "scaling_repeat": scaling_repeat,
                           "latency_calls": inference.LATENCY_CALLS, "latency_warmup_s": inference.WARMUP_S},
               "cases": {}, "scaling": {}, "inference": {}}
    everything = ["overhead", "import"] + list(TRAINING) + ["scaling", "inference", "compile"]
    cases = args.only or everything
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
    flush = ["--torch-flush-denormal"] if args.torch_flush_denormal else []
    for name in [c for c in cases if c in TRAINING]:
        script, extra, target, description = TRAINING[name]
        extra = extra + flush
        if args.quick:
            extra = extra + ["--samples", "6000"]
        results["cases"][name] = {"description": description, "target": target,
                                  **_pair(script, extra, threads, repeat)}
        print(f"  {name}: ratio {results['cases'][name]['ratio']:.2f}", flush=True)
    if "scaling" in cases:
        for name, (script, extra, units, unit) in SCALING.items():
            r = _pair(script, extra + flush, threads, scaling_repeat)
            results["scaling"][name] = {**r, "unit": unit, "neurona_per_unit_s": r["neurona_s"] / units,
                                        "pytorch_per_unit_s": r["pytorch_s"] / units, "target": SCALING_TARGET}
            print(f"  {name}: ratio {r['ratio']:.2f}", flush=True)
    if "inference" in cases:
        for kind in inference.SHAPES:
            r = inference.measure(kind, threads, latency_repeat)
            n, t = r["neurona"], r["torch"]
            results["inference"][kind] = {"neurona_latency_s": n["latency_s"], "pytorch_latency_s": t["latency_s"],
                                          "latency_ratio": n["latency_s"] / t["latency_s"],
                                          "neurona_per_s": n["samples_per_s"], "pytorch_per_s": t["samples_per_s"],
                                          "throughput_ratio": n["samples_per_s"] / t["samples_per_s"],
                                          "target": LATENCY_TARGET}
            print(f"  inference {kind}: latency ratio {results['inference'][kind]['latency_ratio']:.2f}", flush=True)
    if "compile" in cases:
        results["compile"] = compile_cost.measure()
    return results


def _runs(results):
    """How many alternated runs each scaling row's medians come from, in words."""
    repeat = results["machine"].get("scaling_repeat", results["machine"].get("repeat", 1))
    return "one run each" if repeat == 1 else f"medians of {repeat} alternated runs"


def _latency_calls(machine):
    """What each process's latency is the median of, from the run's own record (older runs did not keep it)."""
    if "latency_calls" not in machine:
        return "the median of its one-sample calls"
    return (f"the median of {machine['latency_calls']:,} one-sample calls after {machine['latency_warmup_s']} s of "
            "them")


def _ok(value, target):
    return "ok" if value <= target else "MISSED"


def markdown(results) -> str:
    m = results["machine"]
    lines = [f"# neurona vs PyTorch ({m['date']})", "",
             f"{m['cpu']} ({m['isa']}), {m['cores']} cores, {m['threads']} threads; Python {m['python']}, NumPy "
             f"{m['numpy']} (BLAS: {m['numpy_blas']}), PyTorch {m['torch']} (BLAS: {m['torch_blas']}), neurona "
             f"{m['neurona']} (GEMM: {m['neurona_gemm']}; fused kernels: {m['neurona_kernels']}). PyTorch "
             + ("flushes denormals (torch.set_flush_denormal(True))." if m.get("torch_flush_denormal") else
                "runs with its defaults (denormals not flushed; neurona flushes them while training)."), "",
             "## Training", "",
             "| case | neurona | PyTorch | ratio | target | first call neurona / PyTorch | peak RSS neurona / PyTorch "
             "| RSS ratio |", "|---|---|---|---|---|---|---|---|"]
    for name, c in results["cases"].items():
        first = f"{c['neurona_first_s']:.2f} / {c['pytorch_first_s']:.2f} s" if "neurona_first_s" in c else ""
        rss = (f"{c['neurona_rss_mb']:.0f} / {c['pytorch_rss_mb']:.0f} MB",
               f"{c['rss_ratio']:.2f} ({_ok(c['rss_ratio'], c['rss_target'])})") if "rss_ratio" in c else ("", "")
        lines.append(f"| {name}: {c['description']} | {c['neurona_s']:.3f} s | {c['pytorch_s']:.3f} s | "
                     f"{c['ratio']:.2f} | <= {c['target']} ({_ok(c['ratio'], c['target'])}) | {first} | {rss[0]} | "
                     f"{rss[1]} |")
    if results.get("scaling"):
        lines += ["", f"## Scaling (fixed budget of samples or tokens, {_runs(results)})", "",
                  "| case | neurona per unit | PyTorch per unit | ratio | target |", "|---|---|---|---|---|"]
        for name, c in results["scaling"].items():
            lines.append(f"| {name} | {c['neurona_per_unit_s'] * 1e6:.1f} us/{c['unit']} | "
                         f"{c['pytorch_per_unit_s'] * 1e6:.1f} us/{c['unit']} | {c['ratio']:.2f} | "
                         f"<= {c['target']} ({_ok(c['ratio'], c['target'])}) |")
    if results.get("inference"):
        runs = m.get("latency_repeat", m.get("repeat", 1))
        lines += ["", f"## Inference (predict; PyTorch eager, eval, no_grad; per process {_latency_calls(m)}; medians "
                      f"of {runs} alternated processes)",
                  "",
                  "| model | latency neurona / PyTorch | latency ratio | target | throughput at 1,024 neurona / "
                  "PyTorch |", "|---|---|---|---|---|"]
        for name, c in results["inference"].items():
            lines.append(f"| {name} | {c['neurona_latency_s'] * 1e6:.0f} / {c['pytorch_latency_s'] * 1e6:.0f} us | "
                         f"{c['latency_ratio']:.2f} | <= {c['target']} ({_ok(c['latency_ratio'], c['target'])}) | "
                         f"{c['neurona_per_s']:.0f} / {c['pytorch_per_s']:.0f} samples/s |")
    if results.get("compile"):
        lines += ["", "## Compiled kernels (numba): cost before the first step", ""]
        for kind, r in results["compile"].items():
            lines.append(f"- {kind} cache: import numba {r['import_numba_s']:.2f} s, all kernels "
                         f"{sum(r['kernels_s'].values()):.2f} s")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="*",
                        choices=["overhead", "import"] + list(TRAINING) + ["scaling", "inference", "compile"])
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--torch-flush-denormal", action="store_true",
                        help="PyTorch flushes denormals too (torch.set_flush_denormal(True)); by default it runs "
                             "with its own defaults, which do not")
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
