"""Students arrive from Keras tutorials and from PyTorch tutorials: the habits of both work on the first try, or
are met by a message that says what to write instead."""
import inspect
import subprocess
import sys

import numpy as np
import pytest
import torch

import neurona as nr
from neurona import layers as L
from .user_path.helpers import ROOT, run_command


def digits(n=96):
    (x, y), _ = nr.datasets.load_digits()
    return (x.reshape(len(x), -1)[:n] / 16.0).astype(np.float32), y[:n]


def mlp():
    nr.manual_seed(0)
    model = nr.Sequential([L.Input((64,)), L.Dense(16, activation="relu"), L.Dense(10)])
    return model


def test_a_pytorch_training_loop_takes_the_same_steps_as_fit():
    """zero_grad / backward / step over the same batches with the same SGD: the weights of fit, bit for bit."""
    x, y = digits()
    loss_fn = nr.losses.SparseCategoricalCrossentropy(from_logits=True)
    torch_style = mlp()
    opt = nr.optimizers.SGD(torch_style.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(2):
        for start in range(0, len(y), 32):
            opt.zero_grad()
            loss = loss_fn(y[start:start + 32], torch_style(nr.tensor(x[start:start + 32]), training=True))
            loss.backward()
            opt.step()
    keras_style = mlp()
    keras_style.compile(nr.optimizers.SGD(learning_rate=0.1, momentum=0.9), loss_fn)
    keras_style.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    for a, b in zip(torch_style.get_weights(), keras_style.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert opt.iterations == 6 and opt.lr == 0.1


def test_apply_gradients_keras_way_equals_step():
    x, y = digits(32)
    loss_fn = nr.losses.SparseCategoricalCrossentropy(from_logits=True)
    results = []
    for style in ("step", "apply_gradients"):
        model = mlp()
        opt = nr.optimizers.Adam(model.parameters(), lr=0.01) if style == "step" else nr.optimizers.Adam(0.01)
        loss_fn(y, model(x, training=True)).backward()
        if style == "step":
            opt.step()
        else:
            variables = model.trainable_weights
            opt.apply_gradients(zip([v.grad for v in variables], variables))
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_zero_grad_really_forgets_the_gradients():
    model = mlp()
    opt = nr.optimizers.SGD(model.parameters(), lr=0.1)
    nr.sum(model(nr.ones(2, 64))).backward()
    assert all(p.grad is not None for p in model.parameters())
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize("make, hint", [
    (lambda: nr.optimizers.SGD(0.1).step(), "SGD(model.parameters(), lr=0.01)"),
    (lambda: nr.optimizers.Adam(betas=(0.9, 0.99)), "beta_1=..., beta_2=..."),
    (lambda: nr.optimizers.Adam(eps=1e-8), "epsilon=..."),
    (lambda: nr.optimizers.RMSprop(alpha=0.9), "rho=..."),
    (lambda: nr.optimizers.SGD(mlp().parameters() + [np.ones(3)], lr=0.1), "Tensors"),
    (lambda: nr.optimizers.SGD(nr.Sequential([L.Dense(3)]).parameters(), lr=0.1), "was the model built"),
])
def test_habits_that_cannot_work_say_what_to_write(make, hint):
    with pytest.raises((TypeError, ValueError), match=re_escape(hint)):
        make()


def re_escape(text):
    import re
    return re.escape(text)


def test_tensor_habits_match_pytorch():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t, ref = nr.tensor(a), torch.tensor(a)
    np.testing.assert_array_equal(t.sum(dim=1).numpy(), ref.sum(dim=1).numpy())
    np.testing.assert_array_equal(nr.mean(t, dim=0, keepdim=True).numpy(), ref.mean(dim=0, keepdim=True).numpy())
    np.testing.assert_allclose(t.softmax(dim=0).numpy(), torch.softmax(ref, dim=0).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(nr.cat([t, t], dim=1).numpy(), torch.cat([ref, ref], dim=1).numpy())
    np.testing.assert_array_equal(nr.stack([t, t], dim=2).numpy(), torch.stack([ref, ref], dim=2).numpy())
    assert t.size() == tuple(ref.size()) and t.size(1) == ref.size(1) and t.size == ref.numel() == 6
    assert t.argmax(dim=1).tolist() == ref.argmax(dim=1).tolist()


def test_keras_habits():
    labels = np.array([2, 0, 1, 2])
    np.testing.assert_array_equal(nr.utils.to_categorical(labels, num_classes=4),
                                  torch.nn.functional.one_hot(torch.tensor(labels), 4).numpy())
    w = nr.tensor([1.0, -2.0])
    assert nr.regularizers.l2(0.01)(w).item() == pytest.approx(0.05)
    assert nr.regularizers.l1(0.1)(w).item() == pytest.approx(0.3)
    layer = L.Dense(3, kernel_regularizer=nr.regularizers.l2(0.01))
    assert layer.get_config()["kernel_regularizer"]["config"] == {"l2": 0.01}


def test_seeds_in_either_spelling_repeat_a_run():
    runs = []
    for seed_it in (nr.manual_seed, nr.utils.set_random_seed, nr.manual_seed):
        seed_it(3)
        runs.append(L.Dense(4)(nr.ones(1, 2)).numpy())
    np.testing.assert_array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(runs[0], runs[2])


def test_help_shows_the_real_signatures_and_fit_documents_its_arguments():
    dense = str(inspect.signature(L.Dense))
    assert "**kwargs" not in dense and "use_bias=True" in dense and "kernel_regularizer=None" in dense
    assert "name=None" in dense
    for cls in (L.Conv2D, L.LSTM, L.Dropout, L.BatchNormalization, L.MultiHeadAttention, L.Embedding):
        assert "**kwargs" not in str(inspect.signature(cls)), cls
    doc = nr.Sequential.fit.__doc__
    for argument in ("batch_size", "epochs", "verbose", "validation_split", "class_weight", "sample_weight",
                     "initial_epoch", "terminate_on_nan"):
        assert f"{argument}:" in doc or f"{argument}," in doc, argument


def test_keras_input_and_torch_optim_spellings():
    """``keras.Input((64,))`` and ``torch.optim.SGD(model.parameters(), lr=...)`` written with ``nr``: the same
    objects as ``nr.layers.Input`` and ``nr.optimizers``, and a softmax regression trained with them descends."""
    assert nr.Input is L.Input and nr.optim is nr.optimizers
    nr.manual_seed(0)
    model = nr.Sequential([nr.Input((64,)), L.Dense(10)])
    opt = nr.optim.SGD(model.parameters(), lr=0.5)
    x, y = digits()
    loss_fn = nr.losses.SparseCategoricalCrossentropy(from_logits=True)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = loss_fn(y, model(nr.tensor(x), training=True))
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
    assert all(later < earlier for earlier, later in zip(losses, losses[1:])), losses   # full-batch descent
    assert not {"Input", "optim"} & set(dir(nr))   # aliases: the reference documents each object once


def test_dir_shows_no_import_machinery():
    names = dir(nr)
    assert "annotations" not in names and "importlib" not in names
    assert {"Sequential", "tensor", "cat", "stack", "manual_seed", "load_model"} <= set(names)


def test_every_cli_option_has_help_and_its_default():
    from neurona.cli import build_parser
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, command in commands.items():
        for action in command._actions:
            if action.dest == "help":
                continue
            assert action.help, f"{name} {action.dest} has no help"
            assert "default:" in action.help or "required" in action.help or action.required or \
                action.dest == "expression", f"{name} {action.option_strings} does not give its default"
    assert "(default: neurona-out)" in " ".join(run_command(["train", "--help"], ROOT).stdout.split())


def test_an_example_without_its_data_ends_in_the_clis_one_line(tmp_path):
    env = {"NEURONA_OFFLINE": "1", "HOME": str(tmp_path), "NEURONA_DATA": ""}
    example = subprocess.run([sys.executable, str(ROOT / "examples" / "mnist_mlp.py"), "--quick", "--out",
                              str(tmp_path)], capture_output=True, text=True, cwd=tmp_path,
                             env={**__import__("os").environ, **env})
    command = run_command(["train", "--dataset", "mnist"], tmp_path, env=env)
    assert example.returncode == command.returncode == 2
    assert "Traceback" not in example.stderr and len(example.stderr.strip().splitlines()) == 1
    assert example.stderr.split("error: ", 1)[1] == command.stderr.split("error: ", 1)[1]
    assert "--data" in example.stderr and "path=" in example.stderr
