"""What ``fit(..., distribute=True)`` does differently when several ranks train together (Horovod's semantics).

- At the start, every rank takes rank 0's weights, optimizer state and random generator state.
- The batch size is the global batch. Every rank draws the same shuffled order; each global batch is cut into
  ``size()`` contiguous shards, one per rank (sizes differ by at most one).
- A rank differentiates its shard's mean loss times ``shard rows / global rows``, so the sum over ranks is the
  gradient of the global batch's mean loss: one Allreduce (sum) per step of each flat gradient buffer.
- Losses and metric states are summed over the ranks before they are logged: callbacks see global figures on
  every rank, and decide together (any rank asking to stop stops all, at the same step).
- Validation is sharded the same way and reduced.
"""
from __future__ import annotations

import contextlib
import copy
import io
import warnings

import numpy as np

from .. import random as nr_random
from ..devices.backend import to_numpy
from ..ops.random import global_batch
from . import comm


def shard_bounds(rows: int, rank: int, size: int) -> tuple[int, int]:
    """Rows ``start:stop`` of a batch of ``rows`` that ``rank`` of ``size`` takes (contiguous, sizes differing by
    at most one, the larger ones first, as ``numpy.array_split``).

    >>> [shard_bounds(5, r, 2) for r in range(2)]
    [(0, 3), (3, 5)]
    """
    base, extra = divmod(rows, size)
    start = rank * base + min(rank, extra)
    return start, start + base + (rank < extra)


def sum_gradients(buffers):
    """Each flat gradient buffer replaced by its sum over the ranks: one Allreduce per buffer."""
    for buffer in buffers:
        comm.allreduce_sum_(buffer)


def broadcast_model(model):
    """Every weight of ``model``, and its optimizer's state when built, set to rank 0's."""
    optimizer = model.optimizer
    in_groups = set()
    if optimizer is not None and optimizer.built:
        for group in optimizer._groups:
            comm.broadcast_(group.params)
            for slot in group.slots.values():
                comm.broadcast_(slot)
            in_groups.update(id(v) for v in group.variables)
        optimizer.iterations = comm.broadcast_object(optimizer.iterations)
    for w in model.weights:
        if id(w) not in in_groups:
            comm.broadcast_(w.data)
            w.mark_modified()


class DataParallel:
    """The data-parallel side of one ``fit``; a no-op wrapper on one process."""

    def __init__(self, model):
        comm.init()
        self.model, self.rank, self.size = model, comm.rank(), comm.size()
        self._saved_reduction = None
        self._warned_small = False

    def begin(self):
        model = self.model
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_weights)
        broadcast_model(model)
        generator = nr_random.default_generator.np.bit_generator
        generator.state = comm.broadcast_object(generator.state)
        self._saved_reduction = model.optimizer.gradient_reduction
        model.optimizer.gradient_reduction = sum_gradients

    def end(self):
        self.model.optimizer.gradient_reduction = self._saved_reduction
        self.model._loss_seed = 1.0

    def shard(self, index):
        """This rank's part of the global batch ``index`` (a slice or index array) and its bounds, or None when
        the batch has fewer rows than there are ranks (skipped, with a warning once)."""
        if isinstance(index, slice):
            index = np.arange(index.start, index.stop)
        rows = len(index)
        if rows < self.size:
            if not self._warned_small and comm.is_main():
                warnings.warn(f"fit: the last batch has {rows} samples for {self.size} ranks; it is skipped (make "
                              "the number of samples a multiple of the batch size to use every sample)")
            self._warned_small = True
            return None
        start, stop = shard_bounds(rows, self.rank, self.size)
        return index[start:stop], (rows, start, stop)

    @contextlib.contextmanager
    def step(self, bounds):
        """One training step on this rank's rows of a global batch: its share of the loss, its rows' masks."""
        rows, start, stop = bounds
        self.model._loss_seed = (stop - start) / rows
        with global_batch(rows, start, stop):
            yield

    @contextlib.contextmanager
    def running(self):
        """While the fit runs: ranks other than 0 print nothing; afterwards the optimizer and the loss seed are
        as before."""
        quiet = contextlib.redirect_stdout(io.StringIO()) if not comm.is_main() else contextlib.nullcontext()
        try:
            with quiet:
                yield
        finally:
            self.end()

    def global_logs(self, loss_mean, loss, rows, stop):
        """The epoch's running logs and the batch's, summed over the ranks; any rank's ``stop`` stops all."""
        model = self.model
        total, count, metrics, (batch_total, batch_rows, stops) = self.reduce(
            float(loss_mean.total), loss_mean.count, model.compiled_metrics, (float(loss) * rows, rows, float(stop)))
        if stops:
            model.stop_training = True
        logs = {"loss": total / count, **{m.name: m.result() for m in metrics}}
        return logs, {**logs, "loss": batch_total / batch_rows}

    def evaluate(self, val, batch_size):
        """The validation logs: each rank evaluates its contiguous part of ``val`` (x, y, weights), and the
        sums are reduced."""
        model, (x, y, weights) = self.model, val
        start, stop = shard_bounds(len(x), self.rank, self.size)
        for m in model.compiled_metrics:
            m.reset_state()
        total = 0.0
        for begin in range(start, stop, batch_size):
            index = slice(begin, min(begin + batch_size, stop))
            loss = model._test_step(x[index], y[index], None if weights is None else weights[index])
            total += float(loss) * (index.stop - index.start)
        total, count, metrics, _ = self.reduce(total, stop - start, model.compiled_metrics)
        return {"loss": total / count, **{m.name: m.result() for m in metrics}}

    def reduce(self, loss_total, loss_count, metrics, extra=()):
        """The sums over the ranks of the loss's running total and count, of every metric's state and of
        ``extra`` (floats); returns ``(total, count, metrics with summed states, extra)``."""
        parts = [np.array([loss_total, loss_count, *extra], dtype=np.float64)]
        shapes = []
        for m in metrics:
            for name in m.state_names:
                value = np.asarray(to_numpy(getattr(m, name)), dtype=np.float64)
                shapes.append(value.shape)
                parts.append(value.reshape(-1))
        flat = comm.allreduce_sum_(np.concatenate(parts))
        head, offset = flat[:2 + len(extra)], 2 + len(extra)
        summed = []
        for m in metrics:
            twin = copy.copy(m)
            for name in m.state_names:
                shape = shapes.pop(0)
                n = int(np.prod(shape))
                value = flat[offset:offset + n].reshape(shape)
                setattr(twin, name, value if shape else float(value))
                offset += n
            summed.append(twin)
        return float(head[0]), float(head[1]), summed, [float(v) for v in head[2:]]
