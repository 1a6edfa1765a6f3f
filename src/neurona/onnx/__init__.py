"""ONNX export: ``nr.onnx.export(model, "model.onnx")`` or ``model.export("model.onnx")``.

The graph is built with the ``onnx`` package (opset 18), with a dynamic batch axis, and checked with
``onnx.checker``. Every layer of :mod:`neurona.layers` has a converter (:mod:`.layers`, :mod:`.sequence`); a
setting ONNX cannot express (a masked recurrence, an activation its recurrent ops lack) raises
:class:`NotExportable` naming the layer. ``tests/onnx_export`` runs every exported layer and the course's models in
onnxruntime and compares with ``model.predict`` (rtol 1e-5). Needs ``pip install 'neurona[onnx]'``.

>>> import neurona as nr, numpy as np, tempfile, os
>>> model = nr.Sequential([nr.layers.Input((3,)), nr.layers.Dense(2, activation="softmax")])
>>> proto = export(model, os.path.join(tempfile.mkdtemp(), "m.onnx"))
>>> [n.op_type for n in proto.graph.node]
['MatMul', 'Add', 'Softmax']
"""
from __future__ import annotations

from pathlib import Path

from .layers import NotExportable, convert

OPSET = 18
_MASK_CONSUMERS = ("SimpleRNN", "LSTM", "GRU", "Bidirectional", "MultiHeadAttention", "TransformerEncoder")

__all__ = ["export", "NotExportable", "OPSET"]


def export(model, path=None, opset: int = OPSET):
    """The ONNX ``ModelProto`` of a built Sequential ``model`` (input ``input``, output ``output``, the batch
    axis dynamic), written to ``path`` when given.

    >>> import neurona as nr
    >>> model = nr.Sequential([nr.layers.Input((3,)), nr.layers.Dense(2, activation="relu")])
    >>> onnx_model = nr.onnx.export(model)
    >>> [node.op_type for node in onnx_model.graph.node]
    ['MatMul', 'Add', 'Relu']
    """
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'neurona[onnx]'") from None
    from . import sequence  # noqa: F401 - registers the sequence layers' converters
    from .graph import Graph
    layers, input_shape = _layers_and_input(model)
    g = Graph()
    first = layers[0] if layers else None
    integer_input = type(first).__name__ == "Embedding"
    x, shape = "input", tuple(input_shape)
    g._used.add(x)
    masked = False
    for layer in layers:
        if masked and type(layer).__name__ in _MASK_CONSUMERS:
            raise NotExportable(f"ONNX export: layer {layer.name!r} receives a mask (from Masking or Embedding("
                                "mask_zero=True)); masked recurrence and attention are not exported")
        x, shape = convert(g, layer, x, shape)
        masked = masked or type(layer).__name__ == "Masking" or bool(getattr(layer, "mask_zero", False))
    if g.nodes and g.nodes[-1].output[0] == x:
        g.nodes[-1].output[0] = "output"      # the last value computed is the graph's output
    else:
        g.nodes.append(g.helper.make_node("Identity", [x], ["output"], name="node/output"))
    input_type = onnx.TensorProto.INT64 if integer_input else onnx.TensorProto.FLOAT
    proto = g.model("input", input_type, ["batch", *input_shape], "output", ["batch", *shape], opset)
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        from ..io.atomic import atomic_write
        with atomic_write(Path(path)) as f:
            f.write(proto.SerializeToString())
    return proto


def _layers_and_input(model):
    from ..models.sequential import Sequential
    if not isinstance(model, Sequential):
        raise NotExportable(f"ONNX export: {type(model).__name__} models are not exported yet; build the model as "
                            "a Sequential")
    if model.build_input_shape is None:
        raise NotExportable("ONNX export: the model is not built; start it with nr.layers.Input(shape) or call it "
                            "once on data")
    return model.layers, tuple(model.build_input_shape[1:])
