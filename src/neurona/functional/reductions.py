"""Reductions composed from primitives: mean, var, std, min, logsumexp."""
from __future__ import annotations

from ..autograd.node import COMPOSITES
from ..autograd.tensor import _make
from ..devices.backend import xp_of
from ..ops import exp, log, max as _max, sqrt, sum as _sum, where
from ..ops._common import as_tensor
from ..checks import torch_names
from ..ops.reductions import kept_shape, normalize_axis


def _count(x, axis):
    n = 1
    for a in normalize_axis(axis, x.ndim):
        n *= x.shape[a]
    return n


@torch_names
def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis`` (all axes by default).

    >>> import neurona as nr
    >>> nr.mean(nr.tensor([1.0, 2.0, 6.0])).item()
    3.0
    """
    x = as_tensor(x)
    n = _count(x, axis)
    out = _sum(x, axis=axis, keepdims=keepdims) / (n if n else float("nan"))
    if out._node is not None:   # the graph picture draws sum / n as one "mean" box
        COMPOSITES[out._node] = ("mean", "" if axis is None else f"axis={axis}")
    return out


@torch_names
def var(x, axis=None, keepdims=False, ddof=0):
    """Variance over ``axis``, ``sum((x - mean)^2) / (n - ddof)``. The default ``ddof=0`` is NumPy's and Keras'
    population variance (PyTorch's ``var`` defaults to ``ddof=1``).

    >>> import neurona as nr
    >>> nr.var(nr.tensor([1.0, 3.0])).item()
    1.0
    >>> nr.var(nr.tensor([1.0, 3.0]), ddof=1).item()
    2.0
    """
    x = as_tensor(x)
    centered = x - mean(x, axis=axis, keepdims=True)
    n = _count(x, axis) - ddof
    return _sum(centered * centered, axis=axis, keepdims=keepdims) / (n if n > 0 else float("nan"))


@torch_names
def std(x, axis=None, keepdims=False, ddof=0):
    """Standard deviation, ``sqrt(var(x))``; where the variance is 0 the gradient is 0 (as in PyTorch), not the
    NaN of ``0 * inf``.

    >>> import neurona as nr
    >>> nr.std(nr.tensor([1.0, 3.0])).item()
    1.0
    """
    v = var(x, axis=axis, keepdims=keepdims, ddof=ddof)
    positive = v.data > 0
    return where(positive, sqrt(where(positive, v, 1.0)), 0.0)


@torch_names
def min(x, axis=None, keepdims=False):
    """Minimum over ``axis``: ``-max(-x)``, so ties share the gradient equally.

    >>> import neurona as nr
    >>> nr.min(nr.tensor([[1.0, 5.0], [7.0, 0.0]]), axis=1).tolist()
    [1.0, 0.0]
    """
    return -_max(-as_tensor(x), axis=axis, keepdims=keepdims)


@torch_names
def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis`` without overflow: the maximum is taken out first (as a constant, which
    leaves the derivative unchanged).

    >>> import neurona as nr
    >>> round(nr.logsumexp(nr.tensor([0.0, 0.0])).item(), 4)
    0.6931
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim)
    xp = xp_of(x.data)
    raw_max = x.data.max(axis=axes, keepdims=True) if x.data.size else xp.zeros(kept_shape(x.shape, axes), x.dtype)
    shift = _make(xp.where(xp.isfinite(raw_max), raw_max, 0).astype(x.dtype, copy=False))
    out = log(_sum(exp(x - shift), axis=axes, keepdims=True)) + shift
    if keepdims:
        return out
    return out.reshape(tuple(n for i, n in enumerate(out.shape) if i not in axes))
