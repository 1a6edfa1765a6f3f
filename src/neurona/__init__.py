"""neurona: a deep-learning library a student can read end to end, built on NumPy.

Low level, PyTorch style::

    >>> import neurona as nr
    >>> x = nr.tensor(3.0, requires_grad=True)
    >>> (x ** 2).backward(); x.grad.item()
    6.0

The core (tensors, ops, autograd) is imported at once; the rest (layers, models, datasets, pictures, ...) the
first time it is used, so ``import neurona`` stays fast and pulls in nothing but NumPy.
"""
from __future__ import annotations

import importlib as _importlib

__version__ = "0.1.0"

from . import autograd, ops
from .devices import backend

backend.tune_allocator()

from .autograd import Tensor, enable_grad, is_grad_enabled, no_grad, tensor, ShapeError  # noqa: E402
from .autograd.transforms import grad, hessian, hvp, jacfwd, jacrev, jvp, value_and_grad, vjp  # noqa: E402
from .autograd.tensor_methods import bind_operations as _bind_operations  # noqa: E402
from .ops import (abs, add, astype, broadcast_to, clip, clone, concatenate, cos, div, exp, getitem,  # noqa: E402
                  leaky_relu, log, log_softmax, matmul, max, maximum, minimum, mul, neg, pad, pow, relu, reshape,
                  sigmoid, sin, softmax, sqrt, sub, sum, tanh, transpose, where)
cat = concatenate  # PyTorch's name  # noqa: E305
from .ops.comparison import argmax, argmin, eq, ge, gt, isfinite, isnan, le, lt, ne  # noqa: E402
from .functional import expand_dims, flatten, logsumexp, mean, min, squeeze, stack, std, swapaxes, var  # noqa: E402,E501
from .creation import arange, eye, full, full_like, linspace, ones, ones_like, zeros, zeros_like  # noqa: E402
from . import functional  # noqa: E402

_bind_operations()  # the Tensor's operators call the ops, which exist from here on

float32, float64, int32, int64, bool_ = "float32", "float64", "int32", "int64", "bool"

#: Imported on first use: submodules, and names that live in them.
_LAZY_MODULES = {"activations", "callbacks", "cuda", "datasets", "devices", "diagnosis", "distributed", "expression",
                 "initializers", "io", "onnx", "sklearn",
                 "layers", "losses", "metrics", "models", "optimizers", "random", "recipes", "regularizers", "utils",
                 "viz"}
_LAZY_NAMES = {"Sequential": "models", "Model": "models", "load_model": "io", "diagnose": "diagnosis",
               "Generator": "random", "manual_seed": "random", "rand": "random", "randn": "random",
               "randint": "random", "set_default_device": "devices", "get_default_device": "devices",
               "to_device": "ops"}
#: Other spellings students bring, (module, name) of what they mean (the name None: the module itself):
#: ``keras.Input((64,))`` and ``torch.optim.SGD(model.parameters(), lr=0.1)``. Neither is cached nor listed by
#: ``dir``, so the reference documents each object once, under its own name.
_ALIASES = {"Input": ("layers", "Input"), "optim": ("optimizers", None)}


def __getattr__(name):
    if name in _LAZY_MODULES:
        module = _importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in _ALIASES:
        module, attribute = _ALIASES[name]
        module = _importlib.import_module(f"{__name__}.{module}")
        return module if attribute is None else getattr(module, attribute)
    if name in _LAZY_NAMES:
        value = getattr(_importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'neurona' has no attribute {name!r}")


def __dir__():
    public = {name for name in globals() if not name.startswith("_") and name != "annotations"}
    return sorted(public | _LAZY_MODULES | set(_LAZY_NAMES))
