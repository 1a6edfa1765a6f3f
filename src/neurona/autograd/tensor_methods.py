"""The operators and methods of :class:`~neurona.Tensor`, each a documented delegation to one function of
:mod:`neurona.ops` (a primitive) or :mod:`neurona.functional` (a composition).

``Tensor`` inherits them from :class:`TensorMethods`, so "go to definition" on ``x + y`` lands here. The op
modules import the engine, which imports the tensor, so the names the methods call are bound once the ops exist
(:func:`bind_operations`, called by ``import neurona``).

In-place operators (``+=``, ``*=``, ...) change the array in place when the tensor is not tracked for gradients
(parameters inside ``no_grad()``, plain data). On a tensor that is part of a graph they rebind instead
(``x += y`` means ``x = x + y``), since changing a value backward still needs would give a wrong gradient.

>>> import neurona as nr
>>> x = nr.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> (x * 2 + 1).sum(axis=1).tolist()
[8.0, 16.0]
"""
from __future__ import annotations

from ..checks import torch_names
from .grad_mode import state

# bound by bind_operations(): the op modules, the engine's apply and the arithmetic primitives
ops = fn = cmp = apply = operand = value = NO_PARAMS = None
_ADD = _SUB = _MUL = _DIV = None
_SCALARS = (int, float, bool)


def bind_operations():
    """Bind the names the methods call (the op modules exist only after the tensor does)."""
    global ops, fn, cmp, apply, operand, value, NO_PARAMS, _ADD, _SUB, _MUL, _DIV
    from .. import functional as fn
    from .. import ops
    from ..ops import comparison as cmp
    from ..ops._common import NO_PARAMS, operand, value
    from .engine import apply
    from .primitive import REGISTRY
    _ADD, _SUB, _MUL, _DIV = (REGISTRY[n] for n in ("add", "sub", "mul", "div"))


def _other(x, tensor_class):
    """Fast path for the right operand of an operator."""
    return x if x.__class__ is tensor_class or type(x) in _SCALARS else operand(x)


