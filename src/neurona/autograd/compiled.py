"""Trace once, replay many: a step recorded as a flat plan of primitive calls and replayed without a graph.

A training step has the same shapes and the same sequence of primitives every time. So ``fit`` runs its first
steps eagerly while a :class:`Tape` records each primitive the forward pass applies: the primitive, its
parameters, and where each input comes from (``SLOT``: the output of an earlier record, ``FEED``: the batch,
``LEAF``: a Tensor made outside the step, a weight say, read afresh each time, ``CONST``: anything else). When
two steps give the same tape, with equal constants, the tape is a function of the batch and the weights alone,
and a :class:`Plan` replays it:

1. forward: each primitive's ``forward`` on raw arrays, in the recorded order;
2. reverse: each rule, in reverse order, on the gradients, exactly as the engine's first-order pass does
   (same rules, same order of accumulation, so the same bits);
3. the weights' gradients written straight into the optimizer's flat buffers.

No Tensor, Node or heap is built, no layer or loss is called, no argument is checked again: the Python that
is left is one loop over the records. Random draws and label encodings are primitives too (``random_mask``,
``one_hot``), so they run again at each replay. A constant that differs between the two traced steps
(something computed from the batch outside the primitives, a draw made in plain NumPy) means the step is not
static, and it stays eager.

>>> import neurona as nr
>>> w = nr.tensor([2.0], requires_grad=True)
>>> x = nr.tensor([3.0])
>>> with Tape([x]) as tape:
...     loss = (w * x).sum()
>>> plan = Plan(tape.finish([loss]), [w])
>>> import numpy as np
>>> outputs, grads = plan.run([np.array([5.0], dtype=np.float32)])
>>> float(outputs[0]), float(grads[0][0])
(10.0, 5.0)
"""
from __future__ import annotations

import numpy as np

from . import engine
from ..devices import backend
from .engine import _fit_gradient, _received
from .namespaces import RAW
from .scatter_grad import ScatterGrad
from .straight_line import CONST, FEED, LEAF, SLOT, straight_line
from .tensor import Tensor

_ndarray = np.ndarray


class Entry:
    """One recorded primitive call: ``refs`` say where each input comes from, ``needs`` whether the engine
    would send it a gradient."""
    __slots__ = ("prim", "refs", "params", "needs", "requires_grad", "param_refs")

    def __init__(self, prim, refs, params, needs, requires_grad, param_refs):
        self.prim, self.refs, self.params, self.needs, self.requires_grad = prim, refs, params, needs, requires_grad
        self.param_refs = param_refs  # {name: (SLOT or FEED, index)}: parameters that are the batch (ids to gather)

    def params_for(self, slots, feeds):
        """The parameters, with those taken from the batch or an earlier output filled in."""
        if not self.param_refs:
            return self.params
        params = dict(self.params)
        for name, (kind, v) in self.param_refs.items():
            params[name] = slots[v] if kind == SLOT else feeds[v]
        return params


class Tape:
    """Within ``with``: every primitive applied is recorded (``feeds``: the arrays or Tensors of the batch).
    After ``with``, ``finish(outputs)`` notes which records produced the step's outputs."""

    def __init__(self, feeds):
        self.entries: list[Entry] = []
        self._feed = {}
        for i, f in enumerate(feeds):
            self._feed[id(f)] = i
            if f.__class__ is Tensor:
                self._feed[id(f.data)] = i
        self._feeds = list(feeds)  # alive while recording, so that no other object takes their ids
        self._slot = {}
        self._alive = []

    def __enter__(self):
        if engine.tracer is not None:
            raise RuntimeError("a step is already being traced")
        engine.tracer = self
        return self

    def __exit__(self, *exc):
        engine.tracer = None
        return False

    def record(self, prim, inputs, arrays, params, out, aux):
        refs = tuple(self._ref(x, a) for x, a in zip(inputs, arrays))
        needs = tuple(x.__class__ is Tensor and x.requires_grad for x in inputs)
        param_refs = {}
        for name, value in params.items():
            ref = self._ref(None, value) if hasattr(value, "shape") else None
            if ref is not None and ref[0] in (SLOT, FEED):
                param_refs[name] = ref
        k = len(self.entries)
        self.entries.append(Entry(prim, refs, params, needs, out.requires_grad, param_refs))
        self._slot[id(out)] = self._slot[id(out.data)] = k
        self._alive.append(out)

    def _ref(self, x, array):
        for key in (id(x), id(array)):
            k = self._slot.get(key)
            if k is not None:
                return SLOT, k
            j = self._feed.get(key)
            if j is not None:
                return FEED, j
        if x.__class__ is Tensor:
            return LEAF, x
        return CONST, array

    def finish(self, outputs):
        """Note which records produced ``outputs`` (Tensors; None for one that no primitive produced), then
        forget the recorded Tensors, kept only while recording so that their ids stay theirs."""
        self.output_slots = []
        for t in outputs:
            k = self._slot.get(id(t))
            self.output_slots.append(k if k is not None and self._alive[k] is t else None)
        self._alive, self._slot, self._feeds = [], {}, []
        return self


