"""A user's training script whose learning rate is far too large, run as a file: it ends normally, having said
in one line on stderr where training diverged and what to try, with no wall of NumPy warnings, and the
History and the diagnosis say it too."""
from .helpers import ok

SCRIPT = '''
import numpy as np
import neurona as nr
from neurona import layers as L

rng = np.random.default_rng(0)
x = rng.normal(size=(200, 4)).astype("float32")
y = x @ np.array([1.0, -2.0, 3.0, 0.5], dtype="float32")
model = nr.Sequential([L.Input((4,)), L.Dense(16, activation="relu"), L.Dense(1)])
model.compile(nr.optimizers.SGD(1e6), "mse")
history = model.fit(x, y, epochs=50, batch_size=20)
print("epochs run:", len(history.history["loss"]))
print("diverged at:", history.divergence["epoch"], history.divergence["batch"])
print("diagnosis:", nr.diagnose(history).verdict)
'''


def test_a_diverging_fit_stops_and_says_so_once(tmp_path):
    import subprocess
    import sys
    (tmp_path / "train.py").write_text(SCRIPT)
    proc = ok(subprocess.run([sys.executable, "train.py"], cwd=tmp_path, capture_output=True, text=True,
                             timeout=120))
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Training diverged at epoch 1, batch"), proc.stderr
    assert "RuntimeWarning" not in proc.stderr
    assert "epochs run: 1" in proc.stdout and "diverged at: 1" in proc.stdout
    assert "diagnosis: diverged" in proc.stdout
