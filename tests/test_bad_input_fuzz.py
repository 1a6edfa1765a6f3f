"""A fuzz of bad inputs to every public entry point: each must be refused by neurona itself, with a message that
names the argument (or its value), never accepted silently, never answered with a wrong number and never left to
fail deep inside NumPy. Valid controls beside them must keep working and give the right numbers.

The figures (clear / silent / opaque / from NumPy) are printed with ``pytest -s``; the target is at least 98%
clear, none silent, none wrong.
"""
from __future__ import annotations

import contextlib
import io
import math
import traceback
from pathlib import Path

import numpy as np
import pytest

import neurona as nr
from neurona import layers as L
from neurona.cli import main as cli_main

NAN, INF = float("nan"), float("inf")
SOURCE = str(Path(nr.__file__).resolve().parent)


def data(n=20):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.float32)


def model():
    nr.utils.set_random_seed(0)
    m = nr.Sequential([L.Input((4,)), L.Dense(3, activation="relu"), L.Dense(1, activation="sigmoid")])
    m.compile("sgd", "binary_crossentropy", ["accuracy"])
    return m


def training_cases():
    x, y = data()
    entry = {"fit": lambda **k: model().fit(x, y, **{"verbose": 0, **k}),
             "evaluate": lambda **k: model().evaluate(x, y, **{"verbose": 0, **k}),
             "predict": lambda **k: model().predict(x, **{"verbose": 0, **k})}
    for where, call in entry.items():
        for bad in (0, -1, -32, 2.5, "8", True, [8], np.float64(4.0)):
            yield "fit/evaluate/predict", f"{where}(batch_size={bad!r})", lambda c=call, b=bad: c(batch_size=b), \
                ("batch_size",)
        for bad in (3, -1, "yes", 1.5):
            yield "fit/evaluate/predict", f"{where}(verbose={bad!r})", lambda c=call, b=bad: c(verbose=b), ("verbose",)
    fit = entry["fit"]
    for name, values in {"epochs": (-1, 2.5, "3", None, True, [1]), "initial_epoch": (-1, 1.5, "0", None),
                         "validation_split": (-0.1, 1.0, 1.5, "0.2", NAN, INF), "shuffle": ("yes", 2, None)}.items():
        for bad in values:
            yield "fit/evaluate/predict", f"fit({name}={bad!r})", lambda n=name, b=bad: fit(**{n: b}), (name,)
    weights = {"negative": np.full(20, -1.0), "NaN": np.full(20, NAN), "Inf": np.full(20, INF),
               "short": np.ones(5), "2-D": np.ones((20, 3)), "strings": np.array(["a"] * 20)}
    m = model()
    by_batch = {"fit": lambda w: model().fit(x, y, verbose=0, sample_weight=w),
                "evaluate": lambda w: m.evaluate(x, y, verbose=0, sample_weight=w),
                "train_on_batch": lambda w: m.train_on_batch(x, y, sample_weight=w),
                "test_on_batch": lambda w: m.test_on_batch(x, y, sample_weight=w)}
    for where, call in by_batch.items():
        for label, w in weights.items():
            yield "fit/evaluate/predict", f"{where}(sample_weight {label})", lambda c=call, w=w: c(w), \
                ("sample_weight",)
    for label, cw in {"absent class": {5: 1.0}, "string key": {"a": 1.0}, "negative": {0: -1.0}, "NaN": {0: NAN},
                      "a list": [1.0, 2.0], "float key": {0.5: 1.0}}.items():
        yield "fit/evaluate/predict", f"fit(class_weight {label})", \
            lambda cw=cw: model().fit(x, y, verbose=0, class_weight=cw), ("class_weight",)
        yield "fit/evaluate/predict", f"train_on_batch(class_weight {label})", \
            lambda cw=cw: m.train_on_batch(x, y, class_weight=cw), ("class_weight",)
    x_nan, y_inf = x.copy(), y.copy()
    x_nan[3, 1], y_inf[2] = NAN, INF
    for where in ("train_on_batch", "test_on_batch"):
        for label, (xb, yb, names) in {"x NaN": (x_nan, y, ("NaN",)), "y Inf": (x, y_inf, ("NaN/Inf",)),
                                       "x strings": (np.array([["a"] * 4] * 20), y, ("dtype",)),
                                       "y length": (x, y[:5], ("samples",)), "y None": (x, None, ("y",))}.items():
            yield "fit/evaluate/predict", f"{where}({label})", lambda w=where, a=xb, b=yb: getattr(m, w)(a, b), names
    for label, vd in {"1-tuple": (x,), "not a tuple": x, "4-tuple": (x, y, None, None),
                      "length mismatch": (x, y[:3]), "NaN": (x_nan, y)}.items():
        yield "fit/evaluate/predict", f"fit(validation_data {label})", \
            lambda vd=vd: model().fit(x, y, verbose=0, validation_data=vd), ("validation_data", "NaN", "samples")


