"""Moved to :mod:`neurona.devices.cuda` (one package for CPU and GPU); this old import path is the same module."""
import sys

from .devices import cuda as _moved

sys.modules[__name__] = _moved
