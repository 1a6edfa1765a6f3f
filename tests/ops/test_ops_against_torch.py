"""Every primitive and composite op: forward values and gradients equal PyTorch's (float32)."""
import numpy as np
import pytest

import neurona as nr
from .cases import ALL
from .helpers import ours_grads, torch_grads, weights_for


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_forward_and_gradient_match_pytorch(case):
    arrays = case.inputs(np.float32)
    with nr.no_grad():
        w = weights_for(case.fn(*[nr.tensor(a) for a in arrays]).shape, np.float32)
    y, grads = ours_grads(case, arrays, w)
    ty, tgrads = torch_grads(case, arrays, w)
    assert y.shape == ty.shape
    assert y.dtype == nr.backend.DEFAULT_FLOAT
    np.testing.assert_allclose(y.numpy(), ty, rtol=1e-5, atol=1e-6)
    for g, tg, a in zip(grads, tgrads, arrays):
        assert g.shape == a.shape and g.dtype == a.dtype
        np.testing.assert_allclose(g, tg, rtol=1e-4, atol=1e-5)
