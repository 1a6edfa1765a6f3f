"""The ``neurona`` command.

    neurona demo                                   train on the bundled digits and report (no download)
    neurona train --dataset mnist --data PATH      train one of the course's datasets
    neurona graph "(a+b)*(b+1)" --at a=2,b=1       draw an expression's graph with its gradients
    neurona info                                   version, backend, devices

Bad input ends with a one-line error and a non-zero exit status, never a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import sys
from pathlib import Path


class UserError(Exception):
    """An error caused by the command line or the data, reported in one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


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
        print(f"wrote {picture.save(Path(args.out) / f'graph.{suffix}')}")
    return 0


def train(dataset, data=None, epochs=None, batch_size=None, optimizer=None, out="neurona-out", seed=0,
          verbose="auto", verify=True, report=None) -> dict:
    """Train a recipe, print the test figure and the diagnosis, write the curves and the model to ``out``.
    Under ``mpiexec -n N`` the ranks train data-parallel (``fit(distribute=True)``); rank 0 prints and writes."""
    import neurona as nr
    nr.distributed.init()
    if not nr.distributed.is_main():  # under mpiexec: every rank trains, rank 0 alone reports and writes
        with contextlib.redirect_stdout(io.StringIO()):
            return _train(dataset, data, epochs, batch_size, optimizer, out, seed, verbose, verify, report)
    return _train(dataset, data, epochs, batch_size, optimizer, out, seed, verbose, verify, report)


def _train(dataset, data, epochs, batch_size, optimizer, out, seed, verbose, verify, report) -> dict:
    import neurona as nr
    from neurona.recipes import RECIPES
    nr.utils.set_random_seed(seed)
    task = RECIPES[dataset](data, verify=verify)
    task.model.compile(optimizer or task.optimizer, task.loss, task.metrics)
    print(f"{task.name}: {len(task.x_train)} training and {len(task.x_test)} test samples")
    if nr.distributed.size() > 1:
        print(f"data-parallel over {nr.distributed.size()} MPI ranks: each trains on its shard of every batch")
    task.model.summary()
    history = task.model.fit(task.x_train, task.y_train, epochs=task.epochs if epochs is None else epochs,
                             batch_size=task.batch_size if batch_size is None else batch_size,
                             validation_split=0.2, verbose=verbose, distribute=True,
                             callbacks=[nr.callbacks.Report(report, title=f"neurona train --dataset {dataset}")]
                             if report else None)
    results = task.model.evaluate(task.x_test, task.y_test, verbose=0, return_dict=True)
    figure = results[task.report] if task.report in results else results["loss"]
    diagnosis = nr.diagnose(history)
    folder = Path(out)
    curves = folder / f"{task.name}_learning_curves.png"
    if nr.distributed.is_main():
        folder.mkdir(parents=True, exist_ok=True)
        nr.viz.plot_history(history, curves, title=task.name)
    model_path = folder / f"{task.name}.neurona"
    task.model.save(model_path)
    print(f"test {task.report}: {figure:.4f}")
    print(f"diagnosis: {diagnosis}")
    print(f"learning curves: {curves}")
    print(f"model: {model_path}")
    if report:
        print(f"report: {Path(report) / 'report.html'}")
    return {"test": results, "figure": figure, "diagnosis": diagnosis, "curves": curves, "model": model_path,
            "history": history}


def cmd_train(args) -> int:
    from neurona.datasets import DatasetNotFoundError
    try:
        train(args.dataset, args.data, args.epochs, args.batch_size, args.optimizer, args.out, args.seed,
              verify=not args.no_verify, report=args.report)
    except DatasetNotFoundError as exc:
        raise UserError(str(exc)) from None
    return 0


def cmd_demo(args) -> int:
    """The main job: train an MLP on the bundled digits, no download needed."""
    train("digits", out=args.out, epochs=args.epochs, seed=args.seed)
    return 0


def cmd_report(args) -> int:
    from neurona.report import write_html
    try:
        page = write_html(args.run_dir)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    print(f"report: {page}")
    return 0


