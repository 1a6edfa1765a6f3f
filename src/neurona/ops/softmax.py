"""``softmax`` and ``log_softmax``: fused primitives, kept for numerical stability.

Composed from exp/sum they would overflow for large logits; here the maximum is subtracted first. Each is tested
against its composed twin (``exp(x) / sum(exp(x))`` and ``x - logsumexp(x)``) in the test suite.
"""
from __future__ import annotations

import numpy as np

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Fused, Primitive
from ..devices.backend import has_cuda_kernels, xp_of
from ..checks import axis as checked_axis, torch_names
from ..devices.cpu_kernels import kernel_for
from ._common import as_tensor
from .reductions import row_sums


def _axis(axis, x, where):
    """``axis`` of ``x`` (a scalar counts as one axis), refused when out of range."""
    return checked_axis(axis, max(x.ndim, 1), where)


class Softmax(Primitive):
    name = "softmax"
    saves_output = True
    saves = ()

    def forward(self, x, axis):
        xp = xp_of(x)
        e = x - _shift(x, axis)
        xp.exp(e, out=e)  # in place: one array of x's size, not two (attention's scores are large)
        e /= _sums(e, axis)
        return e

    @staticmethod
    def _jacobian_product(F, v, out, axis):
        """``J v`` with the softmax's Jacobian ``diag(p) - p p^T``, symmetric: the same for both modes."""
        return out * (v - F.sum(v * out, axis=axis, keepdims=True))

    def vjp(self, F, g, out, x, axis):
        return (self._jacobian_product(F, g, out, axis),)

    def jvp(self, F, tangents, out, x, axis):
        return self._jacobian_product(F, tangents[0], out, axis)


class LogSoftmax(Primitive):
    name = "log_softmax"
    saves_output = True
    saves = ()

    def forward(self, x, axis):
        xp = xp_of(x)
        shifted = x - _shift(x, axis)
        return shifted - xp.log(_sums(xp.exp(shifted), axis))

    def vjp(self, F, g, out, x, axis):
        return (g - F.exp(out) * F.sum(g, axis=axis, keepdims=True),)

    def jvp(self, F, tangents, out, x, axis):
        t = tangents[0]
        return t - F.sum(F.exp(out) * t, axis=axis, keepdims=True)


def _shift(x, axis):
    """The maximum along ``axis`` (kept), subtracted before ``exp`` so that it cannot overflow. Along a short last
    axis a compiled loop finds it ten times faster than NumPy (63 against 640 microseconds on attention's
    (64, 4, 28, 28) scores, measured); its NaN-blindness cannot change the result, as a NaN makes its row NaN."""
    n = x.shape[-1] if x.ndim else 0
    kernel = kernel_for("row_max", x) if axis == x.ndim - 1 and 1 < n <= 256 and x.size >= 1024 else None
    if kernel is None or not x.flags.c_contiguous:
        return x.max(axis=axis, keepdims=True)
    rows = x.reshape(-1, n)
    top = np.empty(rows.shape[0], dtype=x.dtype)
    kernel(rows, top)
    return top.reshape(x.shape[:-1] + (1,))


def _sums(x, axis):
    """The sums along ``axis``, kept (rows by one matrix-vector product where that is faster)."""
    return row_sums(x)[..., None] if x.ndim >= 2 and axis == x.ndim - 1 else x.sum(axis=axis, keepdims=True)


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
    are reduced by one CUDA kernel. The composition is its reference (forward mode and higher orders run it)."""
    name = "softmax_cross_entropy"
    saves = (0, 1)

    def reference(self, z, t):
        from .reductions import sum as total
        return -total(t * log_softmax(z, axis=-1), axis=-1)

    def forward(self, z, t):
        xp = xp_of(z)
        if z.ndim == 2 and has_cuda_kernels(xp):  # pragma: no cover - needs a GPU
            from ..devices.cuda_kernels import softmax_cross_entropy_rows
            return softmax_cross_entropy_rows(z, t)[0]
        return -(t * REGISTRY["log_softmax"].forward(z, axis=z.ndim - 1)).sum(axis=-1)

    def fast_vjp(self, g, out, z, t):
        log_p = REGISTRY["log_softmax"].forward(z, axis=z.ndim - 1)
        g = g[..., None]
        return g * (xp_of(z).exp(log_p) * t.sum(axis=-1, keepdims=True) - t), -g * log_p


def softmax_cross_entropy(logits, targets):
    """Cross-entropy of softmax(``logits``) against ``targets`` (one-hot or probabilities), per row of the last
    axis; stable for logits of any size."""
    return apply(REGISTRY["softmax_cross_entropy"], (as_tensor(logits), as_tensor(targets)), {})
