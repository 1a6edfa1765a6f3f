"""Weight constraints: each against its closed form, applied after every optimizer update (Keras' order) in
fit's compiled step, train_on_batch and a PyTorch-style loop, and saved with the model."""
import numpy as np
import pytest

import neurona as nr
from neurona import constraints

RNG = np.random.default_rng(5)


def column_norms(w, axis=0):
    return np.sqrt((w ** 2).sum(axis=axis))


def test_max_norm_scales_only_the_long_columns():
    w = RNG.normal(size=(6, 5)) * [0.1, 1, 2, 0.2, 3]
    out = constraints.MaxNorm(1.0)(w)
    norms = column_norms(w)
    for j in range(5):
        expected = w[:, j] * (min(norms[j], 1.0) / (1e-7 + norms[j]))
        np.testing.assert_allclose(out[:, j], expected, rtol=1e-12)
    assert column_norms(out).max() <= 1.0


def test_max_norm_over_the_axes_of_a_convolution_kernel():
    kernel = RNG.normal(size=(3, 3, 2, 4))
    out = constraints.MaxNorm(1.5, axis=[0, 1, 2])(kernel)
    norms = np.sqrt((kernel ** 2).sum(axis=(0, 1, 2)))
    np.testing.assert_allclose(np.sqrt((out ** 2).sum(axis=(0, 1, 2))), np.minimum(norms, 1.5), rtol=1e-6)


def test_non_neg_unit_norm_and_min_max_norm_closed_forms():
    w = RNG.normal(size=(4, 3))
    np.testing.assert_array_equal(constraints.NonNeg()(w), np.where(w >= 0, w, 0.0))
    np.testing.assert_allclose(column_norms(constraints.UnitNorm()(w)), 1.0, rtol=1e-6)
    np.testing.assert_allclose(column_norms(constraints.UnitNorm(axis=1)(w), axis=1), 1.0, rtol=1e-6)
    norms = column_norms(w)
    half = constraints.MinMaxNorm(min_value=1.0, max_value=1.2, rate=0.5)(w)
    np.testing.assert_allclose(column_norms(half), 0.5 * np.clip(norms, 1.0, 1.2) + 0.5 * norms, rtol=1e-6)


def _model(constraint):
    model = nr.Sequential([nr.layers.Input((4,)), nr.layers.Dense(3, kernel_constraint=constraint,
                                                                  bias_constraint=constraints.NonNeg())])
    model.compile(nr.optimizers.SGD(0.5), "mse")
    return model


def _expected_after_one_step(model, x, y, constraint):
    """One SGD step by hand, then the projection."""
    kernel, bias = (w.numpy().astype(np.float64) for w in model.layers[0].weights)
    err = x @ kernel + bias - y
    grad_kernel, grad_bias = 2 * x.T @ err / err.size, 2 * err.sum(0) / err.size
    return constraint(kernel - 0.5 * grad_kernel), np.maximum(bias - 0.5 * grad_bias, 0)


@pytest.mark.parametrize("how", ["fit", "train_on_batch", "torch_style"])
def test_the_constraint_follows_each_update(how):
    x = RNG.normal(size=(8, 4)).astype(np.float32) * 3
    y = RNG.normal(size=(8, 3)).astype(np.float32) * 5
    constraint = constraints.MaxNorm(0.3)
    model = _model(constraint)
    expected_kernel, expected_bias = _expected_after_one_step(model, x, y, constraint)
    if how == "fit":
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    elif how == "train_on_batch":
        model.train_on_batch(x, y)
    else:
        opt = nr.optimizers.SGD(model.parameters(), lr=0.5)
        loss = nr.losses.MeanSquaredError()(y, model(x))
        loss.backward()
        opt.step()
    kernel, bias = (w.numpy() for w in model.layers[0].weights)
    np.testing.assert_allclose(kernel, expected_kernel, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, expected_bias, rtol=1e-5, atol=1e-6)
    assert column_norms(kernel).max() <= 0.3 + 1e-6


def test_compiled_fit_keeps_the_constraint_on_every_step():
    x = RNG.normal(size=(64, 4)).astype(np.float32) * 3
    y = RNG.normal(size=(64, 3)).astype(np.float32) * 5
    model = _model("max_norm")
    model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    assert model.compiled_training.counts()["compiled"] == 1   # the replayed plan applies it too
    assert column_norms(model.layers[0].kernel.numpy()).max() <= 2.0 + 1e-6
    assert model.layers[0].bias.numpy().min() >= 0


def test_constraints_are_saved_with_the_model(tmp_path):
    model = nr.Sequential([nr.layers.Input((4,)), nr.layers.Dense(3, kernel_constraint=constraints.MinMaxNorm(
        0.5, 2.0, rate=0.7, axis=[0])), nr.layers.Embedding(5, 2, embeddings_constraint="UnitNorm")])
    model.save(tmp_path / "m.neurona")
    again = nr.load_model(tmp_path / "m.neurona")
    kernel_constraint = again.layers[0].kernel.constraint
    assert isinstance(kernel_constraint, constraints.MinMaxNorm)
    assert (kernel_constraint.min_value, kernel_constraint.max_value, kernel_constraint.rate) == (0.5, 2.0, 0.7)
    assert isinstance(again.layers[1].embeddings.constraint, constraints.UnitNorm)


def test_recurrent_layers_take_constraints():
    layer = nr.layers.LSTM(3, kernel_constraint="non_neg", recurrent_constraint=constraints.MaxNorm(1.0),
                           bias_constraint="non_neg")
    layer.build((None, 5, 2))
    assert isinstance(layer.recurrent_kernel.constraint, constraints.MaxNorm)
    assert isinstance(nr.layers.LSTM.from_config(layer.get_config()).kernel_constraint, constraints.NonNeg)


def test_bad_constraints_are_named():
    with pytest.raises(ValueError, match="unknown constraint 'max'"):
        nr.layers.Dense(2, kernel_constraint="max")
    with pytest.raises(ValueError, match="max_value"):
        constraints.MaxNorm(-1)
    with pytest.raises(TypeError, match="axis must be an integer or a list"):
        constraints.UnitNorm(axis="rows")
