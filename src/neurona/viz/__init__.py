"""Pictures: the computational graph (:func:`graph`) and learning curves (:func:`plot_history`)."""
from .graph import Graph, graph
from .history import plot_history

__all__ = ["Graph", "graph", "plot_history"]
