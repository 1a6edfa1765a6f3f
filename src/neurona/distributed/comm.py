"""The process group: who we are (rank), how many we are (size), and MPI's collectives on arrays.

MPI carries the bytes (mpi4py, with the ``mpich`` wheel of ``pip install neurona[mpi]`` or a system MPI).
:func:`init` imports mpi4py only when the process was started by ``mpiexec``/``mpirun`` (their environment
variables say so); otherwise the group is this one process (rank 0 of 1) and every collective is the identity,
so the same script runs unchanged with and without MPI.

Under MPI, an uncaught exception on any rank prints that rank's traceback and aborts the whole job (what
``python -m mpi4py`` does), so the other ranks do not wait forever in their next collective.

CuPy arrays are staged through host memory: copied to the host, reduced by MPI, copied back.

>>> init(); (rank(), size(), is_main())
(0, 1, True)
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

#: Environment variables that MPI launchers set in every process they start (MPICH/Hydra, Open MPI, PMIx, Slurm).
LAUNCHER_VARIABLES = ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS")

_comm = None        # mpi4py's COMM_WORLD once init() found a launcher; None in a single process
_initialized = False
#: how long a failing rank waits, its error written, before aborting the job: MPI_Abort kills the ranks at once,
#: and the launcher (mpich's hydra) could lose what it had not forwarded yet (a CI run lost a rank's whole error)
_FORWARD_SECONDS = 0.5

#: What the Allreduces of arrays cost this process so far (calls, bytes sent by this rank, seconds waited):
#: the figures of ``benchmarks/distributed.py``.
stats = {"allreduce_calls": 0, "allreduce_bytes": 0, "allreduce_seconds": 0.0}


def launched_by_mpi() -> bool:
    """Whether this process was started by an MPI launcher (``mpiexec -n N python ...``).

    >>> import neurona as nr
    >>> nr.distributed.launched_by_mpi()
    False
    """
    return any(name in os.environ for name in LAUNCHER_VARIABLES)


def init() -> None:
    """Join the MPI job this process was launched in (idempotent). Without a launcher: one process, no import.

    Raises an ImportError that names the extra when ``mpiexec`` started us but mpi4py is missing.

    >>> import neurona as nr
    >>> nr.distributed.init()
    """
    global _comm, _initialized
    if _initialized:
        return
    if launched_by_mpi():
        try:
            from mpi4py import MPI
        except ImportError:
            raise ImportError("neurona.distributed: this process was started by an MPI launcher but mpi4py is "
                              "missing; install it with  pip install 'neurona[mpi]'  (mpi4py and the mpich "
                              "wheel)") from None
        _comm = MPI.COMM_WORLD
        if _comm.Get_size() > 1:
            _abort_job_on_uncaught_exception()
    _initialized = True


def _abort_job_on_uncaught_exception():
    previous = sys.excepthook

    def hook(kind, value, tb):
        sys.stderr.write(f"[rank {rank()} of {size()}] uncaught exception: the whole MPI job is aborted\n")
        previous(kind, value, tb)
        sys.stderr.flush()
        sys.stdout.flush()
        time.sleep(_FORWARD_SECONDS)   # the launcher forwards output asynchronously; Abort can cut it off
        _comm.Abort(1)
    sys.excepthook = hook


def rank() -> int:
    """This process's number in the job, 0 to ``size() - 1`` (0 without MPI).

    >>> import neurona as nr
    >>> nr.distributed.rank()
    0
    """
    return 0 if _comm is None else _comm.Get_rank()


def size() -> int:
    """How many processes train together (1 without MPI).

    >>> import neurona as nr
    >>> nr.distributed.size()
    1
    """
    return 1 if _comm is None else _comm.Get_size()


def is_main() -> bool:
    """Whether this is rank 0: the process that prints, writes files and saves.

    >>> import neurona as nr
    >>> nr.distributed.is_main()
    True
    """
    return rank() == 0


def active() -> bool:
    """Whether more than one process takes part (collectives then communicate).

    >>> import neurona as nr
    >>> nr.distributed.active()
    False
    """
    return _comm is not None and _comm.Get_size() > 1


def barrier() -> None:
    """Wait until every rank gets here.

    >>> import neurona as nr
    >>> nr.distributed.barrier()
    """
    if active():
        _comm.Barrier()


def allreduce_sum_(array):
    """Replace ``array`` (contiguous, NumPy or CuPy) with its sum over all ranks, in place; returns it.

    >>> import neurona as nr
    >>> import numpy as np
    >>> nr.distributed.allreduce_sum_(np.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    """
    if not active():
        return array
    start = time.perf_counter()
    if array.__class__ is np.ndarray:
        _comm.Allreduce(_in_place(), array)
    else:
        host = array.get()          # CuPy: staged through host memory
        _comm.Allreduce(_in_place(), host)
        array.set(host)
    stats["allreduce_seconds"] += time.perf_counter() - start
    stats["allreduce_calls"] += 1
    stats["allreduce_bytes"] += array.nbytes
    return array


def allreduce_max(value: float) -> float:
    """The largest of ``value`` over all ranks.

    >>> import neurona as nr
    >>> nr.distributed.allreduce_max(2.5)
    2.5
    """
    if not active():
        return value
    from mpi4py import MPI
    return _comm.allreduce(value, op=MPI.MAX)


def broadcast_(array):
    """Overwrite ``array`` (contiguous, NumPy or CuPy) on every rank with rank 0's, in place; returns it.

    >>> import neurona as nr
    >>> import numpy as np
    >>> nr.distributed.broadcast_(np.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    """
    if not active():
        return array
    if array.__class__ is np.ndarray:
        _comm.Bcast(array, root=0)
        return array
    host = array.get()
    _comm.Bcast(host, root=0)
    array.set(host)
    return array


def broadcast_object(value):
    """Rank 0's ``value`` (any picklable object) on every rank.

    >>> import neurona as nr
    >>> nr.distributed.broadcast_object({"seed": 3})
    {'seed': 3}
    """
    return value if not active() else _comm.bcast(value, root=0)


def _in_place():
    from mpi4py import MPI
    return MPI.IN_PLACE
