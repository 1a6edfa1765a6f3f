"""Derivatives as transformations of plain functions (JAX style): ``grad``, ``value_and_grad``, ``vjp``, ``jvp``,
``jacrev``, ``jacfwd``, ``hessian``, ``hvp``.

Reverse-mode transforms (``grad``, ``vjp``, ``jacrev``) record the function and run the engine backward;
forward-mode ones (``jvp``, ``jacfwd``) push tangents through the function in one forward pass, with no reverse
pass. They nest in any order::

    >>> import neurona as nr
    >>> f = lambda x: x ** 3
    >>> nr.grad(nr.grad(f))(2.0).item()          # d2/dx2 x^3 = 6x
    12.0
    >>> nr.jvp(f, (2.0,), (1.0,))[1].item()     # forward mode: 3x^2
    12.0
"""
from __future__ import annotations

import functools

from ..devices.backend import xp_of
from . import engine, forward_mode
from .engine import apply
from .grad_mode import enable_grad, state
from .primitive import REGISTRY
from .tensor import Tensor, _make, tensor

_ALIAS = REGISTRY["alias"]


def _as_input(p) -> Tensor:
    t = p if isinstance(p, Tensor) else tensor(p)
    if t.dtype.kind != "f":
        raise TypeError(f"cannot differentiate with respect to a tensor of dtype {t.dtype}: inputs of grad/jvp "
                        "must be floating point. Hint: pass 2.0 rather than 2, or .astype('float32').")
    return t


def _fresh_input(p) -> Tensor:
    """A new name for ``p`` that this transform differentiates against.

    When ``p`` is itself tracked (by an outer transform or the user) the new name is connected to it through an
    identity node, so outer derivatives flow through; tangents of active forward levels are kept either way.
    """
    p = _as_input(p)
    if p.requires_grad and state.grad_enabled:
        return apply(_ALIAS, (p,), {})
    x = _make(p.data)
    x.requires_grad = True
    if p._tangents:
        x._tangents = dict(p._tangents)
    return x