def tape_difference(a: Tape, b: Tape):
    """None when two traced steps did the same thing (same primitives, parameters, sources and constants),
    else a sentence saying where they first differ."""
    if len(a.entries) != len(b.entries):
        return f"the steps applied {len(a.entries)} and {len(b.entries)} primitives"
    if a.output_slots != b.output_slots:
        return "the loss or the predictions came from different primitives"
    for k, (x, y) in enumerate(zip(a.entries, b.entries)):
        where = f"primitive #{k} ({x.prim.name})"
        if x.prim is not y.prim or x.needs != y.needs or x.requires_grad != y.requires_grad:
            return f"{where} differs (another primitive, or other inputs needing gradients)"
        if x.params.keys() != y.params.keys() or x.param_refs != y.param_refs:
            return f"{where} got other parameters"
        for name in x.params:
            if name not in x.param_refs and not _same(x.params[name], y.params[name]):
                return f"{where} got another value of its parameter {name!r}"
        for i, ((kind_x, vx), (kind_y, vy)) in enumerate(zip(x.refs, y.refs)):
            if kind_x != kind_y or not (_same_leaf(vx, vy) if kind_x == LEAF else _same(vx, vy)):
                return f"{where} got another value as input {i} (a constant computed outside the primitives?)"
    return None


def _same_leaf(a, b) -> bool:
    """The same weight, or two Tensors made afresh each step with equal values (an RNN's zero start state)."""
    return a is b or (not a.requires_grad and not b.requires_grad and _same(a.data, b.data))


