"""``Sequential``: a model that is a plain stack of layers, each feeding the next.

>>> import neurona as nr
>>> model = nr.Sequential([nr.layers.Input((4,)), nr.layers.Dense(8, activation="relu"), nr.layers.Dense(1)])
>>> model.count_params()
49
"""
from __future__ import annotations

from ..layers.base import LAYER_CLASSES, Layer
from ..layers.core import InputLayer
from .model import Model


class Sequential(Model):
    """Layers applied in order. Starting with ``Input(shape)`` builds the model at once (so ``summary`` works
    before training); otherwise it is built by its first call."""

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._stack: list[Layer] = []
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Layer):
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a Layer, got {type(layer).__name__}")
        self._stack.append(layer)
        self.__setattr__(f"layer_{len(self._stack)}", layer)
        first = self._stack[0]
        input_shape = first.expected_input if isinstance(first, InputLayer) else None
        if input_shape is None and getattr(first, "expected_input", None) is not None and not first.built:
            input_shape = first.expected_input
        if input_shape is not None:
            self.build_for((None,) + tuple(input_shape))

    def build_for(self, input_shape):
        """Build every layer for inputs of ``input_shape`` (batch axis first, may be None)."""
        shape = input_shape
        for layer in self._stack:
            if not layer.built:
                layer.output_shape_for(shape)
            shape = layer.output_shape_for(shape)
        self.built = True
        self.expected_input = tuple(input_shape[1:])

    @property
    def layers(self) -> list:
        return [layer for layer in self._stack if not isinstance(layer, InputLayer)]

    def build(self, input_shape):
        self.build_for(input_shape)

    def check_input(self, shape):
        """The layers check their own inputs, so the error names the layer that cannot take it."""

    def call(self, x, training=False, mask=None):
        for layer in self._stack:
            x, mask = layer(x, training=training, mask=mask), layer.compute_mask(x, mask)
        return x

    def get_config(self) -> dict:
        return {"name": self.name,
                "input_shape": list(self.expected_input) if self.built else None,
                "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()} for layer in self._stack]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        classes = {**LAYER_CLASSES, **(custom_objects or {})}
        layers = []
        for spec in config["layers"]:
            if spec["class_name"] not in classes:
                raise ValueError(f"unknown layer class {spec['class_name']!r}; pass it in custom_objects")
            layers.append(classes[spec["class_name"]].from_config(dict(spec["config"])))
        model = cls(layers, name=config.get("name"))
        if config.get("input_shape") is not None and not model.built:
            model.build_for((None,) + tuple(config["input_shape"]))
        return model
