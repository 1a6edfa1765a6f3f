"""A process killed with SIGKILL in the middle of saving, as by a crash or the OOM killer: the file on disk is
always the old model or the new one, and it loads; the next save removes the temporary file left behind."""
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

import neurona as nr
from ..models.helpers import classification_data, small_classifier

SAVER = textwrap.dedent("""
    import sys, numpy as np, neurona as nr
    sys.path.insert(0, {tests!r})
    from models.helpers import small_classifier
    models = [small_classifier(seed=1), small_classifier(seed=2)]
    print("ready", flush=True)
    i = 0
    while True:
        models[i % 2].save({path!r})
        i += 1
""")


def test_killing_the_process_during_saves_never_loses_the_model(tmp_path):
    """Kill -9 a process that saves two models in turn at random moments: the file always loads as one of
    the three models (the original or one of the two being saved), never as something broken."""
    path = tmp_path / "m.neurona"
    x, _ = classification_data()
    candidates = [small_classifier(seed=s) for s in (0, 1, 2)]
    candidates[0].save(path)
    expected = [m.predict(x) for m in candidates]
    rng = np.random.default_rng(0)
    tests_dir = str(Path(__file__).resolve().parents[1])
    for trial in range(8):
        proc = subprocess.Popen([sys.executable, "-c", SAVER.format(tests=tests_dir, path=str(path))],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(float(rng.uniform(0.0, 0.3)))
        proc.kill()
        proc.wait()
        proc.stdout.close()
        got = nr.load_model(path).predict(x)
        assert any(np.array_equal(got, e) for e in expected), f"trial {trial}: the file holds a broken model"
    small_classifier(seed=3).save(path)
    assert [p.name for p in path.parent.iterdir() if p.suffix == ".tmp"] == []
