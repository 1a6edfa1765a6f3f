"""neurona: a deep-learning library a student can read end to end, built on NumPy.

Low level, PyTorch style::

    >>> import neurona as nr
    >>> x = nr.tensor(3.0, requires_grad=True)
    >>> (x ** 2).backward(); x.grad.item()
    6.0
"""
from __future__ import annotations

__version__ = "0.1.0"

from . import autograd, backend, ops

backend.tune_allocator()
from .autograd import Tensor, enable_grad, is_grad_enabled, no_grad, tensor, ShapeError
from .autograd.transforms import grad, hessian, hvp, jacfwd, jacrev, jvp, value_and_grad, vjp
from . import tensor_methods as _tensor_methods  # noqa: F401  (binds operators and methods on Tensor)
from .ops import (abs, add, astype, broadcast_to, clip, clone, concatenate, cos, div, exp, expand_dims, flatten,
                  getitem, leaky_relu, log, log_softmax, matmul, max, maximum, minimum, mul, neg, pad, pow, relu,
                  reshape, sigmoid, sin, softmax, sqrt, squeeze, stack, sub, sum, swapaxes, tanh, transpose,
                  where)
from .ops.comparison import argmax, argmin, eq, ge, gt, isfinite, isnan, le, lt, ne
from .functional import logsumexp, mean, min, std, var
from .creation import arange, eye, full, full_like, linspace, ones, ones_like, zeros, zeros_like
from .random import Generator, manual_seed, rand, randint, randn
from . import activations, functional, viz  # noqa: E402
from . import callbacks, initializers, layers, losses, metrics, optimizers, regularizers  # noqa: E402
from .models import Model, Sequential  # noqa: E402
from . import datasets, io, utils  # noqa: E402
from .io import load_model  # noqa: E402
from .diagnosis import diagnose  # noqa: E402

float32, float64, int32, int64, bool_ = "float32", "float64", "int32", "int64", "bool"
