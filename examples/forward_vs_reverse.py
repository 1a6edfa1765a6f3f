"""Forward mode vs reverse mode for the gradient of f: R^n -> R, as n grows.

Forward mode pushes one direction through f per pass, so the full gradient takes n passes; reverse mode
(backpropagation) gets all n partial derivatives from one forward and one backward pass. The cost of reverse
mode is memory: it keeps the graph's values for the backward pass.

    python examples/forward_vs_reverse.py
"""
from __future__ import annotations

import time

import numpy as np

import neurona as nr

from _common import figure, parse, run, save, show


def f(x):
    """A small scalar function of a vector: a two-layer computation and a mean."""
    h = nr.tanh(x * 1.5 + 0.1)
    return (nr.sin(h) * x + h ** 2).mean()


def gradient_forward(x):
    n = x.shape[0]
    columns = []
    for i in range(n):                       # one pass per input direction
        e = np.zeros(n)
        e[i] = 1.0
        columns.append(nr.jvp(f, (x,), (e,))[1].item())
    return np.array(columns)


def gradient_reverse(x):
    return nr.grad(f)(x).numpy()             # one forward and one backward pass


def timed(fn, x, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(x)
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv)
    sizes = [1, 4, 16, 64] if args.quick else [1, 4, 16, 64, 256, 1024]
    rows = []
    for n in sizes:
        x = np.random.default_rng(args.seed).normal(size=n)
        t_fwd, g_fwd = timed(gradient_forward, x)
        t_rev, g_rev = timed(gradient_reverse, x)
        assert np.allclose(g_fwd, g_rev, rtol=1e-10, atol=1e-12)
        rows.append((n, t_fwd, t_rev))
        print(f"  n = {n:5d}: forward mode {t_fwd * 1e3:9.2f} ms ({n} passes)   reverse mode {t_rev * 1e3:7.2f} ms")
    n, t_fwd, t_rev = rows[-1]
    figures = {"largest n": n, "forward / reverse time at largest n": t_fwd / t_rev,
               "gradients agree": True}
    show("Gradient of f: R^n -> R", figures)

    fig = figure(6, 4)
    ax = fig.add_subplot()
    ax.loglog([r[0] for r in rows], [r[1] for r in rows], "o-", label="forward mode (n passes)")
    ax.loglog([r[0] for r in rows], [r[2] for r in rows], "s-", label="reverse mode (1 pass)")
    ax.set_xlabel("n (number of inputs)")
    ax.set_ylabel("seconds for the full gradient")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    save(fig, args.out / "forward_vs_reverse.png")
    figures["sizes"] = [r[0] for r in rows]
    return figures


if __name__ == "__main__":
    run(main)
