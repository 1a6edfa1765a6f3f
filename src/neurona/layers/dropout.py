"""Dropout: the lecture's regularizer that switches units off at random while training.

>>> import neurona as nr
>>> nr.layers.Dropout(0.5)(nr.ones(2, 3)).tolist()   # inference (training=False): nothing changes
[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
"""
from __future__ import annotations

from .. import checks
from .. import random as nr_random
from .. import ops
from ..devices.backend import xp_of
from .base import Layer


class Dropout(Layer):
    """Inverted dropout: in training, each input is zeroed with probability ``rate`` and the others are scaled
    by ``1 / (1 - rate)``, so nothing changes at inference (where the layer passes its input through).

    >>> import neurona as nr
    >>> drop = nr.layers.Dropout(0.5)
    >>> drop(nr.ones(1, 4)).tolist()
    [[1.0, 1.0, 1.0, 1.0]]
    >>> sorted(set(drop(nr.ones(1, 1000), training=True).numpy().ravel().tolist()))
    [0.0, 2.0]
    """
    compilable = True  # static in training: see Layer.compilable
    propagates_mask = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = checks.number(rate, "rate", "Dropout", 0, 1, high_open=True)
        self.noise_shape, self.seed = noise_shape, seed
        self._rng = None

    def _generator(self, like):
        """The layer's random generator, on the device of ``like``, seeded from ``seed`` or else from the global
        generator, and seeded again when the global seed is set again (``nr.utils.set_random_seed``), so that
        the rest of a run is reproducible, a loaded model's included."""
        key = (xp_of(like).__name__, nr_random.default_generator.generation if self.seed is None else None)
        if self._rng is None or self._rng[0] != key:
            seed = self.seed if self.seed is not None else int(nr_random.default_generator.np.integers(2 ** 63))
            self._rng = (key, nr_random.device_generator(like, seed))
        return self._rng[1]

    def call(self, x, training=False):
        if not training or self.rate == 0.0:
            return x
        shape = x.shape if self.noise_shape is None else tuple(
            n if n is not None else s for n, s in zip(self.noise_shape, x.shape))
        return x * ops.random_mask(x, self.rate, shape, self._generator(x.data))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}
