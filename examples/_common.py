"""What every example shares: its command line (--quick, --out, --data, --seed) and printing its figures."""
from __future__ import annotations

import argparse
from pathlib import Path


def parse(description, argv=None, data=False):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a shorter run (used by the tests)")
    parser.add_argument("--out", default="examples-out", help="folder for the pictures (default: examples-out)")
    parser.add_argument("--seed", type=int, default=0)
    if data:
        parser.add_argument("--data", default=None, help="where the dataset is (default: search, then download)")
    args = parser.parse_args(argv)
    args.out = Path(args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def show(title, figures: dict):
    print(f"\n{title}")
    for name, value in figures.items():
        if isinstance(value, float):
            text = f"{value:.3e}" if value and abs(value) < 1e-3 else f"{value:.4f}"
        else:
            text = str(value)
        print(f"  {name:<38} {text}")


def figure(width, height):
    """A matplotlib Figure drawn off-screen (Agg), whatever matplotlib's backend."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path)
    print(f"  picture: {path}")
