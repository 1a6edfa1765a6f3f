"""Keras options of the normalization layers and optimizers: BatchNormalization's initializers, regularizers and
constraints; Normalization's invert, tuple axis and adapt on batches; exclude_from_weight_decay."""
import numpy as np
import pytest

import neurona as nr
from neurona import layers as L

RNG = np.random.default_rng(11)


def test_batch_norm_regularizers_initializers_and_constraints():
    bn = L.BatchNormalization(beta_regularizer=nr.regularizers.L2(0.1), gamma_regularizer="l1",
                              moving_mean_initializer=nr.initializers.Constant(3.0),
                              moving_variance_initializer=nr.initializers.Constant(4.0),
                              gamma_initializer=nr.initializers.Constant(2.0), gamma_constraint="non_neg")
    bn.build((None, 3))
    bn.beta.data[...] = [1.0, -2.0, 0.5]
    penalties = [p.item() for p in bn.regularization_losses()]
    assert sorted(penalties) == pytest.approx(sorted([0.1 * (1 + 4 + 0.25), 0.01 * 6.0]))
    x = RNG.normal(size=(5, 3)).astype(np.float32)
    expected = 2.0 * (x - 3.0) / np.sqrt(4.0 + 1e-3) + bn.beta.numpy()
    np.testing.assert_allclose(bn(x, training=False).numpy(), expected, rtol=1e-5)
    assert isinstance(bn.gamma.constraint, nr.constraints.NonNeg)
    again = L.BatchNormalization.from_config(bn.get_config())
    again.build((None, 3))
    assert again.moving_mean.numpy().tolist() == [3.0, 3.0, 3.0]
    assert again.gamma_regularizer.l1 == 0.01 and isinstance(again.gamma_constraint, nr.constraints.NonNeg)


def test_a_trained_batch_norm_model_adds_the_beta_penalty_to_its_loss():
    model = nr.Sequential([L.Input((2,)), L.BatchNormalization(beta_regularizer=nr.regularizers.L2(0.5)),
                           L.Dense(1)])
    model.compile("sgd", "mse")
    x, y = RNG.normal(size=(8, 2)).astype(np.float32), RNG.normal(size=(8, 1)).astype(np.float32)
    model.layers[0].beta.data[...] = [1.0, 1.0]
    plain = nr.losses.MeanSquaredError()(y, model.predict(x, verbose=0)).item()
    assert model.evaluate(x, y, verbose=0) == pytest.approx(plain + 0.5 * 2.0, rel=1e-5)


def test_normalization_invert_undoes_it():
    x = RNG.normal(size=(6, 3)) * 4 + 2
    forward = L.Normalization()
    forward.adapt(x)
    backward = L.Normalization(mean=forward.mean.numpy(), variance=forward.variance.numpy(), invert=True)
    np.testing.assert_allclose(backward(forward(x)).numpy(), x, rtol=1e-6)


@pytest.mark.parametrize("axis, kept", [(-1, (2,)), ((1, 2), (1, 2)), ([1], (1,)), (None, ())])
def test_normalization_keeps_statistics_along_the_given_axes(axis, kept):
    x = RNG.normal(size=(50, 4, 3)) * RNG.uniform(0.5, 3, size=(4, 3)) + RNG.normal(size=(4, 3))
    norm = L.Normalization(axis=axis)
    norm.adapt(x)
    reduced = tuple(i for i in range(3) if i not in kept)
    np.testing.assert_allclose(norm.mean.numpy(), x.mean(axis=reduced), rtol=1e-5)
    np.testing.assert_allclose(norm.variance.numpy(), x.var(axis=reduced), rtol=1e-5)
    expected = (x - x.mean(axis=reduced, keepdims=True)) / x.std(axis=reduced, keepdims=True)
    np.testing.assert_allclose(norm(x.astype(np.float32)).numpy(), expected, rtol=1e-4, atol=1e-5)


def test_adapt_on_batches_equals_adapt_on_the_whole_array():
    x = RNG.normal(size=(103, 3)) * [1, 100, 0.01] + [5, -200, 0.3]
    whole, batched, pairs = L.Normalization(), L.Normalization(), L.Normalization()
    whole.adapt(x)
    batched.adapt(x[i:i + 16] for i in range(0, 103, 16))
    pairs.adapt((x[i:i + 10], np.zeros(10)) for i in range(0, 103, 10))
    for layer in (batched, pairs):
        np.testing.assert_allclose(layer.mean.numpy(), whole.mean.numpy(), rtol=1e-6)
        np.testing.assert_allclose(layer.variance.numpy(), whole.variance.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="held no batches"):
        L.Normalization().adapt(iter([]))


def test_normalization_saves_invert_and_axes(tmp_path):
    model = nr.Sequential([L.Input((4, 3)), L.Normalization(axis=(1, 2), invert=True)])
    model.layers[0].adapt(RNG.normal(size=(20, 4, 3)))
    model.save(tmp_path / "m.neurona")
    again = nr.load_model(tmp_path / "m.neurona")
    x = RNG.normal(size=(2, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert again.layers[0].axis == (1, 2) and again.layers[0].invert


def test_exclude_from_weight_decay_by_name_and_by_variable():
    dense = L.Dense(2)
    dense.build((None, 3))
    kernel, bias = dense.kernel.numpy().copy(), np.array([1.0, -1.0], np.float32)
    dense.bias.data[...] = bias
    zeros = [np.zeros_like(w.numpy()) for w in dense.trainable_weights]
    for exclude in ({"var_names": ["bias"]}, {"var_list": [dense.bias]}):
        dense.kernel.data[...], dense.bias.data[...] = kernel, bias
        opt = nr.optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
        opt.exclude_from_weight_decay(**exclude)
        opt.apply(zeros, dense.trainable_weights)
        np.testing.assert_allclose(dense.kernel.numpy(), kernel * (1 - 0.05), rtol=1e-6)
        np.testing.assert_array_equal(dense.bias.numpy(), bias)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])
