"""Learning-rate schedules (Keras' names and formulas): callables ``schedule(step) -> learning rate``.

>>> s = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> s(10)
0.05
"""
from __future__ import annotations

import bisect
import math


class LearningRateSchedule:
    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        return dict(vars(self))


class ExponentialDecay(LearningRateSchedule):
    """``initial * decay_rate ** (step / decay_steps)`` (the exponent floored with ``staircase``).

    >>> import neurona as nr
    >>> lr = nr.optimizers.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> lr(0), lr(10), lr(20)
    (0.1, 0.05, 0.025)
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase = decay_rate, staircase

    def __call__(self, step):
        p = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase else p)


class CosineDecay(LearningRateSchedule):
    """Optional linear warm-up to ``warmup_target``, then a cosine from the peak down to ``alpha * peak``.

    >>> import neurona as nr
    >>> lr = nr.optimizers.CosineDecay(0.1, decay_steps=100)
    >>> lr(0), round(lr(50), 4), lr(100)
    (0.1, 0.05, 0.0)
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
        self.initial_learning_rate, self.decay_steps, self.alpha = initial_learning_rate, decay_steps, alpha
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def __call__(self, step):
        peak = self.initial_learning_rate if self.warmup_target is None else self.warmup_target
        if self.warmup_target is not None and step < self.warmup_steps:
            return self.initial_learning_rate + (peak - self.initial_learning_rate) * step / self.warmup_steps
        t = min(step - self.warmup_steps, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * t))
        return peak * ((1.0 - self.alpha) * cosine + self.alpha)


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]``.

    >>> import neurona as nr
    >>> lr = nr.optimizers.PiecewiseConstant([100, 200], [0.1, 0.01, 0.001])
    >>> lr(0), lr(150), lr(250)
    (0.1, 0.01, 0.001)
    """

    def __init__(self, boundaries, values):
        if len(values) != len(boundaries) + 1:
            raise ValueError("PiecewiseConstantDecay: needs one more value than boundaries")
        self.boundaries, self.values = list(boundaries), list(values)

    def __call__(self, step):
        return self.values[bisect.bisect_left(self.boundaries, step)]


PiecewiseConstant = PiecewiseConstantDecay
_BY_NAME = {c.__name__: c for c in (ExponentialDecay, CosineDecay, PiecewiseConstantDecay)}


def serialize(schedule) -> dict:
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config) -> LearningRateSchedule:
    return _BY_NAME[config["class_name"]](**config["config"])
