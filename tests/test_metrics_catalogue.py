"""Keras' catalogue of metrics: Keras' documented example values, scikit-learn over several batches, calling a
metric, the string names in compile, and saving a model with configured metrics."""
import numpy as np
import pytest
from sklearn import metrics as sk

import neurona as nr
from neurona import metrics

RNG = np.random.default_rng(3)
A_TRUE, A_PRED = [[0, 1], [0, 0]], np.array([[1.0, 1.0], [0.0, 0.0]])      # Keras' regression examples
P_TRUE, P_PRED = [[0, 1], [0, 0]], np.array([[0.6, 0.4], [0.4, 0.6]])      # Keras' probability examples
C_TRUE, C_PRED = [[0, 1, 0], [0, 0, 1]], np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])

# (metric, y_true, y_pred, documented result, sample_weight, documented weighted result): Keras' docstrings
KERAS_EXAMPLES = [
    (metrics.Accuracy, [[1], [2], [3], [4]], np.array([[0], [2], [3], [4]]), 0.75, [1, 1, 0, 0], 0.5),
    (lambda: metrics.TopKCategoricalAccuracy(k=1), [[0, 0, 1], [0, 1, 0]],
     np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]), 0.5, [0.7, 0.3], 0.3),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1), [2, 1], np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]),
     0.5, [0.7, 0.3], 0.3),
    (metrics.RootMeanSquaredError, A_TRUE, A_PRED, 0.5, [1, 0], 0.70710677),
    (metrics.CosineSimilarity, [[0.0, 1.0], [1.0, 1.0]], np.array([[1.0, 0.0], [1.0, 1.0]]), 0.49999997,
     [0.3, 0.7], 0.6999999),
    (metrics.MeanAbsolutePercentageError, A_TRUE, A_PRED, 250000000.0, [1, 0], 500000000.0),
    (metrics.MeanSquaredLogarithmicError, A_TRUE, A_PRED, 0.12011322, [1, 0], 0.24022643),
    (metrics.LogCoshError, A_TRUE, A_PRED, 0.10844523, [1, 0], 0.21689045),
    (metrics.Poisson, A_TRUE, A_PRED, 0.49999997, [1, 0], 0.99999994),
    (metrics.BinaryCrossentropy, P_TRUE, P_PRED, 0.81492424, [1, 0], 0.9162905),
    (metrics.KLDivergence, P_TRUE, P_PRED, 0.45814306, [1, 0], 0.9162892),
    (metrics.Hinge, P_TRUE, P_PRED, 1.3, [1, 0], 1.1),
    (metrics.SquaredHinge, P_TRUE, P_PRED, 1.86, [1, 0], 1.46),
    (metrics.CategoricalHinge, P_TRUE, P_PRED, 1.4, [1, 0], 1.2),
    (metrics.CategoricalCrossentropy, C_TRUE, C_PRED, 1.1769392, [0.3, 0.7], 1.6271976),
    (metrics.SparseCategoricalCrossentropy, [1, 2], C_PRED, 1.1769392, [0.3, 0.7], 1.6271976),
]


@pytest.mark.parametrize("make, y_true, y_pred, expected, weights, weighted", KERAS_EXAMPLES,
                         ids=lambda v: getattr(v, "__name__", None))
def test_keras_documented_examples(make, y_true, y_pred, expected, weights, weighted):
    m = make()
    m.update_state(y_true, y_pred)
    assert m.result() == pytest.approx(expected, rel=1e-5)
    m.reset_state()
    m.update_state(y_true, y_pred, sample_weight=weights)
    assert m.result() == pytest.approx(weighted, rel=1e-5)


def test_calling_a_metric_updates_it_and_returns_the_running_result():
    m = metrics.MeanAbsolutePercentageError()
    first = m([[1.0], [2.0]], np.array([[1.5], [2.0]]))
    assert first == pytest.approx(25.0)
    assert m([[4.0]], np.array([[2.0]])) == pytest.approx((50 + 0 + 50) / 3)


def in_batches(metric, y, p, weights=None, size=37):
    for s in range(0, len(y), size):
        metric.update_state(y[s:s + size], p[s:s + size], None if weights is None else weights[s:s + size])
    return metric.result()


