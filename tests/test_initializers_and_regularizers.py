"""Initializers with Keras' fans, scales and truncation; regularizers with Keras' formulas."""
import numpy as np
import pytest

import neurona as nr
from neurona import initializers as I


@pytest.mark.parametrize("shape, fans", [((5,), (5, 5)), ((784, 256), (784, 256)), ((3, 3, 16, 32), (144, 288)),
                                         ((), (1, 1))])
def test_fans(shape, fans):
    assert I.compute_fans(shape) == fans


@pytest.mark.parametrize("name, std", [
    ("glorot_normal", np.sqrt(2 / (400 + 300))), ("he_normal", np.sqrt(2 / 400)), ("lecun_normal", np.sqrt(1 / 400)),
    ("glorot_uniform", np.sqrt(2 / (400 + 300))), ("he_uniform", np.sqrt(2 / 400)),
    ("lecun_uniform", np.sqrt(1 / 400))])
def test_variance_scaling_has_the_keras_standard_deviation(name, std):
    w = I.get(name)((400, 300))
    assert w.dtype == np.float32
    assert w.std() == pytest.approx(std, rel=0.02)
    assert abs(w.mean()) < 0.01 * std * 10


def test_normal_variants_are_truncated_at_two_standard_deviations():
    w = I.HeNormal(seed=0)((1000, 100))
    stddev = np.sqrt(2 / 1000) / I.TRUNCATED_STD
    assert np.abs(w).max() <= 2 * stddev + 1e-7


def test_uniform_limits():
    w = I.GlorotUniform(seed=1)((100, 50))
    assert np.abs(w).max() <= np.sqrt(6 / 150)


def test_seeds_make_initializers_reproducible():
    np.testing.assert_array_equal(I.GlorotUniform(seed=3)((4, 4)), I.GlorotUniform(seed=3)((4, 4)))
    nr.utils.set_random_seed(5)
    a = I.get("he_normal")((3, 3))
    nr.utils.set_random_seed(5)
    np.testing.assert_array_equal(a, I.get("he_normal")((3, 3)))


def test_orthogonal_and_constants():
    q = I.Orthogonal(seed=0)((6, 4))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(I.Constant(2.5)((2,)), [2.5, 2.5])
    np.testing.assert_array_equal(I.get("zeros")((2,)), [0.0, 0.0])
    assert I.RandomNormal(stddev=0.05, seed=0)((20000,)).std() == pytest.approx(0.05, rel=0.03)


def test_regularizers_follow_keras_formulas():
    w = nr.tensor([1.0, -2.0, 3.0])
    assert nr.regularizers.L1(0.1)(w).item() == pytest.approx(0.6)
    assert nr.regularizers.L2(0.1)(w).item() == pytest.approx(1.4)
    assert nr.regularizers.L1L2(l1=0.1, l2=0.1)(w).item() == pytest.approx(2.0)


def test_regularization_losses_are_collected_and_differentiable():
    layer = nr.layers.Dense(2, kernel_regularizer="l2")
    layer(np.ones((1, 3)))
    (penalty,) = layer.regularization_losses()
    assert penalty.item() == pytest.approx(0.01 * float((layer.kernel.numpy() ** 2).sum()), rel=1e-6)
    penalty.backward()
    np.testing.assert_allclose(layer.kernel.grad.numpy(), 0.02 * layer.kernel.numpy(), rtol=1e-6)