OPTIMIZERS = {"SGD": nr.optimizers.SGD, "Adam": nr.optimizers.Adam, "AdamW": nr.optimizers.AdamW,
              "RMSprop": nr.optimizers.RMSprop, "Adagrad": nr.optimizers.Adagrad}


def optimizer_cases():
    for name, cls in OPTIMIZERS.items():
        for bad in (-0.1, NAN, INF, "0.1"):
            yield "optimizers", f"{name}(learning_rate={bad!r})", lambda c=cls, b=bad: c(b), ("learning_rate",)
            yield "optimizers", f"{name}(lr={bad!r})", lambda c=cls, b=bad: c(lr=b), ("learning_rate",)
        for arg in ("clipnorm", "clipvalue", "global_clipnorm"):
            for bad in (0, -1.0, NAN, "1"):
                yield "optimizers", f"{name}({arg}={bad!r})", lambda c=cls, a=arg, b=bad: c(**{a: b}), (arg,)
        for bad in (-0.1, NAN):
            yield "optimizers", f"{name}(weight_decay={bad!r})", lambda c=cls, b=bad: c(weight_decay=b), \
                ("weight_decay",)
        yield "optimizers", f"{name}(clipnorm and global_clipnorm)", \
            lambda c=cls: c(clipnorm=1.0, global_clipnorm=1.0), ("clipnorm",)
        yield "optimizers", f"{name}(learning_rate and lr)", lambda c=cls: c(0.1, lr=0.2), ("lr",)
    hyper = {("SGD", "momentum"): (-0.1, 1.5, NAN, "0.9"), ("RMSprop", "momentum"): (-0.1, 1.5, NAN),
             ("RMSprop", "rho"): (1.0, -0.1, NAN), ("Adam", "beta_1"): (1.0, -0.1, 1.5, NAN),
             ("Adam", "beta_2"): (1.0, -0.1, NAN), ("AdamW", "beta_1"): (1.0, NAN), ("AdamW", "beta_2"): (1.0, NAN),
             ("Adam", "epsilon"): (0, -1e-7, NAN), ("AdamW", "epsilon"): (0, -1e-7), ("RMSprop", "epsilon"): (0, NAN),
             ("Adagrad", "epsilon"): (0, -1.0), ("Adagrad", "initial_accumulator_value"): (-1.0, NAN)}
    for (name, arg), values in hyper.items():
        for bad in values:
            yield "optimizers", f"{name}({arg}={bad!r})", lambda c=OPTIMIZERS[name], a=arg, b=bad: c(**{a: b}), (arg,)
    for torch_name in ("betas", "eps", "alpha", "dampening"):
        yield "optimizers", f"Adam({torch_name}=...)", lambda t=torch_name: nr.optimizers.Adam(**{t: 0.9}), \
            (torch_name,)
    w, b = nr.tensor(np.ones((3, 2)), requires_grad=True), nr.tensor(np.ones(2), requires_grad=True)
    applies = {"fewer gradients": ([np.ones((3, 2))], [w, b]), "more gradients": ([np.ones((3, 2))] * 3, [w, b]),
               "scalar for a matrix": ([np.float32(1.0), np.ones(2)], [w, b]),
               "wrong shape": ([np.ones((2, 3)), np.ones(2)], [w, b]),
               "not tensors": ([np.ones((3, 2))], [np.ones((3, 2))])}
    for label, (grads, variables) in applies.items():
        yield "optimizers", f"apply({label})", \
            lambda g=grads, v=variables: nr.optimizers.SGD(0.1).apply(g, v), ("gradient", "variable", "parameters")
    yield "optimizers", "SGD(0.1).step() without parameters", lambda: nr.optimizers.SGD(0.1).step(), ("parameters",)
    yield "optimizers", "SGD(0.1).apply(grads) without variables", \
        lambda: nr.optimizers.SGD(0.1).apply([np.ones(2)]), ("variables",)
    yield "optimizers", "SGD([]) (an unbuilt model's parameters)", lambda: nr.optimizers.SGD([], lr=0.1), \
        ("parameters",)


