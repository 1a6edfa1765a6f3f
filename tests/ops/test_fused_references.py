"""Every fused primitive's fast path equals its reference, the composition that defines its math: the same
values, and the same first-order gradients, for every case of the op table that ends in it (float64). Forward
mode and higher orders of a fused primitive run the reference itself; the op table checks those against
PyTorch."""
import numpy as np
import pytest

import neurona as nr
from neurona.autograd.primitive import REGISTRY, Fused
from .cases import ALL

FUSED = sorted(name for name, prim in REGISTRY.items() if isinstance(prim, Fused))


def fused_cases():
    """(case, node) for the cases whose result is made by a fused primitive."""
    for case in ALL:
        xs = [nr.tensor(a, requires_grad=True) for a in case.inputs(np.float64, seed=3)]
        out = case.fn(*xs)
        if out._node is not None and isinstance(out._node.prim, Fused):
            yield case, xs, out


def test_there_are_fused_primitives_and_the_table_covers_each():
    covered = {out._node.prim.name for _, _, out in fused_cases()}
    assert FUSED and set(FUSED) == covered, f"fused primitives without a case: {set(FUSED) - covered}"


@pytest.mark.parametrize("case, xs, out", list(fused_cases()), ids=lambda v: getattr(v, "id", ""))
def test_fast_path_equals_reference(case, xs, out):
    node = out._node
    reference = node.prim.reference(*node.inputs, **node.params)
    np.testing.assert_allclose(out.numpy(), reference.numpy(), rtol=1e-12, atol=1e-14)
    weights = nr.tensor(np.random.default_rng(4).normal(size=out.shape))
    fast = nr.autograd.grad((out * weights).sum(), xs, allow_unused=True)
    slow = nr.autograd.grad((reference * weights).sum(), xs, allow_unused=True)
    for a, b in zip(fast, slow):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)
