"""The optimizer base: parameters, gradients and state in flat contiguous buffers, updated in place.

``build(variables)`` copies every trainable variable into one flat array per dtype and makes each variable's
``.data`` a view of its slice. A step then copies the gradients into a flat gradient buffer once and runs the
update rule as a handful of whole-buffer NumPy operations, whatever the number of variables.

Gradient clipping (``clipvalue``, ``clipnorm`` per variable, ``global_clipnorm``), decoupled weight decay
(``w -= lr * weight_decay * w``, applied before the update, as in Keras 3; ``exclude_from_weight_decay`` spares
some variables) and the variables' constraints (applied after it) are shared by all optimizers.
"""
from __future__ import annotations

import inspect
import math
import re

import numpy as np

from .. import checks
from ..autograd.engine import ShapeError
from ..autograd.tensor import Tensor
from ..devices.backend import aligned_empty, xp_of
from ..devices.cpu_flags import flush_denormals
from . import schedules


class _Group:
    """Variables of one dtype: their flat parameter and gradient buffers and the optimizer's state buffers."""

    def __init__(self, variables):
        self.variables = variables
        self.sizes = [v.data.size for v in variables]
        self.offsets = np.cumsum([0] + self.sizes)
        xp = xp_of(variables[0].data)
        dtype = variables[0].data.dtype
        self.params = aligned_empty(int(self.offsets[-1]), dtype, xp)   # the first weight on a cache line
        self.grads = xp.zeros_like(self.params)
        self.scratch = xp.empty_like(self.params)
        self.slots: dict[str, object] = {}
        self.decay_mask = None  # 1 where weight decay applies, 0 for excluded variables; None: it applies to all
        for v, start, end in zip(variables, self.offsets[:-1], self.offsets[1:]):
            view = self.params[start:end].reshape(v.data.shape)
            view[...] = v.data
            v.data = view
        self.grad_views = [self.grads[s:e].reshape(v.shape) for v, s, e in
                           zip(variables, self.offsets[:-1], self.offsets[1:])]

    def to(self, device):
        """Move the flat buffers to ``device``; the variables become views of the moved buffer."""
        from ..devices import to_device
        self.params = to_device(self.params, device)
        self.grads = to_device(self.grads, device)
        self.scratch = to_device(self.scratch, device)
        self.slots = {k: to_device(v, device) for k, v in self.slots.items()}
        if self.decay_mask is not None:
            self.decay_mask = to_device(self.decay_mask, device)
        for v, start, end in zip(self.variables, self.offsets[:-1], self.offsets[1:]):
            v.data = self.params[start:end].reshape(v.data.shape)
        self.grad_views = [self.grads[s:e].reshape(v.shape) for v, s, e in
                           zip(self.variables, self.offsets[:-1], self.offsets[1:])]

    def slot(self, name, fill=0.0):
        if name not in self.slots:
            buf = xp_of(self.params).empty_like(self.params)
            buf.fill(fill)
            self.slots[name] = buf
        return self.slots[name]


class _CountingGroup:
    """Stands in for a group to count the slots an optimizer would create."""

    def __init__(self):
        self.count = 0

    def slot(self, name, fill=0.0):
        self.count += 1


