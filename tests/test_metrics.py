"""Metrics against scikit-learn, accumulated over batches; 'accuracy' resolved from the loss like Keras."""
import numpy as np
import pytest
from sklearn import metrics as sk

import neurona as nr
from neurona import metrics

RNG = np.random.default_rng(0)
Y = RNG.integers(0, 2, size=300)
P = np.clip(0.35 * Y + RNG.uniform(0, 0.65, size=300), 0, 1)


def in_batches(metric, y, p, size=64, weights=None):
    for s in range(0, len(y), size):
        metric.update_state(y[s:s + size], p[s:s + size], None if weights is None else weights[s:s + size])
    return metric.result()


def test_binary_accuracy_precision_recall_auc_match_sklearn():
    pred = (P > 0.5).astype(int)
    assert in_batches(metrics.BinaryAccuracy(), Y, P) == pytest.approx(sk.accuracy_score(Y, pred))
    assert in_batches(metrics.Precision(), Y, P) == pytest.approx(sk.precision_score(Y, pred))
    assert in_batches(metrics.Recall(), Y, P) == pytest.approx(sk.recall_score(Y, pred))
    assert in_batches(metrics.AUC(), Y, P) == pytest.approx(sk.roc_auc_score(Y, P), abs=2e-3)


def test_weighted_accuracy():
    w = RNG.uniform(0, 2, size=300)
    pred = (P > 0.5).astype(int)
    assert in_batches(metrics.BinaryAccuracy(), Y, P, weights=w) == pytest.approx(
        sk.accuracy_score(Y, pred, sample_weight=w))


def test_categorical_and_sparse_accuracy():
    labels = RNG.integers(0, 5, size=100)
    scores = RNG.normal(size=(100, 5))
    expected = sk.accuracy_score(labels, scores.argmax(1))
    assert in_batches(metrics.SparseCategoricalAccuracy(), labels, scores) == pytest.approx(expected)
    assert in_batches(metrics.CategoricalAccuracy(), np.eye(5)[labels], scores) == pytest.approx(expected)


def test_regression_metrics():
    y, p = RNG.normal(size=(50, 1)), RNG.normal(size=(50, 1))
    assert in_batches(metrics.MeanSquaredError(), y, p) == pytest.approx(sk.mean_squared_error(y, p))
    assert in_batches(metrics.MeanAbsoluteError(), y[:, 0], p) == pytest.approx(sk.mean_absolute_error(y, p))


@pytest.mark.parametrize("loss, expected", [
    ("binary_crossentropy", metrics.BinaryAccuracy), ("categorical_crossentropy", metrics.CategoricalAccuracy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalAccuracy), ("mse", metrics.BinaryAccuracy)])
def test_accuracy_follows_the_loss(loss, expected):
    assert type(metrics.get("accuracy", nr.losses.get(loss))) is expected


def test_accuracy_on_logits_uses_threshold_zero():
    m = metrics.get("accuracy", nr.losses.BinaryCrossentropy(from_logits=True))
    m.update_state(np.array([1, 0]), np.array([0.2, -0.1]))
    assert m.result() == 1.0
