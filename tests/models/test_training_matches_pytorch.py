"""The same MLP, same data, same initial weights: 50 training steps give the same loss sequence in neurona and
PyTorch (relative 1e-4), for SGD with momentum, Adam and RMSprop.

Hyperparameter mapping (see neurona.optimizers.rules): Keras-style SGD momentum equals PyTorch's for a constant
learning rate; Keras' Adam epsilon equals PyTorch's eps_t = epsilon / sqrt(1 - beta_2^t) (set per step below);
Keras' RMSprop rho is PyTorch's alpha, and epsilon sits inside the square root in Keras, outside in PyTorch, so
a negligible epsilon is used for that comparison.
"""
import math

import numpy as np
import pytest
import torch

import neurona as nr

STEPS, BATCH = 50, 16


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 12)).astype(np.float32)
    y = (np.abs(x[:, 0]) + x[:, 1] * x[:, 2] > 0.8).astype(np.int64) + (x[:, 3] > 1.0)
    return x, y


def neurona_model():
    nr.utils.set_random_seed(3)
    return nr.Sequential([nr.layers.Input((12,)), nr.layers.Dense(16, activation="relu"),
                          nr.layers.Dense(8, activation="tanh"), nr.layers.Dense(3, activation="softmax")])


def torch_copy(model):
    layers = []
    for i, dense in enumerate(model.layers):
        lin = torch.nn.Linear(dense.kernel.shape[0], dense.units)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(dense.kernel.numpy().T))
            lin.bias.copy_(torch.tensor(dense.bias.numpy()))
        layers += [lin] + ([torch.nn.ReLU()] if i == 0 else [torch.nn.Tanh()] if i == 1 else [])
    return torch.nn.Sequential(*layers)


CASES = {
    "sgd_momentum": (lambda: nr.optimizers.SGD(0.05, momentum=0.9),
                     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), None),
    "sgd_nesterov": (lambda: nr.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True), None),
    "adam": (lambda: nr.optimizers.Adam(0.01),
             lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-7),
             lambda opt, t: opt.param_groups[0].__setitem__("eps", 1e-7 / math.sqrt(1 - 0.999 ** t))),
    "rmsprop": (lambda: nr.optimizers.RMSprop(0.005, rho=0.9, epsilon=1e-12),
                lambda p: torch.optim.RMSprop(p, lr=0.005, alpha=0.9, eps=1e-12), None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fifty_steps_give_the_same_losses(name):
    make_ours, make_theirs, per_step = CASES[name]
    x, y = data()
    model = neurona_model()
    net = torch_copy(model)
    model.compile(make_ours(), "sparse_categorical_crossentropy")
    opt = make_theirs(net.parameters())
    ours, theirs = [], []
    for step in range(STEPS):
        start = (step * BATCH) % len(x)
        xb, yb = x[start:start + BATCH], y[start:start + BATCH]
        ours.append(model.train_on_batch(xb, yb))
        if per_step:
            per_step(opt, step + 1)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(torch.tensor(xb)), torch.tensor(yb))
        loss.backward()
        opt.step()
        theirs.append(loss.item())
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    assert theirs[-1] < 0.8 * theirs[0]  # it did learn something


def test_regularized_loss_matches_pytorch_with_explicit_penalty():
    x, y = data()
    nr.utils.set_random_seed(1)
    model = nr.Sequential([nr.layers.Input((12,)),
                           nr.layers.Dense(6, activation="relu", kernel_regularizer=nr.regularizers.L2(0.01)),
                           nr.layers.Dense(3, activation="softmax", kernel_regularizer=nr.regularizers.L1(0.001))])
    model.compile(nr.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    lin1, lin2 = torch.nn.Linear(12, 6), torch.nn.Linear(6, 3)
    with torch.no_grad():
        for lin, dense in ((lin1, model.layers[0]), (lin2, model.layers[1])):
            lin.weight.copy_(torch.tensor(dense.kernel.numpy().T))
            lin.bias.copy_(torch.tensor(dense.bias.numpy()))
    opt = torch.optim.SGD(list(lin1.parameters()) + list(lin2.parameters()), lr=0.1)
    for step in range(10):
        xb, yb = x[step * 16:(step + 1) * 16], y[step * 16:(step + 1) * 16]
        ours = model.train_on_batch(xb, yb)
        opt.zero_grad()
        logits = lin2(torch.relu(lin1(torch.tensor(xb))))
        loss = torch.nn.functional.cross_entropy(logits, torch.tensor(yb)) + 0.01 * (lin1.weight ** 2).sum() \
            + 0.001 * lin2.weight.abs().sum()
        loss.backward()
        opt.step()
        assert ours == pytest.approx(loss.item(), rel=1e-5)
