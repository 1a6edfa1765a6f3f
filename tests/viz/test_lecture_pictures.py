"""The lecture's pictures: what they compute is checked against closed forms, and each draws a file."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import neurona as nr
from neurona import layers as L
from neurona.viz.optimization import optimization_paths, stable_learning_rate, zigzag_data

pytest.importorskip("matplotlib")


def test_gradient_descent_paths_are_the_closed_form_updates():
    x, y = zigzag_data(n=50)
    lr = 0.01
    path = optimization_paths(x, y, {"GD": lambda: nr.optimizers.SGD(lr)}, steps=3)["GD"]
    w = np.array([-2.0, -2.0])
    for step in range(1, 4):
        w = w - lr * 2.0 / len(x) * x.T @ (x @ w - y)       # the gradient of the mean squared error
        np.testing.assert_allclose(path[step], w, rtol=1e-10)


def test_normalizing_turns_the_valley_into_a_bowl():
    x, y = zigzag_data()
    normalized = (x - x.mean(0)) / x.std(0)
    distances = {}
    for name, features in (("raw", x), ("normalized", normalized)):
        lr = stable_learning_rate(features)
        path = optimization_paths(features, y, {"GD": lambda lr=lr: nr.optimizers.SGD(lr)}, steps=40)["GD"]
        distances[name] = np.linalg.norm(path[-1] - np.linalg.lstsq(features, y, rcond=None)[0])
    assert distances["raw"] > 0.5 and distances["normalized"] < 1e-6


def test_gradient_flow_records_the_closed_form_gradient_and_update():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 3)), rng.standard_normal(8)
    model = nr.Sequential([L.Input((3,)), L.Dense(1, name="only")])
    model.compile(nr.optimizers.SGD(0.1), "mse")
    w0, b0 = model.layers[0].kernel.numpy()[:, 0].astype(np.float64), 0.0
    flow = nr.callbacks.GradientFlow()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[flow], shuffle=False)
    residual = x @ w0 + b0 - y
    grad_w, grad_b = 2.0 / 8 * x.T @ residual, 2.0 / 8 * residual.sum()
    expected_norm = np.sqrt((grad_w ** 2).sum() + grad_b ** 2)
    np.testing.assert_allclose(flow.grad_norm["only"][0], expected_norm, rtol=1e-5)
    np.testing.assert_allclose(flow.update_ratio["only"][0], 0.1 * expected_norm / np.linalg.norm(w0), rtol=1e-5)


def test_gradient_flow_finds_the_vanishing_gradients_of_a_deep_sigmoid_network():
    (x, y), _ = nr.datasets.load_digits()
    nr.utils.set_random_seed(0)
    model = nr.Sequential([L.Input((64,))] + [L.Dense(32, activation="sigmoid") for _ in range(10)]
                          + [L.Dense(10, activation="softmax")])
    model.compile(nr.optimizers.SGD(0.01), "sparse_categorical_crossentropy")
    flow = nr.callbacks.GradientFlow(vanish=1e-6)
    with pytest.warns(UserWarning, match="gradients of layer .* vanish"):
        model.fit(x.reshape(len(x), -1) / 16.0, y, epochs=1, verbose=0, callbacks=[flow])
    first, last = flow.grad_norm[flow.layers[0]][0], flow.grad_norm[flow.layers[-1]][0]
    assert first < last * 1e-4                         # the gradient shrinks by orders of magnitude on its way back
    assert any("relu" in m for m in flow.messages)     # and the warning says what to try


def test_sigmoid_slope_is_at_most_a_quarter():
    from neurona.viz.functions import _value_and_slope
    z = np.linspace(-4, 4, 81)
    value, slope = _value_and_slope(nr.activations.sigmoid, z)
    np.testing.assert_allclose(slope, value * (1 - value), rtol=1e-6)
    assert abs(slope.max() - 0.25) < 1e-7


def test_every_picture_draws_a_file(tmp_path):
    from sklearn.datasets import make_moons
    nr.utils.set_random_seed(0)
    conv = nr.Sequential([L.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.MaxPooling2D(2),
                          L.Conv2D(2, 2)])
    x2, y2 = make_moons(60, noise=0.1, random_state=0)
    clf = nr.Sequential([L.Input((2,)), L.Dense(1, activation="sigmoid")])
    flow = nr.callbacks.GradientFlow()
    clf.compile("adam", "binary_crossentropy")
    clf.fit(x2, y2, epochs=2, verbose=0, callbacks=[flow])
    drawings = {"zigzag.png": lambda p: nr.viz.plot_normalization_zigzag(path=p),
                "filters.png": lambda p: nr.viz.plot_filters(conv, p),
                "maps.png": lambda p: nr.viz.plot_feature_maps(conv, np.ones((8, 8, 1)), p),
                "boundary.png": lambda p: nr.viz.plot_decision_boundary({"linear": clf}, x2, y2, p),
                "activations.svg": nr.viz.plot_activations, "losses.png": nr.viz.plot_losses,
                "flow.png": lambda p: nr.viz.plot_gradient_flow({"moons": flow}, p)}
    for name, draw in drawings.items():
        draw(tmp_path / name)
        assert (tmp_path / name).stat().st_size > 5000, name


def test_learning_curves_use_whole_epochs_and_say_when_the_stars_differ():
    history = {"loss": [1.0, 0.8, 0.7, 0.75], "val_loss": [1.1, 0.9, 0.85, 0.86],
               "accuracy": [0.5, 0.6, 0.7, 0.8], "val_accuracy": [0.5, 0.55, 0.6, 0.65]}
    fig = nr.viz.plot_history(history)
    loss_ax, accuracy_ax = fig.axes
    assert all(float(t).is_integer() for t in accuracy_ax.get_xticks())
    labels = [t.get_text() for t in accuracy_ax.get_legend().get_texts()]
    assert "best epoch 4 (loss's best: epoch 3)" in labels
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nr.viz.plot_history({"loss": [1.0, 0.5]})