def layer_cases():
    ints = (0, -2, 2.5, "8", None, True)
    for cls, arg, make in [(L.Dense, "units", lambda v: L.Dense(v)), (L.Conv2D, "filters", lambda v: L.Conv2D(v, 3)),
                           (L.Conv1D, "filters", lambda v: L.Conv1D(v, 3)), (L.LSTM, "units", lambda v: L.LSTM(v)),
                           (L.GRU, "units", lambda v: L.GRU(v)), (L.SimpleRNN, "units", lambda v: L.SimpleRNN(v)),
                           (L.Embedding, "input_dim", lambda v: L.Embedding(v, 4)),
                           (L.Embedding, "output_dim", lambda v: L.Embedding(10, v)),
                           (L.MultiHeadAttention, "num_heads", lambda v: L.MultiHeadAttention(v, 4)),
                           (L.MultiHeadAttention, "key_dim", lambda v: L.MultiHeadAttention(2, v)),
                           (L.TransformerEncoder, "intermediate_dim", lambda v: L.TransformerEncoder(v, 2)),
                           (L.TransformerEncoder, "num_heads", lambda v: L.TransformerEncoder(8, v)),
                           (L.PositionEmbedding, "sequence_length", lambda v: L.PositionEmbedding(v))]:
        for bad in ints:
            yield "layers", f"{cls.__name__}({arg}={bad!r})", lambda f=make, b=bad: f(b), (arg,)
    windows = (0, -1, 2.5, (3,), (3, 3, 3), "3", (2, 0))
    for label, make, arg in [("Conv2D kernel_size", lambda v: L.Conv2D(4, v), "kernel_size"),
                             ("Conv2D strides", lambda v: L.Conv2D(4, 3, strides=v), "strides"),
                             ("Conv2D dilation_rate", lambda v: L.Conv2D(4, 3, dilation_rate=v), "dilation_rate"),
                             ("MaxPooling2D pool_size", lambda v: L.MaxPooling2D(v), "pool_size"),
                             ("AveragePooling2D pool_size", lambda v: L.AveragePooling2D(v), "pool_size"),
                             ("MaxPooling2D strides", lambda v: L.MaxPooling2D(2, strides=v), "strides")]:
        for bad in windows:
            yield "layers", f"{label}={bad!r}", lambda f=make, b=bad: f(b), (arg,)
    for bad in ((3, 3), 5):
        yield "layers", f"Conv1D(kernel_size={bad!r})", lambda b=bad: L.Conv1D(4, b) if b == (3, 3) else \
            L.Conv1D(4, b)(nr.ones(2, 3, 1)), ("kernel_size", "kernel")
    yield "layers", "Conv2D padding 'full'", lambda: L.Conv2D(4, 3, padding="full"), ("padding",)
    yield "layers", "Conv2D padding 'causal'", lambda: L.Conv2D(4, 3, padding="causal"), ("padding",)
    yield "layers", "MaxPooling2D padding 'causal'", lambda: L.MaxPooling2D(2, padding="causal"), ("padding",)
    yield "layers", "kernel larger than the input", lambda: L.Conv2D(4, 5)(nr.ones(1, 3, 3, 1)), ("kernel",)
    yield "layers", "dilated kernel larger than the input", \
        lambda: L.Conv2D(4, 3, dilation_rate=3)(nr.ones(1, 5, 5, 1)), ("kernel",)
    yield "layers", "pool larger than the input", lambda: L.MaxPooling2D(4)(nr.ones(1, 3, 3, 1)), ("pool_size",)
    for bad in (-0.1, 1.0, 1.5, NAN, "0.5", None):
        yield "layers", f"Dropout(rate={bad!r})", lambda b=bad: L.Dropout(b), ("rate",)
        yield "layers", f"MultiHeadAttention(dropout={bad!r})", lambda b=bad: L.MultiHeadAttention(2, 4, dropout=b), \
            ("dropout",)
    for arg, values in {"momentum": (1.5, -0.1, NAN), "epsilon": (-1.0, NAN), "axis": ("a", 1.5)}.items():
        for bad in values:
            yield "layers", f"BatchNormalization({arg}={bad!r})", \
                lambda a=arg, b=bad: L.BatchNormalization(**{a: b}), (arg,)
    for axis in (3, -4, 0):
        yield "layers", f"BatchNormalization(axis={axis}) on 3-D input", \
            lambda a=axis: L.BatchNormalization(axis=a)(nr.ones(2, 3, 4)), ("axis",)
        yield "layers", f"Normalization(axis={axis}).adapt on 3-D data", \
            lambda a=axis: L.Normalization(axis=a).adapt(np.ones((2, 3, 4))), ("axis",)
    yield "layers", "LayerNormalization(axis=1)", lambda: L.LayerNormalization(axis=1), ("axis",)
    yield "layers", "LayerNormalization(epsilon=-1)", lambda: L.LayerNormalization(epsilon=-1.0), ("epsilon",)
    yield "layers", "Softmax(axis=3) on 2-D input", lambda: L.Softmax(axis=3)(nr.ones(2, 3)), ("axis",)
    yield "layers", "Softmax(axis='last')", lambda: L.Softmax(axis="last"), ("axis",)
    for bad in ("ab", (0,), (2.5,), 5):
        yield "layers", f"Reshape({bad!r})", lambda b=bad: L.Reshape(b), ("target_shape",)
    for bad in (-1.0, NAN, "0.3"):
        yield "layers", f"LeakyReLU({bad!r})", lambda b=bad: L.LeakyReLU(b), ("negative_slope",)
        yield "layers", f"ReLU(max_value={bad!r})", lambda b=bad: L.ReLU(max_value=b), ("max_value",)
    yield "layers", "TransformerEncoder(dropout=1.5)", lambda: L.TransformerEncoder(8, 2, dropout=1.5), ("dropout",)
    yield "layers", "Dense(activation='nope')", lambda: L.Dense(3, activation="nope"), ("activation",)
    yield "layers", "Dense on 1-D input", lambda: L.Dense(3)(nr.ones(4)), ("Dense",)


