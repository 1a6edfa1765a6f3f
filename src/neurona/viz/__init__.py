"""Pictures: the computational graph (:func:`graph`), learning curves (:func:`plot_history`), and the lecture's
pictures: optimization paths over a loss's contours, gradient flow through the layers, a convnet's filters and
feature maps, decision boundaries, activations and losses with their derivatives."""
from .graph import Graph, graph
from .history import plot_history
from .gradients import plot_gradient_flow
from .optimization import plot_normalization_zigzag, plot_optimization_path
from .convnet import plot_feature_maps, plot_filters
from .functions import plot_activations, plot_decision_boundary, plot_losses

__all__ = ["Graph", "graph", "plot_history", "plot_gradient_flow", "plot_optimization_path",
           "plot_normalization_zigzag", "plot_filters", "plot_feature_maps",
           "plot_activations", "plot_losses", "plot_decision_boundary"]
