"""The README's code blocks, taken from README.md and run as a user runs them: each ``python`` block in a new
interpreter, in order, in one folder (so a later block finds the files an earlier one wrote). The README
cannot drift from the library. A block whose first line says it needs a GPU runs only where CuPy finds one."""
import re

import pytest

from .helpers import ROOT, ok, run_python

GPU_MARK = "# needs a GPU"


def python_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def gpu_available():
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - no CuPy, no driver, no device
        return False


def test_the_readme_has_the_blocks_this_test_runs():
    blocks = python_blocks()
    assert len(blocks) >= 4
    assert any("model.save(" in b for b in blocks) and any("nr.load_model(" in b for b in blocks)


def test_every_readme_block_runs_in_a_new_interpreter(tmp_path):
    ran = 0
    for number, block in enumerate(python_blocks(), start=1):
        if block.startswith(GPU_MARK) and not gpu_available():
            continue
        proc = run_python(block, tmp_path, timeout=600)
        assert proc.returncode == 0, f"README block {number} failed:\n{block}\n{proc.stderr[-3000:]}"
        assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr[-3000:]
        ran += 1
    assert ran >= 3
    for written in ("curves.png", "digits.neurona", "e.svg"):
        assert (tmp_path / written).stat().st_size > 1000, written


@pytest.mark.gpu
def test_the_gpu_block_runs_on_a_gpu(tmp_path):
    if not gpu_available():
        pytest.skip("no GPU")
    block = next(b for b in python_blocks() if b.startswith(GPU_MARK))
    ok(run_python(block, tmp_path, timeout=600))
