"""The lecture's exercises on computational graphs and backpropagation, checked against hand derivations."""
import numpy as np
import pytest

import neurona as nr


def exercise_graph():
    a = nr.tensor(2.0, requires_grad=True, name="a")
    b = nr.tensor(1.0, requires_grad=True, name="b")
    c = a + b
    d = b + 1
    e = c * d
    c.name, d.name, e.name = "c", "d", "e"
    return a, b, e


def test_pytorch_intro_example():
    x = nr.tensor(3.0, requires_grad=True)
    (x ** 2).backward()
    assert x.grad.item() == 6.0


def test_exercise_by_reverse_mode_in_one_pass():
    a, b, e = exercise_graph()
    assert e.item() == 6.0
    e.backward()
    assert (a.grad.item(), b.grad.item()) == (2.0, 5.0)


def test_exercise_by_forward_mode_one_pass_per_input():
    def e(a, b):
        return (a + b) * (b + 1)
    value, de_da = nr.jvp(e, (2.0, 1.0), (1.0, 0.0))
    _, de_db = nr.jvp(e, (2.0, 1.0), (0.0, 1.0))
    assert (value.item(), de_da.item(), de_db.item()) == (6.0, 2.0, 5.0)


def test_exercise_graph_shows_five_nodes_with_values_and_gradients():
    a, b, e = exercise_graph()
    picture = nr.viz.graph(e)
    e.backward()
    items = {item.label.split(" = ")[0]: item for item in picture.order()}
    assert sorted(items) == ["a", "b", "c", "d", "e"]
    expected = {"a": (2, 2), "b": (1, 5), "c": (3, 2), "d": (2, 3), "e": (6, 1)}
    for name, (value, grad) in expected.items():
        assert picture.lines(items[name])[2:] == [f"value {value}", f"grad {grad}"]
    dot = picture.dot()
    assert dot.count("->") == 5  # a->c, b->c, b->d, c->e, d->e


def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_two_layer_network_gradients_equal_the_hand_derived_ones():
    """y = w . sigma(V phi(x)), loss = mean((y - t)^2); phi(x) = (1, x, x^2) as features."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=20)
    t = np.sin(2 * x)
    phi = np.stack([np.ones_like(x), x, x ** 2], axis=1)          # n x 3
    V0 = rng.normal(size=(4, 3))                                    # h x 3
    w0 = rng.normal(size=4)                                         # h

    # autograd
    V = nr.tensor(V0, requires_grad=True)
    w = nr.tensor(w0, requires_grad=True)
    y = nr.sigmoid(nr.tensor(phi) @ V.T) @ w
    loss = ((y - nr.tensor(t)) ** 2).mean()
    loss.backward()

    # by hand: chain rule with sigma' = sigma (1 - sigma)
    z = phi @ V0.T                        # n x h
    h = sigma(z)
    y_hand = h @ w0
    dL_dy = 2 * (y_hand - t) / len(x)     # n
    dL_dw = h.T @ dL_dy                   # h
    dL_dz = np.outer(dL_dy, w0) * h * (1 - h)
    dL_dV = dL_dz.T @ phi                 # h x 3

    assert loss.item() == pytest.approx(np.mean((y_hand - t) ** 2), rel=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), dL_dw, rtol=1e-12)
    np.testing.assert_allclose(V.grad.numpy(), dL_dV, rtol=1e-12)
