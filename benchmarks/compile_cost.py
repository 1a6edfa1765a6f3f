"""What the compiled CPU kernels (numba) cost before they run: importing numba, compiling each kernel with an
empty on-disk cache (the first run on a machine), and loading it from the cache (every later run). Each in a
fresh interpreter.

    python benchmarks/compile_cost.py
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile

CODE = """
import json, time, numpy as np
t = time.perf_counter(); import numba; imported = time.perf_counter() - t
from neurona.devices.cpu_kernels import cpu_kernel, _BUILDERS
f = np.float32
v = lambda: np.zeros(8, f)
m = lambda rows, cols: np.zeros((rows, cols), f)
image, pooled, winners = (1, 4, 4, 2), (1, 2, 2, 2), np.zeros((1, 2, 2, 2), np.uint8)
args = {
    "adam": lambda: (v(), v() + 1, v(), v(), v(), f(1), f(.1), f(.1), f(1e-7), False),
    "rmsprop": lambda: (v(), v() + 1, v(), f(1), f(.9), f(.1), f(1e-7)),
    "sgd_momentum": lambda: (v(), v() + 1, v(), f(1), f(.9), False),
    "max_pool": lambda: (np.ones(image, f), 2, 2, 2, 2, np.empty(pooled, f), winners.copy()),
    "max_pool_2x2": lambda: (np.ones(image, f), 2, 2, np.empty(pooled, f), winners.copy()),
    "max_pool_scatter": lambda: (np.ones(pooled, f), winners.copy(), 2, 2, 2, 2, np.zeros(image, f)),
    "col2im": lambda: (np.ones((1, 2, 2, 3, 3, 2), f), 1, 1, 1, 1, np.zeros(image, f)),
    "im2col_one_channel": lambda: (np.ones((1, 4, 4, 1), f), 1, 1, 1, 1, np.empty((1, 2, 2, 3, 3, 1), f)),
    "relu_gradient": lambda: (v() + 1, v() + 1, v()),
    "lstm_step": lambda: (m(2, 8), m(2, 8), np.zeros(8, f), m(2, 4), m(2, 4), m(2, 2)),
    "lstm_sequence_rows": lambda: (np.zeros((3, 2, 8), f), m(2, 8), np.zeros(8, f), m(2, 4), np.zeros((3, 2, 4), f),
                                   np.zeros((3, 2, 8), f), np.zeros((3, 2, 2), f)),
    "all_finite": lambda: (v(),),
    "add_then_scale": lambda: (m(2, 8), m(2, 8), v()),
    "lstm_gates": lambda: (m(2, 8), m(2, 4), m(2, 4)),
    "lstm_gates_backward": lambda: (m(2, 4), m(2, 2), m(2, 2), m(2, 8), m(2, 4), m(2, 2), m(2, 8)),
    "bias_relu": lambda: (m(2, 8), v(), True),
    "max_pool_scatter_tiled": lambda: (np.ones(pooled, f), winners.copy(), 2, 2, np.empty(image, f)),
    "row_shift": lambda: (m(2, 8), m(2, 8)),
    "row_normalize": lambda: (m(2, 8) + 1,),
    "softmax_rows": lambda: (m(2, 8), m(2, 8)),
    "softmax_jacobian_rows": lambda: (m(2, 8), m(2, 8), m(2, 8)),
    "layer_norm_rows": lambda: (m(2, 8), v(), v(), f(1e-5), m(2, 8), m(2, 8), np.zeros(2, f)),
    "layer_norm_rows_backward": lambda: (m(2, 8), m(2, 8), np.ones(2, f), v(), m(2, 8), v(), v()),
}
missing = set(_BUILDERS) - set(args)
assert not missing, f"compile_cost.py: no sample arguments for the kernels {sorted(missing)}"
kernels = {}
for name in _BUILDERS:
    t = time.perf_counter(); cpu_kernel(name)(*args[name]()); kernels[name] = time.perf_counter() - t
from neurona.devices import cpu_row_parts   # the LSTM's steps shared by rows: cfuncs
for name in cpu_row_parts._BUILDERS:
    t = time.perf_counter(); cpu_row_parts._function(name); kernels[name + "_rows"] = time.perf_counter() - t
print(json.dumps({"import_numba_s": imported, "kernels_s": kernels}))
"""


def run(cache_dir):
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "NUMBA_CACHE_DIR": cache_dir})
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure():
    """{"cold": ..., "warm": ...}: the first run with an empty cache, then a run that loads from it."""
    with tempfile.TemporaryDirectory() as cache:
        return {"cold": run(cache), "warm": run(cache)}


if __name__ == "__main__":
    result = measure()
    for kind, r in result.items():
        total = sum(r["kernels_s"].values())
        print(f"{kind}: import numba {r['import_numba_s']:.2f} s, kernels {total:.2f} s "
              + ", ".join(f"{k} {v:.2f}" for k, v in r["kernels_s"].items()))
