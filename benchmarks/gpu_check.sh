#!/usr/bin/env bash
# The GPU check, one command, under 8 minutes on a CUDA machine with CuPy and PyTorch (CUDA builds):
#   1. the tests marked gpu (every op and the fused kernels on the GPU against the CPU),
#   2. CPU/GPU parity: 20 training steps of the MLP and the convnet (rtol 1e-4),
#   3. the MLP (batch 512) and convnet (batch 64) epochs against PyTorch CUDA, with ratios.
# Run from the repository root: benchmarks/gpu_check.sh   (PYTHON=... to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PYTHONPATH="src${PYTHONPATH:+:$PYTHONPATH}"
"$PY" -c "import neurona, sys; print('cuda:', neurona.cuda.describe()); sys.exit(0 if neurona.cuda.is_available() else 1)"
echo "== 1. gpu tests"
"$PY" -m pytest -q -m gpu tests/gpu
echo "== 2. parity"
(cd benchmarks && "$PY" gpu_parity.py)
echo "== 3. benchmarks"
(cd benchmarks && "$PY" gpu_bench.py)
