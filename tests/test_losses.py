"""Losses against PyTorch, Keras' reduction and sample weights, extremes, and shape handling."""
import numpy as np
import pytest
import torch

import neurona as nr
from neurona import losses

RNG = np.random.default_rng(0)
PRED = RNG.uniform(0.05, 0.95, size=(6, 1)).astype(np.float32)
TRUE = RNG.integers(0, 2, size=(6, 1)).astype(np.float32)
LOGITS = RNG.normal(size=(6, 4)).astype(np.float32)
LABELS = RNG.integers(0, 4, size=6)


def grad_of(loss_fn, pred):
    p = nr.tensor(pred, requires_grad=True)
    value = loss_fn(p)
    value.backward()
    return value.item(), p.grad.numpy()


def torch_grad_of(loss_fn, pred):
    p = torch.tensor(pred, requires_grad=True)
    value = loss_fn(p)
    value.backward()
    return value.item(), p.grad.numpy()


@pytest.mark.parametrize("ours, theirs, pred, true", [
    (losses.MeanSquaredError(), torch.nn.functional.mse_loss, PRED, TRUE),
    (losses.MeanAbsoluteError(), torch.nn.functional.l1_loss, PRED, TRUE),
    (losses.Huber(delta=0.3), lambda p, t: torch.nn.functional.huber_loss(p, t, delta=0.3), PRED, TRUE),
    (losses.BinaryCrossentropy(), torch.nn.functional.binary_cross_entropy, PRED, TRUE),
    (losses.BinaryCrossentropy(from_logits=True), torch.nn.functional.binary_cross_entropy_with_logits,
     LOGITS[:, :1], TRUE),
    (losses.CategoricalCrossentropy(from_logits=True), torch.nn.functional.cross_entropy, LOGITS,
     np.eye(4, dtype=np.float32)[LABELS]),
])
def test_losses_match_torch(ours, theirs, pred, true):
    v, g = grad_of(lambda p: ours(true, p), pred)
    tv, tg = torch_grad_of(lambda p: theirs(p, torch.tensor(true)), pred)
    assert v == pytest.approx(tv, rel=1e-5)
    np.testing.assert_allclose(g, tg, rtol=1e-4, atol=1e-7)


def test_sparse_and_categorical_agree_and_match_torch():
    sparse = losses.SparseCategoricalCrossentropy(from_logits=True)
    dense = losses.CategoricalCrossentropy(from_logits=True)
    v1, g1 = grad_of(lambda p: sparse(LABELS, p), LOGITS)
    v2, g2 = grad_of(lambda p: dense(np.eye(4)[LABELS], p), LOGITS)
    tv, tg = torch_grad_of(lambda p: torch.nn.functional.cross_entropy(p, torch.tensor(LABELS)), LOGITS)
    assert v1 == pytest.approx(v2, rel=1e-6) and v1 == pytest.approx(tv, rel=1e-5)
    np.testing.assert_allclose(g1, tg, rtol=1e-4, atol=1e-7)


def test_probability_losses_from_a_softmax_use_its_logits():
    logits = nr.tensor(LOGITS, requires_grad=True)
    value = losses.SparseCategoricalCrossentropy()(LABELS, nr.softmax(logits))
    value.backward()
    tv, tg = torch_grad_of(lambda p: torch.nn.functional.cross_entropy(p, torch.tensor(LABELS)), LOGITS)
    assert value.item() == pytest.approx(tv, rel=1e-5)
    np.testing.assert_allclose(logits.grad.numpy(), tg, rtol=1e-4, atol=1e-7)


def test_label_smoothing_matches_torch():
    ours = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    v, _ = grad_of(lambda p: ours(np.eye(4)[LABELS], p), LOGITS)
    tv = torch.nn.functional.cross_entropy(torch.tensor(LOGITS), torch.tensor(LABELS), label_smoothing=0.1).item()
    assert v == pytest.approx(tv, rel=1e-5)


@pytest.mark.parametrize("logit", [1e4, -1e4])
@pytest.mark.parametrize("target", [0.0, 1.0])
def test_extreme_logits_give_finite_values_and_gradients(logit, target):
    v, g = grad_of(lambda p: losses.BinaryCrossentropy(from_logits=True)(np.array([[target]]), p),
                   np.array([[logit]], dtype=np.float32))
    assert np.isfinite(v) and np.isfinite(g).all()
    expected = 0.0 if (logit > 0) == (target == 1.0) else abs(logit)
    assert v == pytest.approx(expected, abs=1e-3)
    big = np.array([[1e4, -1e4, 0.0]], dtype=np.float32)
    v, g = grad_of(lambda p: losses.CategoricalCrossentropy(from_logits=True)([[0.0, 1.0, 0.0]], p), big)
    assert v == pytest.approx(2e4, rel=1e-6) and np.isfinite(g).all()


@pytest.mark.parametrize("prob", [0.0, 1.0])
def test_probabilities_of_exactly_zero_and_one_are_finite(prob):
    for target in (0.0, 1.0):
        v, g = grad_of(lambda p: losses.BinaryCrossentropy()(np.array([[target]]), p),
                       np.array([[prob]], dtype=np.float32))
        assert np.isfinite(v) and np.isfinite(g).all()
    v, g = grad_of(lambda p: losses.CategoricalCrossentropy()([[0.0, 1.0]], p), np.array([[1.0, 0.0]], np.float32))
    assert np.isfinite(v) and np.isfinite(g).all() and v == pytest.approx(-np.log(1e-7), rel=1e-3)


def test_targets_of_shape_n_are_not_broadcast_against_n_by_1():
    y_true = np.array([0.0, 1.0, 2.0, 3.0])
    y_pred = nr.tensor(np.array([[0.0], [1.0], [2.0], [3.5]]))
    assert losses.MeanSquaredError()(y_true, y_pred).item() == pytest.approx(0.25 / 4)
    with pytest.raises(ValueError, match=r"\(4, 2\)"):
        losses.MeanSquaredError()(y_true, nr.zeros(4, 2))


def test_keras_reduction_with_sample_weights():
    y_true, y_pred = np.array([[1.0], [2.0]]), nr.tensor([[0.0], [0.0]])
    assert losses.MeanSquaredError()(y_true, y_pred, sample_weight=[1.0, 0.0]).item() == pytest.approx(0.5)


def test_labels_out_of_range_are_refused():
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        losses.SparseCategoricalCrossentropy()(np.array([0, 5]), nr.ones(2, 4) / 4)


def test_string_aliases():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get("sparse_categorical_crossentropy"), losses.SparseCategoricalCrossentropy)
    with pytest.raises(ValueError, match="unknown loss"):
        losses.get("nope")
