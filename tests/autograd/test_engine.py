"""Reverse-mode semantics: accumulation, freeing, retain_graph, deep graphs, in-place safety, grad modes."""
import gc
import weakref

import numpy as np
import pytest
import torch

import neurona as nr


def test_backward_accumulates_into_leaves_only():
    x = nr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * x
    (h.sum()).backward()
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.array([1.0, 2.0, 3.0]) + 3.0)
    assert h.grad is None and not h.is_leaf and x.is_leaf


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = nr.tensor([1.0, -2.0], requires_grad=True)
    h = (x * 2.0).retain_grad()
    (h ** 2).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * np.array([2.0, -4.0]))


def test_non_scalar_backward_needs_a_gradient():
    x = nr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError, match="gradient"):
        y.backward()
    y.backward(nr.tensor([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 20.0])


def test_vector_jacobian_product_matches_torch():
    a = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    v = np.random.default_rng(1).normal(size=(3,)).astype(np.float32)
    x = nr.tensor(a, requires_grad=True)
    nr.tanh(x).sum(axis=1).backward(nr.tensor(v))
    tx = torch.tensor(a, requires_grad=True)
    torch.tanh(tx).sum(1).backward(torch.tensor(v))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5)


def test_second_backward_through_freed_graph_raises():
    x = nr.tensor(2.0, requires_grad=True)
    y = x.exp() * x
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = nr.tensor(2.0, requires_grad=True)
    y = x.exp() * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == pytest.approx(2 * (np.exp(2.0) * 3.0), rel=1e-6)


def test_hundred_thousand_op_chain_has_no_recursion_error():
    x = nr.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.00001
        y = y + 0.0
    y.backward()
    assert x.grad.item() == pytest.approx(1.00001 ** 50_000, rel=1e-3)


def test_intermediate_arrays_are_freed_after_backward():
    def build():
        x = nr.tensor(np.ones(1000), requires_grad=True)
        h1 = x.exp()
        h2 = h1 * 3.0
        h3 = nr.tanh(h2)
        loss = h3.sum()
        return x, loss, [weakref.ref(t.data) for t in (h1, h2, h3)]
    x, loss, refs = build()
    assert all(r() is not None for r in refs)  # alive while the graph is
    loss.backward()
    assert all(r() is None for r in refs)
    assert x.grad is not None


def test_retained_graph_keeps_intermediates_alive():
    x = nr.tensor(np.ones(10), requires_grad=True)
    h = x.exp()
    ref = weakref.ref(h.data)
    loss = (h * 2.0).sum()
    del h
    loss.backward(retain_graph=True)
    gc.collect()
    assert ref() is not None


def test_modifying_a_saved_input_in_place_raises_at_backward():
    x = nr.tensor([1.0, 2.0], requires_grad=True)
    a = nr.tensor([3.0, 4.0])
    y = (x * a).sum()
    a.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_modifying_a_saved_output_in_place_raises_at_backward():
    x = nr.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    loss = y.sum()
    with nr.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_in_place_change_of_an_unsaved_input_is_harmless():
    x = nr.tensor([1.0, 2.0], requires_grad=True)
    a = nr.tensor([3.0, 4.0])
    y = (x + a).sum()  # add does not read its inputs' values backward
    a.mul_(2.0)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])


def test_in_place_on_a_leaf_that_requires_grad_is_refused():
    w = nr.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w.add_(1.0)
    with nr.no_grad():
        w.sub_(0.5)
    assert w.item() == 0.5


def test_augmented_assignment_on_a_graph_tensor_rebinds():
    x = nr.tensor(3.0, requires_grad=True)
    y = x * 2.0
    z = y
    y += 1.0  # means y = y + 1: z keeps the old value, the gradient stays right
    assert z.item() == 6.0 and y.item() == 7.0
    (y * z).backward()
    assert x.grad.item() == pytest.approx(2 * 6.0 + 7.0 * 2)


def test_no_grad_and_enable_grad_as_context_and_decorator():
    x = nr.tensor(1.0, requires_grad=True)
    with nr.no_grad():
        assert not (x * 2).requires_grad
        with nr.enable_grad():
            assert (x * 2).requires_grad
        assert not nr.is_grad_enabled()
    assert nr.is_grad_enabled()

    @nr.no_grad()
    def frozen(t):
        return t * 2
    assert not frozen(x).requires_grad
    with pytest.raises(ValueError):
        with nr.no_grad():
            raise ValueError("boom")
    assert nr.is_grad_enabled()


def test_detach_cuts_the_graph():
    x = nr.tensor(2.0, requires_grad=True)
    y = x * x.detach()
    y.backward()
    assert x.grad.item() == 2.0


def test_same_seed_gives_bit_identical_results():
    def run(seed):
        g = nr.Generator(seed)
        w = g.normal((5, 3), requires_grad=True)
        x = g.uniform((8, 5))
        for _ in range(5):
            loss = nr.tanh(x @ w).sum()
            w.grad = None
            loss.backward()
            with nr.no_grad():
                w -= 0.1 * w.grad
        return w.numpy().copy(), loss.item()
    (w1, l1), (w2, l2) = run(42), run(42)
    assert np.array_equal(w1, w2) and l1 == l2
    assert not np.array_equal(w1, run(43)[0])


def test_backward_order_is_deterministic():
    def grads():
        x = nr.tensor(np.linspace(-1, 1, 7), requires_grad=True)
        ys = [nr.sin(x * k) for k in range(1, 6)]
        total = ys[0]
        for y in ys[1:]:
            total = total + y * total
        total.sum().backward()
        return x.grad.numpy()
    assert np.array_equal(grads(), grads())


def test_gradient_of_an_unused_branch_is_not_nan():
    x = nr.tensor([-1.0, 4.0], requires_grad=True)
    safe = nr.where(x.data > 0, x, 1.0)
    y = nr.where(x.data > 0, nr.sqrt(safe), 0.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.25])


def test_max_ties_share_the_gradient_like_torch_amax():
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], dtype=np.float32)
    x = nr.tensor(a, requires_grad=True)
    x.max(axis=1).sum().backward()
    tx = torch.tensor(a, requires_grad=True)
    torch.amax(tx, dim=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_maximum_ties_share_the_gradient_like_torch():
    a = nr.tensor([1.0, 2.0], requires_grad=True)
    b = nr.tensor([1.0, 3.0], requires_grad=True)
    nr.maximum(a, b).sum().backward()
    ta = torch.tensor([1.0, 2.0], requires_grad=True)
    tb = torch.tensor([1.0, 3.0], requires_grad=True)
    torch.maximum(ta, tb).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy())


def test_create_graph_gives_a_differentiable_grad():
    x = nr.tensor(3.0, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    g = x.grad
    assert g.item() == 27.0 and g.requires_grad
    (gx,) = nr.autograd.grad(g, [x])
    assert gx.item() == 18.0


def test_autograd_grad_with_respect_to_an_intermediate():
    x = nr.tensor(2.0, requires_grad=True)
    h = x * x
    y = nr.sin(h)
    (gh,) = nr.autograd.grad(y, [h])
    assert gh.item() == pytest.approx(np.cos(4.0), rel=1e-6)
    assert x.grad is None
