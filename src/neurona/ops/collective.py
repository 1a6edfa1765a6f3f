"""Collective primitives: values summed over the processes of an MPI job (see :mod:`neurona.distributed`).

``allreduce_sum`` is linear, and its own transpose: the gradient reaching each rank's input is the sum over
ranks of the gradients reaching the output. Synchronised batch normalization builds its batch statistics with
it. In a single process it is the identity.
"""
from __future__ import annotations

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Linear
from ..distributed import comm
from ._common import as_tensor


class AllreduceSum(Linear):
    name = "allreduce_sum"

    def forward(self, x):
        return comm.allreduce_sum_(x.copy())

    def transpose(self, F, g, x):
        return F.allreduce_sum(g)


def allreduce_sum(x):
    """``x`` summed over every rank of the job (each rank passes its own ``x`` of the same shape).

    >>> import neurona as nr
    >>> allreduce_sum(nr.ones(2)).tolist()   # one process: the identity
    [1.0, 1.0]
    """
    return apply(REGISTRY["allreduce_sum"], (as_tensor(x),), {})
