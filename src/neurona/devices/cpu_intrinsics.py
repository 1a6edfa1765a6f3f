"""What the compiled C functions that run on OpenBLAS's threads call: numba intrinsics (LLVM instructions written
out) and OpenBLAS's own entry points, found by address.

:mod:`~neurona.devices.cpu_row_parts` runs numba ``cfunc``s on OpenBLAS's workers (the LSTM's rows). They read
their work from a record of int64 addresses, so they need a pointer from an integer; they set the caller's SSE
control register (denormal flushing) in the worker thread; and they call ``cblas_sgemm``, which must then run on
one thread (threaded, a product started inside one of OpenBLAS's workers did not return when tried).
OpenBLAS's thread count is one setting for the process (its ``openblas_set_num_threads_local`` sets the same
global in a pthreads build, whatever its name says), so :func:`one_blas_thread` sets it to one around the parts,
through OpenBLAS's own setter: about 1 us for a change and back, where threadpoolctl's took about 45.

>>> sgemm_address() is None or sgemm_address() > 0   # None where NumPy's OpenBLAS lacks an ILP64 cblas_sgemm
True
"""
from __future__ import annotations

import contextlib

ROW_MAJOR, NO_TRANSPOSE = 101, 111   # CBLAS's enumerations

_entry_points = None   # (cblas_sgemm's address, get_num_threads, set_num_threads) of NumPy's OpenBLAS; False: none
_intrinsics = None


def _found():
    """NumPy's OpenBLAS's ILP64 ``cblas_sgemm`` (its address) and its thread count's getter and setter (ctypes
    functions), found once; None where any is missing (another BLAS, or no pool to share: see cpu_threads)."""
    global _entry_points
    if _entry_points is None:
        import ctypes
        from . import cpu_threads
        _entry_points = False
        if cpu_threads._blas_workers() is not None:
            library = cpu_threads._blas_controllers()[cpu_threads._workers_library].dynlib
            sgemm = _symbol(library, "scipy_cblas_sgemm64_", "cblas_sgemm64_")
            get = _symbol(library, "scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                          "openblas_get_num_threads")
            set_ = _symbol(library, "scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
                           "openblas_set_num_threads")
            if sgemm is not None and get is not None and set_ is not None:
                get.restype, set_.argtypes, set_.restype = ctypes.c_int, [ctypes.c_int], None
                _entry_points = (ctypes.cast(sgemm, ctypes.c_void_p).value, get, set_)
    return _entry_points or None


def _symbol(library, *names):
    """The first of ``names`` that ``library`` exports, as a ctypes function, or None."""
    return next((getattr(library, name) for name in names if hasattr(library, name)), None)


def sgemm_address():
    """The address of ``cblas_sgemm`` with 64-bit integers (ILP64) in NumPy's OpenBLAS, or None."""
    found = _found()
    return None if found is None else found[0]


@contextlib.contextmanager
def one_blas_thread():
    """NumPy's OpenBLAS on one thread inside (for the whole process), as many as before after. Only where
    :func:`sgemm_address` is not None."""
    _, get, set_ = _found()
    before = get()
    set_(1)
    try:
        yield
    finally:
        set_(before)


def intrinsics():
    """``(pointer, swap_mxcsr, product)``, built once:

    - ``pointer(int64 address) -> void*``: LLVM's ``inttoptr``;
    - ``swap_mxcsr(int32) -> int32``: sets x86's SSE control register, returns its previous value;
    - ``product(sgemm, m, n, k, a, lda, b, ldb, c, ldc)``: ``c = a @ b`` by the ``cblas_sgemm`` at ``sgemm``,
      row-major, neither transposed, the matrices given by their addresses.
    """
    global _intrinsics
    if _intrinsics is None:
        _intrinsics = _build()
    return _intrinsics


def _build():
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic
    i8p, i32, i64, f32 = ir.IntType(8).as_pointer(), ir.IntType(32), ir.IntType(64), ir.FloatType()

    def call(builder, name, slot):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p]), name)
        builder.call(fn, [builder.bitcast(slot, i8p)])

    @intrinsic
    def pointer(typingctx, address):
        def codegen(context, builder, signature, args):
            return builder.inttoptr(args[0], context.get_value_type(types.voidptr))
        return types.voidptr(types.int64), codegen

    @intrinsic
    def swap_mxcsr(typingctx, value):
        def codegen(context, builder, signature, args):
            slot = cgutils.alloca_once(builder, i32)
            call(builder, "llvm.x86.sse.stmxcsr", slot)
            previous = builder.load(slot)
            builder.store(args[0], slot)
            call(builder, "llvm.x86.sse.ldmxcsr", slot)
            return previous
        return types.int32(types.int32), codegen

    sgemm_type = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, f32, i8p, i64, i8p, i64, f32, i8p, i64])

    @intrinsic
    def product(typingctx, sgemm, m, n, k, a, lda, b, ldb, c, ldc):
        def codegen(context, builder, signature, args):
            function = builder.inttoptr(args[0], sgemm_type.as_pointer())
            a_, lda_, b_, ldb_, c_, ldc_ = (builder.inttoptr(v, i8p) if i % 2 == 0 else v
                                            for i, v in enumerate(args[4:]))
            as_stored = ir.Constant(i32, NO_TRANSPOSE)
            builder.call(function, [ir.Constant(i32, ROW_MAJOR), as_stored, as_stored, *args[1:4],
                                    ir.Constant(f32, 1.0), a_, lda_, b_, ldb_, ir.Constant(f32, 0.0), c_, ldc_])
            return context.get_dummy_value()
        return types.void(*[types.int64] * 4, types.uintp, types.int64, types.uintp, types.int64, types.uintp,
                          types.int64), codegen

    return pointer, swap_mxcsr, product
