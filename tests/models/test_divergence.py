"""A diverging run never ends quietly: ``fit`` stops at the first NaN/Inf loss, says where in one line with a
hint, records it in the History, and ``diagnose`` calls it divergence."""
import warnings

import numpy as np
import pytest

import neurona as nr
from neurona import layers as L
from neurona.callbacks import History


def regression(n=100, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, x.sum(axis=1)


def exploding_model():
    nr.utils.set_random_seed(0)
    model = nr.Sequential([L.Input((4,)), L.Dense(8, activation="relu"), L.Dense(1)])
    model.compile(nr.optimizers.SGD(1e6), "mse")
    return model


def test_fit_stops_at_the_first_non_finite_loss_and_says_where(capsys):
    x, y = regression()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no NumPy RuntimeWarning buries the message
        history = exploding_model().fit(x, y, epochs=20, batch_size=10, verbose=0)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Training diverged at epoch 1, batch ")
    assert "lower the learning rate (now 1e+06)" in err[0] and "normalize the inputs" in err[0]
    assert len(history.history["loss"]) == 1 and not np.isfinite(history.history["loss"][0])
    assert history.divergence["epoch"] == 1 and 1 <= history.divergence["batch"] <= 10
    assert not np.isfinite(history.divergence["loss"])


def test_terminate_on_nan_false_trains_on_as_keras_does(capsys):
    x, y = regression()
    with np.errstate(all="ignore"):
        history = exploding_model().fit(x, y, epochs=3, batch_size=10, verbose=0, terminate_on_nan=False)
    assert len(history.history["loss"]) == 3 and history.divergence is None
    assert capsys.readouterr().err == ""


def test_diagnose_recognises_divergence():
    x, y = regression()
    history = exploding_model().fit(x, y, epochs=5, verbose=0)
    d = nr.diagnose(history)
    assert d.verdict == "diverged" and "epoch 1, batch" in str(d) and "learning rate" in str(d)
    h = History()
    h.history = {"loss": [1.0, 0.5, float("nan")], "val_loss": [1.0, 0.6, 0.7]}
    assert nr.diagnose(h).verdict == "diverged" and "epoch 3" in str(nr.diagnose(h))


def test_saving_non_finite_weights_warns(tmp_path):
    model = exploding_model()
    model.layers[0].kernel.data[0, 0] = np.nan
    with pytest.warns(UserWarning, match="NaN or Inf"):
        model.save(tmp_path / "m.neurona")


def test_a_curve_still_falling_is_not_converged_and_the_figures_are_the_last_epochs():
    h = History()
    h.history = {"loss": list(np.linspace(10.0, 2.0, 40)), "val_loss": list(np.linspace(11.0, 2.5, 40))}
    d = nr.diagnose(h)
    assert d.verdict == "not converged yet" and "2 at the last epoch" in str(d) and "2.5" in str(d)
    flat = History()
    flat.history = {"loss": [1.0 / (1 + e) + 0.1 for e in range(5)] + [0.3, 0.31, 0.3, 0.29, 0.3] * 7,
                    "val_loss": [1.2 / (1 + e) + 0.12 for e in range(5)] + [0.35, 0.34, 0.35, 0.36, 0.35] * 7}
    assert nr.diagnose(flat).verdict == "good fit"
    assert "0.3 at the last epoch" in str(nr.diagnose(flat))


def test_the_bribes_recipe_converges_and_beats_the_straight_line(tmp_path, capsys):
    """`neurona train --dataset bribes` with its defaults: converged, and far better than the linear model's
    test MSE of about 1.96 (examples/bribes_linear_vs_network.py)."""
    from neurona.cli import train
    result = train("bribes", out=str(tmp_path), verbose=0)
    assert result["figure"] < 0.5 and result["diagnosis"].verdict == "good fit"


def test_at_kerass_default_learning_rate_the_bribes_network_has_not_converged(tmp_path, capsys):
    from neurona.cli import train
    result = train("bribes", out=str(tmp_path), optimizer="adam", verbose=0)
    assert result["diagnosis"].verdict == "not converged yet"
