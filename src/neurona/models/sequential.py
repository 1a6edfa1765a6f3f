"""``Sequential``: a model that is a plain stack of layers, each feeding the next.

>>> import neurona as nr
>>> model = nr.Sequential([nr.layers.Input((4,)), nr.layers.Dense(8, activation="relu"), nr.layers.Dense(1)])
>>> model.count_params()
49
"""
from __future__ import annotations

from ..layers.base import Layer, deserialize, serialize
from ..layers.core import InputLayer
from .model import Model


class Sequential(Model):
    """Layers applied in order. Starting with ``Input(shape)`` (or giving the first layer ``input_shape=``)
    builds the model at once, so ``summary`` works before training; otherwise it is built by its first call.
    A layer added to a built model is built at once.

    >>> import neurona as nr
    >>> model = nr.Sequential([nr.layers.Input((4,)), nr.layers.Dense(8, activation="relu"), nr.layers.Dense(1)])
    >>> model.count_params()
    49
    >>> model.predict(nr.ones(2, 4).numpy(), verbose=0).shape
    (2, 1)
    """
    compilable = True  # its call only calls its layers, which declare their own

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
        input_shape = self.expected_input if self.built else self._stack[0].expected_input
        if input_shape is not None and None not in input_shape:  # a None axis is known at the first call
            self.build_for((None,) + tuple(input_shape))

    def build_for(self, input_shape):
        """Build every layer for inputs of ``input_shape`` (batch axis first, may be None)."""
        shape = tuple(input_shape)
        for layer in self._stack:
            shape = layer.output_shape_for(shape)
        self.built = True
        self.expected_input = tuple(input_shape[1:])
        self.build_input_shape = tuple(input_shape)

    @property
    def layers(self) -> list:
        return [layer for layer in self._stack if not isinstance(layer, InputLayer)]

    def build(self, input_shape):
        self.build_for(input_shape)

    def check_input(self, shape):
        """The layers check their own inputs, so the error names the layer that cannot take it."""

    def call(self, x, training=False, mask=None):
        return self._run(self._stack, x, training, mask)[0]

    def call_before_activation(self, x, training=False):
        """The output of the last layer before its sigmoid or softmax (see ``Model.output_activation``)."""
        x, _ = self._run(self._stack[:-1], x, training, None)
        return self._stack[-1].call_before_activation(x, training=training)

    @staticmethod
    def _run(layers, x, training, mask):
        for layer in layers:
            x, mask = layer(x, training=training, mask=mask), layer.compute_mask(x, mask)
        return x, mask

    @property
    def output_activation(self):
        return self._stack[-1].output_activation if self._stack else None

    def get_config(self) -> dict:
        return {"name": self.name,
                "input_shape": list(self.expected_input) if self.built else None,
                "layers": [serialize(layer) for layer in self._stack]}

    @classmethod
    def from_config(cls, config):
        model = cls([deserialize(spec) for spec in config["layers"]], name=config.get("name"))
        if config.get("input_shape") is not None and not model.built:
            model.build_for((None,) + tuple(config["input_shape"]))
        return model
