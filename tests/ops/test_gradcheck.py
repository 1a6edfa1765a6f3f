"""Gradients against float64 central differences, first and second order."""
import numpy as np
import pytest

from .cases import ALL, SECOND_ORDER
from .helpers import hessian_vector, numeric_grads, ours_grads, torch_hessian_vector, weights_for

import neurona as nr


def _w(case, arrays):
    with nr.no_grad():
        shape = case.fn(*[nr.tensor(a) for a in arrays]).shape
    return weights_for(shape, np.float64)


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_gradient_matches_central_differences(case):
    arrays = case.inputs(np.float64)
    w = _w(case, arrays)
    _, grads = ours_grads(case, arrays, w)
    for g, n in zip(grads, numeric_grads(case, arrays, w)):
        assert g.dtype == np.float64
        np.testing.assert_allclose(g, n, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", SECOND_ORDER, ids=lambda c: c.id)
def test_second_derivatives(case):
    """Hessian-vector products: reverse over reverse equals PyTorch's double backward and the central
    difference of the gradient."""
    arrays = case.inputs(np.float64)
    w = _w(case, arrays)
    vs = [np.random.default_rng(3).normal(size=a.shape) for a in arrays]
    ours = hessian_vector(case, arrays, w, vs)
    theirs = torch_hessian_vector(case, arrays, w, vs)
    eps = 1e-5
    plus = ours_grads(case, [a + eps * v for a, v in zip(arrays, vs)], w)[1]
    minus = ours_grads(case, [a - eps * v for a, v in zip(arrays, vs)], w)[1]
    for h, t, p, m in zip(ours, theirs, plus, minus):
        np.testing.assert_allclose(h, t, rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(h, (p - m) / (2 * eps), rtol=1e-5, atol=1e-7)
