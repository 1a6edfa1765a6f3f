"""The Layer base class, Keras style: built on its first call from the input shape, holding trainable and
non-trainable weights, and told by a ``training`` flag whether it is training or predicting.

A layer is a callable ``layer(x, training=False) -> Tensor``. Subclasses write ``build(input_shape)`` (create
weights with ``add_weight``) and ``call(x, training)``. Layers assigned as attributes (or in lists) of another
layer or model are tracked, so their weights belong to it.

>>> import neurona as nr
>>> layer = nr.layers.Dense(3)
>>> layer(nr.ones(2, 4)).shape, layer.kernel.shape
((2, 3), (4, 3))
"""
from __future__ import annotations

import contextlib
import contextvars
import inspect

import numpy as np

from .. import constraints, initializers, regularizers
from ..autograd.engine import ShapeError
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..devices import backend
from ..utils import snake_case

#: Every Layer subclass by class name (to rebuild saved models); see :func:`layer_class`.
LAYER_CLASSES: dict[str, type] = {}
_name_counts: dict[str, int] = {}
_custom_objects: contextvars.ContextVar = contextvars.ContextVar("custom_objects", default={})
_weight_budget: contextvars.ContextVar = contextvars.ContextVar("weight_budget", default=None)


@contextlib.contextmanager
def custom_object_scope(custom_objects):
    """Within ``with``, rebuilding a saved layer or model also finds the classes in ``custom_objects``
    (``{"MyLayer": MyLayer}``), at any depth of the saved configuration (Keras' ``custom_object_scope``)."""
    token = _custom_objects.set({**_custom_objects.get(), **(custom_objects or {})})
    try:
        yield
    finally:
        _custom_objects.reset(token)


def layer_class(name: str) -> type:
    """The layer or model class called ``name``: the custom objects in scope first, then every class neurona
    defines. The built-in classes are imported here, so the answer never depends on what was imported before.

    >>> layer_class("Sequential").__name__
    'Sequential'
    """
    import neurona.layers  # noqa: F401  (registers every built-in layer ...)
    import neurona.models  # noqa: F401  (... and model class)
    cls = None
    if isinstance(name, str):
        cls = _custom_objects.get().get(name) or LAYER_CLASSES.get(name)
    if cls is None:
        raise ValueError(f"unknown layer or model class {name!r}. Hint: import the module that defines it before "
                         f"loading, or pass custom_objects={{{name!r}: {name}}}")
    return cls


def deserialize(spec) -> "Layer":
    """A layer or model rebuilt from ``{"class_name": ..., "config": {...}}`` (what saving writes)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("config"), dict):
        raise ValueError(f"a saved layer must be {{'class_name': ..., 'config': {{...}}}}, got {spec!r:.80}")
    return layer_class(spec.get("class_name")).from_config(dict(spec["config"]))


def serialize(layer: "Layer") -> dict:
    """``{"class_name": ..., "config": ...}``, the inverse of :func:`deserialize`."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


@contextlib.contextmanager
def weight_budget(max_bytes: int):
    """Within ``with``, creating weights of more than ``max_bytes`` in all raises ``MemoryError`` before
    allocating: a saved file cannot make the loader build a model bigger than the weights it holds."""
    token = _weight_budget.set([int(max_bytes)])
    try:
        yield
    finally:
        _weight_budget.reset(token)


def _charge_weight(layer_name: str, shape: tuple, dtype):
    budget = _weight_budget.get()
    if budget is None:
        return
    need = int(np.prod(shape, dtype=np.float64)) * np.dtype(dtype).itemsize
    if need > budget[0]:
        raise MemoryError(f"the weights of layer {layer_name!r} (shape {shape}) need {need} bytes, more than "
                          f"the {budget[0]} bytes of weights left in the file")
    budget[0] -= need


