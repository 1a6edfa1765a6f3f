"""Keras behaviours a Keras user relies on (issue "Behave like Keras"): each test failed before the fix."""
from __future__ import annotations

import numpy as np
import pytest

import neurona as nr
from neurona import layers as L


def test_build_marks_the_layer_built_and_set_weights_survive_the_first_call():
    layer = L.Dense(2)
    layer.build((None, 3))
    assert layer.built
    kernel, bias = np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0])
    layer.set_weights([kernel, bias])
    out = layer(np.ones((1, 3), dtype=np.float32))
    np.testing.assert_allclose(out.numpy(), np.ones((1, 3)) @ kernel + bias)
    assert len(layer.weights) == 2


def test_adapt_on_data_of_another_width_says_so():
    norm = L.Normalization()
    norm.build((None, 3))
    with pytest.raises(ValueError, match=r"adapt got data of shape \(4, 2\).* built for \(3,\)"):
        norm.adapt(np.ones((4, 2)))
    model = nr.Sequential([L.Input((3,)), L.Normalization()])
    with pytest.raises(ValueError, match=r"built for \(3,\)"):
        model.layers[0].adapt(np.ones((4, 5)))


def test_setting_activation_to_none_means_no_activation():
    layer = L.Dense(2, activation="relu")
    layer.activation = None
    layer.build((None, 2))
    layer.set_weights([-np.eye(2), np.zeros(2)])
    np.testing.assert_allclose(layer(np.ones((1, 2), dtype=np.float32)).numpy(), [[-1.0, -1.0]])
    layer.activation = "sigmoid"
    assert layer.activation is nr.activations.sigmoid


def test_a_frozen_batch_norm_uses_and_keeps_its_moving_statistics():
    bn = L.BatchNormalization()
    bn.build((None, 2))
    bn.set_weights([np.ones(2), np.zeros(2), np.array([1.0, 2.0]), np.array([4.0, 9.0])])
    bn.trainable = False
    x = np.array([[3.0, 5.0], [5.0, 8.0]], dtype=np.float32)
    out = bn(x, training=True).numpy()
    expected = (x - [1.0, 2.0]) / np.sqrt(np.array([4.0, 9.0]) + 1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [1.0, 2.0])      # not updated


def test_early_stopping_reused_across_fits_starts_afresh():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 3)), rng.standard_normal(64)
    stop = nr.callbacks.EarlyStopping(monitor="loss", patience=1)
    model = nr.Sequential([L.Input((3,)), L.Dense(1)])
    model.compile(nr.optimizers.SGD(0.05), "mse")
    model.fit(x, y, epochs=5, verbose=0, callbacks=[stop])
    fresh = nr.Sequential([L.Input((3,)), L.Dense(1)])                     # a new run, higher losses at first
    fresh.compile(nr.optimizers.SGD(0.05), "mse")
    fresh.layers[0].set_weights([np.full((3, 1), 5.0), np.zeros(1)])
    history = fresh.fit(x, y, epochs=4, verbose=0, callbacks=[stop])
    assert len(history.history["loss"]) == 4                                # it improved every epoch: no stop


def test_loss_sample_weights_scalar_per_sample_and_per_element():
    mse = nr.losses.MeanSquaredError()
    y, pred = np.array([[1.0], [2.0]]), nr.tensor([[0.0], [0.0]])
    assert float(mse(y, pred, sample_weight=2.0)) == pytest.approx(5.0)           # 2 * (1 + 4) / 2
    assert float(mse(y, pred, sample_weight=np.array([[1.0], [0.0]]))) == pytest.approx(0.5)
    scce = nr.losses.SparseCategoricalCrossentropy()                              # per time step
    probs = np.full((2, 3, 4), 0.25)
    weights = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    value = float(scce(np.zeros((2, 3), dtype=np.int64), nr.tensor(probs), sample_weight=weights))
    assert value == pytest.approx(np.log(4) / 6)                                  # one of six steps counts
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\) does not fit"):
        mse(y, pred, sample_weight=np.ones(3))


def test_metric_weights_per_element_and_broadcast():
    acc = nr.metrics.SparseCategoricalAccuracy()
    y_true = np.array([[0, 1], [1, 1]])
    y_pred = np.eye(2)[np.array([[0, 0], [1, 1]])]                                # right, wrong / right, right
    acc.update_state(y_true, y_pred, sample_weight=np.array([[1.0, 0.0], [1.0, 1.0]]))
    assert acc.result() == pytest.approx(1.0)                                     # the wrong step weighs 0
    acc.reset_state()
    acc.update_state(y_true, y_pred, sample_weight=np.array([0.0, 1.0]))          # per sample, broadcast
    assert acc.result() == pytest.approx(1.0)


def test_the_argument_checks_keras_makes():
    with pytest.raises(ValueError, match="momentum"):
        nr.optimizers.SGD(momentum=-1)
    with pytest.raises(ValueError, match="scale"):
        nr.initializers.VarianceScaling(scale=-1)
    assert nr.initializers.get(None) is None
    with pytest.raises(ValueError, match="give both mean and variance"):
        L.Normalization(mean=[0.0])
    with pytest.raises(ValueError, match="give both mean and variance"):
        L.Normalization(variance=[1.0])
    with pytest.raises(ValueError, match="axis=3 does not exist"):
        L.Normalization(axis=3).build((2, 2))
    assert isinstance(nr.initializers.get("GlorotUniform"), nr.initializers.GlorotUniform)
