"""Seeded random tensors. A :class:`Generator` wraps NumPy's PCG64; the same seed gives the same numbers.

Random numbers are always drawn on the host, so a model initialised with a seed starts from identical weights
on the CPU and on a GPU.

>>> import neurona as nr
>>> g = nr.Generator(0)
>>> bool((g.normal((3,)) == nr.Generator(0).normal((3,))).all())
True
"""
from __future__ import annotations

import numpy as np

from .devices import backend
from .autograd.tensor import Tensor, _make
from .devices import on_default_device


class Generator:
    """A source of random tensors: ``normal``, ``uniform``, ``integers``, ``permutation``, ``bernoulli``.

    >>> import neurona as nr
    >>> a = nr.random.manual_seed(0).normal((2,))
    >>> b = nr.random.manual_seed(0).normal((2,))
    >>> bool((a == b).all())
    True
    """

    def __init__(self, seed=None):
        self.seed = seed
        self.np = np.random.default_rng(seed)
        self.generation = 0  # how many times it was seeded again: generators derived from it follow

    def manual_seed(self, seed) -> "Generator":
        self.seed = seed
        self.np = np.random.default_rng(seed)
        self.generation += 1
        return self

    def _out(self, array, dtype, requires_grad=False) -> Tensor:
        t = _make(on_default_device(array.astype(dtype or backend.DEFAULT_FLOAT, copy=False)))
        return t.requires_grad_(True) if requires_grad else t

    def normal(self, shape, mean=0.0, std=1.0, dtype=None, requires_grad=False) -> Tensor:
        return self._out(self.np.normal(mean, std, size=shape), dtype, requires_grad)

    def uniform(self, shape, low=0.0, high=1.0, dtype=None, requires_grad=False) -> Tensor:
        return self._out(self.np.uniform(low, high, size=shape), dtype, requires_grad)

    def integers(self, low, high=None, shape=None, dtype=np.int64) -> Tensor:
        return _make(on_default_device(self.np.integers(low, high, size=shape).astype(dtype)))

    def bernoulli(self, p, shape, dtype=None) -> Tensor:
        return self._out(self.np.random(size=shape) < p, dtype)

    def permutation(self, n) -> Tensor:
        return _make(on_default_device(self.np.permutation(n)))


def device_generator(array, seed):
    """A random generator on the device of ``array`` (NumPy's on the CPU, CuPy's on a GPU), so masks drawn
    during training never travel from the host."""
    xp = backend.xp_of(array)
    return np.random.default_rng(seed) if xp is np else xp.random.default_rng(seed)


default_generator = Generator()


def manual_seed(seed) -> Generator:
    """Reseed the default generator used by ``randn``, ``rand`` and ``randint``.

    >>> import neurona as nr
    >>> g = nr.manual_seed(1)
    >>> nr.randn(2, generator=g).shape
    (2,)
    """
    return default_generator.manual_seed(seed)


def _shape(shape):
    return tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], int) else tuple(shape)


def randn(*shape, generator=None, dtype=None, requires_grad=False) -> Tensor:
    """Standard normal samples: ``randn(2, 3)``.

    >>> import neurona as nr
    >>> nr.randn(2, 3).shape
    (2, 3)
    """
    return (generator or default_generator).normal(_shape(shape), dtype=dtype, requires_grad=requires_grad)


def rand(*shape, generator=None, dtype=None, requires_grad=False) -> Tensor:
    """Uniform samples in ``[0, 1)``.

    >>> import neurona as nr
    >>> x = nr.rand(1000)
    >>> bool((x.numpy() >= 0).all() and (x.numpy() < 1).all())
    True
    """
    return (generator or default_generator).uniform(_shape(shape), dtype=dtype, requires_grad=requires_grad)


def randint(low, high=None, shape=None, generator=None) -> Tensor:
    """Integers in ``[low, high)``.

    >>> import neurona as nr
    >>> x = nr.randint(0, 3, shape=(100,))
    >>> sorted(set(x.tolist())) == [0, 1, 2]
    True
    """
    return (generator or default_generator).integers(low, high, shape)
