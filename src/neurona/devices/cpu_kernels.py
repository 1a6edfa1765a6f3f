"""Fused CPU kernels compiled by numba: one pass over memory where NumPy makes one pass per operation.

NumPy runs Adam's update as ten whole-buffer passes (``m += (g - m) * (1 - beta_1)``, then ``v``, then the
step), each reading and writing every parameter. The kernels here do the same arithmetic, in the same order
and in the same dtype, element by element in one loop (vectorized: ``error_model="numpy"`` drops the
Python-style division checks that would stop LLVM from using SIMD), so they agree with NumPy bit for bit (tested in
``tests/devices/test_cpu_kernels.py``). The NumPy code in :mod:`neurona.optimizers.rules` stays the reference
and the fallback.

numba is optional (``pip install neurona[fast]``, part of ``[all]``) and imported only the first time a kernel
is asked for, so ``import neurona`` stays fast. Each kernel compiles on first use (about a second) and is cached
on disk, so later runs load it in milliseconds. They run in the calling thread: the denormal flushing that
:func:`~neurona.devices.cpu_flags.flush_denormals` sets there applies to them too. ``NEURONA_NO_NUMBA=1``
switches them off.

>>> kernel = cpu_kernel("adam")  # None where numba is missing: use the NumPy path
"""
from __future__ import annotations

import os

import numpy as np

_KERNELS: dict = {}


def _numba():
    if os.environ.get("NEURONA_NO_NUMBA"):
        return None
    try:
        import numba
    except ImportError:
        return None
    return numba


def cpu_kernel(name: str):
    """The compiled kernel ``name`` ("adam", "rmsprop", "sgd_momentum"), or None without numba."""
    if name not in _KERNELS:
        numba = _numba()
        _KERNELS[name] = None if numba is None else _BUILDERS[name](numba.njit(cache=True, nogil=True, error_model="numpy"))
    return _KERNELS[name]


def _adam(jit):
    @jit
    def adam(p, g, m, v, v_hat, alpha, c1, c2, eps, amsgrad):
        """``m += (g - m) c1; v += (g g - v) c2; p -= alpha m / (sqrt(max(v_hat, v)) + eps)``, elementwise."""
        for i in range(p.size):
            gi = g[i]
            mi = m[i] + (gi - m[i]) * c1
            vi = v[i] + (gi * gi - v[i]) * c2
            m[i] = mi
            v[i] = vi
            if amsgrad:
                vi = max(v_hat[i], vi)
                v_hat[i] = vi
            p[i] -= (mi / (np.sqrt(vi) + eps)) * alpha
    return adam


def _rmsprop(jit):
    @jit
    def rmsprop(p, g, v, lr, rho, c, eps):
        """``v = v rho + g g c; p -= lr g / sqrt(v + eps)``, elementwise."""
        for i in range(p.size):
            gi = g[i]
            vi = v[i] * rho + gi * gi * c
            v[i] = vi
            p[i] -= (gi / np.sqrt(vi + eps)) * lr
    return rmsprop


def _sgd_momentum(jit):
    @jit
    def sgd_momentum(p, g, velocity, lr, momentum, nesterov):
        """``step = g lr; v = v momentum - step; p += v`` (Nesterov: ``p += momentum v; p -= step``)."""
        for i in range(p.size):
            step = g[i] * lr
            vi = velocity[i] * momentum - step
            velocity[i] = vi
            if nesterov:
                p[i] += momentum * vi
                p[i] -= step
            else:
                p[i] += vi
    return sgd_momentum


_BUILDERS = {"adam": _adam, "rmsprop": _rmsprop, "sgd_momentum": _sgd_momentum}
