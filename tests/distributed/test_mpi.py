"""Data-parallel training under ``mpiexec -n 2`` (the ``mpi`` marker): each test launches the ranks itself with
the mpiexec of the ``mpich`` wheel (``pip install 'neurona[mpi]'``) and compares with one process."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.mpi
pytest.importorskip("mpi4py", reason="needs the MPI extra: pip install 'neurona[mpi]'")
SCRIPTS = Path(__file__).parent / "scripts"
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
if MPIEXEC is None:
    pytest.skip("needs mpiexec (the mpich wheel of neurona[mpi], or a system MPI)", allow_module_level=True)


def _env():
    return {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_ranks(n, script, *args, timeout=180, check=True):
    """``script`` on ``n`` ranks (n = 1: a plain process, no mpiexec); returns the CompletedProcess."""
    command = [sys.executable, str(SCRIPTS / script), *map(str, args)]
    if n > 1:
        command = [MPIEXEC, "-n", str(n)] + command
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=_env())
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def weights(path):
    with np.load(path) as f:
        return [f[k] for k in f.files]


def largest_difference(a, b):
    assert len(a) == len(b)
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b))


@pytest.mark.parametrize("case", ["sgd", "adam", "dropout", "syncbn", "manual", "allreduce"])
def test_two_ranks_equal_one_process_in_float64(tmp_path, case):
    """20 steps of a global batch of 15 (shards of 8 and 7 rows): the weights of two ranks and of one process
    agree to 1e-10. ``manual`` and ``allreduce`` are PyTorch's way (DistributedOptimizer, or allreduce_gradients
    before a plain step, in a hand-written loop)."""
    run_ranks(1, "train.py", "--case", case, "--out", tmp_path / "one.npz")
    run_ranks(2, "train.py", "--case", case, "--out", tmp_path / "two.npz")
    one, two = weights(tmp_path / "one.npz"), weights(tmp_path / "two.npz")
    assert one[0].dtype == np.float64
    assert largest_difference(one, two) < 1e-10


@pytest.mark.parametrize("case", ["adam", "syncbn", "manual"])
def test_negative_control_without_allreduce_the_weights_differ(tmp_path, case):
    run_ranks(1, "train.py", "--case", case, "--out", tmp_path / "one.npz")
    run_ranks(2, "train.py", "--case", case, "--out", tmp_path / "two.npz", "--no-allreduce")
    assert largest_difference(weights(tmp_path / "one.npz"), weights(tmp_path / "two.npz")) > 1e-3


def test_checkpoint_saved_at_epoch_1_and_resumed_equals_an_uninterrupted_run(tmp_path):
    common = ["--case", "adam", "--no-shuffle"]
    run_ranks(2, "train.py", *common, "--epochs", 2, "--out", tmp_path / "straight.npz")
    run_ranks(2, "train.py", *common, "--epochs", 1, "--out", tmp_path / "first.npz")
    assert not (tmp_path / "first.neurona.tmp").exists()
    run_ranks(2, "train.py", *common, "--resume", tmp_path / "first.neurona", "--initial-epoch", 1, "--epochs", 2,
              "--out", tmp_path / "resumed.npz")
    straight, resumed = weights(tmp_path / "straight.npz"), weights(tmp_path / "resumed.npz")
    assert largest_difference(straight, resumed) < 1e-12
    assert largest_difference(straight, weights(tmp_path / "first.npz")) > 1e-3   # epoch 2 did train


def test_a_failing_rank_ends_the_job_with_its_error():
    done = run_ranks(2, "fail.py", timeout=60, check=False)
    assert done.returncode != 0
    assert "ValueError: rank 1 fails on purpose" in done.stderr
    assert "rank 0 should not get here" not in done.stdout


def test_logs_are_global_and_only_rank_0_prints(tmp_path):
    """The loss each rank logs is the global batch's: the same on both ranks and equal to one process's."""
    one = run_ranks(1, "train.py", "--case", "adam", "--out", tmp_path / "one.npz").stdout
    two = run_ranks(2, "train.py", "--case", "adam", "--out", tmp_path / "two.npz").stdout
    history_one = [line for line in one.splitlines() if line.startswith("history")]
    history_two = [line for line in two.splitlines() if line.startswith("history")]
    assert len(history_two) == 1                     # rank 1 printed nothing
    loss_one = float(history_one[0].split("'loss': [")[1].split("]")[0])
    loss_two = float(history_two[0].split("'loss': [")[1].split("]")[0])
    assert abs(loss_one - loss_two) < 1e-10


def test_the_cli_trains_on_two_ranks_and_rank_0_reports(tmp_path):
    cli = [str(Path(sys.executable).parent / "neurona"), "train", "--dataset", "digits", "--epochs", "3",
           "--out", str(tmp_path)]
    done = subprocess.run([MPIEXEC, "-n", "2", *cli], capture_output=True, text=True, timeout=300, env=_env())
    assert done.returncode == 0, done.stderr
    assert "data-parallel over 2 MPI ranks" in done.stdout
    assert done.stdout.count("test accuracy:") == 1              # rank 1 trained, but only rank 0 reported
    accuracy = float(done.stdout.split("test accuracy:")[1].split()[0])
    assert accuracy > 0.8
    assert (tmp_path / "digits.neurona").exists() and (tmp_path / "digits_learning_curves.png").exists()


def test_the_example_runs_on_two_ranks(tmp_path):
    from ..conftest import shared_data
    data = shared_data("mnist", "idx")
    example = Path(__file__).parents[2] / "examples" / "distributed_mnist.py"
    done = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(example), "--quick", "--data", str(data),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=600, env=_env())
    assert done.returncode == 0, done.stderr
    assert "rank 0 of 2" in done.stdout and "rank 1 of 2" in done.stdout
    accuracy = float(done.stdout.split("test accuracy")[1].split()[0])
    assert accuracy > 0.85
    assert (tmp_path / "distributed_mnist.neurona").exists()
