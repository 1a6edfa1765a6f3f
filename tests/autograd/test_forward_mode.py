"""Forward mode for every op: JVP against torch.func.jvp, consistency with reverse mode, forward over reverse."""
import numpy as np
import pytest
import torch

import neurona as nr
from ..ops.cases import ALL, FINITE, SECOND_ORDER
from ..ops.helpers import first_grads, hessian_vector, weights_for


def _tangents(arrays, seed=11):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=a.shape).astype(a.dtype) for a in arrays]


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_jvp_matches_torch_func_jvp(case):
    arrays = case.inputs(np.float32)
    tangents = _tangents(arrays)
    out, t_out = nr.jvp(case.fn, [nr.tensor(a) for a in arrays], [nr.tensor(t) for t in tangents])
    t_primal, t_tangent = torch.func.jvp(case.torch_fn, tuple(torch.tensor(a) for a in arrays),
                                         tuple(torch.tensor(t) for t in tangents))
    np.testing.assert_allclose(out.numpy(), t_primal.numpy(), rtol=1e-5, atol=1e-6)
    assert t_out.shape == tuple(t_tangent.shape)
    np.testing.assert_allclose(t_out.numpy(), t_tangent.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", FINITE, ids=lambda c: c.id)
def test_forward_and_reverse_rules_are_transposes(case):
    """<u, J v> = <J^T u, v> for random u, v (float64)."""
    arrays = case.inputs(np.float64)
    vs = _tangents(arrays)
    out, jv = nr.jvp(case.fn, arrays, vs)
    u = np.random.default_rng(5).normal(size=out.shape)
    _, vjp_fn = nr.vjp(case.fn, *arrays)
    jtu = vjp_fn(nr.tensor(u))
    lhs = float(np.sum(u * jv.numpy()))
    rhs = sum(float(np.sum(g.numpy() * v)) for g, v in zip(jtu, vs))
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_raw_backward_equals_differentiable_backward(case):
    """The fast first-order pass on raw arrays and the Tensor pass (create_graph) give the same numbers."""
    arrays = case.inputs(np.float64)
    w = weights_for(case.fn(*[nr.tensor(a) for a in arrays]).shape, np.float64)
    xs = [nr.tensor(a, requires_grad=True) for a in arrays]
    (case.fn(*xs) * nr.tensor(w)).sum().backward()
    xs2 = [nr.tensor(a, requires_grad=True) for a in arrays]
    tensor_grads = first_grads(case, xs2, w)
    for x, g in zip(xs, tensor_grads):
        raw = np.zeros(x.shape) if x.grad is None else x.grad.numpy()
        np.testing.assert_allclose(raw, np.zeros(x.shape) if g is None else g.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", SECOND_ORDER, ids=lambda c: c.id)
def test_forward_over_reverse_equals_reverse_over_reverse(case):
    arrays = case.inputs(np.float64)
    w = weights_for(case.fn(*[nr.tensor(a) for a in arrays]).shape, np.float64)
    vs = _tangents(arrays)

    def loss(*xs):
        return (case.fn(*xs) * nr.tensor(w)).sum()
    hv = nr.hvp(loss, arrays, vs)
    hv = hv if isinstance(hv, tuple) else (hv,)
    for a, b in zip(hv, hessian_vector(case, arrays, w, vs)):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-10, atol=1e-12)
