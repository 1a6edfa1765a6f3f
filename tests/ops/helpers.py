"""Small helpers for the op checks: running a case in neurona and in PyTorch, numeric derivatives."""
from __future__ import annotations

import numpy as np
import torch

import neurona as nr


def weights_for(shape, dtype, seed=7):
    """Fixed random weights: the scalar loss sum(y * w) sees every output element differently."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape).astype(dtype)


def ours_grads(case, arrays, w):
    xs = [nr.tensor(a, requires_grad=True) for a in arrays]
    y = case.fn(*xs)
    (y * nr.tensor(w)).sum().backward()
    return y, [np.zeros_like(a) if x.grad is None else x.grad.numpy() for a, x in zip(arrays, xs)]


def torch_grads(case, arrays, w):
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = case.torch_fn(*xs)
    loss = (y * torch.tensor(w)).sum()
    if loss.requires_grad:
        loss.backward()
    return y.detach().numpy(), [np.zeros_like(a) if x.grad is None else x.grad.numpy() for a, x in zip(arrays, xs)]


def loss_value(case, arrays, w):
    with nr.no_grad():
        return float((case.fn(*[nr.tensor(a) for a in arrays]) * nr.tensor(w)).sum().item())


def numeric_grads(case, arrays, w, eps=1e-6):
    """Central differences of sum(f(x) * w), element by element (float64)."""
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for j in range(a.size):
            plus = [b.copy() for b in arrays]
            minus = [b.copy() for b in arrays]
            plus[i].reshape(-1)[j] += eps
            minus[i].reshape(-1)[j] -= eps
            g.reshape(-1)[j] = (loss_value(case, plus, w) - loss_value(case, minus, w)) / (2 * eps)
        grads.append(g)
    return grads


def first_grads(case, xs, w):
    """d sum(f(xs) * w) / d xs as differentiable Tensors (create_graph)."""
    y = case.fn(*xs)
    return nr.autograd.grad((y * nr.tensor(w)).sum(), xs, create_graph=True, allow_unused=True)


def hessian_vector(case, arrays, w, vs):
    """H v of sum(f(x) * w), by reverse over reverse."""
    xs = [nr.tensor(a, requires_grad=True) for a in arrays]
    grads = first_grads(case, xs, w)
    s = None
    for g, v in zip(grads, vs):
        if g is not None:
            term = (g * nr.tensor(v)).sum()
            s = term if s is None else s + term
    if s is None or not s.requires_grad:
        return [np.zeros_like(a) for a in arrays]
    hv = nr.autograd.grad(s, xs, allow_unused=True)
    return [np.zeros_like(a) if h is None else h.numpy() for a, h in zip(arrays, hv)]


def torch_hessian_vector(case, arrays, w, vs):
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = case.torch_fn(*xs)
    loss = (y * torch.tensor(w)).sum()
    if not loss.requires_grad:
        return [np.zeros_like(a) for a in arrays]
    grads = torch.autograd.grad(loss, xs, create_graph=True, allow_unused=True)
    s = sum((g * torch.tensor(v)).sum() for g, v in zip(grads, vs) if g is not None)
    if not torch.is_tensor(s) or not s.requires_grad:
        return [np.zeros_like(a) for a in arrays]
    hv = torch.autograd.grad(s, xs, allow_unused=True)
    return [np.zeros_like(a) if h is None else h.detach().numpy(force=True) for a, h in zip(arrays, hv)]
