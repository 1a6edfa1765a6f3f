"""A plan's forward pass as straight-line Python: one assignment per record, no loop.

:meth:`Plan.outputs_only <neurona.autograd.compiled.Plan.outputs_only>` (``predict``'s replay) would otherwise
walk the records in a loop that builds each record's argument list from its sources: about 2 microseconds a
record, as much as the work of a small layer on one sample. Here the sources are resolved once, into the text
of a function that reads like the forward pass written by hand, as ``torch.fx`` writes its graphs back to
Python. A weight (``LEAF``) is still read afresh from its Tensor at every call, and an output nobody reads later
is dropped as soon as it is used, so a large batch holds fewer intermediates at once.

>>> import numpy as np
>>> steps = [(np.add, [(1, 0), (3, 1.0)], {}, None, False, False), (np.negative, [(0, 0)], {}, None, False, False)]
>>> print(straight_line_source(steps, [1]))
def forward_only(feeds):
    s0 = f0(feeds[0], c0_1, **p0)
    if s0.__class__ is not _ndarray: s0 = _coerce(s0)
    s1 = f1(s0, **p1)
    if s1.__class__ is not _ndarray: s1 = _coerce(s1)
    del s0
    return [s1]
>>> straight_line(steps, [1])([np.array([2.0])])[0]
array([-3.])
"""
from __future__ import annotations

import numpy as np

from ..devices import backend

#: where a record's input comes from (see :mod:`.compiled`): an earlier record's output, the batch, a Tensor made
#: outside the step (a weight), anything else
SLOT, FEED, LEAF, CONST = range(4)


def _coerce(out):
    """A primitive's result as an array (a NumPy scalar becomes a 0-d array; a CuPy array stays)."""
    return out if backend.is_array(out) else np.asarray(out)


def straight_line_source(steps, outputs) -> str:
    """The text of ``forward_only(feeds)`` for a plan's ``steps`` (see ``Plan.steps``) and output slots."""
    last_read = {}
    for k, (_, refs, _, params_for, _, _) in enumerate(steps):
        for v in range(k) if params_for else (v for kind, v in refs if kind == SLOT):
            last_read[v] = k   # a parameter taken from an earlier output may read any of them
    lines = ["def forward_only(feeds):"]
    for k, (_, refs, _, params_for, saves_aux, _) in enumerate(steps):
        args = [_source(kind, v, k, i) for i, (kind, v) in enumerate(refs)]
        params = f"**pf{k}([{', '.join(f's{j}' for j in range(k))}], feeds)" if params_for else f"**p{k}"
        lines.append(f"    s{k} = f{k}({', '.join(args + [params])}){'[0]' if saves_aux else ''}")
        lines.append(f"    if s{k}.__class__ is not _ndarray: s{k} = _coerce(s{k})")
        dead = sorted(v for v in range(k + 1) if last_read.get(v, v) == k and v not in outputs)
        if dead:
            lines.append(f"    del {', '.join(f's{v}' for v in dead)}")
    lines.append(f"    return [{', '.join(f's{k}' for k in outputs)}]")
    return "\n".join(lines)


def _source(kind, v, k, i) -> str:
    """How record ``k`` names its ``i``-th input."""
    if kind == SLOT:
        return f"s{v}"
    if kind == FEED:
        return f"feeds[{v}]"
    return f"l{k}_{i}.data" if kind == LEAF else f"c{k}_{i}"


def straight_line(steps, outputs):
    """``forward_only(feeds)``: the outputs' arrays of the plan's forward pass, computed as the loop in
    ``Plan._forward`` computes them (the same calls in the same order, so the same bits)."""
    names = {"_ndarray": np.ndarray, "_coerce": _coerce}
    for k, (forward, refs, params, params_for, _, _) in enumerate(steps):
        names[f"f{k}"], names[f"p{k}"], names[f"pf{k}"] = forward, params, params_for
        for i, (kind, v) in enumerate(refs):
            if kind in (LEAF, CONST):
                names[f"{'l' if kind == LEAF else 'c'}{k}_{i}"] = v
    exec(compile(straight_line_source(steps, outputs), "<neurona plan>", "exec"), names)  # noqa: S102
    return names["forward_only"]