def op_cases():
    t = nr.ones(2, 3)
    axis_calls = {"softmax": lambda a: nr.softmax(t, a), "log_softmax": lambda a: nr.log_softmax(t, a),
                  "sum": lambda a: nr.sum(t, axis=a), "mean": lambda a: nr.mean(t, axis=a),
                  "max": lambda a: nr.max(t, axis=a), "min": lambda a: nr.min(t, axis=a),
                  "var": lambda a: nr.var(t, axis=a), "std": lambda a: nr.std(t, axis=a),
                  "logsumexp": lambda a: nr.logsumexp(t, axis=a), "expand_dims": lambda a: nr.expand_dims(t, a),
                  "squeeze": lambda a: nr.squeeze(nr.ones(1, 3), a), "concatenate": lambda a: nr.cat([t, t], a),
                  "stack": lambda a: nr.stack([t, t], a), "argmax": lambda a: nr.argmax(t, axis=a),
                  "argmin": lambda a: nr.argmin(t, axis=a), "flatten": lambda a: nr.flatten(t, a),
                  "swapaxes": lambda a: nr.swapaxes(t, 0, a), "transpose": lambda a: nr.transpose(t, (0, a)),
                  "Tensor.sum": lambda a: t.sum(dim=a), "Tensor.softmax": lambda a: t.softmax(a)}
    for name, call in axis_calls.items():
        for bad in (3, -4, 5, 2.5, "1"):
            yield "tensor ops", f"{name}(axis={bad!r})", lambda c=call, b=bad: c(b), ("axis", "start_axis", "b")
    for bad in (str, "complex64", complex, object, "foo", "U5"):
        yield "tensor ops", f"astype({bad!r})", lambda b=bad: t.astype(b), ("dtype",)
    yield "tensor ops", "sum(axis=..., dim=...)", lambda: nr.sum(t, axis=0, dim=1), ("dim",)
    for bad in (["a", "b"], {"a": 1}, object()):
        yield "tensor ops", f"tensor({bad!r})", lambda b=bad: nr.tensor(b), ("tensor",)
    yield "tensor ops", "reshape to a wrong size", lambda: t.reshape(4, 2), ("reshape",)
    yield "tensor ops", "matmul of mismatched shapes", lambda: t @ t, ("matmul",)
    yield "tensor ops", "add (2,3) and (4,)", lambda: t + nr.ones(4), ("shape",)


