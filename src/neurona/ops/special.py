"""Special functions as primitives: ``softplus`` (stable, exact slope ``sigmoid``) and ``erf`` (for exact GELU).

``softplus`` composed as ``relu(x) + log(1 + exp(-|x|))`` would have the wrong slope at exactly 0 (the kinks of
relu and abs meet there); as a primitive its derivative is ``sigmoid(x)`` everywhere. It is also what makes
binary cross-entropy on logits finite for logits of +-1e4: ``softplus(x) - x * y``.
"""
from __future__ import annotations

import math

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Elementwise
from ..devices.backend import cupy_module, xp_of
from ._common import NO_PARAMS, as_tensor


class Softplus(Elementwise):
    name = "softplus"

    def forward(self, x):
        xp = xp_of(x)
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def partials(self, F, out, x):
        return (F.sigmoid(x),)


def _erf_function(xp):
    if xp.__name__ == "cupy":
        return cupy_module().scipy.special.erf if hasattr(cupy_module(), "scipy") else _cupyx_erf()
    try:
        from scipy.special import erf
    except ImportError as exc:  # pragma: no cover - scipy comes with scikit-learn
        raise RuntimeError("erf (exact GELU) needs SciPy: pip install scipy; or use gelu(approximate=True)") from exc
    return erf


def _cupyx_erf():  # pragma: no cover - needs a GPU
    import cupyx.scipy.special
    return cupyx.scipy.special.erf


class Erf(Elementwise):
    name = "erf"

    def forward(self, x):
        return _erf_function(xp_of(x))(x).astype(x.dtype, copy=False)

    def partials(self, F, out, x):
        return ((2.0 / math.sqrt(math.pi)) * F.exp(-(x * x)),)


def softplus(x):
    """``log(1 + exp(x))``, computed without overflow; its derivative is ``sigmoid(x)``."""
    return apply(REGISTRY["softplus"], (as_tensor(x),), NO_PARAMS)


def erf(x):
    """The error function (SciPy's on the CPU)."""
    return apply(REGISTRY["erf"], (as_tensor(x),), NO_PARAMS)
