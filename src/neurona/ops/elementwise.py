"""Elementwise primitives: arithmetic, exp/log, activations, comparisons.

Most give their partial derivatives and let :class:`~neurona.autograd.primitive.Elementwise` derive both modes;
mul is :class:`~neurona.autograd.primitive.Bilinear`; add, sub and div give both rules, one line each.
Masks (where relu is active, which argument of maximum wins) are computed on raw values: they are piecewise
constant, so they carry no derivative of any order.
"""
from __future__ import annotations

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Bilinear, Elementwise, Linear, Primitive, add_optional
from ..autograd.tensor import Tensor
from ..devices.backend import xp_of
from ..checks import numeric_dtype
from ._common import NO_PARAMS, as_tensor, binary, operand, unary, value


class Add(Primitive):
    name = "add"
    saves = ()

    def forward(self, x, y):
        return x + y

    def vjp(self, F, g, out, x, y):
        return g, g

    def jvp(self, F, tangents, out, x, y):
        return add_optional(*tangents)


class Sub(Primitive):
    name = "sub"
    saves = ()

    def forward(self, x, y):
        return x - y

    def vjp(self, F, g, out, x, y):
        return g, -g

    def jvp(self, F, tangents, out, x, y):
        tx, ty = tangents
        return add_optional(tx, None if ty is None else -ty)


class Neg(Linear):
    name = "neg"

    def forward(self, x):
        return -x

    def transpose(self, F, g, x):
        return -g


class Mul(Bilinear):
    name = "mul"

    def forward(self, x, y):
        return x * y

    def vjp(self, F, g, out, x, y):
        return g * y, g * x


class Div(Primitive):
    name = "div"
    saves_output = True

    def forward(self, x, y):
        return x / y

    def vjp(self, F, g, out, x, y):
        gx = g / y
        return gx, -gx * out

    def jvp(self, F, tangents, out, x, y):
        tx, ty = tangents
        return add_optional(tx, None if ty is None else -out * ty) / y


class Pow(Elementwise):
    """``x ** y`` for two tensors (a Python-number exponent uses :class:`PowScalar`)."""
    name = "pow"
    saves_output = True

    def forward(self, x, y):
        return x ** y

    def partials(self, F, out, x, y):
        dx = F.where(value(y) == 0, 0.0, y * x ** (y - 1))
        safe_x = F.where(value(x) == 0, 1.0, x)  # log(0) would poison 0 ** y for y >= 0, whose slope is 0
        return dx, out * F.log(safe_x)


class PowScalar(Elementwise):
    """``x ** p`` with a fixed number ``p``."""
    name = "pow_scalar"

    def forward(self, x, exponent):
        return x ** exponent

    def partials(self, F, out, x, exponent):
        if exponent == 0:
            return (0.0 * x,)
        return (2.0 * x if exponent == 2 else exponent * x ** (exponent - 1),)


class Exp(Elementwise):
    name = "exp"
    saves_output = True
    saves = ()

    def forward(self, x):
        return xp_of(x).exp(x)

    def partials(self, F, out, x):
        return (out,)


class Log(Elementwise):
    name = "log"

    def forward(self, x):
        return xp_of(x).log(x)

    def partials(self, F, out, x):
        return (1.0 / x,)


class Sqrt(Elementwise):
    name = "sqrt"
    saves_output = True
    saves = ()

    def forward(self, x):
        return xp_of(x).sqrt(x)

    def partials(self, F, out, x):
        return (0.5 / out,)


class Sin(Elementwise):
    name = "sin"

    def forward(self, x):
        return xp_of(x).sin(x)

    def partials(self, F, out, x):
        return (F.cos(x),)


class Cos(Elementwise):
    name = "cos"

    def forward(self, x):
        return xp_of(x).cos(x)

    def partials(self, F, out, x):
        return (-F.sin(x),)


class Abs(Elementwise):
    name = "abs"

    def forward(self, x):
        return xp_of(x).abs(x)

    def partials(self, F, out, x):
        raw = value(x)
        return (xp_of(raw).sign(raw),)


class Tanh(Elementwise):
    name = "tanh"
    saves_output = True
    saves = ()

    def forward(self, x):
        return xp_of(x).tanh(x)

    def partials(self, F, out, x):
        return (1.0 - out * out,)


class Sigmoid(Elementwise):
    name = "sigmoid"
    saves_output = True
    saves = ()

    def forward(self, x):
        xp = xp_of(x)
        # exp(min(x, 0)) / (1 + exp(-|x|)): both exponents are <= 0, so nothing overflows, and no branch
        denominator = xp.exp(-xp.abs(x))
        denominator += 1.0
        out = xp.exp(xp.minimum(x, 0))
        out /= denominator
        return out

    def partials(self, F, out, x):
        return (out * (1.0 - out),)


