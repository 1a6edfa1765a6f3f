"""``to_device``: moving a tensor between CPU and GPU is an op like any other, so gradients flow back across
(its transpose moves the gradient back to where the input was)."""
from __future__ import annotations

from ..autograd.engine import apply
from ..autograd.primitive import REGISTRY, Linear
from .. import devices
from ._common import as_tensor, value


class ToDevice(Linear):
    name = "to_device"

    def forward(self, x, device):
        return devices.to_device(x, device)

    def transpose(self, F, g, x, device):
        return F.to_device(g, device=devices.device_of(value(x)))


def to_device(x, device):
    """``x`` on ``device`` ("cpu", "cuda", "cuda:N"), differentiably; ``x`` itself when already there.

    >>> import neurona as nr
    >>> nr.to_device(nr.ones(2), "cpu").tolist()
    [1.0, 1.0]
    """
    x = as_tensor(x)
    device = devices.canonical(device)
    if devices.device_of(x.data) == device:
        return x
    return apply(REGISTRY["to_device"], (x,), {"device": device})
