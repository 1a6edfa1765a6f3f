"""The PyTorch-style way in: data-parallel training in a loop you write yourself (Horovod's API).

>>> import neurona as nr
>>> w = nr.tensor([1.0, 2.0], requires_grad=True)
>>> opt = DistributedOptimizer(nr.optimizers.SGD([w], lr=0.1))   # gradients averaged over the ranks
>>> broadcast_parameters([w])                                      # every rank starts from rank 0's weights
>>> (w * w).sum().backward(); opt.step(); [round(v, 4) for v in w.tolist()]
[0.8, 1.6]
"""
from __future__ import annotations

from . import comm


def average_gradients(buffers):
    """Each flat gradient buffer replaced by its mean over the ranks (one Allreduce each).

    >>> import neurona as nr
    >>> import numpy as np
    >>> buffer = np.array([2.0, 4.0])
    >>> nr.distributed.average_gradients([buffer])
    >>> buffer.tolist()
    [2.0, 4.0]
    """
    n = comm.size()
    for buffer in buffers:
        comm.allreduce_sum_(buffer)
        if n > 1:
            buffer *= 1.0 / n


def DistributedOptimizer(optimizer):
    """``optimizer``, changed to average its gradients over the ranks before every update (one Allreduce per
    flat gradient buffer, that is one per dtype). Each rank computes the gradient of its own batch's mean
    loss; the average is the gradient of the mean over all ranks' batches (equal batch sizes). Returns the same
    optimizer object. Call :func:`broadcast_parameters` (and :func:`broadcast_optimizer_state` when resuming)
    before the first step.

    >>> import neurona as nr
    >>> w = nr.tensor([1.0], requires_grad=True)
    >>> opt = nr.distributed.DistributedOptimizer(nr.optimizers.SGD([w], lr=0.5))
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.tolist()
    [0.0]
    """
    from ..optimizers.base import Optimizer
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"DistributedOptimizer: optimizer must be a neurona optimizer (e.g. "
                        f"nr.optimizers.SGD(params, lr=0.1)), got {type(optimizer).__name__}")
    comm.init()
    optimizer.gradient_reduction = average_gradients
    return optimizer


def allreduce_gradients(parameters):
    """Average the ``.grad`` of each parameter (Tensors, or a model's ``parameters()``) over the ranks, in place:
    call it between ``loss.backward()`` and a plain optimizer's ``step()``.

    >>> import neurona as nr
    >>> w = nr.tensor([1.0], requires_grad=True)
    >>> (3 * w).sum().backward()
    >>> nr.distributed.allreduce_gradients([w])
    >>> w.grad.tolist()
    [3.0]
    """
    from ..autograd.tensor import Tensor
    comm.init()
    for p in parameters:
        if p.grad is not None:
            is_tensor = isinstance(p.grad, Tensor)
            g = (p.grad.data if is_tensor else p.grad).copy()
            average_gradients([g])
            p.grad = Tensor(g) if is_tensor else g


def broadcast_parameters(parameters):
    """Set every parameter (Tensors, or ``model.weights``) to rank 0's value, in place.

    >>> import neurona as nr
    >>> w = nr.tensor([1.0, 2.0])
    >>> nr.distributed.broadcast_parameters([w])
    >>> w.tolist()
    [1.0, 2.0]
    """
    comm.init()
    for p in parameters:
        comm.broadcast_(p.data)
        p.mark_modified()


def broadcast_optimizer_state(optimizer):
    """Set a built optimizer's state (moments, step count) to rank 0's.

    >>> import neurona as nr
    >>> opt = nr.optimizers.Adam()
    >>> nr.distributed.broadcast_optimizer_state(opt)
    >>> opt.iterations
    0
    """
    comm.init()
    for group in optimizer._groups:
        for slot in group.slots.values():
            comm.broadcast_(slot)
    optimizer.iterations = comm.broadcast_object(optimizer.iterations)
