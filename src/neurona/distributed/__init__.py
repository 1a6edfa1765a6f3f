"""Data-parallel training over MPI: the same script on one process or on many (``mpiexec -n 4 python train.py``).

Keras' way: ``model.fit(x, y, batch_size=256, distribute=True)``; PyTorch's way: :func:`DistributedOptimizer`
and :func:`broadcast_parameters` in your own loop. Install the transport with ``pip install 'neurona[mpi]'``
(mpi4py and the ``mpich`` wheel: no system MPI needed). Without ``mpiexec`` everything runs as one process and
mpi4py is not imported. See ``docs/distributed.md``.

>>> import neurona as nr
>>> nr.distributed.init(); nr.distributed.size()
1
"""
from .comm import (active, allreduce_max, allreduce_sum_, barrier, broadcast_, broadcast_object, init,
                   is_main, launched_by_mpi, rank, size)

__all__ = ["init", "rank", "size", "is_main", "active", "barrier", "allreduce_sum_", "allreduce_max",
           "broadcast_", "broadcast_object", "launched_by_mpi", "DistributedOptimizer", "allreduce_gradients",
           "broadcast_parameters", "broadcast_optimizer_state", "average_gradients"]

_LAZY = {"DistributedOptimizer", "allreduce_gradients", "broadcast_parameters", "broadcast_optimizer_state",
         "average_gradients"}


def __getattr__(name):  # the optimizer side imports the optimizers: loaded when first asked for
    if name in _LAZY:
        from . import optimizer
        return getattr(optimizer, name)
    raise AttributeError(f"module 'neurona.distributed' has no attribute {name!r}")
