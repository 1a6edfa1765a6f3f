"""``Model``: a layer that can be compiled, trained, evaluated, summarised and saved.

Subclass it to define a network in Python (layers in ``__init__``, computation in ``call``), or use
:class:`~neurona.models.Sequential` for a stack of layers::

    class TwoLayer(nr.Model):
        def __init__(self):
            super().__init__()
            self.hidden = nr.layers.Dense(32, activation="relu")
            self.out = nr.layers.Dense(1)

        def call(self, x, training=False):
            return self.out(self.hidden(x))
"""
from __future__ import annotations

import warnings

from .. import losses, metrics as metrics_module, optimizers
from ..layers.base import Layer
from .training import TrainingMixin


class Model(TrainingMixin, Layer):
    """A trainable network: ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``, ``save``.

    >>> import neurona as nr
    >>> class TwoLayers(nr.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nr.layers.Dense(4, activation="relu")
    ...         self.out = nr.layers.Dense(1)
    ...     def call(self, x, training=False):
    ...         return self.out(self.hidden(x))
    >>> TwoLayers()(nr.ones(3, 2)).shape
    (3, 1)
    """

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.optimizer = None
        self.compiled_loss = None
        self.loss_on_logits = None  # the compiled loss taking the output layer's logits (see compile)
        self.compiled_metrics = []
        self.jit = True
        self.compiled_training = None  # the last fit's compiled step (see compiled_step), None when eager
        self._compiled_inference = None  # predict's compiled forward pass, made on its first use
        self.stop_training = False
        self.history = None

    @property
    def layers(self) -> list:
        return self.sublayers

    def get_layer(self, name):
        """The layer called ``name``."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"{self.name} has no layer named {name!r}; it has {[layer.name for layer in self.layers]}")

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, jit=True, jit_compile=None):
        """Choose the optimizer (Keras' default: RMSprop), the loss and the metrics reported during training.

        ``jit`` (Keras' name ``jit_compile`` works too): ``fit`` traces the training step on its first batches
        and replays it as a flat plan of primitive calls from then on, when every layer is static (see
        :mod:`neurona.models.compiled_step`); ``jit=False`` runs every step eagerly. Both give the same bits.

        When the output layer ends in a sigmoid (with binary cross-entropy) or a softmax over the last axis
        (with categorical cross-entropy), the loss is computed from the logits behind that activation, in
        ``fit``, ``evaluate`` and ``test_on_batch`` alike: the training and the validation loss are one
        function of the weights, finite even when the output saturates. The choice is made here, from the
        model's ``output_activation``. A subclassed ``Model`` has none to read, so its loss takes the clipped
        probabilities, again the same in training and evaluation; for stability there, end ``call`` without
        the activation and use the loss with ``from_logits=True``.
        """
        if loss is None:
            raise ValueError("compile: a loss is required, e.g. loss='mse', 'binary_crossentropy' or "
                             "'sparse_categorical_crossentropy'")
        if jit_compile is not None:
            jit = jit_compile
        if jit not in (True, False) and jit != "auto":
            raise ValueError(f"compile: jit must be True, False or 'auto', got {jit!r}")
        self.jit = jit is not False
        self.optimizer = optimizers.get(optimizer)
        self.compiled_loss = losses.get(loss)
        reduction = self.compiled_loss.reduction
        if reduction in (None, "none"):
            raise ValueError(f"compile: the loss {self.compiled_loss.name!r} has reduction={reduction!r}, which gives "
                             "one loss per sample; training needs one number per batch. Use "
                             "reduction='sum_over_batch_size' (the mean, Keras' default) or 'sum'.")
        self.loss_on_logits = self.compiled_loss.on_logits_of(self.output_activation)
        self.compiled_metrics = [metrics_module.get(m, self.compiled_loss) for m in (metrics or [])]
        self._warn_on_output_mismatch()

    @property
    def output_activation(self):
        """The sigmoid or softmax the model applies last, when its structure shows it (``Sequential``); None
        for a subclassed model, whose ``call`` cannot be read."""
        return None

    def predict_and_loss(self, x, y, sample_weight=None, training=False):
        """The predictions for ``x`` and the compiled loss (with the regularization penalties): the one
        definition of the loss that ``fit``, ``evaluate`` and ``test_on_batch`` report."""
        if self.loss_on_logits is None:
            y_pred = self(x, training=training)
            return y_pred, self._with_penalties(self.compiled_loss(y, y_pred, sample_weight))
        logits = self.call_before_activation(self._prepare_input(x), training=training)
        loss = self.loss_on_logits(y, logits, sample_weight)
        return self.output_activation(logits), self._with_penalties(loss)

    def _with_penalties(self, loss):
        for penalty in self.regularization_losses():
            loss = loss + penalty
        return loss

    def _warn_on_output_mismatch(self):
        last = self.layers[-1] if self.layers else None
        activation = getattr(getattr(last, "activation", None), "__name__", None)
        if type(last).__name__ == "Softmax":
            activation = "softmax"
        from_logits = self.compiled_loss.options.get("from_logits", False)
        if from_logits and activation in ("softmax", "sigmoid"):
            warnings.warn(f"the output layer {last.name!r} applies {activation}, but the loss "
                          f"{self.compiled_loss.name} has from_logits=True and will apply it again. Hint: use "
                          f"from_logits=False, or remove the output activation.", stacklevel=3)

    # ---- description --------------------------------------------------------------------------------------
    def summary(self, print_fn=print) -> str:
        """Print (and return) a table: layer, output shape, parameter count; totals in parameters and bytes."""
        from .summary import summary_text
        text = summary_text(self)
        if print_fn is not None:
            print_fn(text)
        return text

    def memory_report(self, batch_size=32, budget_bytes=None):
        """Bytes for parameters, gradients, optimizer state and activations of one training batch; with
        ``budget_bytes``, the largest batch that fits (see :mod:`neurona.models.memory`)."""
        from .memory import memory_report
        return memory_report(self, batch_size, budget_bytes)

    # ---- saving --------------------------------------------------------------------------------------------
    def save(self, path):
        """Write the architecture, weights, optimizer state and compile settings to one file, atomically."""
        from ..io.saving import save_model
        save_model(self, path)

    def export(self, path, format="onnx"):
        """Write the model for deployment: ``format="onnx"`` (see :mod:`neurona.onnx`). Returns the ONNX proto."""
        if format != "onnx":
            raise ValueError(f"export: format must be 'onnx', got {format!r}")
        from ..onnx import export
        return export(self, path)

    def save_weights(self, path):
        """Write only the weights (``.npz``), atomically."""
        from ..io.saving import save_weights
        save_weights(self, path)

    def load_weights(self, path):
        from ..io.saving import load_weights
        load_weights(self, path)

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"{type(self).__name__}.get_config() is needed to save the whole model: return the arguments of "
            "__init__ as a dict. Or save only the weights with save_weights().")
