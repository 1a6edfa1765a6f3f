"""``softmax`` and ``log_softmax``: fused primitives, kept for numerical stability.

Composed from exp/sum they would overflow for large logits; here the maximum is subtracted first. Each is tested
against its composed twin (``exp(x) / sum(exp(x))`` and ``x - logsumexp(x)``) in the test suite.
"""
from __future__ import annotations

import numpy as np

from ..autograd.engine import apply
from ..autograd.namespaces import RAW
from ..autograd.primitive import REGISTRY, Fused, Primitive
from ..devices.backend import has_cuda_kernels, xp_of
from ..checks import axis as checked_axis, torch_names
from ..devices.cpu_kernels import contiguous_kernel_for, kernel_for
from ._common import as_tensor


def _axis(axis, x, where):
    """``axis`` of ``x`` (a scalar counts as one axis), refused when out of range."""
    return checked_axis(axis, max(x.ndim, 1), where)


class Softmax(Primitive):
    name = "softmax"
    saves_output = True
    saves = ()

    def forward(self, x, axis):
        rows = _forward_kernels(x, axis)
        if rows is not None:
            return _softmax_by_kernels(x, rows)
        e = x - x.max(axis=axis, keepdims=True)
        xp_of(x).exp(e, out=e)  # in place: one array of x's size, not two (attention's scores are large)
        e /= e.sum(axis=axis, keepdims=True)
        return e

    @staticmethod
    def _jacobian_product(F, v, out, axis):
        """``J v`` with the softmax's Jacobian ``diag(p) - p p^T``, symmetric: the same for both modes."""
        return out * (v - F.sum(v * out, axis=axis, keepdims=True))

    def vjp(self, F, g, out, x, axis):
        if F is RAW and axis == g.ndim - 1:
            return (softmax_reverse_last_axis(g, out),)
        return (self._jacobian_product(F, g, out, axis),)

    def jvp(self, F, tangents, out, x, axis):
        return self._jacobian_product(F, tangents[0], out, axis)


class LogSoftmax(Primitive):
    name = "log_softmax"
    saves_output = True
    saves = ()

    def forward(self, x, axis):
        xp = xp_of(x)
        rows = _row_kernels(x, axis, "row_shift")
        shifted = x - x.max(axis=axis, keepdims=True) if rows is None else _shifted_rows(x, rows[0])
        return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))

    def vjp(self, F, g, out, x, axis):
        return (g - F.exp(out) * F.sum(g, axis=axis, keepdims=True),)

    def jvp(self, F, tangents, out, x, axis):
        t = tangents[0]
        return t - F.sum(F.exp(out) * t, axis=axis, keepdims=True)


def _row_kernels(x, axis, *names, others=()):
    """The compiled row kernels ``names`` (:mod:`~neurona.devices.cpu_row_kernels`) when ``axis`` is the last
    axis of short rows and ``x`` (with ``others``) are contiguous NumPy arrays of one float dtype, else None:
    NumPy's reductions and broadcasts along a short last axis are several times slower (on attention's
    (64, 4, 28, 28) scores, softmax's forward and reverse took 455 and 410 microseconds with NumPy, measured)."""
    if not isinstance(x, np.ndarray) or axis != x.ndim - 1 or not 1 < x.shape[-1] <= 1024:
        return None
    first = contiguous_kernel_for(names[0], x, *others)   # the arrays checked once, for all the kernels
    return None if first is None else (first, *map(kernel_for, names[1:]))


def softmax_last_axis_into(x, out):
    """``out[...] = softmax(x)`` along the last axis, on raw arrays of one shape (attention's blocks of scores)."""
    rows = _forward_kernels(x, x.ndim - 1, others=(out,))
    if rows is None:
        out[...] = REGISTRY["softmax"].forward(x, x.ndim - 1)
    else:
        _softmax_by_kernels(x, rows, out=out)
    return out


def softmax_reverse_last_axis(g, p, out=None):
    """softmax's reverse rule along the last axis on raw arrays, ``p (g - sum(g p))``, given the weights ``p``:
    one compiled pass per row into ``out`` (a new array when None; best not ``g``: on arrays that overlap, the
    kernel's loop runs one value at a time) where the row kernel applies, else composed on whole arrays. Use the
    array it returns."""
    rows = _row_kernels(g, g.ndim - 1, "softmax_jacobian_rows", others=(p,) if out is None else (p, out))
    if rows is None:
        return Softmax._jacobian_product(RAW, g, p, g.ndim - 1)
    n = g.shape[-1]
    out = np.empty(g.shape, dtype=g.dtype) if out is None else out
    rows[0](g.reshape(-1, n), p.reshape(-1, n), out.reshape(-1, n))
    return out