class TensorMethods:
    """Arithmetic, comparisons, indexing, reductions and shape methods of a Tensor."""
    __slots__ = ()

    # ---- arithmetic (the primitives applied directly: the hottest path of the library) -------------------
    def __add__(self, other):
        """``self + other``, broadcasting as NumPy does."""
        return apply(_ADD, (self, _other(other, self.__class__)), NO_PARAMS)

    def __radd__(self, other):
        return apply(_ADD, (_other(other, self.__class__), self), NO_PARAMS)

    def __sub__(self, other):
        """``self - other``."""
        return apply(_SUB, (self, _other(other, self.__class__)), NO_PARAMS)

    def __rsub__(self, other):
        return apply(_SUB, (_other(other, self.__class__), self), NO_PARAMS)

    def __mul__(self, other):
        """``self * other``, elementwise."""
        return apply(_MUL, (self, _other(other, self.__class__)), NO_PARAMS)

    def __rmul__(self, other):
        return apply(_MUL, (_other(other, self.__class__), self), NO_PARAMS)

    def __truediv__(self, other):
        """``self / other``."""
        return apply(_DIV, (self, _other(other, self.__class__)), NO_PARAMS)

    def __rtruediv__(self, other):
        return apply(_DIV, (_other(other, self.__class__), self), NO_PARAMS)

    def __matmul__(self, other):
        """``self @ other``: the matrix product (:func:`neurona.matmul`)."""
        return ops.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    def __pow__(self, other):
        """``self ** other``."""
        return ops.pow(self, other)

    def __rpow__(self, other):
        return ops.pow(_other(other, self.__class__), self)

    def __neg__(self):
        return ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.abs(self)

    # ---- comparisons: bool tensors, no gradient -------------------------------------------------------------
    def __eq__(self, other):
        return cmp.eq(self, other)

    def __ne__(self, other):
        return cmp.ne(self, other)

    def __lt__(self, other):
        return cmp.lt(self, other)

    def __le__(self, other):
        return cmp.le(self, other)

    def __gt__(self, other):
        return cmp.gt(self, other)

    def __ge__(self, other):
        return cmp.ge(self, other)

    # ---- indexing -----------------------------------------------------------------------------------------------
    def __getitem__(self, index):
        """``x[index]`` with NumPy's indexing; differentiable (the gradient is scattered back)."""
        return ops.getitem(self, index)

    def __setitem__(self, index, new_value):
        """``x[index] = value``, in place: refused on a tensor that is part of a graph."""
        self._check_inplace("x[index] = value")
        from ..ops.indexing import normalize_index
        self.data[normalize_index(index)] = value(new_value)
        self.mark_modified()

    # ---- in place ---------------------------------------------------------------------------------------------
    def __iadd__(self, other):
        return self._inplace(other, _iadd, self.__class__.__add__)

    def __isub__(self, other):
        return self._inplace(other, _isub, self.__class__.__sub__)

    def __imul__(self, other):
        return self._inplace(other, _imul, self.__class__.__mul__)

    def __itruediv__(self, other):
        return self._inplace(other, _idiv, self.__class__.__truediv__)

    def _inplace(self, other, array_op, out_of_place):
        if state.grad_enabled and (self.requires_grad or getattr(other, "requires_grad", False)):
            return out_of_place(self, other)  # part of a graph: rebind rather than corrupt a saved value
        array_op(self.data, value(other))
        self.mark_modified()
        return self

    def _strictly_in_place(self, what, array_op, other):
        self._check_inplace(f"{what}()")
        array_op(self.data, value(other))
        self.mark_modified()
        return self

    def add_(self, other):
        """Add in place (PyTorch's ``add_``); refused on a tensor that is part of a graph."""
        return self._strictly_in_place("add_", _iadd, other)

    def sub_(self, other):
        """Subtract in place."""
        return self._strictly_in_place("sub_", _isub, other)

    def mul_(self, other):
        """Multiply in place."""
        return self._strictly_in_place("mul_", _imul, other)

    def div_(self, other):
        """Divide in place."""
        return self._strictly_in_place("div_", _idiv, other)

    def copy_(self, other):
        """Copy ``other``'s values into this tensor, in place."""
        return self._strictly_in_place("copy_", _assign, other)

    def fill_(self, number):
        """Set every element to ``number``, in place."""
        return self._strictly_in_place("fill_", _assign, number)

    def zero_(self):
        """Set every element to 0, in place."""
        return self.fill_(0)

    # ---- reductions (PyTorch's ``dim=``/``keepdim=`` accepted for ``axis=``/``keepdims=``) -------------------
    @torch_names
    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (all axes by default)."""
        return ops.sum(self, axis=axis, keepdims=keepdims)

    @torch_names
    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis``."""
        return fn.mean(self, axis=axis, keepdims=keepdims)

    @torch_names
    def max(self, axis=None, keepdims=False):
        """Maximum over ``axis``; ties share the gradient."""
        return ops.max(self, axis=axis, keepdims=keepdims)

    @torch_names
    def min(self, axis=None, keepdims=False):
        """Minimum over ``axis``."""
        return fn.min(self, axis=axis, keepdims=keepdims)

    @torch_names
    def var(self, axis=None, keepdims=False, ddof=0):
        """Variance over ``axis`` (``ddof=0``: NumPy's and Keras' biased estimate)."""
        return fn.var(self, axis, keepdims, ddof)

    @torch_names
    def std(self, axis=None, keepdims=False, ddof=0):
        """Standard deviation over ``axis``."""
        return fn.std(self, axis, keepdims, ddof)

    @torch_names
    def logsumexp(self, axis=None, keepdims=False):
        """``log(sum(exp(x)))`` over ``axis``, computed stably."""
        return fn.logsumexp(self, axis=axis, keepdims=keepdims)

    @torch_names
    def argmax(self, axis=None, keepdims=False):
        """Index of the maximum (an int64 tensor)."""
        return cmp.argmax(self, axis, keepdims)

    @torch_names
    def argmin(self, axis=None, keepdims=False):
        """Index of the minimum."""
        return cmp.argmin(self, axis, keepdims)

    def any(self, axis=None):
        """Whether any element is true (no gradient)."""
        return self.__class__(value(self).any(axis=axis))

    def all(self, axis=None):
        """Whether every element is true (no gradient)."""
        return self.__class__(value(self).all(axis=axis))

    # ---- shape ------------------------------------------------------------------------------------------------
    def reshape(self, *shape):
        """The same values in a new shape (one axis may be -1): ``x.reshape(2, -1)``."""
        return ops.reshape(self, *shape)

    view = reshape  # PyTorch's name

    def flatten(self, start_axis=0):
        """Merge the axes from ``start_axis`` on into one."""
        return fn.flatten(self, start_axis)

    def transpose(self, *axes):
        """Permute the axes (reverse them by default): ``x.transpose(1, 0)`` or ``x.transpose((1, 0))``."""
        return ops.transpose(self, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None)

    @property
    def T(self):
        """The axes reversed (the transpose of a matrix)."""
        return ops.transpose(self)

    def swapaxes(self, a, b):
        """Exchange axes ``a`` and ``b``."""
        return fn.swapaxes(self, a, b)

    @torch_names
    def expand_dims(self, axis):
        """Insert an axis of length 1 at ``axis``."""
        return fn.expand_dims(self, axis)

    unsqueeze = expand_dims  # PyTorch's name

    @torch_names
    def squeeze(self, axis=None):
        """Remove axes of length 1 (all, or the given ones)."""
        return fn.squeeze(self, axis)

    def broadcast_to(self, shape):
        """Repeat along axes to reach ``shape`` (NumPy's broadcasting rules)."""
        return ops.broadcast_to(self, shape)

    # ---- elementwise functions ---------------------------------------------------------------------------------
    def exp(self):
        return ops.exp(self)

    def log(self):
        return ops.log(self)

    def sqrt(self):
        return ops.sqrt(self)

    def abs(self):
        return ops.abs(self)

    def sin(self):
        return ops.sin(self)

    def cos(self):
        return ops.cos(self)

    def tanh(self):
        return ops.tanh(self)

    def sigmoid(self):
        return ops.sigmoid(self)

    def relu(self):
        return ops.relu(self)

    def leaky_relu(self, negative_slope=0.01):
        """``x`` where positive, ``negative_slope * x`` elsewhere (PyTorch's default slope)."""
        return ops.leaky_relu(self, negative_slope)

    def clip(self, low=None, high=None):
        """Values limited to ``[low, high]``."""
        return ops.clip(self, low, high)

    clamp = clip  # PyTorch's name

    @torch_names
    def softmax(self, axis=-1):
        """``exp(x) / sum(exp(x))`` along ``axis``."""
        return ops.softmax(self, axis)

    @torch_names
    def log_softmax(self, axis=-1):
        """``x - logsumexp(x)`` along ``axis``."""
        return ops.log_softmax(self, axis)

    def pow(self, exponent):
        return ops.pow(self, exponent)

    def matmul(self, other):
        return ops.matmul(self, other)

    def astype(self, dtype):
        """The values converted to ``dtype`` (bool, integer or float)."""
        return ops.astype(self, dtype)

    def clone(self):
        """A copy that stays in the graph."""
        return ops.clone(self)


def _iadd(a, b):
    a += b


def _isub(a, b):
    a -= b


def _imul(a, b):
    a *= b


def _idiv(a, b):
    a /= b


def _assign(a, b):
    a[...] = b
