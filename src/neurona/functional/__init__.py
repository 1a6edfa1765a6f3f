"""Composite functions: built from primitives only, so every mode of differentiation comes for free."""
from .attention import attention_weights
from .reductions import logsumexp, mean, min, std, var
from .shape import expand_dims, flatten, squeeze, stack, swapaxes

__all__ = ["attention_weights", "logsumexp", "mean", "min", "std", "var", "expand_dims", "flatten", "squeeze", "stack", "swapaxes"]
