"""Recurrent layers with Keras' semantics: SimpleRNN, LSTM, GRU (``reset_after=True``) and Bidirectional.

Inputs are (batch, steps, features). The step loop is plain Python over time (not over units or samples); each
step is a few matrix products and elementwise primitives, so autograd differentiates through time.
``return_sequences`` returns every step's output, ``return_state`` also the final states. A mask (from
``Embedding(mask_zero=True)`` or ``Masking``) marks padded steps: the state is carried over them unchanged and
their output is zero, as in PyTorch's packed sequences.

Keras defaults: glorot_uniform input kernels, orthogonal recurrent kernels, zero biases; LSTM adds 1 to the
forget gate's bias (``unit_forget_bias``). Gate order: LSTM [input, forget, cell, output]; GRU [update, reset,
candidate].
"""
from __future__ import annotations

from .. import activations, checks, constraints, initializers, ops
from .. import functional as fn
from ..autograd.engine import ShapeError
from ..autograd.tensor import Tensor
from ..devices.backend import xp_of
from ..devices import device_of, to_device
from ..functional.recurrent import gru_step, lstm_step
from .base import Layer, deserialize, serialize


class _RNN(Layer):
    """Shared machinery: weights, the time loop, masks and the outputs; subclasses write ``step``."""
    compilable = True  # static in training: see Layer.compilable
    gates = 1
    supports_masking = True

    def __init__(self, units, activation="tanh", return_sequences=False, return_state=False, go_backwards=False,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.units = checks.positive_int(units, "units", type(self).__name__)
        self.activation = activations.get(activation)
        self.return_sequences, self.return_state, self.go_backwards = return_sequences, return_state, go_backwards
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ShapeError(f"{type(self).__name__} layer {self.name!r}: expected a 3-D input (batch, steps, "
                             f"features), got shape {tuple(input_shape)}")
        width = self.gates * self.units
        self.kernel = self.add_weight("kernel", (input_shape[-1], width), self.kernel_initializer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, width), self.recurrent_initializer,
                                                constraint=self.recurrent_constraint)
        self.build_bias()
        self.expected_input = (None, input_shape[-1])

    def build_bias(self):
        self.bias = self.add_weight("bias", (self.gates * self.units,), self.bias_initializer,
                                    constraint=self.bias_constraint)

    def initial_states(self, batch, dtype, like):
        return [Tensor(xp_of(like).zeros((batch, self.units), dtype=dtype))]

    def call(self, x, training=False, mask=None, initial_state=None):
        batch, steps, _ = x.shape
        states = list(initial_state) if initial_state is not None else self.initial_states(batch, x.dtype, x.data)
        if mask is not None:
            mask = to_device(mask.data if isinstance(mask, Tensor) else mask, device_of(x.data))
        if self.fused:
            return self.call_fused(x, mask, states)
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        projected = self.project_inputs(x)  # every step's input product at once: one big matrix product
        outputs = []
        for t in order:
            output, new_states = self.step(projected[t], states)
            if mask is not None:
                keep = mask[:, t].astype(bool)[:, None]
                new_states = [ops.where(keep, n, s) for n, s in zip(new_states, states)]
                output = ops.where(keep, output, 0.0)
            states = new_states
            outputs.append(output)
        last = states[0] if mask is not None else outputs[-1]
        result = fn.stack(outputs, axis=1) if self.return_sequences else last
        return [result] + states if self.return_state else result

    fused = False  # subclasses with a whole-sequence primitive set it when their activations are the defaults

    def time_major_projection(self, x):
        """``x @ kernel + input bias`` for every step, (steps, batch, width), in processing order."""
        batch, steps, features = x.shape
        flat = ops.dense(ops.reshape(ops.transpose(x, (1, 0, 2)), (steps * batch, features)), self.kernel,
                         self.input_bias())   # the bias added in place on the product
        projected = ops.reshape(flat, (steps, batch, flat.shape[1]))
        return projected[::-1] if self.go_backwards else projected

    def time_major_mask(self, mask, dtype):
        if mask is None:
            return None
        m = mask.astype(dtype).T[:, :, None]  # (steps, batch, 1), on the mask's device
        return m[::-1] if self.go_backwards else m

    def finish(self, hs, mask_t, states):
        """The layer's outputs from the (steps, batch, units) states of the fused loop."""
        if not self.return_sequences:
            result = hs[-1]
        else:
            outputs = hs * mask_t if mask_t is not None else hs   # padded steps output zeros
            result = ops.transpose(outputs, (1, 0, 2))
        return [result] + states if self.return_state else result

    def project_inputs(self, x):
        """``x @ kernel + bias`` for all steps, split into a list of (batch, width) per step."""
        batch, steps, features = x.shape
        flat = ops.reshape(ops.transpose(x, (1, 0, 2)), (steps * batch, features)) @ self.kernel
        flat = flat + self.input_bias()
        return [flat[t * batch:(t + 1) * batch] for t in range(steps)]

    def input_bias(self):
        """The bias added to the input projection."""
        return self.bias

    def compute_mask(self, x, mask=None):
        return mask if self.return_sequences else None

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": activations.name_of(self.activation),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards,
                **{f"{part}_constraint": constraints.serialize(getattr(self, f"{part}_constraint"))
                   for part in ("kernel", "recurrent", "bias")}}


