"""The ``neurona`` command.

    neurona demo                         the main job (see ``demo``)
    neurona graph "(a+b)*(b+1)" --at a=2,b=1
    neurona info

Bad input ends with a one-line error and a non-zero exit status, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


class UserError(Exception):
    """An error caused by the command line or the data, reported in one line."""


def _parse_assignments(text: str) -> dict:
    values = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, number = part.partition("=")
        if not sep or not name.strip().isidentifier():
            raise UserError(f"--at expects name=value pairs separated by commas, got {part!r}")
        try:
            values[name.strip()] = float(number)
        except ValueError:
            raise UserError(f"--at: {number!r} is not a number (in {part!r})") from None
    return values


def cmd_graph(args) -> int:
    import neurona as nr
    from neurona.expression import ExpressionError, evaluate
    leaves = {name: nr.tensor(v, requires_grad=True, name=name) for name, v in _parse_assignments(args.at).items()}
    try:
        out = evaluate(args.expression, leaves)
    except ExpressionError as exc:
        raise UserError(str(exc)) from None
    if not isinstance(out, nr.Tensor) or not out.requires_grad:
        raise UserError("the expression uses none of the variables given with --at")
    out.name = "out"
    picture = nr.viz.graph(out)
    out.backward()
    print(f"{args.expression} = {out.item():.6g}")
    for name, leaf in leaves.items():
        grad = 0.0 if leaf.grad is None else leaf.grad.item()
        print(f"  d/d{name} = {grad:.6g}")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for suffix in args.format.split(","):
        path = picture.save(Path(args.out) / f"graph.{suffix}")
        print(f"wrote {path}")
    return 0


def cmd_demo(args) -> int:
    """For now: the course's graph exercise by reverse and forward mode, with its picture."""
    import neurona as nr
    a = nr.tensor(2.0, requires_grad=True, name="a")
    b = nr.tensor(1.0, requires_grad=True, name="b")
    c = a + b
    d = b + 1
    e = c * d
    c.name, d.name, e.name = "c", "d", "e"
    picture = nr.viz.graph(e)
    e.backward()
    print("The course's exercise: c = a + b, d = b + 1, e = c * d at a = 2, b = 1")
    print(f"  e = {e.item():g}")
    print(f"  reverse mode (one backward pass): de/da = {a.grad.item():g}, de/db = {b.grad.item():g}")
    f = lambda a, b: (a + b) * (b + 1)  # noqa: E731
    da = nr.jvp(f, (2.0, 1.0), (1.0, 0.0))[1].item()
    db = nr.jvp(f, (2.0, 1.0), (0.0, 1.0))[1].item()
    print(f"  forward mode (one pass per input): de/da = {da:g}, de/db = {db:g}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"  graph picture: {picture.save(out / 'graph.svg')}")
    return 0


def cmd_info(args) -> int:
    import platform

    import numpy as np

    import neurona as nr
    print(f"neurona {nr.__version__}  python {platform.python_version()}  numpy {np.__version__}")
    print("backend: numpy (cpu)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neurona", description="neurona: neural networks you can read.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the main demonstration job")
    demo.add_argument("--out", default="neurona-out", help="output folder (default: neurona-out)")
    demo.set_defaults(run=cmd_demo)
    graph = sub.add_parser("graph", help="draw the computational graph of an expression, with gradients")
    graph.add_argument("expression", help='e.g. "(a + b) * (b + 1)"')
    graph.add_argument("--at", required=True, help="values of the variables, e.g. a=2,b=1")
    graph.add_argument("--out", default="neurona-out", help="output folder (default: neurona-out)")
    graph.add_argument("--format", default="svg", help="comma-separated picture types: svg, png, dot")
    graph.set_defaults(run=cmd_graph)
    info = sub.add_parser("info", help="version, backend and devices")
    info.set_defaults(run=cmd_info)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UserError as exc:
        print(f"neurona {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"neurona {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"neurona {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
