"""Helpers to run a neurona layer and its PyTorch twin with the same weights and compare them."""
import numpy as np
import torch

import neurona as nr


def t(a):
    return torch.tensor(np.asarray(a))


def compare(layer, torch_fn, x, pairs, rtol=1e-4, atol=1e-5, to_torch_input=lambda a: a, from_torch=lambda o: o,
            ours_fn=None):
    """Same input through both; compares outputs, the input gradient and the weight gradients.

    ``pairs``: [(neurona weight, function giving the matching torch gradient as an array in neurona's layout)].
    """
    xs = nr.tensor(x, requires_grad=True)
    out = (ours_fn or layer)(xs)
    w = np.random.default_rng(9).normal(size=out.shape).astype(out.dtype)
    (out * nr.tensor(w)).sum().backward()
    tx = t(to_torch_input(x)).requires_grad_(True)
    tout = from_torch(torch_fn(tx))
    (tout * t(w)).sum().backward()
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(to_torch_input(xs.grad.numpy()), tx.grad.numpy(), rtol=rtol, atol=atol)
    for weight, torch_grad in pairs:
        np.testing.assert_allclose(weight.grad.numpy(), torch_grad(), rtol=rtol, atol=atol)


def to_float64(layer):
    """Recast a built layer's weights to float64 (for central-difference checks)."""
    for w in layer.weights:
        w.data = np.ascontiguousarray(w.data, dtype=np.float64)


def check_gradients(fn, x, weights, eps=1e-6, entries=6, rtol=1e-5, atol=1e-8):
    """Central differences of sum(fn(x) * w) for a few entries of the input and of each weight (float64)."""
    rng = np.random.default_rng(1)
    xs = nr.tensor(x, requires_grad=True)
    out = fn(xs)
    w = rng.normal(size=out.shape)
    (out * nr.tensor(w)).sum().backward()

    def loss():
        with nr.no_grad():
            return float((fn(nr.tensor(x)) * nr.tensor(w)).sum().item())
    for array, grad in [(x, xs.grad.numpy())] + [(p.data, p.grad.numpy()) for p in weights]:
        flat, gflat = array.reshape(-1), grad.reshape(-1)
        for j in rng.choice(flat.size, size=min(entries, flat.size), replace=False):
            old = flat[j]
            flat[j] = old + eps
            plus = loss()
            flat[j] = old - eps
            minus = loss()
            flat[j] = old
            np.testing.assert_allclose(gflat[j], (plus - minus) / (2 * eps), rtol=rtol, atol=atol)
