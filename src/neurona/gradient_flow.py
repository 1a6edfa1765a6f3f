"""The ``GradientFlow`` callback: how large the gradients are in each layer, epoch by epoch, and how much each
layer's weights move. The lecture's vanishing and exploding gradients, measured while training.

For each layer with trainable weights it records, per epoch:

- ``grad_norm``: the mean over the epoch's steps of the layer's gradient norm (all its weights together);
- ``update_ratio``: ``|w_end - w_start| / |w_start|`` over the epoch, how far the weights moved relative to their
  size (around 1e-3 per step is healthy; far below means the layer barely learns).

It warns in words when a layer's gradient norm falls below ``vanish`` (1e-7 by default) or rises above
``explode`` (1e3), or is not finite. :func:`neurona.viz.plot_gradient_flow` draws what it recorded.

>>> import numpy as np, neurona as nr
>>> model = nr.Sequential([nr.layers.Input((3,)), nr.layers.Dense(4), nr.layers.Dense(1)])
>>> model.compile("sgd", "mse")
>>> flow = GradientFlow()
>>> _ = model.fit(np.ones((8, 3)), np.ones(8), epochs=2, verbose=0, callbacks=[flow])
>>> len(flow.grad_norm[flow.layers[0]])
2
"""
from __future__ import annotations

import math
import warnings

from .callbacks import Callback
from .devices.backend import to_numpy


class GradientFlow(Callback):
    """Records per-layer gradient norms and update ratios each epoch; warns when gradients vanish or explode."""

    def __init__(self, vanish=1e-7, explode=1e3):
        super().__init__()
        self.vanish, self.explode = float(vanish), float(explode)
        self.layers: list[str] = []
        self.grad_norm: dict[str, list] = {}
        self.update_ratio: dict[str, list] = {}
        self.messages: list[str] = []

    def on_train_begin(self, logs=None):
        layers = [layer for layer in self.model.layers if layer.trainable_weights]
        self._weights = {layer.name: layer.trainable_weights for layer in layers}
        self.layers = list(self._weights)
        self.kinds = {layer.name: type(layer).__name__ for layer in layers}
        self.first_step = {}   # each layer's gradient norm at the very first step (before anything diverged)
        for name in self.layers:
            self.grad_norm.setdefault(name, [])
            self.update_ratio.setdefault(name, [])
        self._views = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = {name: [to_numpy(w.data).copy() for w in ws] for name, ws in self._weights.items()}
        self._sums = dict.fromkeys(self.layers, 0.0)
        self._steps = 0

    def on_train_batch_end(self, batch, logs=None):
        views = self._gradient_views()
        for name, ws in self._weights.items():
            squares = sum(float((views[id(w)] * views[id(w)]).sum()) for w in ws)
            norm = math.sqrt(squares) if math.isfinite(squares) else math.inf
            self._sums[name] += norm
            self.first_step.setdefault(name, norm)
        self._steps += 1

    def on_epoch_end(self, epoch, logs=None):
        for name, ws in self._weights.items():
            norm = self._sums[name] / max(self._steps, 1)
            moved = math.sqrt(sum(float(((to_numpy(w.data) - s) ** 2).sum()) for w, s in zip(ws, self._start[name])))
            size = math.sqrt(sum(float((s ** 2).sum()) for s in self._start[name]))
            self.grad_norm[name].append(norm)
            self.update_ratio[name].append(moved / size if size else math.inf)
            self._judge(epoch, name, norm)

    def _judge(self, epoch, name, norm):
        if not math.isfinite(norm) or norm > self.explode:
            size = f"norm {norm:.3g} > {self.explode:g}" if math.isfinite(norm) else "their norm is not finite"
            text = (f"epoch {epoch + 1}: the gradients of layer {name!r} explode ({size}): "
                    "the steps are huge and training diverges. Try a smaller learning rate, gradient clipping "
                    "(clipnorm=1.0), or smaller initial weights.")
        elif norm < self.vanish:
            text = (f"epoch {epoch + 1}: the gradients of layer {name!r} vanish (norm {norm:.3g} < {self.vanish:g}): "
                    "the layer barely learns. Try relu instead of sigmoid or tanh, batch normalization, or "
                    "He/Glorot initialization.")
        else:
            return
        self.messages.append(text)
        warnings.warn(text, stacklevel=2)

    def _gradient_views(self):
        """The optimizer's gradient buffer viewed per weight (where fit's step leaves the last gradients)."""
        if self._views is None:
            optimizer = self.model.optimizer
            self._views = {id(v): view for group in optimizer._groups
                           for v, view in zip(group.variables, group.grad_views)}
        return self._views

    def summary(self) -> dict:
        """``{layer: (first epoch's gradient norm, last epoch's)}``."""
        return {name: (norms[0], norms[-1]) for name, norms in self.grad_norm.items() if norms}


__all__ = ["GradientFlow"]