def _forward_kernels(x, axis, others=()):
    """softmax's compiled forward along the last axis: for float32 the one kernel ``softmax_rows`` (with an exp of
    its own, :mod:`~neurona.devices.cpu_math`), otherwise ``row_shift`` and ``row_normalize`` around NumPy's
    ``exp``; None where no kernel applies."""
    if getattr(x, "dtype", None) == np.float32:
        return _row_kernels(x, axis, "softmax_rows", others=others)
    return _row_kernels(x, axis, "row_shift", "row_normalize", others=others)


def _softmax_by_kernels(x, kernels, out=None):
    """softmax along the last axis by the ``kernels`` of :func:`_forward_kernels`, into ``out`` (new if None)."""
    if len(kernels) == 2:
        return _softmax_by_blocks(x, *kernels, out=out)
    n = x.shape[-1]
    out = np.empty(x.shape, dtype=x.dtype) if out is None else out
    kernels[0](x.reshape(-1, n), out.reshape(-1, n))
    return out


def _softmax_by_blocks(x, row_shift, row_normalize, out=None, block=65536):
    """softmax along the last axis by the compiled row kernels, ``block`` values (a few hundred kB) at a time:
    the shift, NumPy's ``exp`` and the normalization each pass over a block while it is still in cache, where on
    the whole array each pass would go to memory (a Transformer's (64, 4, 512, 512) scores are 268 MB)."""
    n = x.shape[-1]
    rows, out = x.reshape(-1, n), np.empty(x.shape, dtype=x.dtype) if out is None else out
    out_rows, step = out.reshape(-1, n), max(1, block // n)
    if rows.shape[0] <= step:   # one block (predict's one sample): no slicing
        row_shift(rows, out_rows)
        np.exp(out_rows, out=out_rows)
        row_normalize(out_rows)
        return out
    for start in range(0, rows.shape[0], step):
        e = out_rows[start:start + step]
        row_shift(rows[start:start + step], e)
        np.exp(e, out=e)
        row_normalize(e)
    return out


def _shifted_rows(x, row_shift):
    """``x - max(x)`` along the last axis, by the compiled ``row_shift``."""
    out = np.empty(x.shape, dtype=x.dtype)
    row_shift(x.reshape(-1, x.shape[-1]), out.reshape(-1, x.shape[-1]))
    return out


@torch_names
def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis``, computed stably.

    >>> import neurona as nr
    >>> nr.softmax(nr.tensor([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    x = as_tensor(x)
    return apply(REGISTRY["softmax"], (x,), {"axis": _axis(axis, x, "softmax")})


@torch_names
def log_softmax(x, axis=-1):
    """``x - logsumexp(x)`` along ``axis``, computed stably.

    >>> import neurona as nr
    >>> [round(v, 4) for v in nr.log_softmax(nr.tensor([0.0, 0.0])).tolist()]
    [-0.6931, -0.6931]
    """
    x = as_tensor(x)
    return apply(REGISTRY["log_softmax"], (x,), {"axis": _axis(axis, x, "log_softmax")})


class SoftmaxCrossEntropy(Fused):
    """``-sum(targets * log_softmax(logits))`` per row, fused (for speed and one pass over the logits): the
    loss of a softmax classifier. Targets may be one-hot or soft, and are differentiable too. On a GPU the rows
    are reduced by one CUDA kernel. The forward keeps ``log_softmax(logits)`` for the reverse (``aux``), which
    computes only the gradients asked for (the targets' seldom is). The composition is its reference (forward mode
    and higher orders run it)."""
    name = "softmax_cross_entropy"
    saves = (0, 1)
    saves_aux = True
    skips_unneeded = True

    def reference(self, z, t):
        from .reductions import sum as total
        return -total(t * log_softmax(z, axis=-1), axis=-1)

    def forward(self, z, t):
        xp = xp_of(z)
        if z.ndim == 2 and has_cuda_kernels(xp):  # pragma: no cover - needs a GPU
            from ..devices.cuda_kernels import softmax_cross_entropy_rows
            return softmax_cross_entropy_rows(z, t)[0], None
        log_p = REGISTRY["log_softmax"].forward(z, axis=z.ndim - 1)
        return -(t * log_p).sum(axis=-1), log_p

    def fast_vjp(self, g, out, z, t, aux=None, needs=(True, True)):
        log_p = REGISTRY["log_softmax"].forward(z, axis=z.ndim - 1) if aux is None else aux
        g = g[..., None]
        dz = g * (xp_of(z).exp(log_p) * t.sum(axis=-1, keepdims=True) - t) if needs[0] else None
        return dz, (-g * log_p if needs[1] else None)


def softmax_cross_entropy(logits, targets):
    """Cross-entropy of softmax(``logits``) against ``targets`` (one-hot or probabilities), per row of the last
    axis; stable for logits of any size."""
    return apply(REGISTRY["softmax_cross_entropy"], (as_tensor(logits), as_tensor(targets)), {})
