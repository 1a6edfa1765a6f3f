"""A stand-in for CuPy, to test the device code paths on a machine without a GPU.

Its arrays are a NumPy subclass that, like CuPy arrays, refuse to be combined with host arrays in any ufunc or
array function: code that forgets to move something to the device fails here as it would on a GPU. Everything
else is NumPy, so results must equal the CPU's bit for bit. It checks plumbing, not CUDA kernels (the tests
marked ``gpu`` do that on a real GPU).
"""
from __future__ import annotations

import contextlib
import types

import numpy as np


class DeviceArray(np.ndarray):
    device = types.SimpleNamespace(id=0)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        outs = kwargs.get("out") or ()
        _refuse_host(ufunc.__name__, inputs + tuple(outs))
        inputs = tuple(_host_view(x) for x in inputs)
        if outs:
            kwargs["out"] = tuple(_host_view(o) for o in outs)
        result = getattr(ufunc, method)(*inputs, **kwargs)
        if outs:
            return outs[0] if len(outs) == 1 else outs
        return _wrap(result)

    def __array_function__(self, func, types_, args, kwargs):
        _refuse_host(func.__name__, _flatten(args) + _flatten(tuple(kwargs.values())))
        result = func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
        return _wrap(result)

    def get(self):
        return np.array(self.view(np.ndarray))


def _flatten(items):
    out = []
    for x in items:
        if isinstance(x, (list, tuple)):
            out.extend(_flatten(x))
        else:
            out.append(x)
    return tuple(out)


def _refuse_host(name, items):
    for x in items:
        if type(x) is np.ndarray:
            raise TypeError(f"{name}: a host (NumPy) array mixed with a device array")


def _host_view(x):
    return x.view(np.ndarray) if isinstance(x, DeviceArray) else x


def _unwrap(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    return _host_view(x)


def _wrap(x):
    if isinstance(x, tuple):
        return tuple(_wrap(v) for v in x)
    if isinstance(x, np.ndarray) and not isinstance(x, DeviceArray):
        return x.view(DeviceArray)
    if isinstance(x, np.generic):  # CuPy reductions give 0-d device arrays, not host scalars
        return np.asarray(x).view(DeviceArray)
    return x


class _Wrapped:
    """A NumPy namespace whose functions give device arrays."""

    def __init__(self, namespace):
        self._ns = namespace

    def __getattr__(self, name):
        attr = getattr(self._ns, name)
        if isinstance(attr, types.ModuleType):
            return _Wrapped(attr)
        if callable(attr) and not isinstance(attr, type):
            def call(*args, **kwargs):
                return _wrap(attr(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))
            return call
        return attr


class _Generator:
    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)

    def __getattr__(self, name):
        method = getattr(self._rng, name)
        return lambda *a, **k: _wrap(method(*a, **k))


class FakeCupy(_Wrapped):
    __name__ = "cupy"
    __version__ = "fake"
    ndarray = DeviceArray

    def __init__(self):
        super().__init__(np)
        self.random = types.SimpleNamespace(default_rng=_Generator)
        self.cuda = types.SimpleNamespace(Device=lambda i: contextlib.nullcontext(),
                                          runtime=types.SimpleNamespace(getDeviceCount=lambda: 1))

    def asarray(self, a, dtype=None):
        host = a.get() if isinstance(a, DeviceArray) else np.asarray(a)
        return np.array(host, dtype=dtype).view(DeviceArray)

    def asnumpy(self, a):
        return np.array(_host_view(a))

    def get_array_module(self, *arrays):
        return self