def unique_name(base: str) -> str:
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def to_input_tensor(x) -> Tensor:
    """Model input as a Tensor; float data becomes float32 (as Keras casts to the layer dtype)."""
    if isinstance(x, Tensor):
        return x
    array = np.asarray(x)
    if array.dtype.kind == "f" and array.dtype != backend.DEFAULT_FLOAT:
        array = array.astype(backend.DEFAULT_FLOAT)
    return Tensor(array)


def _marks_built(build):
    """``build`` that also marks the layer built, as Keras' does: a later call does not build it again (and
    so does not throw away weights set in between)."""
    import functools

    @functools.wraps(build)
    def marked(self, input_shape):
        result = build(self, input_shape)
        self.built = True
        if self.build_input_shape is None and isinstance(input_shape, (tuple, list)) and \
                all(d is None or isinstance(d, int) for d in input_shape):
            self.build_input_shape = tuple(input_shape)
        return result
    return marked


def _full_signature(cls) -> inspect.Signature:
    """The constructor's signature with ``**kwargs`` spelled out as the keyword arguments the base classes take,
    so that ``help(nr.layers.Dense)`` shows ``use_bias=True, ..., name=None`` instead of ``**kwargs``."""
    own = list(inspect.signature(cls.__init__).parameters.values())[1:]
    if not own or own[-1].kind is not inspect.Parameter.VAR_KEYWORD:
        return inspect.Signature(own)
    names = {p.name for p in own}
    base = next(b for b in cls.__mro__[1:] if "__init__" in vars(b))
    inherited = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
                 for p in getattr(base, "__signature__", inspect.signature(base.__init__)).parameters.values()
                 if p.name not in names and p.name != "self" and p.kind not in (inspect.Parameter.VAR_POSITIONAL,
                                                                                inspect.Parameter.VAR_KEYWORD)]
    tail = [p for p in own[:-1] if p.kind is inspect.Parameter.KEYWORD_ONLY]
    head = [p for p in own[:-1] if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    return inspect.Signature(head + tail + inherited)


_MUTATIONS = [0]  # public attribute assignments on any layer, ever (see mutation_count)
#: a model's own bookkeeping in ``fit``, which changes nothing a traced step or forward pass computes
UNTRACKED = frozenset({"stop_training", "history", "compiled_training"})


def mutation_count() -> int:
    """How many public attributes were assigned on layers so far (but ``fit``'s bookkeeping, ``UNTRACKED``): a
    compiled ``predict`` or training step (see :mod:`neurona.models.compiled_step`) traces again when this changed
    (a new layer, activation, kernel, a ``compile``...)."""
    return _MUTATIONS[0]


class Layer:
    """Base of every layer and model. See the module docstring.

    Masks (which steps of a sequence are padding) flow through ``Sequential``: a layer that reads one sets
    ``supports_masking`` and takes ``mask=`` in ``call``; ``compute_mask`` gives the mask of its output (the
    input's mask when ``propagates_mask``, else none).

    >>> import neurona as nr
    >>> class Scale(nr.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight("w", (input_shape[-1],), "ones")
    ...     def call(self, x, training=False):
    ...         return x * self.w
    >>> Scale()(nr.ones(2, 3)).shape
    (2, 3)
    """
    supports_masking = False
    propagates_mask = False
    #: Declared by a class whose ``call`` is static: in training it applies the same primitives to the same
    #: sources for every batch of one shape, and changes nothing outside them (no running statistics, no random
    #: draws, no counters). ``fit`` then compiles the step (see :mod:`neurona.models.compiled_step`). It holds
    #: only for the class that writes ``call``: a subclass that writes its own ``call`` declares it again.
    compilable = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        LAYER_CLASSES[cls.__name__] = cls
        cls.__signature__ = _full_signature(cls)
        if "build" in cls.__dict__:
            cls.build = _marks_built(cls.__dict__["build"])

    def __init__(self, name=None, trainable=True, input_shape=None):
        object.__setattr__(self, "_sublayers", [])
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        self.built = False
        self._own_weights: list[Tensor] = []
        self._non_trainable: set = set()
        self._regularized: list = []
        self.expected_input = None  # shape without the batch axis, known once built
        self.build_input_shape = None  # the input shape of the first call (batch axis first)
        self._declared_input_shape = None if input_shape is None else tuple(input_shape)
        if input_shape is not None:
            self.expected_input = tuple(input_shape)

    # ---- tracking --------------------------------------------------------------------------------------------
    def __setattr__(self, key, value):
        if key in ("activation", "recurrent_activation") and not callable(value):
            from .. import activations     # Keras: layer.activation = None means no activation; a name works too
            value = activations.get(value)
        if not key.startswith("_") and key not in UNTRACKED:
            _MUTATIONS[0] += 1
        sub = self.__dict__.get("_sublayers")
        if sub is not None and not key.startswith("_"):
            for item in (value if isinstance(value, (list, tuple)) else [value]):
                if isinstance(item, Layer) and item is not self and item not in sub:
                    sub.append(item)
        object.__setattr__(self, key, value)

    @property
    def sublayers(self) -> list:
        return list(self._sublayers)

    def is_compilable(self) -> bool:
        """Whether a training step through this layer can be traced once and replayed: the class that writes
        ``call`` declares ``compilable``, and so do all the sublayers."""
        owner = next(cls for cls in type(self).__mro__ if "call" in cls.__dict__ or "__call__" in cls.__dict__)
        return bool(owner.__dict__.get("compilable", False)) and all(s.is_compilable() for s in self._sublayers)

    # ---- weights -------------------------------------------------------------------------------------------
    def add_weight(self, name, shape, initializer="glorot_uniform", trainable=True, regularizer=None,
                   constraint=None) -> Tensor:
        """Create a weight of ``shape`` from ``initializer``; penalised by ``regularizer`` when given, and
        projected by ``constraint`` (:mod:`neurona.constraints`) after each optimizer update when given."""
        _charge_weight(self.name, tuple(shape), backend.DEFAULT_FLOAT)
        value = initializers.get(initializer)(tuple(shape))
        w = Tensor(backend.aligned_copy(value) if backend.is_array(value) else value, requires_grad=trainable)
        w.name = f"{self.name}/{name}"
        self._own_weights.append(w)
        if not trainable:
            self._non_trainable.add(id(w))
        if regularizer is not None:
            self._regularized.append((w, regularizers.get(regularizer)))
        if constraint is not None:
            w.constraint = constraints.get(constraint)
        return w

    def _all_weights(self):
        seen, out = set(), []
        for w in self._own_weights:
            if id(w) not in seen:
                seen.add(id(w))
                out.append((w, id(w) not in self._non_trainable and self.trainable))
        for layer in self._sublayers:
            for w, trainable in layer._all_weights():
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append((w, trainable and self.trainable))
        return out

    @property
    def weights(self) -> list[Tensor]:
        """All weights: trainable first, then non-trainable (Keras' order)."""
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_weights(self) -> list[Tensor]:
        return [w for w, t in self._all_weights() if t]

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        return [w for w, t in self._all_weights() if not t]

    def parameters(self) -> list[Tensor]:
        """PyTorch's name for :attr:`trainable_weights`: ``nr.optimizers.SGD(model.parameters(), lr=0.1)``."""
        return self.trainable_weights

    def regularization_losses(self) -> list:
        """The penalties of this layer's and its sublayers' regularized weights (Tensors)."""
        out = [reg(w) for w, reg in self._regularized]
        for layer in self._sublayers:
            out.extend(layer.regularization_losses())
        return out

    def count_params(self) -> int:
        return int(sum(w.size for w in self.weights))

    def to(self, device):
        """Move every weight to ``device`` ("cpu", "cuda", "cuda:N") in place; returns the layer."""
        from ..devices import to_device
        for w in self.weights:
            w.data = to_device(w.data, device)
        for layer in [self] + self._sublayers:
            opt = getattr(layer, "optimizer", None)
            if opt is not None and opt.built:
                opt.to(device)
        return self

    @property
    def device(self) -> str:
        first = self._first_weight()
        return "cpu" if first is None else first.device

    def _first_weight(self):
        """The first weight of the layer or a sublayer (None without weights), found without listing them all."""
        if self._own_weights:
            return self._own_weights[0]
        for layer in self._sublayers:
            w = layer._first_weight()
            if w is not None:
                return w
        return None

    def get_weights(self) -> list[np.ndarray]:
        return [w.numpy().copy() for w in self.weights]

    def set_weights(self, values):
        """Copy ``values`` into the weights, in place (views held by an optimizer stay valid)."""
        from ..devices import device_of, to_device
        weights = self.weights
        if len(values) != len(weights):
            raise ValueError(f"{self.name}: set_weights got {len(values)} arrays for {len(weights)} weights")
        for w, v in zip(weights, values):
            v = np.asarray(v)
            if v.shape != w.shape:
                raise ShapeError(f"{self.name}: weight {w.name} has shape {w.shape}, got an array of shape {v.shape}")
            w.data[...] = to_device(v, device_of(w.data))

    # ---- calling -------------------------------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of ``input_shape`` (batch axis first)."""

    def call(self, x, training=False):
        raise NotImplementedError(f"{type(self).__name__} must implement call(x, training)")

    def compute_mask(self, x, mask=None):
        """The mask of this layer's output, given its input and the input's mask."""
        return mask if self.propagates_mask else None

    #: The sigmoid or softmax (along the last axis) this layer applies last, or None. When a model's output
    #: layer has one, its cross-entropy is computed from the values before it (see ``Model.compile``).
    output_activation = None

    def call_before_activation(self, x, training=False):
        """The output before ``output_activation`` (layers that have one define it)."""
        raise NotImplementedError(f"{type(self).__name__} applies no output activation")

    def __call__(self, x, training=False, mask=None):
        x = self._prepare_input(x)
        if mask is not None and self.supports_masking:
            return self.call(x, training=training, mask=mask)
        return self.call(x, training=training)

    def _prepare_input(self, x):
        """``x`` as a Tensor, the layer built for it (on the first call) and its shape checked."""
        x = to_input_tensor(x) if not isinstance(x, (list, tuple)) else x
        if not self.built:
            shape = x.shape if isinstance(x, Tensor) else [t.shape for t in x]
            self.check_input(shape)
            self.build(shape)  # layers with weights record in build the input shape they need
            self.built = True
            self.build_input_shape = shape  # saved, so that a loaded model is built the same way
        elif isinstance(x, Tensor):
            self.check_input(x.shape)
        return x

    def check_input(self, shape):
        """Raise an error naming the layer when ``shape`` does not fit what it was built for."""
        expected = self.expected_input
        if expected is None or not isinstance(shape, tuple) or shape[1:] == expected:
            return
        received = tuple(shape[1:])
        if len(received) != len(expected) or any(e is not None and e != r for e, r in zip(expected, received)):
            raise ShapeError(f"{type(self).__name__} layer {self.name!r}: expected input of shape "
                             f"{(None,) + tuple(expected)} but received {tuple(shape)}. Hint: check the number of "
                             "features of the data against the model's input.")

    def output_shape_for(self, input_shape) -> tuple:
        """The output shape for an input shape (batch axis None), found by running a batch of one."""
        with no_grad():
            out = self(Tensor(np.zeros((1,) + tuple(input_shape[1:]), dtype=backend.DEFAULT_FLOAT)), training=False)
        return (None,) + tuple(out.shape[1:])

    # ---- saving ---------------------------------------------------------------------------------------------
    def get_config(self) -> dict:
        """Constructor arguments that rebuild this layer (subclasses add theirs)."""
        config = {"name": self.name, "trainable": self.trainable}
        if self._declared_input_shape is not None:
            config["input_shape"] = list(self._declared_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}{' built' if self.built else ''}>"
