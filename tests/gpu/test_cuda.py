"""The op and layer suites on a real GPU (CuPy), against the CPU. Marked ``gpu``; skipped without CUDA."""
import numpy as np
import pytest

import neurona as nr
from ..ops.cases import ALL
from ..ops.helpers import weights_for

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not nr.cuda.is_available(), reason="needs a CUDA device and CuPy")]


def run(case, arrays, device):
    xs = [nr.tensor(a, requires_grad=True) for a in arrays]
    ys = [x.to(device) for x in xs]
    with nr.no_grad():
        w = weights_for(case.fn(*[nr.tensor(a) for a in arrays]).shape, np.float32)
    out = case.fn(*ys)
    (out * nr.tensor(w).to(device)).sum().backward()
    return out.numpy(), [np.zeros_like(a) if x.grad is None else x.grad.numpy() for a, x in zip(arrays, xs)]


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_every_op_on_the_gpu_matches_the_cpu(case):
    arrays = case.inputs(np.float32)
    out_cpu, grads_cpu = run(case, arrays, "cpu")
    out_gpu, grads_gpu = run(case, arrays, "cuda")
    np.testing.assert_allclose(out_gpu, out_cpu, rtol=1e-4, atol=1e-5)
    for a, b in zip(grads_gpu, grads_cpu):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make", [lambda: nr.optimizers.Adam(0.01), lambda: nr.optimizers.SGD(0.1, momentum=0.9),
                                  lambda: nr.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
                                  lambda: nr.optimizers.RMSprop(0.01), lambda: nr.optimizers.Adagrad(0.1)])
def test_fused_optimizer_kernels_match_the_cpu_rules(make):
    rng = np.random.default_rng(0)
    init = rng.normal(size=(50, 7)).astype(np.float32)
    grads = [rng.normal(size=init.shape).astype(np.float32) for _ in range(5)]
    results = []
    for device in ("cpu", "cuda"):
        w = nr.tensor(init, requires_grad=True)
        w.data = nr.devices.to_device(w.data, device)
        opt = make()
        for g in grads:
            opt.apply([nr.devices.to_device(g, device)], [w])
        results.append(w.numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5, atol=1e-6)


def test_softmax_cross_entropy_kernel():
    rng = np.random.default_rng(1)
    z, t = rng.normal(scale=30, size=(300, 10)).astype(np.float32), np.eye(10, dtype=np.float32)[rng.integers(0, 10, 300)]
    cpu = nr.ops.softmax_cross_entropy(z, t).numpy()
    gpu = nr.ops.softmax_cross_entropy(nr.tensor(z).to("cuda"), nr.tensor(t).to("cuda")).numpy()
    np.testing.assert_allclose(gpu, cpu, rtol=1e-5, atol=1e-5)


def test_dropout_masks_are_drawn_on_the_device():
    layer = nr.layers.Dropout(0.3, seed=0)
    out = layer(nr.ones(4000, 10).to("cuda"), training=True)
    assert out.device == "cuda:0"
    assert (out.numpy() != 0).mean() == pytest.approx(0.7, abs=0.02)


def test_mixed_devices_are_refused():
    with pytest.raises(nr.devices.DeviceError, match="cuda:0 and cpu"):
        nr.ones(2).to("cuda") + nr.ones(2)
