"""Composite functions: built from primitives only, so every mode of differentiation comes for free."""
from .reductions import logsumexp, mean, min, std, var

__all__ = ["logsumexp", "mean", "min", "std", "var"]
