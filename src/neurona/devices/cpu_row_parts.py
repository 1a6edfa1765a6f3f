"""The LSTM's compiled gate steps shared between the cores by rows, on OpenBLAS's own threads, with no Python there.

A training step of the LSTM alternates a matrix product, which OpenBLAS runs on every core, with a compiled pass
over the gates (:mod:`~neurona.devices.cpu_gate_kernels`), which ran on one core while OpenBLAS's idle worker
spun on the other. The rows of a batch are independent, so the pass is cut into one slice of rows per core, and
each slice runs on one of OpenBLAS's threads: NumPy's OpenBLAS exports ``gotoblas_pthread(n, function, args,
stride)``, which calls the C function ``function(args + i * stride)`` for i < n, i = 0 in the caller. The function
is a numba ``cfunc`` that reads its slice from a record of int64 (rows, steps, sizes, the arrays' addresses), so
a call costs about 2 us (through Python, 30-80). Measured on an AMD EPYC (2 cores), 28 steps at batch 64:
the forward's passes took 1.0-1.3 instead of 1.9 ms.

Step by step, each row is computed by the same compiled code as in one call, so the results are the same bits.
OpenBLAS's threads do not take the caller's SSE control register: each slice sets the caller's (its denormal
flushing, :mod:`~neurona.devices.cpu_flags`) while it runs, and puts the thread's own back after.

Without a mask, a whole sequence goes further (:meth:`RowParts.run_sequence`): a row of the batch depends on no
other row at any step, so each core runs every step of its own slice, its share of each step's product included, by
OpenBLAS's ``cblas_sgemm`` called from the cfunc, on one thread (:mod:`~neurona.devices.cpu_intrinsics`). The steps
then need no call from Python and no meeting of the cores between the product and the gates. Measured on an AMD EPYC
(2 cores), 28 steps at batch 64, 128 units, calls alternated: forward 3.7 and 4.4 against 4.3 and 4.9 ms step by
step (two runs), reverse 5.0 and 6.0 against 5.8 and 6.9 ms (the recurrent kernel's gradient, one product,
included); a training epoch (6,000 sequences) 0.83 of the step-by-step time. A slice's product on one thread rounds
as OpenBLAS rounds a product of that many rows on one thread, which is not always the bits of the whole batch's
product on two threads: the results agree with the step-by-step path to float32 rounding, not bit for bit (tested).

>>> import numpy as np
>>> rows = RowParts.for_arrays(64, 128, 28, np.zeros((28, 64, 512), np.float32))
>>> rows is None or len(rows.records) >= 2   # None where the rows cannot be shared: one call then
True
"""
from __future__ import annotations

import numpy as np

from . import cpu_flags

#: rows from which a step's rows are shared between the cores (below, a slice is too short to repay a call)
MIN_ROWS = 16

# the fields of a record, int64 each: the rows [R0, R1), the steps [T0, T1), the sizes, the caller's SSE control
# register, the address of OpenBLAS's cblas_sgemm (ILP64; 0: the caller makes the products), the arrays' addresses
R0, R1, T0, T1, BATCH, UNITS, STEPS, MXCSR, GEMM, A0 = range(10)
FIELDS = A0 + 9   # room for nine arrays' addresses

_functions = {}   # name: the compiled cfunc's address


