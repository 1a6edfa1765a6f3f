"""Memory accounting for training (the lecture: parameters, activations and gradients must fit in memory).

``model.memory_report(batch_size)`` counts, in bytes:

- **parameters**: every weight;
- **gradients**: one gradient per trainable weight (the optimizer's flat gradient buffer);
- **optimizer state**: the optimizer's buffers (moments, velocities, its scratch buffer);
- **activations**: the arrays the graph keeps from the forward pass for the backward pass, measured by walking
  the graph of a real forward pass, scaled to ``batch_size``;
- **workspace**: the transient arrays of the backward pass (gradients in flight, the fresh weight gradients
  before they are copied into the flat buffer).

The largest batch that fits a budget follows from the per-sample part of activations and workspace.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..autograd.tensor import Tensor
from ..devices import backend


@dataclass
class MemoryReport:
    batch_size: int
    parameters: int
    gradients: int
    optimizer_state: int
    activations: int
    workspace: int
    per_sample: int
    largest_batch: int | None = None

    @property
    def total(self) -> int:
        return self.parameters + self.gradients + self.optimizer_state + self.activations + self.workspace

    def __str__(self):
        mb = 1 / 2 ** 20
        lines = [f"memory for training at batch size {self.batch_size}:",
                 f"  parameters       {self.parameters * mb:10.2f} MB",
                 f"  gradients        {self.gradients * mb:10.2f} MB",
                 f"  optimizer state  {self.optimizer_state * mb:10.2f} MB",
                 f"  activations      {self.activations * mb:10.2f} MB",
                 f"  workspace        {self.workspace * mb:10.2f} MB",
                 f"  total            {self.total * mb:10.2f} MB  ({self.per_sample / 1024:.1f} KB per sample)"]
        if self.largest_batch is not None:
            lines.append(f"  largest batch within the budget: {self.largest_batch}")
        return "\n".join(lines)


def _graph_arrays(root: Tensor, exclude: set):
    """Distinct memory blocks held by the graph of ``root`` (views count once, parameters excluded)."""
    blocks, largest = {}, 0
    stack, seen = [root._node], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        arrays = [x.data for x in node.inputs if isinstance(x, Tensor)]
        if node.out_data is not None:
            arrays.append(node.out_data)
        extra = [a for a in (node.aux or ()) if hasattr(a, "nbytes")]
        tracked = [isinstance(x, Tensor) and x.requires_grad for x in node.inputs]
        for a, needs_grad in zip(arrays, tracked + [True]):
            base = a if a.base is None else a.base
            if id(base) in exclude or not isinstance(base, np.ndarray):
                continue
            blocks[id(base)] = base.nbytes
            if needs_grad:  # backward makes gradients only for these
                largest = max(largest, a.nbytes)
        for a in extra:
            blocks[id(a)] = a.nbytes
        stack.extend(x._node for x in node.inputs if isinstance(x, Tensor))
    return sum(blocks.values()), largest


def _activation_bytes(model, batch_size):
    shape = (batch_size,) + tuple(model.expected_input)
    x = Tensor(np.zeros(shape, dtype=backend.DEFAULT_FLOAT))
    params = {id(w.data if w.data.base is None else w.data.base) for w in model.weights}
    with enable_grad():
        out = model(x, training=True)
        if not out.requires_grad:
            return 0, 0
        held, largest = _graph_arrays(out, params)
    return held + out.data.nbytes, largest


def memory_report(model, batch_size=32, budget_bytes=None) -> MemoryReport:
    if not model.built or model.expected_input is None:
        raise RuntimeError("memory_report: the model is not built; start it with Input(shape) or call it once")
    params = sum(w.data.nbytes for w in model.weights)
    trainable = sum(w.data.nbytes for w in model.trainable_weights)
    optimizer_state = _optimizer_bytes(model.optimizer, trainable)
    act1, large1 = _activation_bytes(model, 1)
    act2, large2 = _activation_bytes(model, 2)
    per_sample_act = max(act2 - act1, 0)
    fixed_act = max(act1 - per_sample_act, 0)
    per_sample_largest = max(large2 - large1, 0)
    activations = fixed_act + per_sample_act * batch_size
    workspace = 2 * per_sample_largest * batch_size + trainable
    per_sample = per_sample_act + 2 * per_sample_largest
    report = MemoryReport(batch_size, params, trainable, optimizer_state, activations, workspace, per_sample)
    if budget_bytes is not None:
        fixed = params + trainable + optimizer_state + fixed_act + trainable
        report.largest_batch = max(int((budget_bytes - fixed) // per_sample), 0) if per_sample else None
    return report


def _optimizer_bytes(opt, trainable):
    """The optimizer's buffers: counted when built, else the number of state buffers its rule will create
    (plus the shared scratch buffer) times the trainable bytes."""
    if opt is None:
        return 0
    if opt.built:
        return sum(sum(buf.nbytes for buf in g.slots.values()) + g.scratch.nbytes for g in opt._groups)
    return (opt.state_buffer_count() + 1) * trainable
