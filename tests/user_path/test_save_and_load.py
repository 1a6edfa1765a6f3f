"""Save in one process, load in another: every kind of model comes back with bit-identical predictions, and
``fit`` resumes from the loaded optimizer state exactly as the original would have continued.

The saving process trains, saves, records its predictions, then trains one more epoch from a fixed seed and
records the weights. The loading process, a new interpreter that has imported nothing of neurona but the
package, must predict the same numbers and reach the same weights after the same epoch.
"""
import numpy as np
import pytest

from .helpers import ok, run_python
from .zoo import KINDS

SAVE = """
    import sys, numpy as np, neurona as nr
    from user_path.zoo import build
    kind = sys.argv[1]
    model, (x, y) = build(kind)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    model.save("model.neurona")
    np.save("predictions.npy", model.predict(x))
    nr.utils.set_random_seed(7)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    np.savez("continued.npz", *model.get_weights())
"""

LOAD = """
    import sys, numpy as np, neurona as nr
    kind = sys.argv[1]
    if kind == "subclassed":   # a user's own class: the user imports it, and names it
        from user_path.zoo import TwoLayer
        model = nr.load_model("model.neurona", custom_objects={"TwoLayer": TwoLayer})
    else:                      # nothing of neurona imported before loading but the package
        model = nr.load_model("model.neurona")
    from user_path.zoo import build   # the data
    _, (x, y) = build(kind)
    np.save("loaded_predictions.npy", model.predict(x))
    nr.utils.set_random_seed(7)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    np.savez("loaded_continued.npz", *model.get_weights())
"""


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_interpreter_loads_the_model_and_resumes_training(kind, tmp_path):
    ok(run_python(SAVE, tmp_path, kind))
    ok(run_python(LOAD, tmp_path, kind))
    np.testing.assert_array_equal(np.load(tmp_path / "loaded_predictions.npy"), np.load(tmp_path / "predictions.npy"))
    with np.load(tmp_path / "continued.npz") as a, np.load(tmp_path / "loaded_continued.npz") as b:
        assert len(a.files) == len(b.files) > 0
        for name in a.files:
            np.testing.assert_array_equal(b[name], a[name], err_msg=f"{kind}: weight {name} after resuming")


def test_the_model_neurona_demo_writes_loads_in_a_new_interpreter(tmp_path):
    from .helpers import run_command
    proc = ok(run_command(["demo", "--epochs", "2", "--out", tmp_path], tmp_path))
    assert "model:" in proc.stdout
    load = ok(run_python("""
        import neurona as nr
        from sklearn.datasets import load_digits
        model = nr.load_model("digits.neurona")
        print(model.predict(load_digits().data[:5] / 16.0).argmax(axis=1).tolist(), model.optimizer.iterations)
    """, tmp_path))
    predicted, iterations = load.stdout.strip().rsplit(" ", 1)
    assert int(iterations) > 0 and len(eval(predicted)) == 5
