"""The case table covers every registered primitive; broadcasting holds for arbitrary shapes (hypothesis)."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import neurona as nr
from neurona.autograd.primitive import REGISTRY
from .cases import ALL


def test_every_registered_primitive_is_in_the_case_table(monkeypatch):
    seen = set()
    for name, prim in REGISTRY.items():
        def recording(*args, _forward=prim.forward, _name=name, **kwargs):
            seen.add(_name)
            return _forward(*args, **kwargs)
        monkeypatch.setattr(prim, "forward", recording)
    for case in ALL:
        xs = [nr.tensor(a, requires_grad=True) for a in case.inputs(np.float64)]
        y = case.fn(*xs)
        y.sum().backward()
        nr.jvp(case.fn, [x.detach() for x in xs], [nr.ones_like(x) for x in xs])
    needs_two_devices = {"to_device"}  # covered by tests/test_devices.py (a simulated and a real GPU)
    assert sorted(set(REGISTRY) - seen - needs_two_devices) == []


def _broadcastable_pair(draw):
    ndim = draw(st.integers(0, 4))
    base = draw(st.lists(st.integers(0, 3), min_size=ndim, max_size=ndim))
    a = [n if draw(st.booleans()) else 1 for n in base]
    b = [n if draw(st.booleans()) else 1 for n in base]
    return tuple(a[draw(st.integers(0, ndim)):]), tuple(b[draw(st.integers(0, ndim)):])


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from(["add", "sub", "mul", "div", "maximum"]))
def test_broadcast_gradients_sum_back_to_each_input(data, op):
    shape_a, shape_b = _broadcastable_pair(data.draw)
    rng = np.random.default_rng(0)
    a = rng.uniform(0.5, 2.0, size=shape_a).astype(np.float32)
    b = rng.uniform(0.5, 2.0, size=shape_b).astype(np.float32)
    fn = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
          "div": lambda x, y: x / y, "maximum": lambda x, y: nr.maximum(x, y) if isinstance(x, nr.Tensor)
          else torch.maximum(x, y)}[op]
    x, y = nr.tensor(a, requires_grad=True), nr.tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, t_out = fn(x, y), fn(tx, ty)
    w = rng.normal(size=out.shape).astype(np.float32)
    (out * nr.tensor(w)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()
    assert out.shape == tuple(t_out.shape)
    assert x.grad.shape == shape_a and y.grad.shape == shape_b
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_no_primitive_overrides_the_rules_its_base_derives():
    """Elementwise ops give only partials, linear ops their transpose, bilinear ops their reverse rule, fused ops
    their fast path and reference: the other rules come from the base, written once."""
    from neurona.autograd.primitive import Bilinear, Elementwise, Fused, Linear
    derived = {Elementwise: {"vjp", "jvp"}, Linear: {"vjp", "jvp"}, Bilinear: {"jvp"}, Fused: {"vjp", "jvp"}}
    overriding = [f"{prim.name}.{rule}" for prim in REGISTRY.values() for base, rules in derived.items()
                  if isinstance(prim, base) for rule in rules if rule in type(prim).__dict__]
    assert overriding == []


@pytest.mark.parametrize("shape,dtype", [((64, 4, 28, 28), np.float32), ((300, 7), np.float64), ((5, 3), np.float32),
                                         ((2, 5000), np.float32), ((40, 30), np.float16)])
def test_row_sums_and_sum_over_the_last_axis_agree_with_a_float64_sum(shape, dtype):
    """``sum(x, axis=-1)`` takes a matrix-vector product on contiguous float32/64 arrays with short rows (NumPy's
    reduction elsewhere): both agree with an exact float64 sum to the dtype's rounding, keepdims or not."""
    from neurona.ops.reductions import row_sums
    x = np.random.default_rng(5).standard_normal(shape).astype(dtype)
    exact = x.astype(np.float64).sum(axis=-1)
    tol = {np.float16: 2e-2, np.float32: 2e-5, np.float64: 1e-12}[dtype] * np.sqrt(shape[-1])
    got = nr.sum(nr.tensor(x), axis=-1).numpy()
    assert got.shape == shape[:-1] and got.dtype == dtype
    np.testing.assert_allclose(got, exact, rtol=tol, atol=tol)
    kept = nr.sum(nr.tensor(x), axis=len(shape) - 1, keepdims=True).numpy()
    assert kept.shape == shape[:-1] + (1,)
    np.testing.assert_allclose(row_sums(x, 0.5), exact / 2, rtol=tol, atol=tol)
