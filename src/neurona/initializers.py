"""Weight initializers with Keras' names, defaults, fan computation and truncation.

Values are drawn on the host from a seeded NumPy generator: ``seed=`` makes one initializer reproducible, and
``neurona.utils.set_random_seed`` makes every unseeded one reproducible.

>>> import neurona as nr
>>> w = nr.initializers.get("glorot_uniform")((784, 256))
>>> w.shape, bool(abs(w).max() <= (6 / (784 + 256)) ** 0.5)
((784, 256), True)
"""
from __future__ import annotations

import math

import numpy as np

from . import random as nr_random
from .devices import backend

TRUNCATED_STD = 0.87962566103423978  # std of a unit normal truncated at +-2, used to rescale


def compute_fans(shape) -> tuple[float, float]:
    """Keras' fans: a (in, out) kernel has fan_in=in, fan_out=out; a conv kernel (kh, kw, in, out) multiplies
    both by the receptive field kh*kw; a vector has fan_in = fan_out = its length.

    >>> import neurona as nr
    >>> nr.initializers.compute_fans((3, 3, 8, 16))
    (72.0, 144.0)
    """
    shape = tuple(shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


class Initializer:
    """Callable ``init(shape, dtype=float32) -> np.ndarray``.

    >>> import neurona as nr
    >>> class Halves(nr.initializers.Initializer):
    ...     def sample(self, rng, shape):
    ...         import numpy as np
    ...         return np.full(shape, 0.5)
    >>> Halves()((2,)).tolist()
    [0.5, 0.5]
    """

    def __init__(self, seed=None):
        self.seed = seed

    def _rng(self) -> np.random.Generator:
        if self.seed is None:
            return nr_random.default_generator.np
        return np.random.default_rng(self.seed)

    def __call__(self, shape, dtype=None):
        return np.ascontiguousarray(self.sample(self._rng(), tuple(shape)), dtype=dtype or backend.DEFAULT_FLOAT)

    def sample(self, rng, shape):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}


def truncated_normal(rng, shape, mean, stddev):
    """Normal samples, redrawn until all lie within two standard deviations of the mean.

    >>> import neurona as nr
    >>> import numpy as np
    >>> x = nr.initializers.truncated_normal(np.random.default_rng(0), (1000,), 0.0, 1.0)
    >>> bool(abs(x).max() <= 2.0)
    True
    """
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return mean + stddev * values


class Zeros(Initializer):
    """All zeros (Keras' default for biases).

    >>> Zeros()((2,)).tolist()
    [0.0, 0.0]
    """

    def sample(self, rng, shape):
        return np.zeros(shape)


class Ones(Initializer):
    """All ones (BatchNormalization's gamma).

    >>> Ones()((2,)).tolist()
    [1.0, 1.0]
    """

    def sample(self, rng, shape):
        return np.ones(shape)


class Constant(Initializer):
    """Every entry ``value``.

    >>> Constant(3.0)((2,)).tolist()
    [3.0, 3.0]
    """

    def __init__(self, value=0.0, seed=None):
        super().__init__(seed)
        self.value = value

    def sample(self, rng, shape):
        return np.full(shape, self.value, dtype=np.float64)


class RandomNormal(Initializer):
    """Normal draws with ``mean`` and ``stddev`` (Keras' defaults 0 and 0.05).

    >>> round(float(RandomNormal(stddev=1.0, seed=0)((1000,)).std()), 1)
    1.0
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def sample(self, rng, shape):
        return rng.normal(self.mean, self.stddev, shape)


class RandomUniform(Initializer):
    """Uniform draws in ``[minval, maxval)`` (Keras' defaults -0.05 and 0.05).

    >>> bool(abs(RandomUniform(seed=0)((100,))).max() < 0.05)
    True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def sample(self, rng, shape):
        return rng.uniform(self.minval, self.maxval, shape)


class TruncatedNormal(Initializer):
    """Normal draws with ``mean`` and ``stddev``, redrawn when more than two standard deviations out.

    >>> bool(abs(TruncatedNormal(stddev=1.0, seed=0)((1000,))).max() <= 2.0)
    True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def sample(self, rng, shape):
        return truncated_normal(rng, shape, self.mean, self.stddev)


class VarianceScaling(Initializer):
    """Samples with variance ``scale / n``, n the fan chosen by ``mode``; the base of glorot, he and lecun.

    >>> import neurona as nr
    >>> init = nr.initializers.VarianceScaling(scale=2.0, mode="fan_in", distribution="untruncated_normal", seed=0)
    >>> w = init((500, 100))
    >>> round(float(w.std()), 2)
    0.06
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}")
        from . import checks
        self.scale = checks.number(scale, "scale", "VarianceScaling", low=0, low_open=True)
        self.mode, self.distribution = mode, distribution

    def sample(self, rng, shape):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(variance), shape)
        return truncated_normal(rng, shape, 0.0, math.sqrt(variance) / TRUNCATED_STD)


