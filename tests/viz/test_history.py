"""Learning-curve pictures."""
import numpy as np
import pytest

import neurona as nr
from neurona.callbacks import History

pytest.importorskip("matplotlib")


def test_plot_history_draws_train_and_validation_and_marks_the_best_epoch(tmp_path):
    h = History()
    h.history = {"loss": [1.0, 0.5, 0.3, 0.2], "val_loss": [1.1, 0.6, 0.5, 0.7],
                 "accuracy": [0.5, 0.7, 0.8, 0.9], "val_accuracy": [0.5, 0.6, 0.75, 0.7]}
    fig = nr.viz.plot_history(h, tmp_path / "curves.png")
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    loss_ax, acc_ax = fig.axes
    labels = [line.get_label() for line in loss_ax.get_lines()]
    assert "training loss" in labels and "validation loss" in labels and "best epoch 3" in labels
    assert "best epoch 3" in [line.get_label() for line in acc_ax.get_lines()]
    star = [line for line in loss_ax.get_lines() if line.get_label() == "best epoch 3"][0]
    np.testing.assert_allclose(star.get_ydata(), [0.5])
