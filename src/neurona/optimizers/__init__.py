"""Optimizers with Keras' names, formulas and defaults: SGD, Adam, AdamW, RMSprop, Adagrad, and learning-rate
schedules. Get one by name with :func:`get` (``"adam"``), as ``compile(optimizer="adam")`` does.

>>> import neurona as nr
>>> opt = nr.optimizers.get("adam")
>>> opt.learning_rate, opt.epsilon
(0.001, 1e-07)
"""
from . import schedules
from .base import Optimizer
from .rules import SGD, Adagrad, Adam, AdamW, RMSprop
from .schedules import CosineDecay, ExponentialDecay, PiecewiseConstant, PiecewiseConstantDecay

_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad}


def get(identifier) -> Optimizer:
    """An optimizer from a name (with Keras defaults), a saved config or an instance.

    >>> import neurona as nr
    >>> type(nr.optimizers.get("adam")).__name__
    'Adam'
    >>> nr.optimizers.get("sgd").learning_rate
    0.01
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        config = dict(identifier["config"])
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return _BY_NAME[identifier["class_name"].lower()](**config)
    try:
        return _BY_NAME[identifier.lower()]()
    except (KeyError, AttributeError):
        raise ValueError(f"unknown optimizer {identifier!r}; known: {', '.join(sorted(_BY_NAME))}") from None


def serialize(opt: Optimizer) -> dict:
    """``{"class_name": ..., "config": ...}``, what :func:`get` rebuilds the optimizer from.

    >>> serialize(SGD(0.1))["class_name"]
    'SGD'
    """
    return {"class_name": type(opt).__name__, "config": opt.get_config()}


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "schedules", "CosineDecay",
           "ExponentialDecay", "PiecewiseConstant", "PiecewiseConstantDecay", "get", "serialize"]
