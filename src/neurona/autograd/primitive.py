"""Primitives: the ops that carry all differentiation, each defined once.

A primitive has a ``forward`` on raw arrays and derivative rules. The rules are written against a namespace
``F`` (see :mod:`neurona.autograd.namespaces`) and ordinary Python operators, so the same rule runs on raw
arrays (fast first-order backward) and on Tensors (a differentiable backward: higher order for free).

Five shortcuts derive the rules that can be derived:

- :class:`Elementwise` gives the partials ``d out / d input_i``; reverse mode is ``g * partial_i`` and forward
  mode ``sum_i t_i * partial_i``.
- :class:`Linear` ops (sum, reshape, getitem, ...) apply themselves to a tangent in forward mode and give their
  transpose for reverse mode.
- :class:`Bilinear` ops (mul, matmul) give their reverse rule; forward mode is ``f(tx, y) + f(x, ty)``.
- :class:`Fused` ops are fast paths for a composition of primitives, its ``reference``, which alone defines
  the math: they write a forward and a first-order reverse on raw arrays; forward mode and the differentiable
  reverse (higher order) are derived by running the reference.
- anything else writes ``vjp`` and ``jvp`` itself.

Broadcasting is handled once, in the engine: a rule may return a gradient in the broadcast shape, and the engine
sums it back to the input's shape.

Example, a complete primitive::

    class Exp(Elementwise):
        name = "exp"
        saves_output = True
        def forward(self, x):
            return xp_of(x).exp(x)
        def partials(self, F, out, x):
            return (out,)
"""
from __future__ import annotations

#: Every primitive, by name: the tables of tests iterate over it.
REGISTRY: dict[str, "Primitive"] = {}


class Primitive:
    """Base of all primitives. Subclasses set ``name`` and write ``forward``, ``vjp`` and ``jvp``.

    ``forward(*arrays, **params)`` computes on raw arrays. ``vjp(F, g, out, *inputs, **params)`` returns one
    gradient (or None) per input. ``jvp(F, tangents, out, *inputs, **params)`` returns the output tangent, where
    ``tangents`` has one entry per input and None marks an input without tangent.
    ``saves`` names the inputs whose values the reverse rule reads (checked against in-place changes);
    ``saves_output`` says the rule reads the output.
    """
    name = "primitive"
    saves: tuple = None  # None: every input
    saves_output = False
    #: When true, ``vjp`` also receives ``needs=`` (one bool per input: does it need a gradient?), so it can skip
    #: the expensive ones nobody asked for (matmul with a data input).
    skips_unneeded = False
    #: When true, ``forward`` returns ``(out, aux)``: raw intermediates (gate values, say) that the first-order
    #: backward pass hands to ``vjp`` as ``aux=`` so it need not recompute them. A differentiable backward
    #: (higher order) gets ``aux=None`` and recomputes from Tensors, so derivatives of derivatives stay exact.
    saves_aux = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__ and not cls.__dict__.get("abstract", False):
            REGISTRY[cls.name] = cls()

    def forward(self, *arrays, **params):
        raise NotImplementedError

    def vjp(self, F, g, out, *inputs, **params):
        raise NotImplementedError(f"{self.name} has no reverse-mode rule")

    def jvp(self, F, tangents, out, *inputs, **params):
        raise NotImplementedError(f"{self.name} has no forward-mode rule")

    def __repr__(self):
        return f"<primitive {self.name}>"


class Elementwise(Primitive):
    """An elementwise op, differentiated through its partial derivatives."""
    name = "elementwise"
    abstract = True

    def partials(self, F, out, *inputs, **params):
        """One partial derivative ``d out / d input_i`` per input (None for an input with no derivative)."""
        raise NotImplementedError

    def vjp(self, F, g, out, *inputs, **params):
        return tuple(None if p is None else g * p for p in self.partials(F, out, *inputs, **params))

    def jvp(self, F, tangents, out, *inputs, **params):
        return add_optional(*(None if t is None or p is None else t * p
                              for t, p in zip(tangents, self.partials(F, out, *inputs, **params))))