def _same(a, b) -> bool:
    """Equal values (arrays by shape, dtype and contents; containers element by element)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if hasattr(a, "shape") and hasattr(a, "dtype"):
        return a.shape == b.shape and a.dtype == b.dtype and bool((a == b).all())
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


class Plan:
    """A finished tape made into a replayable step: ``run(feeds)`` gives the arrays of the tape's outputs and
    one gradient (or None) per weight in ``weights``, of the first output (a scalar loss), seeded with one."""

    def __init__(self, tape: Tape, weights):
        self.entries = tape.entries
        self.outputs = tape.output_slots
        if not self.outputs or any(k is None for k in self.outputs):
            raise ValueError("an output of the traced step was not computed by a primitive")
        self.weight_index = {id(w): i for i, w in enumerate(weights)}
        self.n_weights = len(weights)
        self.reverse = self._reverse_order()
        self.release_after_forward, self.release_after = self._release_schedule()
        # each record's calls, looked up once: forward, input sources, parameters (and where some come from),
        # whether it returns aux, whether its inputs are saved for the reverse
        self.steps = [(e.prim.forward, e.refs, e.params, e.params_for if e.param_refs else None, e.prim.saves_aux,
                       e.requires_grad) for e in self.entries]
        self._forward_only = None

    def _reverse_order(self):
        """The records the reverse pass visits (those the loss depends on through gradient-carrying inputs),
        youngest first, as the engine's heap visits them."""
        reached = {self.outputs[0]} if self.entries[self.outputs[0]].requires_grad else set()
        for k in range(len(self.entries) - 1, -1, -1):
            if k in reached:
                entry = self.entries[k]
                for (kind, v), need in zip(entry.refs, entry.needs):
                    if kind == SLOT and need:
                        reached.add(v)
        return [k for k in range(len(self.entries) - 1, -1, -1) if k in reached]

    def _release_schedule(self):
        """When each output can be dropped: after the reverse step of the last record that reads it, or right
        after the forward pass when no reverse rule reads it (the outputs of the step are kept)."""
        position = {k: i for i, k in enumerate(self.reverse)}
        last = {}
        for k in self.reverse:
            entry = self.entries[k]
            readers = [k] + [v for kind, v in entry.refs if kind == SLOT]
            for slot in readers:
                last[slot] = max(last.get(slot, -1), position[k])
        after = [[] for _ in self.reverse]
        for slot, i in last.items():
            if slot not in self.outputs:
                after[i].append(slot)
        early = [k for k in range(len(self.entries)) if k not in last and k not in self.outputs]
        return early, after

    def outputs_only(self, feeds):
        """The outputs' arrays, without a reverse pass (a tape recorded without gradients, for inference), by
        the forward pass written out as straight-line Python once (see :mod:`.straight_line`)."""
        if self._forward_only is None:
            self._forward_only = straight_line(self.steps, self.outputs)
        return self._forward_only(feeds)

    def run(self, feeds, seed=1.0):
        """The outputs and the weights' gradients of ``seed`` times the first output (the loss)."""
        slots, saved = self._forward(feeds)
        for k in self.release_after_forward:
            slots[k] = None
        outputs = [slots[k] for k in self.outputs]
        return outputs, self._backward(slots, saved, seed)

    def _forward(self, feeds):
        """Every record's forward, in order; returns the outputs and, for the records that need a reverse
        rule, what the rule reads: ``(input arrays, parameters, aux)``."""
        slots, saved = [], [None] * len(self.entries)
        for k, (forward, refs, params, params_for, saves_aux, requires_grad) in enumerate(self.steps):
            arrays = [slots[v] if kind == SLOT else feeds[v] if kind == FEED else v.data if kind == LEAF else v
                      for kind, v in refs]
            if params_for is not None:   # a parameter taken from the batch or an earlier output
                params = params_for(slots, feeds)
            out = forward(*arrays, **params)
            aux = None
            if saves_aux:
                out, aux = out
            slots.append(out if out.__class__ is _ndarray or backend.is_array(out) else np.asarray(out))
            if requires_grad:
                saved[k] = (arrays, params, aux)
        return slots, saved

    def _backward(self, slots, saved, seed=1.0):
        loss = slots[self.outputs[0]]
        first = backend.xp_of(loss).ones_like(loss)
        if seed != 1.0:
            first *= seed
        grads = {self.outputs[0]: first}
        leaf_grads = [None] * self.n_weights
        owned = set()
        for i, k in enumerate(self.reverse):
            g = grads.pop(k, None)
            if g is not None:
                self._rule(self.entries[k], g, slots[k], saved[k], grads, leaf_grads, owned)
            saved[k] = None
            for slot in self.release_after[i]:
                slots[slot] = None
        return leaf_grads

    def _rule(self, entry, g, out, saved, grads, leaf_grads, owned):
        """The record's reverse rule, its input gradients sent on (the engine's ``send``, for a static plan)."""
        prim = entry.prim
        arrays, params, aux = saved
        if prim.saves_aux or prim.skips_unneeded:
            params = dict(params)
            if prim.saves_aux:
                params["aux"] = aux
            if prim.skips_unneeded:
                params["needs"] = entry.needs
        in_grads = prim.vjp(RAW, g, out if prim.saves_output else None, *arrays, **params)
        for (kind, v), need, x_data, gx in zip(entry.refs, entry.needs, arrays, in_grads):
            if gx is None or not need:
                continue
            if gx.__class__ is not ScatterGrad and (gx.shape != x_data.shape or gx.dtype is not x_data.dtype):
                gx = _fit_gradient(RAW, gx, x_data)
            if kind == SLOT:
                _add(grads, v, gx, owned)
            elif kind == LEAF:
                i = self.weight_index.get(id(v))
                if i is not None:
                    _add(leaf_grads, i, gx, owned, ("leaf", i))


def _add(store, key, gx, owned, owner=None):
    """``store[key] += gx`` as the engine accumulates (sparse gradients added in place into its own arrays)."""
    prev = store[key] if isinstance(store, list) else store.get(key)
    store[key] = _received(prev, gx, key if owner is None else owner, owned)
