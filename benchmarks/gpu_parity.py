"""CPU/GPU parity: 20 training steps of the MLP and of the convnet, from identical initial weights (drawn on the
host, then moved), on the CPU and on the GPU; the losses agree to float32 tolerance (rtol 1e-4).

    python benchmarks/gpu_parity.py
"""
from __future__ import annotations

import sys

import numpy as np

import neurona as nr
from neurona import layers as L

STEPS = 20


def mlp():
    return nr.Sequential([L.Input((784,)), L.Dense(256, activation="relu"), L.Dense(128, activation="relu"),
                          L.Dense(10, activation="softmax")])


def convnet():
    return nr.Sequential([L.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(),
                          L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(), L.Flatten(),
                          L.Dense(10, activation="softmax")])


def losses(build, x, y, device):
    nr.utils.set_random_seed(0)
    model = build().to(device)
    model.compile("adam", "sparse_categorical_crossentropy")
    return [model.train_on_batch(x[i * 64:(i + 1) * 64], y[i * 64:(i + 1) * 64]) for i in range(STEPS)]


def main():
    rng = np.random.default_rng(0)
    ok = True
    for name, build, shape in (("MLP", mlp, (784,)), ("convnet", convnet, (28, 28, 1))):
        x = rng.random((STEPS * 64,) + shape, dtype=np.float32)
        y = rng.integers(0, 10, STEPS * 64)
        cpu, gpu = losses(build, x, y, "cpu"), losses(build, x, y, "cuda")
        worst = float(np.max(np.abs(np.array(gpu) - np.array(cpu)) / np.abs(np.array(cpu))))
        ok &= worst <= 1e-4
        print(f"{name}: {STEPS} steps, largest relative loss difference GPU vs CPU {worst:.2e} "
              f"({'ok' if worst <= 1e-4 else 'FAILED'}, rtol 1e-4)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