class SimpleRNN(_RNN):
    """``h_t = activation(x_t W + h_{t-1} U + b)``.

    >>> import neurona as nr
    >>> nr.layers.SimpleRNN(4)(nr.ones(2, 5, 3)).shape
    (2, 4)
    """

    def step(self, projected, states):
        h = self.activation(projected + states[0] @ self.recurrent_kernel)
        return h, [h]


class LSTM(_RNN):
    """Long short-term memory: gates decide what the cell state forgets, takes in and shows.

    ``c_t = f * c_{t-1} + i * tanh(g)``, ``h_t = o * tanh(c_t)`` with i, f, o sigmoid gates. States: [h, c].

    >>> import neurona as nr
    >>> nr.layers.LSTM(4)(nr.ones(2, 5, 3)).shape
    (2, 4)
    """
    gates = 4

    def __init__(self, units, recurrent_activation="sigmoid", unit_forget_bias=True, **kwargs):
        super().__init__(units, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias

    def build_bias(self):
        super().build_bias()
        if self.unit_forget_bias:
            self.bias.data[self.units: 2 * self.units] += 1.0

    def initial_states(self, batch, dtype, like):
        return [Tensor(xp_of(like).zeros((batch, self.units), dtype=dtype)) for _ in range(2)]

    def call_fused(self, x, mask, states):
        mask_t = self.time_major_mask(mask, x.dtype)
        seq = ops.lstm_sequence(self.time_major_projection(x), self.recurrent_kernel, states[0], states[1], mask_t)
        u = self.units
        return self.finish(seq[:, :, :u], mask_t, [seq[-1, :, :u], seq[-1, :, u:]])

    def step(self, projected, states):
        h, c = states
        h, c = lstm_step(projected + h @ self.recurrent_kernel, c, self.activation, self.recurrent_activation)
        return h, [h, c]

    @property
    def fused(self):
        """True with the default activations: the whole loop runs as one ``lstm_sequence`` primitive."""
        return self.activation is activations.tanh and self.recurrent_activation is activations.sigmoid

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.name_of(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRU(_RNN):
    """Gated recurrent unit, Keras' default ``reset_after=True`` form (the one cuDNN and PyTorch use):

    ``z, r = sigmoid(x W + b_in + h U + b_rec)`` (update, reset), ``n = tanh(x W_n + b_in_n + r * (h U_n +
    b_rec_n))``, ``h_t = z * h_{t-1} + (1 - z) * n``. The bias has shape (2, 3 * units): input and recurrent.

    >>> import neurona as nr
    >>> nr.layers.GRU(4, return_sequences=True)(nr.ones(2, 5, 3)).shape
    (2, 5, 4)
    """
    gates = 3

    def __init__(self, units, recurrent_activation="sigmoid", reset_after=True, **kwargs):
        super().__init__(units, **kwargs)
        if not reset_after:
            raise NotImplementedError("GRU: only reset_after=True (Keras' default) is implemented")
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def build_bias(self):
        self.bias = self.add_weight("bias", (2, 3 * self.units), self.bias_initializer,
                                    constraint=self.bias_constraint)

    def input_bias(self):
        return self.bias[0]

    @property
    def fused(self):
        """True with the default activations: the whole loop runs as one ``gru_sequence`` primitive."""
        return self.activation is activations.tanh and self.recurrent_activation is activations.sigmoid

    def call_fused(self, x, mask, states):
        mask_t = self.time_major_mask(mask, x.dtype)
        seq = ops.gru_sequence(self.time_major_projection(x), self.recurrent_kernel, self.bias[1], states[0], mask_t)
        return self.finish(seq, mask_t, [seq[-1]])

    def step(self, projected, states):
        (h,) = states
        h = gru_step(projected, h @ self.recurrent_kernel + self.bias[1], h, self.activation,
                     self.recurrent_activation)
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.name_of(self.recurrent_activation),
                "reset_after": self.reset_after}


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards over the sequence and concatenates the two
    outputs (``merge_mode="concat"``; also "sum", "mul", "ave").

    >>> import neurona as nr
    >>> nr.layers.Bidirectional(nr.layers.LSTM(4))(nr.ones(2, 5, 3)).shape
    (2, 8)
    """
    compilable = True  # static in training: see Layer.compilable
    supports_masking = True

    def __init__(self, layer, merge_mode="concat", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, _RNN):
            raise TypeError(f"Bidirectional wraps a recurrent layer, got {type(layer).__name__}")
        self.forward_layer = layer
        config = {**layer.get_config(), "go_backwards": not layer.go_backwards,
                  "name": f"backward_{layer.name}"}
        config.pop("input_shape", None)
        self.backward_layer = type(layer).from_config(config)
        self.merge_mode = merge_mode

    def call(self, x, training=False, mask=None):
        fwd = self.forward_layer(x, training=training, mask=mask)
        bwd = self.backward_layer(x, training=training, mask=mask)
        states = []
        if self.forward_layer.return_state:
            fwd, *f_states = fwd
            bwd, *b_states = bwd
            states = f_states + b_states
        if self.forward_layer.return_sequences:
            bwd = bwd[:, ::-1]  # the backward layer's outputs come in reversed time order
        merged = {"concat": lambda: ops.concatenate([fwd, bwd], axis=-1), "sum": lambda: fwd + bwd,
                  "mul": lambda: fwd * bwd, "ave": lambda: (fwd + bwd) * 0.5}[self.merge_mode]()
        return [merged] + states if states else merged

    def compute_mask(self, x, mask=None):
        return mask if self.forward_layer.return_sequences else None

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize(self.forward_layer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(deserialize(config.pop("layer")), **config)
