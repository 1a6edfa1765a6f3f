"""CUDA through CuPy: ``neurona.cuda.is_available()`` and friends. Importing this module does not import CuPy.

>>> isinstance(is_available(), bool)
True
"""
from __future__ import annotations

from . import backend


_cupy = backend.find_cupy  # CuPy, or None where it is not installed


def is_available() -> bool:
    """True when CuPy is installed and sees at least one CUDA device."""
    cupy = _cupy()
    if cupy is None:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - no driver, no device: not available
        return False


def device_count() -> int:
    return _cupy().cuda.runtime.getDeviceCount() if is_available() else 0


def describe() -> str:
    """One line for ``neurona info``."""
    cupy = _cupy()
    if cupy is None:
        return "not available (CuPy is not installed: pip install 'neurona[cuda]')"
    if not is_available():
        return f"not available (CuPy {cupy.__version__} finds no CUDA device)"
    names = []
    for i in range(device_count()):
        props = cupy.cuda.runtime.getDeviceProperties(i)
        name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
        names.append(f"cuda:{i} {name} ({props['totalGlobalMem'] / 2 ** 30:.0f} GiB)")
    return f"CuPy {cupy.__version__}: " + ", ".join(names)


def synchronize():
    """Wait for the GPU to finish (for timing)."""
    if is_available():
        _cupy().cuda.Stream.null.synchronize()
