"""The lecture's second exercise: the two-layer network y = w . sigma(V . phi(x)) with a squared-error loss.

Backpropagation by hand is the chain rule, node by node, with sigma'(z) = sigma(z)(1 - sigma(z)):

    z = V phi        h = sigma(z)        y = w . h        L = mean((y - t)^2)
    dL/dy = 2 (y - t) / n
    dL/dw = h^T dL/dy
    dL/dz = (dL/dy w^T) * h * (1 - h)
    dL/dV = dL/dz^T phi

The autograd engine must give the same numbers.

    python examples/two_layer_gradients.py
"""
from __future__ import annotations

import numpy as np

import neurona as nr

from _common import parse, run, show


def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv)
    rng = np.random.default_rng(args.seed)
    n, hidden = 32, 5
    x = rng.uniform(-1, 1, size=n)
    t = np.sin(3 * x)
    phi = np.stack([np.ones(n), x, x ** 2], axis=1)     # phi(x): the features of each input
    V0, w0 = rng.normal(size=(hidden, 3)), rng.normal(size=hidden)

    # by hand
    z = phi @ V0.T
    h = sigma(z)
    y = h @ w0
    dL_dy = 2 * (y - t) / n
    dL_dw = h.T @ dL_dy
    dL_dz = np.outer(dL_dy, w0) * h * (1 - h)
    dL_dV = dL_dz.T @ phi

    # autograd (float64 so the comparison is exact to rounding)
    V = nr.tensor(V0, requires_grad=True, name="V")
    w = nr.tensor(w0, requires_grad=True, name="w")
    loss = ((nr.sigmoid(nr.tensor(phi) @ V.T) @ w - nr.tensor(t)) ** 2).mean()
    loss.name = "L"
    picture = nr.viz.graph(loss)
    loss.backward()

    figures = {"loss": loss.item(),
               "max |dL/dw autograd - by hand|": float(np.abs(w.grad.numpy() - dL_dw).max()),
               "max |dL/dV autograd - by hand|": float(np.abs(V.grad.numpy() - dL_dV).max()),
               "largest |dL/dV|": float(np.abs(dL_dV).max())}
    show("Two-layer network: backpropagation by hand vs autograd", figures)
    print(f"  graph picture: {picture.save(args.out / 'two_layer_graph.svg')}")
    return figures


if __name__ == "__main__":
    run(main)