class Optimizer:
    """Base class. Subclasses implement ``update(group, lr)`` on flat buffers.

    Both habits work. Keras: ``SGD(0.1)`` then ``apply_gradients(zip(grads, variables))`` (or ``compile``).
    PyTorch: ``SGD(model.parameters(), lr=0.1)``, then ``zero_grad()``, ``loss.backward()`` and ``step()``.

    >>> import neurona as nr
    >>> w = nr.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = nr.optimizers.SGD([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.tolist()
    [0.0, 0.0]
    """

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, lr=None, **unknown):
        self.where = type(self).__name__
        _refuse_unknown(self.where, unknown)
        params = None
        if _is_parameter_list(learning_rate):
            params, learning_rate = list(learning_rate), None
            _check_parameters(params, self.where)
        if lr is not None:
            if learning_rate is not None and params is None:
                raise TypeError(f"{self.where}: give learning_rate or its alias lr, not both")
            learning_rate = lr
        if learning_rate is None:
            learning_rate = inspect.signature(type(self).__init__).parameters["learning_rate"].default
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError(f"{self.where}: give at most one of clipnorm and global_clipnorm")
        self.learning_rate = learning_rate
        self.weight_decay = checks.optional_number(weight_decay, "weight_decay", self.where, low=0)
        self.clipnorm = checks.optional_number(clipnorm, "clipnorm", self.where, low=0, low_open=True)
        self.clipvalue = checks.optional_number(clipvalue, "clipvalue", self.where, low=0, low_open=True)
        self.global_clipnorm = checks.optional_number(global_clipnorm, "global_clipnorm", self.where, low=0,
                                                      low_open=True)
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self._groups: list[_Group] = []
        self._variables = None
        self._params = params  # given PyTorch's way, built on the first step
        #: Called with the flat gradient buffers (one per dtype) before each update; data-parallel training
        #: sums or averages them over the ranks here (see :mod:`neurona.distributed`). None: no reduction.
        self.gradient_reduction = None
        self._no_decay_ids: set = set()
        self._no_decay_patterns: list = []

    # ---- learning rate ------------------------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (a schedule is evaluated at the current iteration)."""
        lr = self._learning_rate
        return float(lr(self.iterations)) if callable(lr) else float(lr)

    @learning_rate.setter
    def learning_rate(self, value):
        if not callable(value):
            value = checks.number(value, "learning_rate", getattr(self, "where", "optimizer"), low=0)
        self._learning_rate = value

    @property
    def lr(self) -> float:
        """PyTorch's name for :attr:`learning_rate`."""
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        self.learning_rate = value

    # ---- building ------------------------------------------------------------------------------------------
    @property
    def built(self) -> bool:
        return self._variables is not None

    def build(self, variables):
        """Move ``variables`` into flat buffers (their ``.data`` become views) and create the state."""
        self._variables = list(variables)
        by_dtype: dict = {}
        for v in self._variables:
            by_dtype.setdefault(v.data.dtype, []).append(v)
        self._groups = [_Group(vs) for vs in by_dtype.values()]
        index = {id(v): i for i, v in enumerate(self._variables)}
        for group in self._groups:  # where each of the group's variables sits in the variables' order
            group.positions = [index[id(v)] for v in group.variables]
        for group in self._groups:
            self.build_slots(group)
            self._build_decay_mask(group)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Spare variables from weight decay, as Keras does: those in ``var_list``, and those whose name (e.g.
        ``"dense/bias"``) matches one of the regular expressions in ``var_names``. Call it before the first step.

        >>> import neurona as nr
        >>> opt = nr.optimizers.AdamW(weight_decay=0.01)
        >>> opt.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
        """
        if self.built:
            raise ValueError(f"{self.where}.exclude_from_weight_decay: call it before the optimizer is built (before "
                             "the first step or fit)")
        self._no_decay_ids |= {id(v) for v in var_list or []}
        self._no_decay_patterns += [re.compile(p) for p in var_names or []]

    def _decays(self, variable) -> bool:
        name = variable.name or ""
        return id(variable) not in self._no_decay_ids and not any(p.search(name) for p in self._no_decay_patterns)

    def _build_decay_mask(self, group):
        decays = [self._decays(v) for v in group.variables]
        if all(decays):
            return
        mask = xp_of(group.params).ones_like(group.params)
        for keep, start, end in zip(decays, group.offsets[:-1], group.offsets[1:]):
            if not keep:
                mask[start:end] = 0
        group.decay_mask = mask

    def build_slots(self, group):
        """Create the state buffers of one group (subclasses)."""

    def to(self, device):
        """Move the optimizer's buffers (and so its variables, which are views of them) to ``device``."""
        for group in self._groups:
            group.to(device)
        return self

    def state_buffer_count(self) -> int:
        """How many state buffers the size of the parameters ``build`` will create (found on a dry run)."""
        probe = _CountingGroup()
        self.build_slots(probe)
        return probe.count

    @property
    def variables(self):
        return self._variables or []

    # ---- a step ------------------------------------------------------------------------------------------------
    def apply(self, grads, variables=None):
        """One update with ``grads`` (arrays or Tensors, one per variable, of its shape; None counts as zero)."""
        grads = list(grads)
        variables = self._variables_for(variables, len(grads))
        if not self.built:
            self.build(variables)
        position = {id(v): i for i, v in enumerate(self._variables)}
        unknown = [v.name or f"#{i}" for i, v in enumerate(variables) if id(v) not in position]
        if unknown:
            raise ValueError(f"{self.where}.apply: the variables {unknown[:3]} are not the ones this optimizer was "
                             "built for; create a new optimizer for other variables")
        by_position = [None] * len(self._variables)
        for v, g in zip(variables, grads):
            by_position[position[id(v)]] = self._checked_gradient(g, v)
        for group in self._groups:
            for i, view in zip(group.positions, group.grad_views):
                g = by_position[i]
                if g is None:
                    view.fill(0)
                else:
                    view[...] = g.data if g.__class__ is Tensor else g
        self.apply_buffered()

    def apply_buffered(self):
        """The update from the gradients already in the groups' flat buffers (``group.grads``): clipping,
        weight decay, the rule. Denormal floats count as zero meanwhile (see :mod:`neurona.devices.cpu_flags`)."""
        if self.gradient_reduction is not None:
            self.gradient_reduction([group.grads for group in self._groups])
        self._clip()
        lr = self.learning_rate
        with flush_denormals():
            for group in self._groups:
                if self.weight_decay:
                    decay = (lr * self.weight_decay) * group.params
                    if group.decay_mask is not None:
                        decay *= group.decay_mask
                    group.params -= decay
                self.update(group, lr)
                for v in group.variables:
                    constraint = getattr(v, "constraint", None)
                    if constraint is not None:   # Keras: projected after the update (e.g. MaxNorm)
                        v.data[...] = constraint(v.data)
                    v.mark_modified()  # graphs recorded before this step must not reuse the old values
        self.iterations += 1

    def _variables_for(self, variables, count):
        """The variables ``apply`` updates: those given, else those built for (or given PyTorch's way)."""
        if variables is None:
            variables = self._variables or self._params
            if variables is None:
                raise ValueError(f"{self.where}: no variables to update. Hint: pass them, "
                                 "apply_gradients(zip(grads, variables)), or create the optimizer with "
                                 f"{self.where}(model.parameters(), lr=0.01) PyTorch's way")
        variables = list(variables)
        if len(variables) != count:
            raise ValueError(f"{self.where}.apply: {count} gradients for {len(variables)} variables; give one "
                             "gradient (or None) per variable")
        _check_parameters(variables, self.where)
        return variables

    def _checked_gradient(self, g, v):
        if g is None:
            return None
        shape = g.data.shape if g.__class__ is Tensor else tuple(getattr(g, "shape", ()))
        if shape != v.data.shape:
            raise ShapeError(f"{self.where}.apply: the gradient for {v.name or 'a variable'} has shape {shape}, the "
                             f"variable has shape {tuple(v.shape)}; they must be equal (no broadcasting)")
        return g

    def apply_gradients(self, grads_and_vars):
        """Keras' form: ``apply_gradients(zip(grads, variables))``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def step(self):
        """PyTorch's form: update every parameter from its ``.grad`` (after ``loss.backward()``)."""
        variables = self._variables or self._params
        if variables is None:
            raise ValueError(f"{self.where}.step(): this optimizer was given no parameters. Hint: create it with "
                             f"{self.where}(model.parameters(), lr=0.01), or use "
                             "apply_gradients(zip(grads, variables)) Keras' way")
        self.apply([v.grad for v in variables], variables)

    def zero_grad(self):
        """PyTorch's form: forget the gradients of every parameter before the next ``backward()``."""
        for v in self._variables or self._params or []:
            v.grad = None

    def _clip(self):
        if self.clipvalue is not None:
            for group in self._groups:
                xp_of(group.grads).clip(group.grads, -self.clipvalue, self.clipvalue, out=group.grads)
        if self.clipnorm is not None:
            for group in self._groups:
                for view in group.grad_views:
                    norm = math.sqrt(float((view * view).sum()))
                    if norm > self.clipnorm:
                        view *= self.clipnorm / norm
        if self.global_clipnorm is not None:
            norm = math.sqrt(sum(float((g.grads * g.grads).sum()) for g in self._groups))
            if norm > self.global_clipnorm:
                for group in self._groups:
                    group.grads *= self.global_clipnorm / norm

    def update(self, group, lr):
        raise NotImplementedError

    # ---- saving -----------------------------------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = self._learning_rate
        return {"learning_rate": schedules.serialize(lr) if callable(lr) else lr,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
                "global_clipnorm": self.global_clipnorm, "name": self.name, **self.hyperparameters()}

    def hyperparameters(self) -> dict:
        return {}

    def state_arrays(self) -> dict:
        """The optimizer state as named arrays (for saving): ``iterations`` and ``group<i>/<slot>``."""
        from ..devices import to_device
        out = {"iterations": np.array(self.iterations, dtype=np.int64)}
        for i, group in enumerate(self._groups):
            for name, buf in group.slots.items():
                out[f"group{i}/{name}"] = to_device(buf, "cpu")
        return out

    def state_spec(self) -> dict:
        """``{name: (shape, dtype)}`` of the arrays :meth:`state_arrays` gives, once built."""
        spec = {"iterations": ((), np.dtype(np.int64))}
        for i, group in enumerate(self._groups):
            for name, buf in group.slots.items():
                spec[f"group{i}/{name}"] = (tuple(buf.shape), np.dtype(buf.dtype))
        return spec

    def load_state_arrays(self, arrays: dict):
        """Restore the state saved by :meth:`state_arrays` into the built optimizer (same variables)."""
        from ..devices import to_device, device_of
        expected = self.state_spec()
        if set(arrays) != set(expected):
            raise ValueError(f"{self.name}: the saved state has the arrays {sorted(arrays)}, this optimizer "
                             f"expects {sorted(expected)}")
        self.iterations = int(arrays["iterations"])
        for i, group in enumerate(self._groups):
            for name, buf in group.slots.items():
                buf[...] = to_device(arrays[f"group{i}/{name}"], device_of(group.params))


_TORCH_NAMES = {"betas": "beta_1=..., beta_2=...", "eps": "epsilon=...", "alpha": "rho=... (RMSprop)",
                "dampening": "nothing: neurona's SGD has no dampening", "maximize": "a loss with the sign flipped"}


def _refuse_unknown(where, unknown):
    if unknown:
        name = next(iter(unknown))
        hint = f" Write {_TORCH_NAMES[name]} instead (Keras' name)." if name in _TORCH_NAMES else ""
        raise TypeError(f"{where}: unexpected argument {name!r}.{hint}")


def _is_parameter_list(value) -> bool:
    """The first argument given PyTorch's way: an iterable of tensors (a list, ``model.parameters()``)."""
    if value is None or callable(value) or checks.is_number(value) or isinstance(value, (str, bytes)):
        return False
    return hasattr(value, "__iter__")


def _check_parameters(params, where):
    bad = [p for p in params if not isinstance(p, Tensor)]
    if bad:
        raise TypeError(f"{where}: parameters must be Tensors (e.g. model.parameters()), got a "
                        f"{type(bad[0]).__name__}")
    if not params:
        raise ValueError(f"{where}: the list of parameters is empty (was the model built? call it once, or "
                         "start it with Input(shape))")