def loss_cases():
    for bad in (0, -1.0, NAN, "1"):
        yield "losses and metrics", f"Huber(delta={bad!r})", lambda b=bad: nr.losses.Huber(b), ("delta",)
    pred = nr.tensor([[0.2, 0.8], [0.6, 0.4]])
    for name in ("sparse_categorical_crossentropy", "binary_crossentropy", "mse", "categorical_crossentropy"):
        loss = nr.losses.get(name)
        yield "losses and metrics", f"{name} with string targets", \
            lambda f=loss: f(np.array([["a", "b"], ["b", "a"]]) if "sparse" not in f.name else ["a", "b"], pred), \
            ("targets", "labels")
        yield "losses and metrics", f"{name} with targets of another shape", \
            lambda f=loss: f(np.ones((3, 5)), pred), ("shape",)
    yield "losses and metrics", "sparse labels out of range", \
        lambda: nr.losses.SparseCategoricalCrossentropy()([0, 7], pred), ("labels",)
    yield "losses and metrics", "sparse labels that are not integers", \
        lambda: nr.losses.SparseCategoricalCrossentropy()([0.5, 1], pred), ("labels",)
    yield "losses and metrics", "unknown loss", lambda: nr.losses.get("msee"), ("msee",)
    yield "losses and metrics", "unknown metric", lambda: model().compile("sgd", "mse", ["acc_uracy"]), ("acc_uracy",)
    yield "losses and metrics", "compile without a loss", lambda: model().compile("sgd"), ("loss",)
    yield "losses and metrics", "unknown optimizer", lambda: model().compile("sgdd", "mse"), ("sgdd",)
    for bad in (-1, 2.5, "3"):
        yield "losses and metrics", f"to_categorical(num_classes={bad!r})", \
            lambda b=bad: nr.utils.to_categorical([0, 1], num_classes=b), ("num_classes",)
    yield "losses and metrics", "to_categorical of strings", lambda: nr.utils.to_categorical(["a"]), ("labels",)
    yield "losses and metrics", "to_categorical of negative labels", lambda: nr.utils.to_categorical([-1]), ("labels",)
    for bad in (-0.1, NAN):
        yield "losses and metrics", f"regularizers.l2({bad!r})", lambda b=bad: nr.regularizers.l2(b), ("l2",)


