"""The optimizer base: parameters, gradients and state in flat contiguous buffers, updated in place.

``build(variables)`` copies every trainable variable into one flat array per dtype and makes each variable's
``.data`` a view of its slice. A step then copies the gradients into a flat gradient buffer once and runs the
update rule as a handful of whole-buffer NumPy operations, whatever the number of variables.

Gradient clipping (``clipvalue``, ``clipnorm`` per variable, ``global_clipnorm``) and decoupled weight decay
(``w -= lr * weight_decay * w``, applied before the update, as in Keras 3) are shared by all optimizers.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.grad_mode import state
from ..autograd.tensor import Tensor
from ..backend import xp_of
from . import schedules


class _Group:
    """Variables of one dtype: their flat parameter and gradient buffers and the optimizer's state buffers."""

    def __init__(self, variables):
        self.variables = variables
        self.sizes = [v.data.size for v in variables]
        self.offsets = np.cumsum([0] + self.sizes)
        xp = xp_of(variables[0].data)
        dtype = variables[0].data.dtype
        self.params = xp.empty(int(self.offsets[-1]), dtype=dtype)
        self.grads = xp.zeros_like(self.params)
        self.scratch = xp.empty_like(self.params)
        self.slots: dict[str, object] = {}
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
    """Base class. Subclasses implement ``update(group, lr)`` on flat buffers."""

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None):
        if sum(c is not None for c in (clipnorm, global_clipnorm)) > 1:
            raise ValueError("give at most one of clipnorm and global_clipnorm")
        self._learning_rate = learning_rate
        self.weight_decay, self.clipnorm = weight_decay, clipnorm
        self.clipvalue, self.global_clipnorm = clipvalue, global_clipnorm
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self._groups: list[_Group] = []
        self._variables = None

    # ---- learning rate ------------------------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (a schedule is evaluated at the current iteration)."""
        lr = self._learning_rate
        return float(lr(self.iterations)) if callable(lr) else float(lr)

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = value

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
        for group in self._groups:
            self.build_slots(group)

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
        """One update with ``grads`` (arrays or Tensors, one per variable; None counts as zero)."""
        if not self.built:
            self.build(variables)
        elif variables is not None and len(variables) != len(self._variables):
            raise ValueError("the optimizer was built for other variables; create a new optimizer")
        position = {id(v): i for i, v in enumerate(self._variables)}
        ordered = [None] * len(self._variables)
        for v, g in zip(variables or self._variables, grads):
            ordered[position[id(v)]] = g
        k = 0
        for group in self._groups:
            for view in group.grad_views:
                g = ordered[k]
                k += 1
                if g is None:
                    view.fill(0)
                else:
                    view[...] = g.data if isinstance(g, Tensor) else g
        self._clip()
        lr = self.learning_rate
        for group in self._groups:
            if self.weight_decay:
                group.params -= (lr * self.weight_decay) * group.params
            self.update(group, lr)
            for v in group.variables:  # graphs recorded before this step must not reuse the old values
                state.inplace_count += 1
                v._version = state.inplace_count
        self.iterations += 1

    def apply_gradients(self, grads_and_vars):
        """Keras' form: ``apply_gradients(zip(grads, variables))``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def step(self):
        """PyTorch's form: update from each variable's ``.grad``."""
        self.apply([v.grad for v in self._variables], self._variables)

    def zero_grad(self):
        for v in self.variables:
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