def add_optional(*terms):
    """The sum of the terms that are not None (tangents that may be absent); None when all are."""
    total = None
    for term in terms:
        if term is not None:
            total = term if total is None else total + term
    return total


class Bilinear(Primitive):
    """An op linear in each of its two inputs (``x * y``, ``x @ y``): forward mode is ``f(tx, y) + f(x, ty)``,
    derived here; subclasses write ``forward`` and ``vjp``."""
    name = "bilinear"
    abstract = True

    def jvp(self, F, tangents, out, x, y, **params):
        tx, ty = tangents
        return add_optional(None if tx is None else F.apply(self, tx, y, **params),
                            None if ty is None else F.apply(self, x, ty, **params))


class Linear(Primitive):
    """An op linear in its first input: forward mode applies the op itself to the tangent.

    Subclasses write ``transpose(F, g, x, **params)``, the reverse rule, returning the gradient of the first
    input; other inputs (indices, shapes) are not differentiable.
    """
    name = "linear"
    abstract = True
    saves = ()

    def transpose(self, F, g, x, **params):
        raise NotImplementedError

    def vjp(self, F, g, out, x, *rest, **params):
        return (self.transpose(F, g, x, *rest, **params),) + (None,) * len(rest)

    def jvp(self, F, tangents, out, x, *rest, **params):
        t = tangents[0]
        return None if t is None else F.apply(self, t, *rest, **params)


class Fused(Primitive):
    """A fast path beside one readable reference.

    ``reference(*inputs, **params)`` composes the op from other primitives (on Tensors): it is the one
    definition of the math. The fused op adds, for speed, ``forward`` and ``fast_vjp`` (the first-order reverse)
    on raw arrays. Everything else is derived from the reference: forward mode (``jvp``) runs the reference
    with tangents, and a differentiable reverse (``create_graph=True``, or under forward mode) differentiates
    the reference, so derivatives of derivatives stay exact. The op-table tests check the fast path against the
    reference for every fused primitive.
    """
    name = "fused"
    abstract = True

    def reference(self, *inputs, **params):
        raise NotImplementedError(f"{self.name} has no reference composition")

    def fast_vjp(self, g, out, *arrays, **params):
        """The first-order reverse on raw arrays (``aux=`` and ``needs=`` arrive here when the op asks)."""
        raise NotImplementedError

    def vjp(self, F, g, out, *inputs, **params):
        from .tensor import Tensor
        if g.__class__ is not Tensor:
            return self.fast_vjp(g, out, *inputs, **params)
        params.pop("aux", None)
        params.pop("needs", None)
        return self._vjp_of_reference(g, inputs, params)

    def _vjp_of_reference(self, g, inputs, params):
        from .engine import apply, grad
        from .grad_mode import enable_grad
        from .tensor import Tensor
        wanted = [i for i, x in enumerate(inputs) if x.__class__ is Tensor and x.requires_grad]
        xs = list(inputs)
        with enable_grad():
            for i in wanted:  # a fresh node per input: the gradient stops there, and stays a function of it
                xs[i] = apply(REGISTRY["alias"], (inputs[i],), {})
            out = self.reference(*xs, **params)
            grads = grad(out, [xs[i] for i in wanted], grad_outputs=g, create_graph=True, allow_unused=True)
        result = [None] * len(inputs)
        for i, gi in zip(wanted, grads):
            result[i] = gi
        return tuple(result)

    def jvp(self, F, tangents, out, *inputs, **params):
        from .transforms import jvp
        active = [i for i, t in enumerate(tangents) if t is not None]

        def reference_of_active(*xs):
            full = list(inputs)
            for i, x in zip(active, xs):
                full[i] = x
            return self.reference(*full, **params)
        return jvp(reference_of_active, [inputs[i] for i in active], [tangents[i] for i in active])[1]
