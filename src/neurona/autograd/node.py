"""A node of the computational graph: one application of a primitive.

The node holds its inputs strongly (their values feed the derivative rules and the graph picture) and the
output's array only when the rule reads it, so the output Tensor itself can die with the user's last reference.
"""
from __future__ import annotations

import weakref

#: How the graph picture should show a node that a composite function made, ``node -> (name, description)``:
#: ``mean`` is computed as sum / n, and is drawn as one "mean" box (see :mod:`neurona.viz.graph`).
COMPOSITES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class Node:
    """What reverse mode needs to differentiate one primitive application (``Tensor.grad_fn``)."""
    __slots__ = ("prim", "inputs", "arrays", "params", "out_data", "seq", "stamp", "out_tensor", "out_stale",
                 "retain_ref", "aux", "__weakref__")

    def __init__(self, prim, inputs, arrays, params, out_data, seq, stamp):
        self.prim = prim
        self.inputs = inputs          # tuple of Tensors and raw constants; None once freed
        self.arrays = arrays          # their raw arrays, as the forward saw them
        self.params = params          # dict of the primitive's non-tensor arguments
        self.out_data = out_data      # the output array, when the reverse rule reads it
        self.seq = seq                # creation order: a node is always younger than its inputs' nodes
        self.stamp = stamp            # the in-place counter when recorded (see Tensor.mark_modified)
        self.out_tensor = None        # kept only when the output carries forward-mode tangents
        self.out_stale = False        # set when the output was modified in place
        self.retain_ref = None        # weakref to a non-leaf Tensor that asked for retain_grad()
        self.aux = None               # raw intermediates the forward kept for a first-order backward

    @property
    def name(self) -> str:
        return self.prim.name

    @property
    def freed(self) -> bool:
        return self.inputs is None

    def free(self):
        """Drop the saved values; the node stays as a marker that backward already ran through it."""
        self.inputs = None
        self.arrays = None
        self.out_data = None
        self.aux = None
        self.out_tensor = None

    def __repr__(self):
        return f"<{self.prim.name}Backward{' (freed)' if self.inputs is None else ''}>"
