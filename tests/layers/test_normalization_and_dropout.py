"""BatchNormalization and Dropout in training and inference against PyTorch and closed forms; Normalization."""
import numpy as np
import pytest
import torch

import neurona as nr


def batch():
    return np.random.default_rng(0).normal(2.0, 3.0, size=(32, 5)).astype(np.float32)


def test_batchnorm_training_matches_pytorch_output_and_gradients():
    x = batch()
    bn = nr.layers.BatchNormalization()
    xs = nr.tensor(x, requires_grad=True)
    out = bn(xs, training=True)
    w = np.random.default_rng(1).normal(size=out.shape).astype(np.float32)
    (out * nr.tensor(w)).sum().backward()

    tbn = torch.nn.BatchNorm1d(5, eps=1e-3, momentum=0.01)  # torch's momentum is 1 - Keras' momentum
    tx = torch.tensor(x, requires_grad=True)
    tout = tbn(tx)
    (tout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(xs.grad.numpy(), tx.grad.numpy(), rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(bn.gamma.grad.numpy(), tbn.weight.grad.numpy(), rtol=1e-4)
    np.testing.assert_allclose(bn.beta.grad.numpy(), tbn.bias.grad.numpy(), rtol=1e-4)
    # moving mean follows Keras/torch; the moving variance uses the biased batch variance (Keras), torch the
    # unbiased one
    np.testing.assert_allclose(bn.moving_mean.numpy(), tbn.running_mean.numpy(), rtol=1e-5)
    expected_var = 0.99 * 1.0 + 0.01 * x.var(axis=0)
    np.testing.assert_allclose(bn.moving_variance.numpy(), expected_var, rtol=1e-5)


def test_batchnorm_inference_uses_moving_statistics():
    bn = nr.layers.BatchNormalization(epsilon=1e-3)
    x = batch()
    bn(x, training=True)
    out = bn(x, training=False).numpy()
    expected = (x - bn.moving_mean.numpy()) / np.sqrt(bn.moving_variance.numpy() + 1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_batchnorm_on_images_normalizes_per_channel():
    x = np.random.default_rng(2).normal(size=(4, 3, 3, 2)).astype(np.float32)
    out = nr.layers.BatchNormalization(epsilon=0.0)(x, training=True).numpy()
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=(0, 1, 2)), 1.0, rtol=1e-3)


def test_dropout_training_zeroes_and_rescales_inference_passes():
    x = np.ones((2000, 50), dtype=np.float32)
    layer = nr.layers.Dropout(0.3, seed=1)
    out = layer(x, training=True).numpy()
    kept = out != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # inverted dropout keeps the expectation
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)


def test_dropout_gradient_flows_only_through_kept_units():
    x = nr.tensor(np.ones((10, 10), dtype=np.float32), requires_grad=True)
    out = nr.layers.Dropout(0.5, seed=0)(x, training=True)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), out.numpy())  # d/dx (x * mask) = mask, and x = 1


def test_dropout_is_reproducible_with_a_seed():
    x = np.ones((5, 5), dtype=np.float32)
    a = nr.layers.Dropout(0.5, seed=7)(x, training=True).numpy()
    b = nr.layers.Dropout(0.5, seed=7)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)


def test_normalization_adapt_uses_the_training_data_only():
    train = np.array([[1.0, 100.0], [3.0, 300.0], [5.0, 500.0]])
    norm = nr.layers.Normalization()
    norm.adapt(train)
    np.testing.assert_allclose(norm.mean.numpy(), [3.0, 300.0])
    out = norm(np.array([[3.0, 300.0], [5.0, 500.0]])).numpy()
    np.testing.assert_allclose(out, [[0, 0], [np.sqrt(1.5), np.sqrt(1.5)]], rtol=1e-5)
    constant = nr.layers.Normalization()
    constant.adapt(np.ones((4, 1)))
    assert np.isfinite(constant(np.ones((2, 1))).numpy()).all()  # std floored at 1e-7