def cmd_export(args) -> int:
    import neurona as nr
    source = Path(args.model)
    if not source.is_file():
        raise UserError(f"no saved model at {source}")
    target = Path(args.out) if args.out else source.with_suffix(".onnx")
    try:
        model = nr.load_model(source, compile=False)
        model.export(target, format=args.format)
    except ImportError as exc:
        raise UserError(str(exc)) from None
    print(f"{source} -> {target} (ONNX opset {nr.onnx.OPSET}, batch axis dynamic, input 'input', output 'output')")
    return 0


def cmd_info(args) -> int:
    import platform

    import numpy as np

    import neurona as nr
    print(f"neurona {nr.__version__}  python {platform.python_version()}  numpy {np.__version__}")
    print("backend: numpy (cpu)")
    print(f"devices: cpu; cuda: {nr.cuda.describe()}")
    return 0


def _positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1 (``--epochs 0`` or ``--batch-size -5`` is refused, not defaulted)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="neurona", description="neurona: neural networks you can read.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    demo = sub.add_parser("demo", help="train an MLP on the bundled digits and report (no download)")
    demo.add_argument("--out", default="neurona-out", help="folder for the learning curves and the model (default: neurona-out)")
    demo.add_argument("--epochs", type=_positive_int, default=None, help="number of epochs, at least 1 (default: the recipe's 60)")
    demo.add_argument("--seed", type=int, default=0, help="random seed of the weights, dropout and shuffling (default: 0)")
    demo.set_defaults(run=cmd_demo)
    tr = sub.add_parser("train", help="train on one of the course's datasets")
    tr.add_argument("--dataset", required=True, choices=["digits", "mnist", "petfinder", "bribes"],
                    help="the problem: bundled digits, MNIST, PetFinder-mini or the lecture's bribes (required)")
    tr.add_argument("--data", default=None, help="folder or file holding the dataset (default: search $NEURONA_DATA "
                                                 "and ~/.cache/neurona, then download)")
    tr.add_argument("--no-verify", action="store_true",
                    help="accept dataset files that differ from the standard ones (default: off, their sha256 "
                         "is checked)")
    tr.add_argument("--epochs", type=_positive_int, default=None, help="number of epochs, at least 1 (default: the recipe's)")
    tr.add_argument("--batch-size", type=_positive_int, default=None,
                    help="samples per gradient step, at least 1 (default: the recipe's)")
    tr.add_argument("--optimizer", default=None, choices=["sgd", "adam", "adamw", "rmsprop", "adagrad"],
                    help="optimizer, with Keras' defaults (default: the recipe's)")
    tr.add_argument("--out", default="neurona-out", help="folder for the learning curves and the model (default: neurona-out)")
    tr.add_argument("--seed", type=int, default=0, help="random seed of the weights, dropout and shuffling (default: 0)")
    tr.add_argument("--report", default=None, metavar="DIR",
                    help="write a training report (report.html, self-contained) into DIR while training "
                         "(default: no report)")
    tr.set_defaults(run=cmd_train)
    rep = sub.add_parser("report", help="render a run's report.html again from its report.json")
    rep.add_argument("run_dir", help="the folder a Report callback (or train --report) wrote")
    rep.set_defaults(run=cmd_report)
    graph = sub.add_parser("graph", help="draw the computational graph of an expression, with gradients")
    graph.add_argument("expression", help='the expression, e.g. "(a + b) * (b + 1)"')
    graph.add_argument("--at", required=True, help="values of the variables, e.g. a=2,b=1 (required)")
    graph.add_argument("--out", default="neurona-out", help="folder for the pictures (default: neurona-out)")
    graph.add_argument("--format", default="svg", help="comma-separated picture types: svg, png, dot (default: svg)")
    graph.set_defaults(run=cmd_graph)
    export = sub.add_parser("export", help="convert a saved model for deployment (ONNX)")
    export.add_argument("model", help="a model saved with model.save (a .neurona file)")
    export.add_argument("--format", default="onnx", choices=["onnx"], help="the format (default: onnx)")
    export.add_argument("--out", default=None, help="the file to write (default: the model's path with .onnx)")
    export.set_defaults(run=cmd_export)
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
