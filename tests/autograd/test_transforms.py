"""Functional transforms: grad, value_and_grad, vjp, jvp, jacrev, jacfwd, hessian, hvp, and their nesting."""
import numpy as np
import pytest
import torch

import neurona as nr


def f_vec(x):
    return nr.stack([nr.sin(x[0]) * x[1], x[0] ** 2 + nr.exp(x[2]), x[1] * x[2] * x[0]])


def f_vec_torch(x):
    return torch.stack([torch.sin(x[0]) * x[1], x[0] ** 2 + torch.exp(x[2]), x[1] * x[2] * x[0]])


def f_scalar(x):
    return (nr.tanh(x) * x ** 2).sum() + x[0] * x[1]


def f_scalar_torch(x):
    return (torch.tanh(x) * x ** 2).sum() + x[0] * x[1]


X = np.array([0.3, -1.2, 0.7])


def test_grad_and_value_and_grad():
    value, g = nr.value_and_grad(f_scalar)(X)
    tx = torch.tensor(X, requires_grad=True)
    f_scalar_torch(tx).backward()
    assert value.item() == pytest.approx(f_scalar_torch(torch.tensor(X)).item())
    np.testing.assert_allclose(g.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(nr.grad(f_scalar)(X).numpy(), tx.grad.numpy(), rtol=1e-12)


def test_grad_with_several_argnums_and_aux():
    def f(a, b, scale):
        out = (a * b).sum() * scale
        return out, {"seen": scale}
    (ga, gb), aux = nr.grad(f, argnums=(0, 1), has_aux=True)(nr.tensor([1.0, 2.0]), nr.tensor([3.0, 4.0]), 2.0)
    np.testing.assert_allclose(ga.numpy(), [6.0, 8.0])
    np.testing.assert_allclose(gb.numpy(), [2.0, 4.0])
    assert aux == {"seen": 2.0}


def test_grad_requires_a_scalar_and_a_float_input():
    with pytest.raises(RuntimeError, match="one-element"):
        nr.grad(lambda x: x * 2)(nr.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="floating point"):
        nr.grad(lambda x: x * 2)(3)


def test_grad_of_a_function_that_ignores_its_input_is_zero():
    assert nr.grad(lambda x: nr.tensor(5.0))(2.0).item() == 0.0


def test_transforms_leave_user_grads_alone():
    w = nr.tensor([1.0, 2.0], requires_grad=True)
    nr.grad(lambda x: (x * w).sum())(nr.tensor([1.0, 1.0]))
    assert w.grad is None


def test_grad_works_inside_no_grad():
    with nr.no_grad():
        assert nr.grad(lambda x: x ** 2)(3.0).item() == 6.0


def test_vjp_can_be_called_several_times():
    out, vjp_fn = nr.vjp(f_vec, X)
    _, t_vjp = torch.func.vjp(f_vec_torch, torch.tensor(X))
    for u in (np.array([1.0, 0.0, 0.0]), np.array([0.5, -2.0, 1.0])):
        (ours,) = vjp_fn(nr.tensor(u))
        (theirs,) = t_vjp(torch.tensor(u))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_jacobians_agree_with_each_other_and_torch():
    jr = nr.jacrev(f_vec)(X).numpy()
    jf = nr.jacfwd(f_vec)(X).numpy()
    jt = torch.func.jacrev(f_vec_torch)(torch.tensor(X)).numpy()
    np.testing.assert_allclose(jr, jt, rtol=1e-12)
    np.testing.assert_allclose(jf, jt, rtol=1e-12)


def test_jacobian_shape_is_output_then_input():
    j = nr.jacrev(lambda m: m @ nr.tensor(np.ones((3, 2))))(np.ones((4, 3)))
    assert j.shape == (4, 2, 4, 3)
    assert nr.jacfwd(lambda m: m.sum(axis=0))(np.ones((4, 3))).shape == (3, 4, 3)


def test_hessian_matches_torch():
    h = nr.hessian(f_scalar)(X).numpy()
    th = torch.func.hessian(f_scalar_torch)(torch.tensor(X)).numpy()
    np.testing.assert_allclose(h, th, rtol=1e-10, atol=1e-12)


def test_hvp_matches_hessian_times_vector():
    v = np.array([1.0, -0.5, 2.0])
    hv = nr.hvp(f_scalar, (X,), (v,)).numpy()
    np.testing.assert_allclose(hv, nr.hessian(f_scalar)(X).numpy() @ v, rtol=1e-10)


def test_grad_of_grad():
    d2 = nr.grad(nr.grad(lambda x: nr.sin(x) * x))(1.3)
    assert d2.item() == pytest.approx(2 * np.cos(1.3) - 1.3 * np.sin(1.3), rel=1e-6)
    d3 = nr.grad(nr.grad(nr.grad(lambda x: x ** 4)))(np.float64(2.0))
    assert d3.item() == pytest.approx(24 * 2.0)


def test_nested_reverse_mode_does_not_confuse_perturbations():
    # d/dx [ d/dy (x * y) at y = x ] = d/dx x = 1   (a confused implementation answers 2)
    outer = nr.grad(lambda x: nr.grad(lambda y: x * y)(x))(np.float64(3.0))
    assert outer.item() == 1.0


def test_nested_forward_mode_does_not_confuse_perturbations():
    # Siskind & Pearlmutter: D(x -> x * D(y -> x + y)(1))(1) = 1
    def inner_derivative(x):
        return nr.jvp(lambda y: x + y, (np.float64(1.0),), (np.float64(1.0),))[1]
    _, d = nr.jvp(lambda x: x * inner_derivative(x), (np.float64(1.0),), (np.float64(1.0),))
    assert d.item() == 1.0


def test_forward_over_forward_second_derivative():
    def df(x):
        return nr.jvp(nr.sin, (x,), (np.float64(1.0),))[1]
    _, d2 = nr.jvp(df, (np.float64(0.4),), (np.float64(1.0),))
    assert d2.item() == pytest.approx(-np.sin(0.4), rel=1e-12)


def test_reverse_over_forward_second_derivative():
    def df(x):
        return nr.jvp(lambda t: t ** 3, (x,), (nr.ones_like(x),))[1]
    assert nr.grad(df)(np.float64(2.0)).item() == pytest.approx(12.0)


def test_forward_over_reverse_equals_torch_hvp():
    def f(x):
        return (nr.exp(x[0] * x[1]) + nr.log(x[2] ** 2 + 1.0)).sum()

    def ft(x):
        return (torch.exp(x[0] * x[1]) + torch.log(x[2] ** 2 + 1.0)).sum()
    v = np.array([0.2, 1.0, -1.0])
    ours = nr.hvp(f, (X,), (v,)).numpy()
    _, theirs = torch.func.jvp(torch.func.grad(ft), (torch.tensor(X),), (torch.tensor(v),))
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12)


def test_jvp_costs_one_forward_pass_and_no_backward(monkeypatch):
    calls = []
    from neurona.autograd import engine
    monkeypatch.setattr(engine, "_run", lambda *a, **k: calls.append(1))
    _, t = nr.jvp(f_vec, (X,), (np.array([1.0, 0.0, 0.0]),))
    assert calls == []
    x0, x1, x2 = X
    np.testing.assert_allclose(t.numpy(), [np.cos(x0) * x1, 2 * x0, x1 * x2], rtol=1e-12)


def test_jvp_checks_tangent_shapes():
    with pytest.raises(ValueError, match="tangent"):
        nr.jvp(nr.sin, (np.ones(3),), (np.ones(2),))
