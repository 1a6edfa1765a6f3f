"""A small builder around the ``onnx`` package's helpers: unique names, weights as initializers, nodes in order.

Every converter of :mod:`neurona.onnx.layers` writes through one :class:`Graph`. Values are named tensors; the
builder tracks nothing about shapes (the converters know each layer's per-sample shape).
"""
from __future__ import annotations

import numpy as np


class Graph:
    """Nodes and initializers of the graph being exported."""

    def __init__(self):
        import onnx
        from onnx import helper, numpy_helper
        self.onnx, self.helper, self.numpy_helper = onnx, helper, numpy_helper
        self.nodes, self.initializers, self._used = [], [], set()

    def name(self, hint: str) -> str:
        """A fresh tensor name starting with ``hint``."""
        base = "".join(c if c.isalnum() or c in "_./" else "_" for c in hint) or "t"
        name, i = base, 1
        while name in self._used:
            i += 1
            name = f"{base}_{i}"
        self._used.add(name)
        return name

    def const(self, array, hint="const") -> str:
        """``array`` as an initializer; returns its name."""
        name = self.name(hint)
        self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def ints(self, values, hint="shape") -> str:
        return self.const(np.asarray(values, dtype=np.int64), hint)

    def op(self, op_type: str, inputs, hint=None, outputs=1, **attributes):
        """One node; returns its output name (or names, when ``outputs`` > 1). An input of "" is omitted."""
        names = [self.name(f"{hint or op_type.lower()}") for _ in range(outputs)]
        self.nodes.append(self.helper.make_node(op_type, list(inputs), names, name=self.name(f"node/{hint or op_type}"),
                                                **attributes))
        return names[0] if outputs == 1 else names

    def model(self, input_name, input_type, input_dims, output_name, output_dims, opset):
        """The finished ``ModelProto`` with a dynamic batch axis named ``batch``."""
        helper = self.helper
        graph = helper.make_graph(self.nodes, "neurona", [helper.make_tensor_value_info(input_name, input_type,
                                                                                        input_dims)],
                                  [helper.make_tensor_value_info(output_name, self.onnx.TensorProto.FLOAT, output_dims)],
                                  self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="neurona")
        model.ir_version = min(model.ir_version, 10)   # readable by onnxruntime releases of the last two years
        return model