class RowParts:
    """The records of one sequence's steps, one per slice of rows: ``run(name, t)`` runs the kernel ``name`` at
    step ``t`` over every slice at once, ``run_sequence(name)`` over every step."""

    def __init__(self, batch, parts, gotoblas_pthread, register):
        self.records = np.zeros((parts, FIELDS), dtype=np.int64)
        for i in range(parts):
            self.records[i, R0], self.records[i, R1] = batch * i // parts, batch * (i + 1) // parts
        self.records[:, BATCH] = batch
        self.records[:, MXCSR] = register
        self._call = gotoblas_pthread
        self._address = self.records.ctypes.data

    @classmethod
    def for_arrays(cls, batch, units, steps, *arrays):
        """The slices of ``batch`` rows for a kernel that reads ``arrays`` (in its order), or None: numba or
        OpenBLAS's entry point missing, the caller's SSE control register unreadable (not x86-64 Linux), one
        core or one BLAS thread, fewer than ``2 * MIN_ROWS`` rows, or an array that is not C-contiguous float32."""
        from .cpu_kernels import ENABLED, _numba
        if not ENABLED or batch < 2 * MIN_ROWS or _numba() is None:
            return None
        register = cpu_flags.control_register()
        if register is None:
            return None
        if any(a.__class__ is not np.ndarray or a.dtype != np.float32 or not a.flags.c_contiguous for a in arrays):
            return None
        from . import cpu_threads
        call = cpu_threads._blas_workers()
        if call is None:
            return None
        library = cpu_threads._blas_controllers()[cpu_threads._workers_library]
        parts = min(cpu_threads.cores(), batch // MIN_ROWS, library.get_num_threads())
        if parts < 2:
            return None
        rows = cls(batch, parts, call, register)
        rows.records[:, UNITS], rows.records[:, STEPS] = units, steps
        for k, a in enumerate(arrays):
            rows.records[:, A0 + k] = a.ctypes.data
        rows._arrays = arrays   # alive while the records point at them
        return rows

    def run(self, name, t):
        """The cfunc ``name`` of ``_BUILDERS`` at step ``t``, after the caller's product: each slice at once, the
        first in this thread."""
        records = self.records
        records[:, T0], records[:, T1], records[:, GEMM] = t, t + 1, 0
        self._call(len(records), _function(name), self._address, FIELDS * 8)

    def run_sequence(self, name) -> bool:
        """The cfunc ``name`` of ``_BUILDERS`` over every step, products included, each slice in one call on its
        own core, with OpenBLAS on one thread meanwhile; False, having run nothing, where NumPy's OpenBLAS has no
        ILP64 ``cblas_sgemm`` or another thread is sharing the cores."""
        from . import cpu_threads
        from .cpu_intrinsics import one_blas_thread, sgemm_address
        address = sgemm_address()
        if address is None or not cpu_threads._region.acquire(blocking=False):
            return False
        try:
            records = self.records
            records[:, T0], records[:, T1], records[:, GEMM] = 0, records[0, STEPS], address
            with one_blas_thread():
                self._call(len(records), _function(name), self._address, FIELDS * 8)
        finally:
            cpu_threads._region.release()
        return True


def _function(name):
    """The address of the cfunc ``name`` (built on first use; cached on disk by numba)."""
    address = _functions.get(name)
    if address is None:
        _build_intrinsics()
        address = _functions[name] = _BUILDERS[name]().address
    return address


# numba intrinsics (:mod:`.cpu_intrinsics`), globals of this module (a closure's would keep the cfuncs from numba's
# cache), set once: a pointer from an address, a swap of the SSE control register, cblas_sgemm at an address
_pointer = _swap_mxcsr = _product = None
_step = _backward = None  # the gate kernels the cfuncs call
carray = None            # numba.carray: a view of a pointer's data as an array (compiled code only)


def _build_intrinsics():
    global _pointer, _swap_mxcsr, _product, carray
    if _pointer is None:
        import numba
        from .cpu_intrinsics import intrinsics
        carray = numba.carray
        _pointer, _swap_mxcsr, _product = intrinsics()


def _cfunc():
    import numba
    from numba import types
    return numba.cfunc(types.void(types.voidptr), cache=True, error_model="numpy")


def lstm_step_rows(record):
    """The LSTM's forward at steps [t0, t1) for rows [r0, r1): at each step, where the record holds cblas_sgemm's
    address, ``gates[t] = h_prev @ u`` for these rows (else the caller made the step's product), then
    ``lstm_step``. Arrays: gates, xz (steps, batch, 4 units), half (4 units), out (steps, batch, 2 units), tanh_c
    (steps, batch, units), first (batch, 2 units): ``[h0, c0]``, u (units, 4 units)."""
    job = carray(record, (FIELDS,), np.int64)
    r0, r1, batch, units, steps, sgemm = job[R0], job[R1], job[BATCH], job[UNITS], job[STEPS], job[GEMM]
    own = _swap_mxcsr(np.int32(job[MXCSR]))
    gates = carray(_pointer(job[A0]), (steps, batch, 4 * units), np.float32)
    xz = carray(_pointer(job[A0 + 1]), (steps, batch, 4 * units), np.float32)
    half = carray(_pointer(job[A0 + 2]), (4 * units,), np.float32)
    out = carray(_pointer(job[A0 + 3]), (steps, batch, 2 * units), np.float32)
    tanh_c = carray(_pointer(job[A0 + 4]), (steps, batch, units), np.float32)
    first = carray(_pointer(job[A0 + 5]), (batch, 2 * units), np.float32)
    for t in range(job[T0], job[T1]):
        prev = out[t - 1] if t > 0 else first
        if sgemm:   # h_prev: the first half of [h, c]
            _product(sgemm, r1 - r0, 4 * units, units, prev[r0:].ctypes.data, 2 * units, job[A0 + 6], 4 * units,
                     gates[t, r0:].ctypes.data, 4 * units)
        _step(gates[t, r0:r1], xz[t, r0:r1], half, prev[r0:r1], out[t, r0:r1], tanh_c[t, r0:r1])
    _swap_mxcsr(own)


def lstm_gates_backward_rows(record):
    """Backpropagation through steps [t0, t1), from the last, for rows [r0, r1): at each step
    ``lstm_gates_backward``, then, where the record holds cblas_sgemm's address, ``dh = dz[t] @ u_t`` for these rows
    (else the caller makes it). Arrays: g (steps, batch, 2 units), gates (steps, batch, 4 units), dh, dc (batch,
    units), out (steps, batch, 2 units), tanh_c (steps, batch, units), dz (steps, batch, 4 units), first (batch,
    2 units), u_t (4 units, units): the recurrent kernel transposed."""
    job = carray(record, (FIELDS,), np.int64)
    r0, r1, batch, units, steps, sgemm = job[R0], job[R1], job[BATCH], job[UNITS], job[STEPS], job[GEMM]
    own = _swap_mxcsr(np.int32(job[MXCSR]))
    g = carray(_pointer(job[A0]), (steps, batch, 2 * units), np.float32)
    gates = carray(_pointer(job[A0 + 1]), (steps, batch, 4 * units), np.float32)
    dh = carray(_pointer(job[A0 + 2]), (batch, units), np.float32)
    dc = carray(_pointer(job[A0 + 3]), (batch, units), np.float32)
    out = carray(_pointer(job[A0 + 4]), (steps, batch, 2 * units), np.float32)
    tanh_c = carray(_pointer(job[A0 + 5]), (steps, batch, units), np.float32)
    dz = carray(_pointer(job[A0 + 6]), (steps, batch, 4 * units), np.float32)
    first = carray(_pointer(job[A0 + 7]), (batch, 2 * units), np.float32)
    for t in range(job[T1] - 1, job[T0] - 1, -1):
        prev = out[t - 1] if t > 0 else first
        _backward(g[t, r0:r1], dh[r0:r1], dc[r0:r1], gates[t, r0:r1], prev[r0:r1], tanh_c[t, r0:r1],
                  dz[t, r0:r1])
        if sgemm:
            _product(sgemm, r1 - r0, units, 4 * units, dz[t, r0:].ctypes.data, 4 * units, job[A0 + 8], units,
                     dh[r0:].ctypes.data, units)
    _swap_mxcsr(own)


def _build_lstm_step():
    global _step
    from . import cpu_gate_kernels
    from .cpu_kernels import cpu_kernel
    cpu_kernel("lstm_step")
    _step = cpu_gate_kernels._step
    return _cfunc()(lstm_step_rows)


def _build_lstm_gates_backward():
    global _backward
    from .cpu_kernels import cpu_kernel
    _backward = cpu_kernel("lstm_gates_backward")
    return _cfunc()(lstm_gates_backward_rows)


_BUILDERS = {"lstm_step": _build_lstm_step, "lstm_gates_backward": _build_lstm_gates_backward}
