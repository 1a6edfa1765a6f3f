"""Keras' catalogue of losses: each against an independent PyTorch reference (value and gradient), Keras'
documented example values, the reductions, CategoricalCrossentropy's axis and SparseCategoricalCrossentropy's
ignore_class, stable logits paths, and the string aliases in compile."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import neurona as nr
from neurona import losses

RNG = np.random.default_rng(7)
EPS = 1e-7


def _probs(shape):
    return RNG.uniform(0.05, 0.95, size=shape)


def _binary(shape):
    return RNG.integers(0, 2, size=shape).astype(np.float64)


def _one_hot(n, c):
    return np.eye(c)[RNG.integers(0, c, size=n)]


def _torch_hinge_labels(y):
    return 2 * y - 1  # the references get 0/1 labels


# (loss, reference written in torch, predictions, targets)
CASES = [
    (losses.MeanAbsolutePercentageError(),
     lambda p, y: 100 * (torch.abs(y - p) / torch.clamp(torch.abs(y), min=EPS)).mean(-1),
     RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))),
    (losses.MeanSquaredLogarithmicError(),
     lambda p, y: ((torch.log1p(torch.clamp(p, min=EPS)) - torch.log1p(torch.clamp(y, min=EPS))) ** 2).mean(-1),
     RNG.uniform(0, 3, size=(5, 3)), RNG.uniform(0, 3, size=(5, 3))),
    (losses.LogCosh(), lambda p, y: torch.log(torch.cosh(p - y)).mean(-1), RNG.normal(size=(5, 3)),
     RNG.normal(size=(5, 3))),
    (losses.Poisson(),
     lambda p, y: F.poisson_nll_loss(p, y, log_input=False, eps=EPS, reduction="none").mean(-1),
     RNG.uniform(0.1, 3, size=(5, 3)), RNG.integers(0, 4, size=(5, 3)).astype(np.float64)),
    (losses.KLDivergence(), lambda p, y: F.kl_div(torch.log(p), y, reduction="none").sum(-1),
     _probs((5, 3)), _probs((5, 3))),
    (losses.CosineSimilarity(), lambda p, y: -F.cosine_similarity(p, y, dim=-1, eps=0),
     RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))),
    (losses.Hinge(), lambda p, y: torch.clamp(1 - _torch_hinge_labels(y) * p, min=0).mean(-1),
     RNG.normal(size=(5, 3)), _binary((5, 3))),
    (losses.SquaredHinge(), lambda p, y: (torch.clamp(1 - _torch_hinge_labels(y) * p, min=0) ** 2).mean(-1),
     RNG.normal(size=(5, 3)), _binary((5, 3))),
    (losses.CategoricalHinge(),
     lambda p, y: torch.clamp(((1 - y) * p).max(-1).values - (y * p).sum(-1) + 1, min=0),
     RNG.normal(size=(5, 4)), _one_hot(5, 4)),
    (losses.BinaryFocalCrossentropy(gamma=2.0, from_logits=True),
     lambda x, y: (F.binary_cross_entropy_with_logits(x, y, reduction="none")
                   * (1 - (y * torch.sigmoid(x) + (1 - y) * (1 - torch.sigmoid(x)))) ** 2).mean(-1),
     RNG.normal(size=(5, 3)), _binary((5, 3))),
    (losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.5),
     lambda p, y: ((0.3 * y + 0.7 * (1 - y)) * F.binary_cross_entropy(p, y, reduction="none")
                   * (1 - (y * p + (1 - y) * (1 - p))) ** 1.5).mean(-1),
     _probs((5, 3)), _binary((5, 3))),
    (losses.CategoricalFocalCrossentropy(from_logits=True),
     lambda x, y: -(0.25 * (1 - torch.softmax(x, -1)) ** 2 * y * torch.log_softmax(x, -1)).sum(-1),
     RNG.normal(size=(5, 4)), _one_hot(5, 4)),
    (losses.CategoricalFocalCrossentropy(alpha=0.5, gamma=3.0),
     lambda p, y: -(0.5 * (1 - p / p.sum(-1, keepdim=True)) ** 3 * y
                    * torch.log(p / p.sum(-1, keepdim=True))).sum(-1),
     _probs((5, 4)), _one_hot(5, 4)),
]


@pytest.mark.parametrize("loss, reference, pred, true", CASES, ids=lambda c: getattr(c, "name", ""))
def test_loss_value_and_gradient_match_a_torch_reference(loss, reference, pred, true):
    p = nr.tensor(pred, requires_grad=True)
    value = loss(true, p)
    value.backward()
    tp = torch.tensor(pred, requires_grad=True)
    expected = reference(tp, torch.tensor(true)).mean()
    expected.backward()
    np.testing.assert_allclose(value.item(), expected.item(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-7, atol=1e-12)


def test_keras_documented_values_of_the_focal_losses():
    y_true, logits = [[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]
    loss = losses.BinaryFocalCrossentropy(gamma=3, from_logits=True)
    assert loss(y_true, nr.tensor(logits)).item() == pytest.approx(0.647, abs=5e-4)
    assert losses.BinaryFocalCrossentropy(gamma=3, from_logits=True, reduction="sum")(
        y_true, nr.tensor(logits)).item() == pytest.approx(1.294, abs=5e-4)
    assert losses.BinaryFocalCrossentropy(gamma=2, from_logits=True)(
        [0, 1, 0, 0], nr.tensor([-18.6, 0.51, 2.94, -12.8])).item() == pytest.approx(0.691, abs=5e-4)
    per_sample = losses.binary_focal_crossentropy([[0, 1], [0, 0]], nr.tensor([[0.6, 0.4], [0.4, 0.6]]), gamma=2)
    np.testing.assert_allclose(per_sample.numpy(), [0.330, 0.206], atol=5e-4)

    y_true, y_pred = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], nr.tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    cfce = losses.CategoricalFocalCrossentropy()
    assert cfce(y_true, y_pred).item() == pytest.approx(0.23315276, rel=1e-6)
    assert cfce(y_true, y_pred, sample_weight=[0.3, 0.7]).item() == pytest.approx(0.1632, abs=5e-5)
    assert losses.CategoricalFocalCrossentropy(reduction="sum")(y_true, y_pred).item() == pytest.approx(
        0.46631, abs=5e-6)
    np.testing.assert_allclose(losses.CategoricalFocalCrossentropy(reduction=None)(y_true, y_pred).numpy(),
                               [3.2058331e-05, 4.6627346e-01], rtol=1e-5)


def test_keras_documented_values_of_the_margin_and_divergence_losses():
    y_true, y_pred = [[0.0, 1.0], [0.0, 0.0]], nr.tensor([[0.6, 0.4], [0.4, 0.6]])
    assert losses.Hinge()(y_true, y_pred).item() == pytest.approx(1.3)
    assert losses.SquaredHinge()(y_true, y_pred).item() == pytest.approx(1.86)
    assert losses.CategoricalHinge()(y_true, y_pred).item() == pytest.approx(1.4)
    assert losses.KLDivergence()(y_true, y_pred).item() == pytest.approx(0.45814306, rel=1e-6)


def test_hinge_takes_minus_one_one_labels_as_they_are():
    pred = RNG.normal(size=(6, 2))
    zero_one = _binary((6, 2))
    assert losses.Hinge()(2 * zero_one - 1, nr.tensor(pred)).item() == pytest.approx(
        losses.Hinge()(zero_one, nr.tensor(pred)).item())


@pytest.mark.parametrize("loss", [losses.BinaryFocalCrossentropy(from_logits=True),
                                  losses.CategoricalFocalCrossentropy(from_logits=True)])
def test_focal_losses_from_extreme_logits_are_finite(loss):
    logits = nr.tensor([[1e4, -1e4], [-1e4, 1e4]], requires_grad=True)
    value = loss([[1.0, 0.0], [1.0, 0.0]], logits)
    value.backward()
    assert np.isfinite(value.item()) and value.item() > 1e3   # the second sample is confidently wrong
    assert np.all(np.isfinite(logits.grad.numpy()))


def test_cosine_similarity_of_a_zero_vector_is_zero_with_finite_gradient():
    p = nr.tensor([[0.0, 0.0]], requires_grad=True)
    value = losses.CosineSimilarity()([[1.0, 0.0]], p)
    value.backward()
    assert value.item() == 0.0 and np.all(np.isfinite(p.grad.numpy()))


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", None,
                                       "none"])
def test_reductions_with_sample_weights(reduction):
    true, pred, w = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3)), np.array([0.5, 2.0, 0.0, 1.0])
    per_sample = ((pred - true) ** 2).mean(-1)
    expected = {"sum_over_batch_size": (per_sample * w).sum() / 4, "mean": (per_sample * w).sum() / 4,
                "sum": (per_sample * w).sum(), "mean_with_sample_weight": (per_sample * w).sum() / w.sum(),
                None: per_sample * w, "none": per_sample * w}[reduction]
    got = losses.MeanSquaredError(reduction=reduction)(true, nr.tensor(pred), sample_weight=w)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)
    unweighted = losses.MeanSquaredError(reduction=reduction)(true, nr.tensor(pred))
    np.testing.assert_allclose(unweighted.numpy(), per_sample.sum() if reduction == "sum" else
                               per_sample if reduction in (None, "none") else per_sample.mean(), rtol=1e-12)


def test_an_unknown_reduction_is_refused_by_name():
    with pytest.raises(ValueError, match="reduction must be one of .*'sum'.*got 'average'"):
        losses.MeanSquaredError(reduction="average")


def test_compile_refuses_a_loss_without_reduction():
    model = nr.Sequential([nr.layers.Input((2,)), nr.layers.Dense(1)])
    with pytest.raises(ValueError, match="reduction=None.*one loss per sample"):
        model.compile("sgd", losses.MeanSquaredError(reduction=None))


def test_categorical_crossentropy_along_another_axis():
    logits = RNG.normal(size=(3, 5, 4))   # (batch, classes, time): PyTorch's layout
    labels = RNG.integers(0, 5, size=(3, 4))
    one_hot = np.moveaxis(np.eye(5)[labels], -1, 1)
    for from_logits, pred in ((True, logits), (False, np.exp(logits) / np.exp(logits).sum(1, keepdims=True))):
        got = losses.CategoricalCrossentropy(from_logits=from_logits, axis=1)(one_hot, nr.tensor(pred)).item()
        expected = F.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
        assert got == pytest.approx(expected, rel=1e-6)


def test_sparse_categorical_crossentropy_ignore_class_matches_torch_ignore_index():
    logits = RNG.normal(size=(8, 5))
    labels = np.array([0, 3, -1, 4, -1, 2, 1, 0])
    p = nr.tensor(logits, requires_grad=True)
    value = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)(labels, p)
    value.backward()
    tp = torch.tensor(logits, requires_grad=True)
    expected = F.cross_entropy(tp, torch.tensor(labels), ignore_index=-1)
    expected.backward()
    assert value.item() == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-9, atol=1e-15)
    summed = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1, reduction="sum")(labels, p)
    assert summed.item() == pytest.approx(expected.item() * 6, rel=1e-12)


def test_ignore_class_in_a_trained_sequence_model():
    x = RNG.normal(size=(32, 6, 3)).astype(np.float32)
    y = RNG.integers(0, 4, size=(32, 6))
    y[:, 4:] = 9   # padding, outside the 4 classes: refused without ignore_class
    model = nr.Sequential([nr.layers.Input((6, 3)), nr.layers.Dense(4)])
    model.compile("adam", losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.raises(ValueError, match=r"integers in \[0, 4\)"):
        model.fit(x, y, epochs=1, verbose=0)
    model.compile("adam", losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=9))
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    logits = model.predict(x, verbose=0)
    expected = F.cross_entropy(torch.tensor(logits).reshape(-1, 4), torch.tensor(y).reshape(-1), ignore_index=9)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected.item(), rel=1e-5)
    assert np.isfinite(history.history["loss"]).all()


ALIASES = ["mape", "msle", "log_cosh", "poisson", "kld", "cosine_similarity", "hinge", "squared_hinge",
           "categorical_hinge", "binary_focal_crossentropy", "categorical_focal_crossentropy", "MeanSquaredError"]


@pytest.mark.parametrize("alias", ALIASES)
def test_each_alias_compiles_trains_and_reloads(alias, tmp_path):
    x = RNG.uniform(size=(16, 3)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[RNG.integers(0, 2, size=16)]
    model = nr.Sequential([nr.layers.Input((3,)), nr.layers.Dense(2, activation="softmax")])
    model.compile("sgd", alias)
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    model.save(tmp_path / "m.neurona")
    again = nr.load_model(tmp_path / "m.neurona")
    assert type(again.compiled_loss) is type(model.compiled_loss)
    assert again.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)


def test_focal_losses_on_a_sigmoid_output_take_its_logits():
    model = nr.Sequential([nr.layers.Input((2,)), nr.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_focal_crossentropy")
    assert model.loss_on_logits.options["from_logits"] is True
    x, y = RNG.normal(size=(6, 2)).astype(np.float32), _binary((6, 1)).astype(np.float32)
    probabilities = model.predict(x, verbose=0)
    direct = losses.BinaryFocalCrossentropy()(y, nr.tensor(probabilities)).item()
    assert model.evaluate(x, y, verbose=0) == pytest.approx(direct, rel=1e-5)


def test_every_loss_is_in_the_readme_table():
    from pathlib import Path
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    missing = [name for name in losses._CLASSES if f"`{name}" not in readme]
    assert missing == []