def _argnums_tuple(argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _zeros_like(x):
    return _make(xp_of(x.data).zeros_like(x.data))


def _split_aux(out, has_aux):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError("has_aux=True: the function must return a pair (output, aux)")
    return out


def _reverse(outputs, inputs, cotangents):
    """Gradients of ``outputs`` (weighted by ``cotangents``) for ``inputs``; zeros where unused."""
    live = [(o, c) for o, c in zip(outputs, cotangents) if isinstance(o, Tensor) and o.requires_grad]
    if not live:
        return tuple(_zeros_like(x) for x in inputs)
    grads = engine.grad([o for o, _ in live], inputs, grad_outputs=[c for _, c in live],
                        retain_graph=None, create_graph="auto", allow_unused=True)
    return tuple(_zeros_like(x) if g is None else g for x, g in zip(inputs, grads))


def value_and_grad(f, argnums=0, has_aux=False):
    """A function returning ``(f(*args), gradient)``; ``f`` must return a one-element tensor.

    With a tuple ``argnums`` the gradient is a tuple; with ``has_aux`` ``f`` returns ``(value, aux)`` and the
    result is ``((value, aux), gradient)``.

    >>> import neurona as nr
    >>> value, grad = nr.value_and_grad(lambda x: (x * x).sum())(nr.tensor([1.0, 3.0]))
    >>> value.item(), grad.tolist()
    (10.0, [2.0, 6.0])
    """
    nums = _argnums_tuple(argnums)

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        args = list(args)
        for i in nums:
            args[i] = _fresh_input(args[i])
        with enable_grad():
            value, aux = _split_aux(f(*args, **kwargs), has_aux)
        value = value if isinstance(value, Tensor) else tensor(value)
        if value.size != 1:
            raise RuntimeError(f"grad: the function must return a one-element tensor, got shape {value.shape}. "
                               "Hint: use vjp or jacrev for vector outputs.")
        grads = _reverse([value], [args[i] for i in nums], [None])
        grads = grads[0] if isinstance(argnums, int) else grads
        return ((value, aux) if has_aux else value), grads
    return wrapped


def grad(f, argnums=0, has_aux=False):
    """The gradient of a scalar function, as a function (reverse mode, one backward pass).

    >>> import neurona as nr
    >>> nr.grad(lambda x: (x ** 2).sum())(nr.tensor([1.0, 2.0])).tolist()
    [2.0, 4.0]
    """
    vg = value_and_grad(f, argnums, has_aux)

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        (value, grads) = vg(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapped


def vjp(f, *primals, has_aux=False):
    """``(f(*primals), vjp_fn)``: ``vjp_fn(cotangent)`` gives ``cotangent^T J`` for every primal.

    ``vjp_fn`` may be called several times (the graph is kept while ``vjp_fn`` lives).

    >>> import neurona as nr
    >>> out, pullback = nr.vjp(lambda x: x * x, nr.tensor([1.0, 2.0]))
    >>> pullback(nr.tensor([1.0, 1.0]))[0].tolist()
    [2.0, 4.0]
    """
    xs = [_fresh_input(p) for p in primals]
    with enable_grad():
        out, aux = _split_aux(f(*xs), has_aux)
    outs = out if isinstance(out, tuple) else (out,)

    def vjp_fn(*cotangents):
        if len(cotangents) != len(outs):
            raise TypeError(f"vjp_fn takes one cotangent per output ({len(outs)}), got {len(cotangents)}")
        cts = []
        for o, c in zip(outs, cotangents):
            c = c if isinstance(c, Tensor) else tensor(xp_of(o.data).asarray(c, dtype=o.dtype))
            if c.shape != o.shape:
                raise engine.ShapeError(f"vjp_fn: cotangent of shape {c.shape} for an output of shape {o.shape}")
            cts.append(c)
        live = [(o, c) for o, c in zip(outs, cts) if o.requires_grad]
        if not live:
            return tuple(_zeros_like(x) for x in xs)
        grads = engine.grad([o for o, _ in live], xs, grad_outputs=[c for _, c in live], retain_graph=True,
                            create_graph="auto", allow_unused=True)
        return tuple(_zeros_like(x) if g is None else g for x, g in zip(xs, grads))
    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def jvp(f, primals, tangents):
    """``(f(*primals), J @ tangents)`` in one forward pass (forward mode, dual numbers).

    >>> import neurona as nr
    >>> out, t = nr.jvp(lambda x, y: x * y, (2.0, 3.0), (1.0, 0.0))
    >>> t.item()   # d(xy)/dx = y
    3.0
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise TypeError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    level = forward_mode.new_level()
    try:
        xs = [_dual(p, t, level) for p, t in zip(primals, tangents)]
        out = f(*xs)
        outs = out if isinstance(out, tuple) else (out,)
        tangents_out = []
        for o in outs:
            t = forward_mode.tangent_of(o, level)
            tangents_out.append(_zeros_like(o) if t is None else t)
            if isinstance(o, Tensor) and o._tangents:
                o._tangents.pop(level, None)
    finally:
        forward_mode.close_level(level)
    return out, (tuple(tangents_out) if isinstance(out, tuple) else tangents_out[0])


def _dual(p, t, level):
    p = _as_input(p)
    t = t if isinstance(t, Tensor) else tensor(xp_of(p.data).asarray(t, dtype=p.dtype))
    if t.shape != p.shape:
        raise engine.ShapeError(f"jvp: tangent of shape {t.shape} for a primal of shape {p.shape}; they must match")
    x = apply(_ALIAS, (p,), {})
    forward_mode.set_tangent(x, level, t if t.dtype == p.dtype else t.astype(p.dtype))
    return x


def _basis(shape, dtype, xp, k):
    e = xp.zeros(shape, dtype=dtype)
    e.reshape(-1)[k] = 1
    return _make(e)


def jacrev(f, argnums=0):
    """The Jacobian by reverse mode: one backward pass per output element. Shape: ``out.shape + x.shape``.

    >>> import neurona as nr
    >>> nr.jacrev(lambda x: x * x)(nr.tensor([1.0, 2.0])).tolist()
    [[2.0, 0.0], [0.0, 4.0]]
    """
    from ..ops import stack, reshape
    nums = _argnums_tuple(argnums)

    def jac(*args):
        def partial(*xs):
            full = list(args)
            for i, x in zip(nums, xs):
                full[i] = x
            return f(*full)
        out, vjp_fn = vjp(partial, *[args[i] for i in nums])
        xp = xp_of(out.data)
        rows = [vjp_fn(_basis(out.shape, out.dtype, xp, k)) for k in range(out.size)]
        result = []
        for j, i in enumerate(nums):
            x_shape = _as_input(args[i]).shape
            pieces = [r[j] for r in rows]
            stacked = stack(pieces) if pieces else _make(xp.zeros((0,) + x_shape, dtype=out.dtype))
            result.append(reshape(stacked, out.shape + x_shape))
        return result[0] if isinstance(argnums, int) else tuple(result)
    return jac


def jacfwd(f, argnums=0):
    """The Jacobian by forward mode: one forward pass per input element. Shape: ``out.shape + x.shape``.

    >>> import neurona as nr
    >>> nr.jacfwd(lambda x: x * x)(nr.tensor([1.0, 2.0])).tolist()
    [[2.0, 0.0], [0.0, 4.0]]
    """
    from ..ops import stack, reshape
    nums = _argnums_tuple(argnums)

    def jac(*args):
        args = list(args)
        result = []
        for i in nums:
            x = _as_input(args[i])
            xp = xp_of(x.data)

            def along(xi, i=i):
                full = list(args)
                full[i] = xi
                return f(*full)
            columns, out = [], None
            for k in range(x.size):
                out, t = jvp(along, (x,), (_basis(x.shape, x.dtype, xp, k),))
                columns.append(t)
            if out is None:
                out = along(x)
            stacked = stack(columns, axis=-1) if columns else _make(xp.zeros(out.shape + (0,), dtype=out.dtype))
            result.append(reshape(stacked, out.shape + x.shape))
        return result[0] if isinstance(argnums, int) else tuple(result)
    return jac


def hessian(f, argnums=0):
    """The Hessian of a scalar function: forward mode over reverse mode (``jacfwd(jacrev(f))``).

    >>> import neurona as nr
    >>> nr.hessian(lambda x: (x ** 3).sum())(nr.tensor([1.0, 2.0])).tolist()
    [[6.0, 0.0], [0.0, 12.0]]
    """
    return jacfwd(jacrev(f, argnums), argnums)


def hvp(f, primals, tangents):
    """Hessian-vector product ``H v`` by forward-over-reverse: one gradient pass carrying tangents.

    >>> import neurona as nr
    >>> nr.hvp(lambda x: (x ** 3).sum(), (nr.tensor([1.0, 2.0]),), (nr.tensor([1.0, 1.0]),)).tolist()
    [6.0, 12.0]
    """
    primals = tuple(primals)
    g = grad(f, argnums=tuple(range(len(primals))))
    _, tangent = jvp(lambda *xs: g(*xs), primals, tuple(tangents))
    return tangent[0] if len(primals) == 1 else tangent