class Relu(Elementwise):
    name = "relu"
    saves_output = True
    saves = ()

    def forward(self, x):
        return xp_of(x).maximum(x, 0)

    def partials(self, F, out, x):
        return (value(out) > 0,)


class LeakyRelu(Elementwise):
    name = "leaky_relu"

    def forward(self, x, negative_slope):
        return xp_of(x).where(x > 0, x, x * negative_slope)

    def partials(self, F, out, x, negative_slope):
        raw = value(x)
        return (xp_of(raw).where(raw > 0, raw.dtype.type(1), raw.dtype.type(negative_slope)),)


class Clip(Elementwise):
    """Clamp to ``[low, high]`` (either may be None); gradient 1 inside the closed interval, like PyTorch."""
    name = "clip"

    def forward(self, x, low, high):
        return xp_of(x).clip(x, low, high)

    def partials(self, F, out, x, low, high):
        raw = value(x)
        inside = xp_of(raw).ones(raw.shape, dtype=bool)
        if low is not None:
            inside &= raw >= low
        if high is not None:
            inside &= raw <= high
        return (inside,)


class Maximum(Elementwise):
    """Elementwise maximum; at ties the gradient is shared half and half (as in PyTorch)."""
    name = "maximum"

    def forward(self, x, y):
        return xp_of(x).maximum(x, y)

    def partials(self, F, out, x, y):
        return _winner_partials(value(x), value(y))


class Minimum(Elementwise):
    name = "minimum"

    def forward(self, x, y):
        return xp_of(x).minimum(x, y)

    def partials(self, F, out, x, y):
        return _winner_partials(value(y), value(x))  # x wins a minimum where y > x


def _winner_partials(big, small):
    xp = xp_of(big)
    dtype = xp.result_type(big, small)
    tie = (big == small) * xp.asarray(0.5, dtype=dtype)
    return (big > small) + tie, (big < small) + tie


class Where(Primitive):
    """``where(cond, x, y)``: the gradient goes to the chosen branch only (never ``g * mask``, which would turn
    an infinite gradient of the other branch into NaN)."""
    name = "where"
    saves = (0,)

    def forward(self, cond, x, y):
        return xp_of(cond).where(cond, x, y)

    def vjp(self, F, g, out, cond, x, y):
        cond = value(cond)
        return None, F.where(cond, g, 0.0), F.where(cond, 0.0, g)

    def jvp(self, F, tangents, out, cond, x, y):
        _, tx, ty = tangents
        return F.where(value(cond), 0.0 if tx is None else tx, 0.0 if ty is None else ty)


class Astype(Linear):
    name = "astype"

    def forward(self, x, dtype):
        return x.astype(dtype, copy=False)

    def transpose(self, F, g, x, dtype):
        return F.astype(g, dtype=value(x).dtype)


class Alias(Linear):
    """The identity, recorded as a node: a fresh name for a value inside a transform."""
    name = "alias"

    def forward(self, x):
        return x

    def transpose(self, F, g, x):
        return g


# ---- public functions ----------------------------------------------------------------------------------
_R = REGISTRY
add, sub, mul, div = binary(_R["add"]), binary(_R["sub"]), binary(_R["mul"]), binary(_R["div"])
maximum, minimum = binary(_R["maximum"]), binary(_R["minimum"])
neg, exp, log, sqrt, abs = (unary(_R[n]) for n in ("neg", "exp", "log", "sqrt", "abs"))
sin, cos, tanh, sigmoid, relu = (unary(_R[n]) for n in ("sin", "cos", "tanh", "sigmoid", "relu"))

