"""What every example shares: its command line (--quick, --out, --data, --seed), printing its figures, saving
its pictures and its trained model."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


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
    global OUT
    OUT = args.out
    return args


OUT = None  # the --out folder of the run in progress: ``run`` writes the figures main returns there


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


def save_model(model, path, x_check):
    """Save the trained model, and beside it (``<name>.predictions.npz``) a few inputs with the model's
    predictions for them: ``neurona.load_model`` in another process must give the same numbers."""
    model.save(path)
    x_check = np.asarray(x_check)
    np.savez(Path(path).with_suffix(".predictions.npz"), x=x_check, predictions=model.predict(x_check))
    print(f"  model: {path}")


def run(main):
    """Run an example from the command line. Data that cannot be found or used ends with one line on stderr
    and exit status 2, as the ``neurona`` command does, not with a traceback."""
    from neurona.datasets import DatasetError, DatasetNotFoundError
    try:
        facts = main()
        if isinstance(facts, dict) and OUT is not None:   # what the tests and the gallery read back
            (OUT / "facts.json").write_text(json.dumps(facts, indent=1, default=_plain))
    except (DatasetNotFoundError, DatasetError) as exc:
        print(f"{Path(sys.argv[0]).name}: error: {exc}", file=sys.stderr)
        sys.exit(2)


def _plain(value):
    """NumPy scalars and arrays as plain numbers and lists; anything else as its text."""
    return value.tolist() if hasattr(value, "tolist") else str(value)
