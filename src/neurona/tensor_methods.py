"""Operators and methods of :class:`~neurona.Tensor`, bound to the op functions.

Kept apart from the class so the class file holds only what a tensor *is*; every method here is a one-line
delegation to a function of :mod:`neurona.ops` or :mod:`neurona.functional`.

In-place operators (``+=``, ``*=``, ...) change the array in place when the tensor is not tracked for gradients
(parameters inside ``no_grad()``, plain data). On a tensor that is part of a graph they rebind instead
(``x += y`` means ``x = x + y``), since changing a value backward still needs would give a wrong gradient.
"""
from __future__ import annotations

from . import functional as fn
from . import ops
from .autograd.engine import apply
from .autograd.grad_mode import state
from .autograd.primitive import REGISTRY
from .autograd.tensor import Tensor
from .checks import torch_names
from .ops import comparison as cmp
from .ops._common import NO_PARAMS, operand, value

_ADD, _SUB, _MUL, _DIV, _MATMUL = (REGISTRY[n] for n in ("add", "sub", "mul", "div", "matmul"))
_SCALARS = (int, float, bool)


def _other(x):
    """Fast path for the right operand of an operator."""
    return x if x.__class__ is Tensor or type(x) in _SCALARS else operand(x)


def _binary_operators(prim):
    def forward_op(self, other):
        return apply(prim, (self, _other(other)), NO_PARAMS)

    def reflected_op(self, other):
        return apply(prim, (_other(other), self), NO_PARAMS)
    return forward_op, reflected_op


Tensor.__add__, Tensor.__radd__ = _binary_operators(_ADD)
Tensor.__sub__, Tensor.__rsub__ = _binary_operators(_SUB)
Tensor.__mul__, Tensor.__rmul__ = _binary_operators(_MUL)
Tensor.__truediv__, Tensor.__rtruediv__ = _binary_operators(_DIV)
Tensor.__matmul__ = lambda self, other: ops.matmul(self, other)
Tensor.__rmatmul__ = lambda self, other: ops.matmul(other, self)
Tensor.__pow__ = lambda self, other: ops.pow(self, other)
Tensor.__rpow__ = lambda self, other: ops.pow(_other(other), self)
Tensor.__neg__ = lambda self: ops.neg(self)
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = lambda self: ops.abs(self)

Tensor.__eq__ = lambda self, other: cmp.eq(self, other)
Tensor.__ne__ = lambda self, other: cmp.ne(self, other)
Tensor.__lt__ = lambda self, other: cmp.lt(self, other)
Tensor.__le__ = lambda self, other: cmp.le(self, other)
Tensor.__gt__ = lambda self, other: cmp.gt(self, other)
Tensor.__ge__ = lambda self, other: cmp.ge(self, other)

Tensor.__getitem__ = lambda self, index: ops.getitem(self, index)


def _setitem(self, index, new_value):
    self._check_inplace("x[index] = value")
    from .ops.indexing import normalize_index
    self.data[normalize_index(index)] = value(new_value)
    self.mark_modified()


Tensor.__setitem__ = _setitem


def _inplace(name, array_op, fallback):
    def method(self, other):
        if state.grad_enabled and (self.requires_grad or getattr(other, "requires_grad", False)):
            return fallback(self, other)  # part of a graph: rebind rather than corrupt a saved value
        array_op(self.data, value(other))
        self.mark_modified()
        return self
    method.__name__ = name
    return method


def _iadd(a, b):
    a += b


def _isub(a, b):
    a -= b


def _imul(a, b):
    a *= b


def _idiv(a, b):
    a /= b


Tensor.__iadd__ = _inplace("__iadd__", _iadd, Tensor.__add__)
Tensor.__isub__ = _inplace("__isub__", _isub, Tensor.__sub__)
Tensor.__imul__ = _inplace("__imul__", _imul, Tensor.__mul__)
Tensor.__itruediv__ = _inplace("__itruediv__", _idiv, Tensor.__truediv__)


def _strict_inplace(name, array_op):
    """``add_``, ``mul_``, ...: always in place; refused on a tensor that is part of a graph."""
    def method(self, other):
        self._check_inplace(f"{name}()")
        array_op(self.data, value(other))
        self.mark_modified()
        return self
    method.__name__ = name
    return method


