"""A float32 ``exp`` and ``tanh`` made of arithmetic only, for the compiled kernels: LLVM vectorizes a loop that calls
them.

numba's ``np.exp`` calls the C library once per value (llvmlite has no vector math library), and NumPy's own float32
``exp`` took 2.4 ns a value on an AVX2 CPU (AMD EPYC, measured), more than softmax's other passes together.
:func:`exp32` is the textbook method (Cody and Waite's reduction, as in Cephes' ``expf``):

- ``x = n ln2 + r`` with ``n = round(x / ln2)``, ``ln 2`` in two parts so that ``r`` is exact to float32 (|r| <= 0.35);
- ``e^r`` by Cephes' degree-5 polynomial, ``1 + r + r^2 P(r)``;
- ``2^n`` written as its bits, in two halves ``2^(n//2) 2^(n - n//2)``, so that ``n = 128`` (results near the
  float32 maximum) and the results below the smallest normal number stay in range.

It is within 1.01 float32 steps of the exact value on the values tested (NumPy's float32 ``exp``: 2.44), runs
three times as fast as NumPy's (0.7 against 2.4 ns a value), keeps NaN, gives ``inf`` above 88.72 and 0 below
-104. Compiled with FMA contraction only: a kernel that calls it may reassociate its own sums, and LLVM keeps
each inlined instruction's own flags, so the reduction ``r`` keeps its order.

The row kernels' maximum is LLVM's ``maximum`` (:func:`compiled_maximum`): NaN wins, as in NumPy's ``max``, and a
loop of them runs in SIMD lanes, where one of comparisons does not (LLVM vectorizes such a reduction only when told
that no NaN occurs).

>>> exp = compiled_exp32()   # None without numba: use NumPy's exp
"""
from __future__ import annotations

import numpy as np

_F = np.float32
LOG2E = _F(1.44269504088896341)
LN2_HIGH, LN2_LOW = _F(0.693359375), _F(-2.12194440e-4)   # ln 2 = high + low; high has 9 significant bits
P0, P1, P2, P3, P4, P5 = (_F(1.9875691500e-4), _F(1.3981999507e-3), _F(8.3334519073e-3), _F(4.1665795894e-2),
                          _F(1.6666665459e-1), _F(5.0000001201e-1))
#: exp(x) is infinite in float32 above HIGH; below LOW it is under half the smallest subnormal number, 0
HIGH, LOW = _F(88.72283), _F(-104.0)
_ONE, _HALF, _INF = _F(1.0), _F(0.5), _F(np.inf)

#: Cephes' odd polynomial for tanh on |x| < TANH_SMALL: tanh(x) = x + x^3 (T0 x^8 + T1 x^6 + T2 x^4 + T3 x^2 + T4)
T0, T1, T2, T3, T4 = (_F(-5.70498872745e-3), _F(2.06390887954e-2), _F(-5.37397155531e-2), _F(1.33314422036e-1),
                      _F(-3.33332819422e-1))
TANH_SMALL = _F(0.625)
#: |x| beyond which tanh is 1 in float32 (1 - tanh(10) = 4e-9, under half a float32 step below 1)
TANH_SATURATES = _F(10.0)
_TWO = _F(2.0)

_float32_from_bits = None   # the intrinsic reinterpreting an int32's bits as a float32, made with numba
_exp32 = None               # exp32 compiled
_tanh32 = None              # tanh32 compiled
_maximum = None             # LLVM's maximum, an intrinsic


def exp32(x):
    """``e^x`` of the float32 ``x`` (compiled by :func:`compiled_exp32`; plain Python cannot run it)."""
    x = LOW if x < LOW else x   # NaN passes (the comparison is False)
    n = np.floor(x * LOG2E + _HALF)
    r = x - n * LN2_HIGH
    r = r - n * LN2_LOW
    p = (((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5) * (r * r) + r + _ONE
    k = np.int32(n)
    half = k >> 1
    p = p * _float32_from_bits((half + 127) << 23)
    p = p * _float32_from_bits((k - half + 127) << 23)
    return _INF if x > HIGH else p


def compiled_exp32():
    """:func:`exp32` compiled by numba (built once; cached on disk), or None without numba."""
    global _float32_from_bits, _exp32
    if _exp32 is None:
        from .cpu_kernels import compiler
        jit = compiler({"contract"})
        if jit is None:
            return None
        _float32_from_bits = _bits_intrinsic()
        _exp32 = jit(exp32)
    return _exp32


def tanh32(x):
    """tanh of the float32 ``x`` (compiled by :func:`compiled_tanh32`): Cephes' odd polynomial below |x| = 0.625,
    above it ``1 - 2 / (e^(2|x|) + 1)`` with :func:`exp32` and the sign of ``x`` (|x| clamped at 10, where tanh is
    1 in float32). Both are computed and one is chosen, so a loop that calls it has no branch. Within 1.35 float32
    steps of the exact value (NumPy's float32 tanh: 1.37); odd, signed zeros kept, NaN kept."""
    z = x * x
    small = ((((T0 * z + T1) * z + T2) * z + T3) * z + T4) * (z * x) + x
    small = x if z == 0 else small               # -0.0 stays -0.0 (the sum above would give +0.0)
    a = -x if x < 0 else x                       # NaN passes
    clamped = TANH_SATURATES if a > TANH_SATURATES else a
    large = _ONE - _TWO / (_exp32(clamped + clamped) + _ONE)
    large = -large if x < 0 else large
    return small if a < TANH_SMALL else large


def compiled_tanh32():
    """:func:`tanh32` compiled by numba (with :func:`exp32`), or None without numba."""
    global _tanh32
    if _tanh32 is None:
        from .cpu_kernels import compiler
        if compiled_exp32() is None:
            return None
        _tanh32 = compiler({"contract"})(tanh32)
    return _tanh32


def _bits_intrinsic():
    """An intrinsic: the bits of an int32 read as a float32 (LLVM's ``bitcast``, one vector instruction)."""
    from numba.core import types
    from numba.extending import intrinsic

    @intrinsic
    def float32_from_bits(typingctx, bits):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(types.float32))
        return types.float32(types.int32), codegen
    return float32_from_bits


def compiled_maximum():
    """``maximum(a, b)`` of two floats of one type (float32 or float64) for the compiled kernels, or None without
    numba: LLVM's ``llvm.maximum``, NaN if either is NaN, else the larger (+0 above -0). LLVM runs a loop of them
    in SIMD lanes: the row maxima of a (512, 512) float32 block took 21-25 us in one loop, 48 through
    :func:`~neurona.devices.cpu_row_kernels.row_max` row by row, where eight chains of comparisons took 85 (AVX2,
    measured)."""
    global _maximum
    if _maximum is None:
        from .cpu_kernels import compiler
        if compiler() is None:
            return None
        _maximum = _maximum_intrinsic()
    return _maximum


def _maximum_intrinsic():
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic

    @intrinsic
    def maximum(typingctx, a, b):
        if a not in (types.float32, types.float64) or b != a:
            return None

        def codegen(context, builder, signature, args):
            kind = context.get_value_type(signature.return_type)
            name = "llvm.maximum.f32" if signature.return_type == types.float32 else "llvm.maximum.f64"
            return builder.call(cgutils.get_or_insert_function(builder.module, ir.FunctionType(kind, [kind, kind]),
                                                               name), args)
        return a(a, a), codegen
    return maximum