def test_r2_score_matches_sklearn_in_every_aggregation():
    y = RNG.normal(size=(200, 3)) * [1.0, 5.0, 0.2]
    p = y + RNG.normal(size=(200, 3)) * [0.5, 1.0, 0.3]
    w = RNG.uniform(0.1, 2, size=200)
    for aggregation, multioutput in (("uniform_average", "uniform_average"),
                                     ("variance_weighted_average", "variance_weighted"), (None, "raw_values")):
        expected = sk.r2_score(y, p, sample_weight=w, multioutput=multioutput)
        got = in_batches(metrics.R2Score(class_aggregation=aggregation), y, p, w)
        np.testing.assert_allclose(got, expected, rtol=1e-10)
    assert metrics.R2Score()([[1.0], [4.0], [3.0]], np.array([[2.0], [4.0], [4.0]])) == pytest.approx(0.57142854)
    r2 = sk.r2_score(y, p)
    adjusted = in_batches(metrics.R2Score(num_regressors=5), y, p)
    assert adjusted == pytest.approx(1 - (1 - r2) * 199 / 194, rel=1e-10)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_f1_score_matches_sklearn(average):
    y = (RNG.uniform(size=(300, 4)) < 0.4).astype(int)
    p = np.clip(0.3 * y + RNG.uniform(size=(300, 4)) * 0.8, 0, 1)
    expected = sk.f1_score(y, (p > 0.5).astype(int), average=average)
    np.testing.assert_allclose(in_batches(metrics.F1Score(average=average, threshold=0.5), y, p), expected,
                               rtol=1e-5)
    labels = RNG.integers(0, 4, size=300)
    scores = RNG.normal(size=(300, 4)) + np.eye(4)[labels]
    expected = sk.f1_score(labels, scores.argmax(1), average=average)   # threshold None: the top class
    np.testing.assert_allclose(in_batches(metrics.F1Score(average=average), np.eye(4)[labels], scores), expected,
                               rtol=1e-5)


def test_f1_score_keras_example():
    y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]])
    y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    np.testing.assert_allclose(metrics.F1Score(threshold=0.5)(y_true, y_pred), [0.5, 0.8, 0.6666667], rtol=1e-5)


def test_top_k_accuracies_match_sklearn():
    labels = RNG.integers(0, 6, size=250)
    scores = RNG.normal(size=(250, 6))
    expected = sk.top_k_accuracy_score(labels, scores, k=3, labels=range(6))
    assert in_batches(metrics.SparseTopKCategoricalAccuracy(k=3), labels, scores) == pytest.approx(expected)
    assert in_batches(metrics.TopKCategoricalAccuracy(k=3), np.eye(6)[labels], scores) == pytest.approx(expected)


def test_rmse_is_the_root_of_the_whole_mean_not_a_mean_of_roots():
    y, p = RNG.normal(size=(100, 2)), RNG.normal(size=(100, 2))
    assert in_batches(metrics.RootMeanSquaredError(), y, p) == pytest.approx(
        sk.root_mean_squared_error(y.ravel(), p.ravel()))


@pytest.mark.parametrize("name, loss, one_hot", [
    ("rmse", "mse", False), ("mape", "mse", False), ("msle", "mse", False), ("logcosh", "mse", False),
    ("r2_score", "mse", False), ("cosine_similarity", "mse", False), ("poisson", "mse", False),
    ("f1_score", "categorical_crossentropy", True), ("top_k_categorical_accuracy", "categorical_crossentropy", True),
    ("sparse_top_k_categorical_accuracy", "sparse_categorical_crossentropy", False),
    ("categorical_crossentropy", "categorical_crossentropy", True), ("kl_divergence", "categorical_crossentropy", True),
    ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy", False),
    ("hinge", "categorical_crossentropy", True), ("R2Score", "mse", False),
])
def test_each_name_works_in_compile_and_matches_evaluate(name, loss, one_hot):
    x = RNG.normal(size=(40, 3)).astype(np.float32)
    labels = RNG.integers(0, 3, size=40)
    y = np.eye(3, dtype=np.float32)[labels] if one_hot else (
        labels if "sparse" in loss else RNG.uniform(0.5, 2, size=(40, 3)).astype(np.float32))
    model = nr.Sequential([nr.layers.Input((3,)), nr.layers.Dense(3, activation="softmax")])
    model.compile("sgd", loss, metrics=[name])
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    key = model.compiled_metrics[0].name
    assert np.all(np.isfinite(history.history[key][0]))
    reported = model.evaluate(x, y, verbose=0, return_dict=True)[key]
    direct = metrics.get(name)
    direct.update_state(y, model.predict(x, verbose=0))
    np.testing.assert_allclose(reported, direct.result(), rtol=1e-5)


def test_configured_metrics_survive_save_and_load(tmp_path):
    x = RNG.normal(size=(30, 3)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[RNG.integers(0, 3, size=30)]
    model = nr.Sequential([nr.layers.Input((3,)), nr.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy",
                  metrics=["accuracy", metrics.TopKCategoricalAccuracy(k=2, name="top2"),
                           metrics.F1Score(average="macro")])
    model.save(tmp_path / "m.neurona")
    again = nr.load_model(tmp_path / "m.neurona")
    assert [type(m) for m in again.compiled_metrics] == [type(m) for m in model.compiled_metrics]
    assert again.compiled_metrics[1].k == 2 and again.compiled_metrics[2].average == "macro"
    assert again.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="average must be one of"):
        metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="k must be"):
        metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(ValueError, match="class_aggregation must be one of"):
        metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match="unknown metric 'f2'"):
        metrics.get("f2")


def test_every_metric_is_in_the_readme_table():
    from pathlib import Path
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    missing = [name for name in metrics._CLASSES if f"`{name}" not in readme]
    assert missing == []