Tensor.add_ = _strict_inplace("add_", _iadd)
Tensor.sub_ = _strict_inplace("sub_", _isub)
Tensor.mul_ = _strict_inplace("mul_", _imul)
Tensor.div_ = _strict_inplace("div_", _idiv)


def _copy_(self, other):
    self._check_inplace("copy_()")
    self.data[...] = value(other)
    self.mark_modified()
    return self


def _fill_(self, number):
    self._check_inplace("fill_()")
    self.data.fill(number)
    self.mark_modified()
    return self


Tensor.copy_ = _copy_
Tensor.fill_ = _fill_
Tensor.zero_ = lambda self: _fill_(self, 0)

# ---- methods ---------------------------------------------------------------------------------------------
Tensor.sum = torch_names(lambda self, axis=None, keepdims=False: ops.sum(self, axis=axis, keepdims=keepdims))
Tensor.mean = torch_names(lambda self, axis=None, keepdims=False: fn.mean(self, axis=axis, keepdims=keepdims))
Tensor.max = torch_names(lambda self, axis=None, keepdims=False: ops.max(self, axis=axis, keepdims=keepdims))
Tensor.min = torch_names(lambda self, axis=None, keepdims=False: fn.min(self, axis=axis, keepdims=keepdims))
Tensor.var = torch_names(lambda self, axis=None, keepdims=False, ddof=0: fn.var(self, axis, keepdims, ddof))
Tensor.std = torch_names(lambda self, axis=None, keepdims=False, ddof=0: fn.std(self, axis, keepdims, ddof))
Tensor.logsumexp = torch_names(lambda self, axis=None, keepdims=False: fn.logsumexp(self, axis=axis,
                                                                                   keepdims=keepdims))
Tensor.argmax = torch_names(lambda self, axis=None, keepdims=False: cmp.argmax(self, axis, keepdims))
Tensor.argmin = torch_names(lambda self, axis=None, keepdims=False: cmp.argmin(self, axis, keepdims))
Tensor.reshape = lambda self, *shape: ops.reshape(self, *shape)
Tensor.view = Tensor.reshape
Tensor.flatten = lambda self, start_axis=0: fn.flatten(self, start_axis)
Tensor.transpose = lambda self, *axes: ops.transpose(
    self, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None)
Tensor.T = property(lambda self: ops.transpose(self))
Tensor.swapaxes = lambda self, a, b: fn.swapaxes(self, a, b)
Tensor.expand_dims = torch_names(lambda self, axis: fn.expand_dims(self, axis))
Tensor.unsqueeze = Tensor.expand_dims
Tensor.squeeze = torch_names(lambda self, axis=None: fn.squeeze(self, axis))
Tensor.broadcast_to = lambda self, shape: ops.broadcast_to(self, shape)
Tensor.exp = lambda self: ops.exp(self)
Tensor.log = lambda self: ops.log(self)
Tensor.sqrt = lambda self: ops.sqrt(self)
Tensor.abs = lambda self: ops.abs(self)
Tensor.sin = lambda self: ops.sin(self)
Tensor.cos = lambda self: ops.cos(self)
Tensor.tanh = lambda self: ops.tanh(self)
Tensor.sigmoid = lambda self: ops.sigmoid(self)
Tensor.relu = lambda self: ops.relu(self)
Tensor.leaky_relu = lambda self, negative_slope=0.01: ops.leaky_relu(self, negative_slope)
Tensor.clip = lambda self, low=None, high=None: ops.clip(self, low, high)
Tensor.clamp = Tensor.clip
Tensor.softmax = torch_names(lambda self, axis=-1: ops.softmax(self, axis))
Tensor.log_softmax = torch_names(lambda self, axis=-1: ops.log_softmax(self, axis))
Tensor.pow = lambda self, exponent: ops.pow(self, exponent)
Tensor.matmul = lambda self, other: ops.matmul(self, other)
Tensor.astype = lambda self, dtype: ops.astype(self, dtype)
Tensor.clone = lambda self: ops.clone(self)
Tensor.any = lambda self, axis=None: Tensor(value(self).any(axis=axis))
Tensor.all = lambda self, axis=None: Tensor(value(self).all(axis=axis))
