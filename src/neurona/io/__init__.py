"""Saving and loading: one zip per model, atomic writes, no pickle."""
from .atomic import atomic_write
from .saving import CheckpointError, load_model, load_weights, save_model, save_weights

__all__ = ["atomic_write", "CheckpointError", "load_model", "load_weights", "save_model", "save_weights"]
