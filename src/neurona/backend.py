"""Moved to :mod:`neurona.devices.backend` (one package for CPU and GPU); this old import path is the same module."""
import sys

from .devices import backend as _moved

sys.modules[__name__] = _moved
