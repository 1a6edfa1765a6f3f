"""The array module behind every tensor: NumPy on the CPU, CuPy on a GPU.

Code in neurona never imports NumPy for array maths directly; it asks the backend for the module that owns an
array (``xp``), so the same code runs on both::

    >>> import numpy as np
    >>> from neurona import backend
    >>> backend.xp_of(np.zeros(3)) is np
    True

CuPy is imported lazily, the first time a CUDA array or device is asked for.
"""
from __future__ import annotations

import os
import sys

import numpy as np

#: The dtype of tensors made from Python floats, of layer weights and of model inputs (see :func:`set_floatx`).
DEFAULT_FLOAT = np.dtype(np.float32)


def floatx() -> str:
    """The default float dtype's name, Keras' ``floatx()``: ``"float32"`` unless :func:`set_floatx` changed it."""
    return DEFAULT_FLOAT.name


def set_floatx(dtype) -> None:
    """Make ``dtype`` ("float32" or "float64") the dtype of new weights, float tensors and model inputs, as
    Keras' ``set_floatx`` does. float64 is for checking numerics (gradients, equivalence tests); it is slower.

    >>> set_floatx("float64"); floatx()
    'float64'
    >>> set_floatx("float32")
    """
    global DEFAULT_FLOAT
    allowed = ("float32", "float64")
    if str(dtype) not in allowed and getattr(dtype, "__name__", None) not in allowed:
        raise ValueError(f"set_floatx: dtype must be one of {allowed}, got {dtype!r}")
    DEFAULT_FLOAT = np.dtype(str(dtype) if str(dtype) in allowed else dtype.__name__)

#: Where weights start in memory (bytes): a cache line, so that AVX-512 loads of a row never straddle two lines.
ALIGNMENT = 64


def aligned_empty(shape, dtype, xp=np):
    """An uninitialized array whose first element sits on an ``ALIGNMENT``-byte boundary (NumPy aligns to 16).
    A one-sample ``predict`` reads each weight once, by BLAS's matrix-vector product, which took 9 us against 13
    on the MLP's (784, 256) kernel aligned to 64 bytes rather than 16 (measured). CuPy's memory is aligned already.

    >>> aligned_empty((3, 5), np.float32).ctypes.data % ALIGNMENT
    0
    """
    dtype = np.dtype(dtype)
    if xp is not np:
        return xp.empty(shape, dtype=dtype)
    count = int(np.prod(shape, dtype=np.int64))
    raw = np.empty(count * dtype.itemsize + ALIGNMENT, dtype=np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start:start + count * dtype.itemsize].view(dtype).reshape(shape)


def aligned_copy(array):
    """``array``'s values in a new array that starts on an ``ALIGNMENT``-byte boundary (see :func:`aligned_empty`)."""
    out = aligned_empty(array.shape, array.dtype, xp_of(array))
    out[...] = array
    return out


_cupy = None  # the cupy module, once something has asked for it


def find_cupy():
    """CuPy if it is installed, else None; the one place neurona imports it. Looking does not switch on the
    device checks of every op (see :func:`cupy_module`)."""
    if _cupy is not None:
        return _cupy
    try:
        import cupy
    except ImportError:
        return None
    return cupy


def cupy_module():
    """CuPy, once arrays or devices of CUDA are asked for (from then on every op checks the devices of its
    inputs); raises an error that says how to get it where it is missing."""
    global _cupy
    if _cupy is None:
        _cupy = find_cupy()
        if _cupy is None:  # pragma: no cover - depends on the machine
            raise RuntimeError("CUDA support needs CuPy: pip install 'neurona[cuda]' (or a cupy-cudaXXx wheel "
                               "matching your CUDA version)")
    return _cupy


def xp_of(array):
    """The array module (numpy or cupy) that owns ``array``; numpy for scalars and lists."""
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return _cupy
    return np


def has_cuda_kernels(xp) -> bool:
    """True for the real CuPy module (which can compile kernels), false for NumPy and test stand-ins."""
    return getattr(xp, "__name__", "") == "cupy" and hasattr(xp, "ElementwiseKernel")


def is_array(obj) -> bool:
    """True for a NumPy or CuPy ndarray."""
    return isinstance(obj, np.ndarray) or (_cupy is not None and isinstance(obj, _cupy.ndarray))


def to_numpy(array) -> np.ndarray:
    """A host NumPy array with the values of ``array`` (no copy when it already is one)."""
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return _cupy.asnumpy(array)
    if isinstance(array, np.ndarray):
        return array
    return np.asarray(array)


_allocator_tuned = False


def tune_allocator() -> bool:
    """Let glibc keep freed large blocks for reuse instead of unmapping them.

    A training step allocates and frees the same large arrays over and over; by default glibc serves each from a
    fresh ``mmap`` and returns it on free, so every step pays page faults on memory it just released (measured:
    the MNIST convnet's step drops from 39 ms to 23 ms on 2 cores). Raising the mmap and trim thresholds keeps
    those blocks in the heap. Applied once at import on Linux with glibc; ``NEURONA_MALLOC_TUNING=0`` turns it
    off. Returns whether it was applied.
    """
    global _allocator_tuned
    if _allocator_tuned or os.environ.get("NEURONA_MALLOC_TUNING", "1") == "0" or not sys.platform.startswith("linux"):
        return _allocator_tuned
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        _allocator_tuned = bool(libc.mallopt(M_MMAP_THRESHOLD, 1 << 30)) and bool(libc.mallopt(M_TRIM_THRESHOLD,
                                                                                                 1 << 30))
    except (OSError, AttributeError):  # not glibc
        _allocator_tuned = False
    return _allocator_tuned