CLI = [(["train", "--dataset", "digits", "--epochs", v], "--epochs") for v in ("0", "-1", "2.5", "x")] + \
      [(["train", "--dataset", "digits", "--batch-size", v], "--batch-size") for v in ("0", "-5", "1.5", "")] + \
      [(["train", "--dataset", "cifar"], "--dataset"), (["train"], "--dataset"), (["fly"], "fly"),
       (["demo", "--epochs", "0"], "--epochs"), (["train", "--dataset", "digits", "--optimizer", "lbfgs"], "lbfgs")]
GRAPH = ["9**9**9", "exp()", "exp(a, b)", "maximum(a)", "minimum(a, b, a)", "leaky_relu()", "1/0", "log(a - a)",
         "10**400", "1" * 400, "(" * 300 + "a" + ")" * 300, "+".join(["a"] * 1000), "-" * 200 + "a",
         "a.b", "a[0]", "open('x')", "__import__('os')", "lambda: a", "a if a else b", "[a, b]", "a < b",
         "a @ a", "a +", "", "   ", "exp(a) ** exp(exp(exp(a)))", "(-8) ** (1/3) * a", "sqrt(-a)", "c + a",
         "exp(x=a)", "*a", "a; b", "a = 1", "sigmoid(a, b)"]


def cli_cases():
    for argv, names in CLI:
        yield "CLI", "neurona " + " ".join(argv), lambda a=argv: _cli(a), (names.lstrip("-"), "invalid", "required")
    for expression in GRAPH:
        yield "CLI", f"neurona graph {expression[:30]!r}", lambda e=expression: _cli(["graph", e, "--at", "a=1,b=2"]), \
            ("",)


class CommandFailed(Exception):
    """The command ended with a non-zero status and exactly one line on stderr (that line is the message)."""


def _cli(argv):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = cli_main([str(a) for a in argv])
        except SystemExit as exc:
            status = exc.code
    lines = err.getvalue().strip().splitlines()
    if status and len(lines) == 1 and "Traceback" not in lines[0]:
        raise CommandFailed(lines[0])
    if status:
        raise RuntimeError(f"status {status} with {len(lines)} lines on stderr: {err.getvalue()[-300:]}")


def all_cases():
    return [*training_cases(), *optimizer_cases(), *layer_cases(), *op_cases(), *loss_cases(), *cli_cases()]


def classify(thunk, names):
    """'clear', 'silent', 'numpy' (raised inside NumPy) or 'opaque' (neurona's error without the argument)."""
    try:
        with np.errstate(all="ignore"):
            thunk()
    except Exception as exc:  # noqa: BLE001 - classifying whatever is raised is the point
        frames = traceback.extract_tb(exc.__traceback__)
        raised_in = frames[-1].filename if frames else ""
        message = str(exc)
        if not (raised_in.startswith(SOURCE) or isinstance(exc, CommandFailed)):
            return "numpy" if "numpy" in raised_in else f"opaque ({type(exc).__name__} in {raised_in})"
        if not any(name.lower() in message.lower() for name in names):
            return f"opaque ({type(exc).__name__}: {message[:120]})"
        return "clear"
    return "silent"


