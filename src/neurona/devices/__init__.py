"""Devices: ``"cpu"`` (NumPy) and ``"cuda"`` / ``"cuda:N"`` (CuPy on GPU N). Everything about CPU and GPU lives in
this package: :mod:`.backend` (the array module of an array, CuPy imported once, lazily), this module (where an
array lives, moving it), :mod:`.cuda` (what the machine has) and :mod:`.cuda_kernels` (the GPU's fused kernels).

A tensor lives where its array lives; ``Tensor.to(device)`` and ``model.to(device)`` move data, and an op whose
inputs sit on different devices raises an error naming both. CuPy is imported only when a CUDA device is asked
for, so neurona installs and runs without it.

>>> device_of(__import__("numpy").zeros(2))
'cpu'
"""
from __future__ import annotations

from . import backend


class DeviceError(RuntimeError):
    """Inputs of one op on different devices, or a device that does not exist here."""


_default = "cpu"


def parse(device) -> tuple[str, int | None]:
    """``"cpu"`` -> ("cpu", None); ``"cuda"`` -> ("cuda", 0); ``"cuda:1"`` -> ("cuda", 1)."""
    text = str(device).strip().lower()
    if text == "cpu":
        return "cpu", None
    kind, _, index = text.partition(":")
    if kind == "cuda" and (index == "" or index.isdigit()):
        return "cuda", int(index or 0)
    raise DeviceError(f"unknown device {device!r}: use 'cpu', 'cuda' or 'cuda:N'")


def canonical(device) -> str:
    kind, index = parse(device)
    return "cpu" if kind == "cpu" else f"cuda:{index}"


def device_of(array) -> str:
    """Where ``array`` lives: ``"cpu"`` or ``"cuda:N"``."""
    cupy = backend._cupy
    if cupy is not None and isinstance(array, cupy.ndarray):
        return f"cuda:{array.device.id}"
    return "cpu"


def to_device(array, device):
    """``array`` on ``device`` (the same array when it is already there)."""
    kind, index = parse(device)
    if kind == "cpu":
        return backend.to_numpy(array)
    cupy = backend.cupy_module()
    if isinstance(array, cupy.ndarray) and array.device.id == index:
        return array
    with cupy.cuda.Device(index):
        return cupy.asarray(array)


def check_same(arrays, op_name):
    """Raise when the arrays of one op live on different devices (called only once CuPy is loaded)."""
    seen = None
    for a in arrays:
        if backend.is_array(a):
            where = device_of(a)
            if seen is None:
                seen = where
            elif where != seen:
                raise DeviceError(f"{op_name}: inputs on different devices, {seen} and {where}. Hint: move them "
                                  "to one device with .to(device) (or model.to(device)) first.")


def set_default_device(device):
    """Where new tensors (``tensor``, ``zeros``, ``randn``, ...) are created; ``"cpu"`` by default.

    >>> import neurona as nr
    >>> nr.set_default_device("cpu")
    >>> nr.get_default_device()
    'cpu'
    """
    global _default
    device = canonical(device)
    if device != "cpu":
        to_device(backend.np.zeros(1), device)  # fails early, with CuPy's message, when there is no such GPU
    _default = device


def get_default_device() -> str:
    """The device new tensors are created on ("cpu" unless :func:`set_default_device` changed it).

    >>> import neurona as nr
    >>> nr.get_default_device()
    'cpu'
    """
    return _default


def on_default_device(array):
    """A freshly created host array moved to the default device (nothing happens on the CPU)."""
    return array if _default == "cpu" else to_device(array, _default)
