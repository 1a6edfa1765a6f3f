"""Conv2D, Conv1D and the pooling layers against PyTorch with the same weights; float64 gradient checks."""
import numpy as np
import pytest
import torch

import neurona as nr
from neurona.functional.convolution import conv2d
from .torch_copy import check_gradients, compare, t, to_float64

RNG = np.random.default_rng(0)
NHWC_TO_NCHW = lambda a: np.ascontiguousarray(np.transpose(a, (0, 3, 1, 2)))  # noqa: E731
NCHW_TO_NHWC = lambda o: o.permute(0, 2, 3, 1)  # noqa: E731


@pytest.mark.parametrize("kwargs, torch_kwargs", [
    ({}, {}),
    ({"strides": 2}, {"stride": 2}),
    ({"padding": "same"}, {"padding": "same"}),
    ({"dilation_rate": 2}, {"dilation": 2}),
])
def test_conv2d_matches_torch(kwargs, torch_kwargs):
    x = RNG.normal(size=(2, 9, 8, 3)).astype(np.float32)
    layer = nr.layers.Conv2D(4, 3, activation="relu", **kwargs)
    layer(x)
    conv = torch.nn.Conv2d(3, 4, 3, **torch_kwargs)
    with torch.no_grad():
        conv.weight.copy_(t(layer.kernel.numpy().transpose(3, 2, 0, 1)))
        conv.bias.copy_(t(layer.bias.numpy()))
    compare(layer, lambda z: torch.relu(conv(z)), x,
            [(layer.kernel, lambda: conv.weight.grad.numpy().transpose(2, 3, 1, 0)),
             (layer.bias, lambda: conv.bias.grad.numpy())],
            to_torch_input=NHWC_TO_NCHW, from_torch=NCHW_TO_NHWC)


def test_conv1d_matches_torch_including_causal_padding():
    x = RNG.normal(size=(2, 10, 3)).astype(np.float32)
    for padding, pad_left in (("valid", 0), ("causal", 4)):
        layer = nr.layers.Conv1D(5, 3, dilation_rate=2, padding=padding)
        layer(x)
        conv = torch.nn.Conv1d(3, 5, 3, dilation=2)
        with torch.no_grad():
            conv.weight.copy_(t(layer.kernel.numpy().transpose(2, 1, 0)))
            conv.bias.copy_(t(layer.bias.numpy()))
        compare(layer, lambda z: conv(torch.nn.functional.pad(z, (pad_left, 0))), x,
                [(layer.kernel, lambda: conv.weight.grad.numpy().transpose(2, 1, 0))],
                to_torch_input=lambda a: np.ascontiguousarray(a.transpose(0, 2, 1)),
                from_torch=lambda o: o.permute(0, 2, 1))


@pytest.mark.parametrize("layer, torch_fn", [
    (nr.layers.MaxPooling2D(), lambda z: torch.nn.functional.max_pool2d(z, 2)),
    (nr.layers.MaxPooling2D(3, 2, padding="same"), lambda z: torch.nn.functional.max_pool2d(z, 3, 2, 1)),
    (nr.layers.AveragePooling2D(), lambda z: torch.nn.functional.avg_pool2d(z, 2)),
    (nr.layers.AveragePooling2D(3, 2, padding="same"),
     lambda z: torch.nn.functional.avg_pool2d(z, 3, 2, 1, count_include_pad=False)),
])
def test_pooling_matches_torch(layer, torch_fn):
    x = RNG.normal(size=(2, 7, 7, 3)).astype(np.float32)
    compare(layer, torch_fn, x, [], to_torch_input=NHWC_TO_NCHW, from_torch=NCHW_TO_NHWC)


def test_global_pooling():
    x = RNG.normal(size=(2, 4, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(nr.layers.GlobalAveragePooling2D()(x).numpy(), x.mean(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(nr.layers.GlobalMaxPooling2D()(x).numpy(), x.max(axis=(1, 2)), rtol=1e-6)


def test_conv_and_pool_gradients_by_central_differences():
    x = RNG.normal(size=(1, 6, 5, 2))
    conv = nr.layers.Conv2D(3, (3, 2), strides=(2, 1), padding="same")
    conv(x)
    to_float64(conv)
    pool = nr.layers.MaxPooling2D(2)
    check_gradients(lambda z: pool(conv(z)), x, [conv.kernel, conv.bias])


def test_conv_accepts_forward_mode_and_second_order():
    x = RNG.normal(size=(1, 5, 5, 2))
    conv = nr.layers.Conv2D(2, 3, activation="tanh")
    conv(x)
    to_float64(conv)
    f = lambda z: conv(z).sum()  # noqa: E731
    v = RNG.normal(size=x.shape)
    hv = nr.hvp(f, (x,), (v,)).numpy()
    eps = 1e-5
    g = lambda z: nr.grad(f)(z).numpy()  # noqa: E731
    np.testing.assert_allclose(hv, (g(x + eps * v) - g(x - eps * v)) / (2 * eps), rtol=1e-5, atol=1e-8)


def test_conv2d_on_a_2d_input_names_the_layer_and_shapes():
    layer = nr.layers.Conv2D(8, 3, name="conv_a")
    with pytest.raises(ValueError) as info:
        layer(np.zeros((32, 784)))
    message = str(info.value)
    assert "conv_a" in message and "(batch, height, width, channels)" in message and "(32, 784)" in message
    layer(np.zeros((1, 28, 28, 1)))
    with pytest.raises(ValueError, match=r"expected input of shape \(None, None, None, 1\) but received"):
        layer(np.zeros((1, 28, 28, 3)))


def test_keras_convnet_has_keras_parameter_count():
    model = nr.Sequential([nr.layers.Input((28, 28, 1)), nr.layers.Conv2D(32, 3, activation="relu"),
                           nr.layers.MaxPooling2D(), nr.layers.Conv2D(64, 3, activation="relu"),
                           nr.layers.MaxPooling2D(), nr.layers.Flatten(), nr.layers.Dropout(0.5),
                           nr.layers.Dense(10, activation="softmax")])
    assert model.count_params() == 34826
    assert [layer.name.rstrip("_0123456789") for layer in model.layers][:2] == ["conv2d", "max_pooling2d"]


@pytest.mark.parametrize("call,error,message", [
    (lambda: conv2d(nr.ones(1, 1, 1, 1), nr.ones(3, 3, 1, 1)), nr.ShapeError,
     r"conv2d: a 3x3 kernel does not fit an input of 1x1 pixels"),
    (lambda: nr.ops.max_pool(nr.ones(1, 1, 1, 1), (2, 2), (2, 2)), nr.ShapeError,
     r"max_pool: a 2x2 window does not fit an input of 1x1 pixels"),
    (lambda: nr.ops.max_pool(nr.ones(4, 4, 1), 2, 2), nr.ShapeError, r"expected an image of shape .* got \(4, 4, 1\)"),
    (lambda: nr.ops.max_pool(nr.ones(1, 4, 4, 1), 0, 2), ValueError, r"max_pool: kernel must hold positive integers"),
    (lambda: nr.ops.max_pool(nr.ones(1, 4, 4, 1), 2, (2, 2, 2)), TypeError, r"max_pool: strides must be a positive"),
])
def test_conv2d_and_max_pool_say_when_a_window_does_not_fit_or_an_argument_is_wrong(call, error, message):
    """A window larger than the input is named with both sizes (NumPy's 'negative dimensions' was all one read
    before), and the pool's kernel and strides are checked."""
    with pytest.raises(error, match=message):
        call()
