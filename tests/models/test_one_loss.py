"""One loss formula in training and in evaluation: the epoch loss of ``fit`` and the loss of ``evaluate``,
``val_loss`` and ``test_on_batch`` are the same function of the weights, saturated outputs included.

With a learning rate of 0 and no Dropout or BatchNorm, the weights never change, so the training loss of an
epoch must equal ``evaluate`` on the same data (rtol 1e-6).
"""
import numpy as np
import pytest

import neurona as nr
from neurona import layers as L


def data(n=90, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


def frozen_model(output, loss, scale, units):
    """One Dense layer whose last logit is ``-scale`` times the first feature (the others 0): every sample is
    on the wrong side, and for scale 100 the sigmoid/softmax saturates in float32."""
    model = nr.Sequential([L.Input((4,)), L.Dense(units, activation=output)])
    kernel = np.zeros((4, units), np.float32)
    kernel[0, -1] = -scale
    model.layers[0].kernel.data[...] = kernel
    model.compile(nr.optimizers.SGD(0.0), loss)
    return model


CASES = [("sigmoid", "binary_crossentropy", 1), ("softmax", "sparse_categorical_crossentropy", 2),
         ("softmax", "categorical_crossentropy", 2),
         (None, nr.losses.BinaryCrossentropy(from_logits=True), 1),
         (None, nr.losses.SparseCategoricalCrossentropy(from_logits=True), 2)]


def targets(loss, y):
    name = loss if isinstance(loss, str) else loss.name
    return np.eye(2, dtype=np.float32)[y] if name == "categorical_crossentropy" else y


@pytest.mark.parametrize("scale", [1.0, 100.0])
@pytest.mark.parametrize("output, loss, units", CASES)
def test_fit_epoch_loss_equals_evaluate_with_frozen_weights(output, loss, units, scale):
    x, y = data()
    y = targets(loss, y)
    model = frozen_model(output, loss, scale, units)
    history = model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0, validation_data=(x, y))
    evaluated = model.evaluate(x, y, batch_size=7, verbose=0)
    np.testing.assert_allclose(history.history["loss"], [evaluated] * 2, rtol=1e-6)
    np.testing.assert_allclose(history.history["val_loss"], [evaluated] * 2, rtol=1e-6)
    np.testing.assert_allclose(model.test_on_batch(x, y), evaluated, rtol=1e-6)


@pytest.mark.parametrize("output, loss, units", CASES[:3])
def test_a_saturated_output_is_scored_from_its_logits_everywhere(output, loss, units):
    """Each sample costs softplus(|z|) for its logit z on the wrong side, about 100 |x0|, in training and
    evaluation alike: not the 16.1 of a probability clipped to 1e-7."""
    x, y = data()
    z = np.abs(100.0 * x[:, 0].astype(np.float64))
    expected = np.mean(z + np.log1p(np.exp(-z)))
    model = frozen_model(output, loss, 100.0, units)
    y = targets(loss, y)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    assert model.fit(x, y, epochs=1, verbose=0).history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert expected > 50


def test_the_decision_is_made_at_compile_from_the_output_activation():
    sigmoid = nr.Sequential([L.Input((4,)), L.Dense(1, activation="sigmoid")])
    sigmoid.compile("sgd", "binary_crossentropy")
    assert sigmoid.loss_on_logits.options["from_logits"] is True
    softmax_layer = nr.Sequential([L.Input((4,)), L.Dense(3), L.Softmax()])
    softmax_layer.compile("sgd", "sparse_categorical_crossentropy")
    assert softmax_layer.loss_on_logits is not None
    for unmatched in (("softmax", "binary_crossentropy"), ("relu", "mse"), ("sigmoid", "mse")):
        model = nr.Sequential([L.Input((4,)), L.Dense(2, activation=unmatched[0])])
        model.compile("sgd", unmatched[1])
        assert model.loss_on_logits is None, unmatched


class Subclassed(nr.Model):
    def __init__(self):
        super().__init__()
        self.dense = L.Dense(1, activation="sigmoid")

    def call(self, x, training=False):
        return self.dense(x)


def test_a_subclassed_model_uses_the_clipped_probabilities_in_training_and_evaluation_alike():
    """Its last activation cannot be read, so both paths take the documented fallback: the same number."""
    x, y = data()
    model = Subclassed()
    model(x[:1])
    model.dense.kernel.data[...] = np.array([[-100.0], [0], [0], [0]], np.float32)
    model.compile(nr.optimizers.SGD(0.0), "binary_crossentropy")
    assert model.loss_on_logits is None
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    evaluated = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(history.history["loss"], [evaluated], rtol=1e-6)
    p = 1.0 / (1.0 + np.exp(100.0 * x[:, 0].astype(np.float64)))  # clipped in float32, as Keras does:
    p = np.clip(p.astype(np.float32), np.float32(1e-7), np.float32(1 - 1e-7)).astype(np.float64)
    assert evaluated == pytest.approx(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))), rel=1e-4)