def test_every_bad_input_gets_a_clear_error_from_neurona():
    cases = all_cases()
    assert len(cases) >= 400
    outcomes = {label: classify(thunk, names) for _, label, thunk, names in cases}
    assert len(outcomes) == len(cases), "case labels must be unique"
    counts = {}
    for outcome in outcomes.values():
        key = outcome.split(" ")[0]
        counts[key] = counts.get(key, 0) + 1
    categories = {}
    for category, label, _, _ in cases:
        categories.setdefault(category, [0, 0])
        categories[category][0] += 1
        categories[category][1] += outcomes[label] == "clear"
    print(f"\nbad inputs: {len(cases)}; " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    for category, (total, clear) in categories.items():
        print(f"  {category}: {clear}/{total} clear")
    problems = {label: outcome for label, outcome in outcomes.items() if outcome != "clear"}
    assert not [label for label, outcome in problems.items() if outcome == "silent"], problems
    assert counts.get("clear", 0) >= 0.98 * len(cases), problems


CONTROLS = [
    ("fit with defaults", lambda: len(model().fit(*data(), verbose=0).history["loss"]), 1),
    ("fit(epochs=0) trains nothing", lambda: len(model().fit(*data(), epochs=0, verbose=0).history), 0),
    ("fit(batch_size=np.int64(8))", lambda: len(model().fit(*data(), batch_size=np.int64(8), verbose=0).epoch), 1),
    ("fit(validation_split=0.0)", lambda: "val_loss" in model().fit(*data(), verbose=0).history, False),
    ("fit(sample_weight as (N, 1))", lambda: len(model().fit(*data(), sample_weight=np.ones((20, 1)),
                                                             verbose=0).epoch), 1),
    ("fit(class_weight={0: 1, 1: 2})", lambda: len(model().fit(*data(), class_weight={0: 1, 1: 2.0},
                                                               verbose=0).epoch), 1),
    ("evaluate(verbose='auto')", lambda: len(model().evaluate(*data())), 2),
    ("predict(batch_size=1)", lambda: model().predict(data()[0], batch_size=1).shape, (20, 1)),
    ("SGD(learning_rate=0)", lambda: nr.optimizers.SGD(0).learning_rate, 0.0),
    ("SGD(momentum=1.0)", lambda: nr.optimizers.SGD(momentum=1.0).momentum, 1.0),
    ("Adam(beta_1=0)", lambda: nr.optimizers.Adam(beta_1=0.0).beta_1, 0.0),
    ("SGD(params, lr=) PyTorch's way", lambda: nr.optimizers.SGD([nr.ones(2, requires_grad=True)], lr=0.5).lr, 0.5),
    ("Adam schedule", lambda: nr.optimizers.Adam(nr.optimizers.ExponentialDecay(0.1, 10, 0.5)).learning_rate, 0.1),
    ("Dense(np.int64(3))", lambda: L.Dense(np.int64(3)).units, 3),
    ("Conv2D(kernel_size=(1, 3))", lambda: L.Conv2D(2, (1, 3)).kernel_size, (1, 3)),
    ("Dropout(0)", lambda: L.Dropout(0).rate, 0.0),
    ("softmax(axis=-2)", lambda: nr.softmax(nr.ones(2, 3), -2).shape, (2, 3)),
    ("expand_dims(axis=2) on 2-D", lambda: nr.expand_dims(nr.ones(2, 3), 2).shape, (2, 3, 1)),
    ("expand_dims(axis=-3) on 2-D", lambda: nr.expand_dims(nr.ones(2, 3), -3).shape, (1, 2, 3)),
    ("sum(dim=1)", lambda: nr.sum(nr.ones(2, 3), dim=1).tolist(), [3.0, 3.0]),
    ("x.size() and x.size", lambda: (nr.ones(2, 3).size(), nr.ones(2, 3).size, nr.ones(2, 3).size(1)), ((2, 3), 6, 3)),
    ("MSE of integer predictions is computed in floats",
     lambda: nr.losses.MeanSquaredError()([[.5], [.25]], nr.tensor([[1], [0]])).item(), 0.15625),
    ("astype('int32')", lambda: str(nr.ones(2).astype("int32").dtype), "int32"),
    ("Huber(0.5)", lambda: nr.losses.Huber(0.5)([0.0], nr.tensor([2.0])).item(), 0.875),
    ("to_categorical", lambda: nr.utils.to_categorical([2, 0]).tolist(), [[0, 0, 1], [1, 0, 0]]),
    ("neurona graph a*2+1", lambda: _cli(["graph", "a*2+1", "--at", "a=1", "--format", "dot", "--out",
                                          str(Path(__import__("tempfile").mkdtemp()))]), None),
]


@pytest.mark.parametrize("label, thunk, expected", CONTROLS, ids=[c[0] for c in CONTROLS])
def test_valid_controls_work_and_give_the_right_numbers(label, thunk, expected):
    got = thunk()
    if isinstance(expected, float):
        assert math.isclose(got, expected, rel_tol=1e-6)
    else:
        assert got == expected
