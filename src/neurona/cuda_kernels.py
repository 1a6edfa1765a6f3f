"""Moved to :mod:`neurona.devices.cuda_kernels` (one package for CPU and GPU); this old import path is the same module."""
import sys

from .devices import cuda_kernels as _moved

sys.modules[__name__] = _moved
