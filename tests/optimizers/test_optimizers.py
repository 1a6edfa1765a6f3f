"""Optimizer features: flat buffers updated in place, clipping, weight decay, schedules, Keras defaults."""
import math

import numpy as np
import pytest
import torch

import neurona as nr
from neurona import optimizers as O


def variables():
    return [nr.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3), requires_grad=True),
            nr.tensor(np.array([1.0, -1.0], dtype=np.float32), requires_grad=True)]


def test_keras_defaults():
    assert (O.SGD().learning_rate, O.Adam().learning_rate, O.RMSprop().learning_rate) == (0.01, 0.001, 0.001)
    assert (O.Adam().beta_1, O.Adam().beta_2, O.Adam().epsilon) == (0.9, 0.999, 1e-7)
    assert (O.RMSprop().rho, O.AdamW().weight_decay, O.Adagrad().initial_accumulator_value) == (0.9, 0.004, 0.1)


def test_parameters_live_in_one_flat_buffer_updated_in_place():
    vs = variables()
    opt = O.Adam(0.1)
    opt.apply([np.ones((2, 3)), np.ones(2)], vs)
    group = opt._groups[0]
    assert all(np.shares_memory(v.data, group.params) for v in vs)
    assert group.params.ctypes.data % 64 == 0   # the first weight starts on a cache line (backend.ALIGNMENT)
    buffer_id = id(group.params)
    opt.apply([np.ones((2, 3)), np.ones(2)], vs)
    assert id(opt._groups[0].params) == buffer_id and opt.iterations == 2


def _torch_reference(make, grads_list, init):
    params = [torch.tensor(a, requires_grad=True) for a in init]
    opt = make(params)
    for grads in grads_list:
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g)
        opt.step()
    return [p.detach().numpy() for p in params]


@pytest.mark.parametrize("ours, theirs", [
    (lambda: O.Adagrad(0.1, initial_accumulator_value=0.1, epsilon=1e-12),  # epsilon must be > 0; where it
     lambda p: torch.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1, eps=1e-12)),  # goes then hardly matters
    (lambda: O.AdamW(0.01, weight_decay=0.1), None),
    (lambda: O.SGD(0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
])
def test_updates_match_reference_formulas(ours, theirs):
    rng = np.random.default_rng(0)
    init = [v.numpy().copy() for v in variables()]
    grads_list = [[rng.normal(size=a.shape).astype(np.float32) for a in init] for _ in range(5)]
    vs = variables()
    opt = ours()
    for grads in grads_list:
        opt.apply(grads, vs)
    if theirs is None:  # AdamW: decoupled decay then the Adam step, written out
        expected = []
        for k, a in enumerate(init):
            w, m, v = a.astype(np.float64), 0.0, 0.0
            for t, grads in enumerate(grads_list, 1):
                g = grads[k]
                w = w - 0.01 * 0.1 * w
                m = m + (g - m) * 0.1
                v = v + (g * g - v) * 0.001
                alpha = 0.01 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
                w = w - alpha * m / (np.sqrt(v) + 1e-7)
            expected.append(w)
    else:
        expected = _torch_reference(theirs, grads_list, init)
    for v, e in zip(vs, expected):
        np.testing.assert_allclose(v.numpy(), e, rtol=1e-5, atol=1e-6)


def test_gradient_clipping():
    vs = variables()
    O.SGD(1.0, clipvalue=0.5).apply([np.full((2, 3), 3.0), np.full(2, -3.0)], vs)
    np.testing.assert_allclose(vs[1].numpy(), [1.5, -0.5])
    vs = variables()
    O.SGD(1.0, clipnorm=1.0).apply([np.full((2, 3), 3.0), np.array([0.3, 0.4])], vs)
    np.testing.assert_allclose(vs[0].numpy(), np.arange(6.0).reshape(2, 3) - 1 / np.sqrt(6), rtol=1e-6)
    np.testing.assert_allclose(vs[1].numpy(), [0.7, -1.4], rtol=1e-6)  # norm 0.5 < 1: unchanged
    vs = variables()
    O.SGD(1.0, global_clipnorm=1.0).apply([np.zeros((2, 3)), np.array([3.0, 4.0])], vs)
    np.testing.assert_allclose(vs[1].numpy(), [0.4, -1.8], rtol=1e-6)


def test_schedules():
    s = O.ExponentialDecay(1.0, decay_steps=10, decay_rate=0.5, staircase=True)
    assert (s(9), s(10), s(25)) == (1.0, 0.5, 0.25)
    c = O.CosineDecay(1.0, decay_steps=100, alpha=0.1)
    assert c(0) == pytest.approx(1.0) and c(50) == pytest.approx(0.55) and c(100) == pytest.approx(0.1)
    w = O.CosineDecay(0.0, 100, warmup_target=1.0, warmup_steps=10)
    assert w(5) == pytest.approx(0.5) and w(10) == pytest.approx(1.0)
    p = O.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert (p(10), p(11), p(21)) == (1.0, 0.5, 0.1)
    opt = O.SGD(learning_rate=s)
    vs = variables()
    for _ in range(10):
        opt.apply([np.zeros((2, 3)), np.zeros(2)], vs)
    assert opt.learning_rate == 0.5


def test_pytorch_style_step_reads_grad():
    w = nr.tensor([1.0, 2.0], requires_grad=True)
    opt = O.SGD(0.5)
    opt.build([w])
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])


def test_by_name():
    assert isinstance(O.get("adam"), O.Adam) and isinstance(O.get("RMSprop"), O.RMSprop)
    with pytest.raises(ValueError, match="unknown optimizer"):
        O.get("adamax2")