def _variance_scaling(name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}
    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})


def _std_example(name, std):
    """A docstring example: the standard deviation of a (400, 300) kernel drawn by ``name``."""
    return (f"\n\n>>> import neurona as nr\n>>> w = nr.initializers.{name}(seed=0)((400, 300))\n"
            f">>> w.shape, round(float(w.std()), 2)\n((400, 300), {std})")


GlorotUniform = _variance_scaling("GlorotUniform", 1.0, "fan_avg", "uniform",
                                  "Uniform in +-sqrt(6 / (fan_in + fan_out)): Keras' default for Dense kernels."
                                  + _std_example("GlorotUniform", 0.05))
GlorotNormal = _variance_scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                                 "Truncated normal with std sqrt(2 / (fan_in + fan_out))."
                                 + _std_example("GlorotNormal", 0.05))
HeUniform = _variance_scaling("HeUniform", 2.0, "fan_in", "uniform", "Uniform in +-sqrt(6 / fan_in): for relu."
                              + _std_example("HeUniform", 0.07))
HeNormal = _variance_scaling("HeNormal", 2.0, "fan_in", "truncated_normal",
                             "Truncated normal with std sqrt(2 / fan_in): for relu." + _std_example("HeNormal", 0.07))
LecunUniform = _variance_scaling("LecunUniform", 1.0, "fan_in", "uniform", "Uniform in +-sqrt(3 / fan_in)."
                                 + _std_example("LecunUniform", 0.05))
LecunNormal = _variance_scaling("LecunNormal", 1.0, "fan_in", "truncated_normal",
                                "Truncated normal with std sqrt(1 / fan_in): for selu."
                                + _std_example("LecunNormal", 0.05))


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain``; Keras' default for recurrent kernels.

    >>> import neurona as nr
    >>> import numpy as np
    >>> w = nr.initializers.Orthogonal(seed=0)((3, 3))
    >>> np.allclose(w @ w.T, np.eye(3), atol=1e-6)
    True
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def sample(self, rng, shape):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal needs a shape with at least 2 axes, got {shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = rng.normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return self.gain * q.reshape(shape)


_BY_NAME = {"zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
            "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
            "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
            "he_uniform": HeUniform, "he_normal": HeNormal, "lecun_uniform": LecunUniform,
            "lecun_normal": LecunNormal, "orthogonal": Orthogonal}


def get(identifier) -> Initializer:
    """An initializer from a name (``"he_normal"``, or Keras' class name ``"HeNormal"``), a config dict, an
    instance or a callable; None gives None, as in Keras.

    >>> import neurona as nr
    >>> type(nr.initializers.get("he_normal")).__name__
    'HeNormal'
    >>> nr.initializers.get(None) is None
    True
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier not in _BY_NAME:
        from .utils import snake_case
        identifier = snake_case(identifier)   # "GlorotUniform" -> "glorot_uniform"
    if isinstance(identifier, Initializer) or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, dict):
        return _BY_NAME[identifier["name"]](**identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    try:
        return _BY_NAME[identifier]()
    except (KeyError, TypeError):
        raise ValueError(f"unknown initializer {identifier!r}; known: {', '.join(sorted(_BY_NAME))}") from None


def serialize(init) -> dict:
    """A JSON-able description of an initializer (inverse of :func:`get`).

    >>> import neurona as nr
    >>> nr.initializers.serialize(nr.initializers.Constant(2.0))
    {'name': 'constant', 'config': {'seed': None, 'value': 2.0}}
    """
    for name, cls in _BY_NAME.items():
        if type(init) is cls:
            return {"name": name, "config": init.get_config()}
    raise ValueError(f"initializer {init!r} cannot be saved: use one of {', '.join(sorted(_BY_NAME))}")