#: One example per generated op: (the call, what it prints).
_EXAMPLES = {add: ("nr.add(nr.tensor([1.0, 2.0]), 10.0).tolist()", "[11.0, 12.0]"),
             sub: ("nr.sub(nr.tensor([[1.0], [2.0]]), nr.tensor([1.0, 2.0])).tolist()", "[[0.0, -1.0], [1.0, 0.0]]"),
             mul: ("nr.mul(nr.tensor([1.0, 2.0]), nr.tensor([3.0, 4.0])).tolist()", "[3.0, 8.0]"),
             div: ("nr.div(nr.tensor([1.0, 3.0]), 2.0).tolist()", "[0.5, 1.5]"),
             maximum: ("nr.maximum(nr.tensor([1.0, 5.0]), 3.0).tolist()", "[3.0, 5.0]"),
             minimum: ("nr.minimum(nr.tensor([1.0, 5.0]), 3.0).tolist()", "[1.0, 3.0]"),
             neg: ("nr.neg(nr.tensor([1.0, -2.0])).tolist()", "[-1.0, 2.0]"),
             exp: ("nr.exp(nr.tensor([0.0])).tolist()", "[1.0]"),
             log: ("nr.log(nr.tensor([1.0])).tolist()", "[0.0]"),
             sqrt: ("nr.sqrt(nr.tensor([4.0, 9.0])).tolist()", "[2.0, 3.0]"),
             abs: ("nr.abs(nr.tensor([-2.0, 3.0])).tolist()", "[2.0, 3.0]"),
             sin: ("nr.sin(nr.tensor([0.0])).tolist()", "[0.0]"),
             cos: ("nr.cos(nr.tensor([0.0])).tolist()", "[1.0]"),
             tanh: ("nr.tanh(nr.tensor([0.0])).tolist()", "[0.0]"),
             sigmoid: ("nr.sigmoid(nr.tensor([0.0])).tolist()", "[0.5]"),
             relu: ("nr.relu(nr.tensor([-1.0, 2.0])).tolist()", "[0.0, 2.0]")}
for _op, (_call, _result) in _EXAMPLES.items():
    _op.__doc__ += f"\n\n>>> import neurona as nr\n>>> {_call}\n{_result}"


def pow(x, y):
    """``x ** y``; a Python-number exponent takes the cheaper ``pow_scalar`` rule.

    >>> import neurona as nr
    >>> nr.pow(nr.tensor([2.0, 3.0]), 2).tolist()
    [4.0, 9.0]
    """
    if type(y) in (int, float):
        return apply(_R["pow_scalar"], (as_tensor(x),), {"exponent": y})
    y = as_tensor(y)
    return apply(_R["pow"], (operand(x, y), y), NO_PARAMS)


def leaky_relu(x, negative_slope=0.01, *, alpha=None):
    """``x`` where positive, ``negative_slope * x`` elsewhere. The default slope is PyTorch's 0.01 for this op
    (the Keras activation and layer keep Keras' 0.2 and 0.3; see :mod:`neurona.layers.activation`);
    ``alpha=`` is the op's old name for the slope.

    >>> import neurona as nr
    >>> nr.leaky_relu(nr.tensor([-1.0, 2.0]), 0.1).tolist()
    [-0.10000000149011612, 2.0]
    """
    if alpha is not None:
        negative_slope = alpha
    return apply(_R["leaky_relu"], (as_tensor(x),), {"negative_slope": negative_slope})


def clip(x, low=None, high=None):
    """Clamp ``x`` to ``[low, high]``.

    >>> import neurona as nr
    >>> nr.clip(nr.tensor([-2.0, 0.5, 3.0]), 0.0, 1.0).tolist()
    [0.0, 0.5, 1.0]
    """
    if low is None and high is None:
        raise ValueError("clip: give low, high or both")
    return apply(_R["clip"], (as_tensor(x),), {"low": low, "high": high})


def where(cond, x, y):
    """Pick ``x`` where ``cond`` is true, else ``y`` (broadcasting all three).

    >>> import neurona as nr
    >>> nr.where(nr.tensor([True, False]), nr.tensor([1.0, 2.0]), nr.tensor([9.0, 9.0])).tolist()
    [1.0, 9.0]
    """
    if x.__class__ is not Tensor and y.__class__ is not Tensor:
        x = as_tensor(x)
    ref = x if x.__class__ is Tensor else y
    return apply(_R["where"], (value(cond), operand(x, ref), operand(y, ref)), NO_PARAMS)


def astype(x, dtype):
    """``x`` converted to ``dtype`` (differentiable between float types); bool, integer or float only.

    >>> import neurona as nr
    >>> nr.astype(nr.tensor([1.7]), "int64").tolist()
    [1]
    """
    return apply(_R["astype"], (as_tensor(x),), {"dtype": numeric_dtype(dtype, "astype")})


class Copy(Linear):
    """A copy of the values that stays in the graph (``Tensor.clone``)."""
    name = "copy"

    def forward(self, x):
        return x.copy()

    def transpose(self, F, g, x):
        return g


def clone(x):
    """A copy of ``x`` with its own memory, differentiable like ``x``.

    >>> import neurona as nr
    >>> x = nr.tensor([1.0])
    >>> y = nr.clone(x)
    >>> y.tolist(), y is x
    ([1.0], False)
    """
    return apply(_R["copy"], (as_tensor(x),), NO_PARAMS)
