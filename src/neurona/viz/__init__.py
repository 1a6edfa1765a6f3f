"""Pictures: the computational graph (:func:`graph`)."""
from .graph import Graph, graph

__all__ = ["Graph", "graph"]
