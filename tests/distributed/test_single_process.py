"""neurona.distributed without mpiexec: one process, no mpi4py import, and nothing changes."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import neurona as nr
from neurona import layers as L
from neurona.distributed.fit import shard_bounds


def _python(code, **env):
    import os
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})
    return done


def test_without_a_launcher_the_job_is_one_process_and_mpi4py_is_not_imported():
    done = _python("import sys, neurona as nr; nr.distributed.init(); "
                   "print(nr.distributed.rank(), nr.distributed.size(), nr.distributed.is_main(), "
                   "'mpi4py' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1", "True", "False"]


def test_a_launcher_without_mpi4py_says_which_extra_to_install():
    done = _python("import sys; sys.modules['mpi4py'] = None; import neurona as nr; nr.distributed.init()",
                   PMI_SIZE="2", PMI_RANK="0")
    assert done.returncode != 0
    assert "pip install 'neurona[mpi]'" in done.stderr


@pytest.mark.parametrize("rows,size", [(15, 2), (16, 2), (7, 3), (5, 5), (100, 7)])
def test_shards_are_numpy_array_split(rows, size):
    expected = np.array_split(np.arange(rows), size)
    for rank in range(size):
        start, stop = shard_bounds(rows, rank, size)
        np.testing.assert_array_equal(np.arange(rows)[start:stop], expected[rank])


def _trained(distribute, layers):
    nr.utils.set_random_seed(3)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 5)).astype(np.float32), rng.integers(0, 3, 40)
    model = nr.Sequential([L.Input((5,)), *layers(), L.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_split=0.25, distribute=distribute)
    return history.history, [w.numpy() for w in model.weights]


@pytest.mark.parametrize("layers", [lambda: [L.Dense(8, activation="relu"), L.Dropout(0.2)],
                                    lambda: [L.Dense(8), L.BatchNormalization(synchronized=True)]],
                         ids=["dropout", "syncbn"])
def test_distribute_on_one_process_changes_nothing(layers):
    plain_history, plain_weights = _trained(False, layers)
    history, weights = _trained(True, layers)
    assert history == plain_history
    for a, b in zip(weights, plain_weights):
        np.testing.assert_array_equal(a, b)


def test_distributed_optimizer_on_one_process_is_the_optimizer():
    w = nr.tensor([1.0, 2.0], requires_grad=True)
    opt = nr.distributed.DistributedOptimizer(nr.optimizers.SGD([w], lr=0.1))
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6], rtol=1e-6)


def test_arguments_are_checked():
    model = nr.Sequential([L.Input((2,)), L.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match="distribute must be True or False, got 'yes'"):
        model.fit(np.ones((4, 2)), np.ones(4), distribute="yes", verbose=0)
    with pytest.raises(TypeError, match="must be a neurona optimizer"):
        nr.distributed.DistributedOptimizer("adam")
    with pytest.raises(TypeError, match="synchronized must be True or False"):
        L.BatchNormalization(synchronized=1)
    with pytest.raises(ValueError, match="set_floatx: dtype must be one of"):
        nr.backend.set_floatx("float16")


def test_synchronized_batch_norm_saves_its_flag(tmp_path):
    model = nr.Sequential([L.Input((3,)), L.BatchNormalization(synchronized=True), L.Dense(1)])
    model.compile("sgd", "mse")
    model.save(tmp_path / "m.neurona")
    assert nr.load_model(tmp_path / "m.neurona").layers[0].synchronized is True


def test_set_floatx_makes_float64_weights_and_inputs():
    try:
        nr.backend.set_floatx("float64")
        model = nr.Sequential([L.Input((3,)), L.Dense(2)])
        assert model.weights[0].numpy().dtype == np.float64
        assert model.predict(np.ones((1, 3), dtype=np.float32), verbose=0).dtype == np.float64
    finally:
        nr.backend.set_floatx("float32")
    assert nr.backend.floatx() == "float32"
