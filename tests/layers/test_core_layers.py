"""Dense and the activation layers: Keras shapes, defaults and errors."""
import numpy as np
import pytest
import torch

import neurona as nr


def test_dense_builds_from_the_first_input_with_keras_defaults():
    nr.utils.set_random_seed(0)
    layer = nr.layers.Dense(4)
    out = layer(np.ones((3, 6)))
    assert out.shape == (3, 4) and layer.kernel.shape == (6, 4) and layer.bias.shape == (4,)
    limit = np.sqrt(6 / (6 + 4))
    assert np.abs(layer.kernel.numpy()).max() <= limit
    np.testing.assert_array_equal(layer.bias.numpy(), 0.0)
    assert [w.name for w in layer.trainable_weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]


def test_dense_matches_a_linear_layer():
    layer = nr.layers.Dense(3, activation="sigmoid")
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    out = layer(x).numpy()
    expected = torch.sigmoid(torch.tensor(x) @ torch.tensor(layer.kernel.numpy()) + torch.tensor(layer.bias.numpy()))
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-5)


def test_dense_on_sequences_applies_to_the_last_axis():
    assert nr.layers.Dense(7)(np.ones((2, 5, 3))).shape == (2, 5, 7)


def test_wrong_feature_count_names_the_layer_and_shapes():
    layer = nr.layers.Dense(2, name="hidden")
    layer(np.ones((1, 784)))
    with pytest.raises(ValueError) as info:
        layer(np.ones((32, 100)))
    message = str(info.value)
    assert "hidden" in message and "784" in message and "(32, 100)" in message


@pytest.mark.parametrize("layer, expected", [
    (nr.layers.ReLU(), [0.0, 0.0, 2.0]),
    (nr.layers.ReLU(max_value=1.0), [0.0, 0.0, 1.0]),
    (nr.layers.LeakyReLU(), [-0.3, 0.0, 2.0]),
    (nr.layers.Activation("tanh"), list(np.tanh([-1.0, 0.0, 2.0]))),
])
def test_activation_layers(layer, expected):
    np.testing.assert_allclose(layer(np.array([[-1.0, 0.0, 2.0]])).numpy()[0], expected, rtol=1e-6)


def test_softmax_layer_rows_sum_to_one():
    out = nr.layers.Softmax()(np.random.default_rng(0).normal(size=(4, 6))).numpy()
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-6)


def test_flatten_and_reshape():
    x = np.zeros((2, 3, 4))
    assert nr.layers.Flatten()(x).shape == (2, 12)
    assert nr.layers.Reshape((4, 3))(x).shape == (2, 4, 3)


def test_frozen_layer_has_no_trainable_weights():
    layer = nr.layers.Dense(2, trainable=False)
    layer(np.ones((1, 3)))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


@pytest.mark.parametrize("name, torch_fn", [
    ("gelu", torch.nn.functional.gelu), ("elu", torch.nn.functional.elu), ("selu", torch.nn.functional.selu),
    ("softplus", torch.nn.functional.softplus), ("sigmoid", torch.sigmoid), ("tanh", torch.tanh),
    ("relu", torch.relu), ("linear", lambda t: t)])
def test_activations_match_torch(name, torch_fn):
    x = np.linspace(-4, 4, 17).astype(np.float32)
    np.testing.assert_allclose(nr.activations.get(name)(nr.tensor(x)).numpy(), torch_fn(torch.tensor(x)).numpy(),
                               rtol=1e-5, atol=1e-6)
    assert nr.activations.leaky_relu(nr.tensor([-1.0])).item() == pytest.approx(-0.2)


@pytest.mark.parametrize("activation", [None, "relu"])
def test_fused_dense_equals_its_composed_twin(activation):
    layer = nr.layers.Dense(5, activation=activation)
    x = np.random.default_rng(3).normal(size=(6, 4))
    layer(x)
    for w in layer.weights:
        w.data = w.data.astype(np.float64)
    xs = nr.tensor(x, requires_grad=True)
    fused = layer(xs)
    (fused * fused).sum().backward()
    composed_x = nr.tensor(x, requires_grad=True)
    k, b = nr.tensor(layer.kernel.numpy(), requires_grad=True), nr.tensor(layer.bias.numpy(), requires_grad=True)
    composed = composed_x @ k + b
    composed = nr.relu(composed) if activation else composed
    (composed * composed).sum().backward()
    np.testing.assert_allclose(fused.numpy(), composed.numpy(), rtol=1e-13)
    for a, c in ((xs, composed_x), (layer.kernel, k), (layer.bias, b)):
        np.testing.assert_allclose(a.grad.numpy(), c.grad.numpy(), rtol=1e-12)
    assert fused.grad_fn.name == "dense"


def test_every_weight_starts_on_a_cache_line_with_the_initializers_values():
    """Weights of odd sizes included; the values are the initializer's draws, the same with or without the copy
    into aligned memory (a second model from the same seed, read through get_weights, agrees bit for bit)."""
    def build():
        nr.utils.set_random_seed(3)
        return nr.Sequential([nr.layers.Input((7,)), nr.layers.Dense(5, activation="relu"), nr.layers.Dense(3)])
    model = build()
    assert [w.data.ctypes.data % 64 for w in model.weights] == [0, 0, 0, 0]
    nr.utils.set_random_seed(3)
    kernel = nr.initializers.get("glorot_uniform")((7, 5))
    np.testing.assert_array_equal(model.weights[0].numpy(), kernel)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), build().get_weights()))
