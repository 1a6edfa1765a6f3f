"""``fit``'s compiled training step: traced on the first batches of each shape, replayed on the rest.

For each batch signature (the shapes and dtypes of x, y and the sample weights) the step runs eagerly twice
while a :class:`~neurona.autograd.compiled.Tape` records it. When both records agree, every later batch of
that signature is a replay of the :class:`~neurona.autograd.compiled.Plan`: forward, reverse, the gradients
written into the optimizer's flat buffers, the optimizer's update, the metrics. When they differ (a random
mask, a value computed outside the primitives), that signature stays eager. The last, smaller batch of an
epoch has its own signature.

Used when ``compile(jit=True)`` (the default) and every layer declares itself static (``Layer.compilable``);
eager mode is the reference, and ``tests/models/test_compiled_step.py`` checks the two give the same bits.
"""
from __future__ import annotations

from .. import random as nr_random
from ..autograd.compiled import Plan, Tape, tape_difference
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..layers.base import mutation_count

_EAGER = "eager"  # a signature whose two traced steps differed
MAX_SIGNATURES = 64  # predict keeps at most this many batch shapes' tapes and plans


def training_version(model) -> tuple:
    """What a training step's plans depend on beyond their inputs: the layers' attributes (any public one assigned
    counts, ``compile`` included), the global seed's generation (dropout's generators follow it: see
    :meth:`neurona.layers.Dropout._generator`) and the device of the weights."""
    return mutation_count(), nr_random.default_generator.generation, model.device


class CompiledTraining:
    """The training step of one ``fit``: ``step(x, y, sample_weight)`` returns the batch loss (a 0-d array)."""

    def __init__(self, model):
        self.model = model
        self.version = training_version(model)  # what it was made for (fit keeps it while unchanged)
        self.by_signature = {}
        self.views = None  # the optimizer's gradient buffers, one per trainable weight, in their order
        self.why_eager = {}  # signature: why its two traced steps could not become a plan

    def step(self, x, y, sample_weight):
        signature = (x.shape, x.dtype, y.shape, y.dtype, None if sample_weight is None else sample_weight.shape)
        known = self.by_signature.get(signature)
        if known.__class__ is Plan:
            return self._replay(known, x, y, sample_weight)
        if known is _EAGER:
            return self.model._train_step(x, y, sample_weight)
        feeds = [x, y] if sample_weight is None else [x, y, sample_weight]
        tape = Tape(feeds)
        loss = self.model._train_step(x, y, sample_weight, tape=tape)
        self.by_signature[signature] = tape if known is None else self._plan(signature, known, tape)
        return loss

    def counts(self) -> dict:
        """How many batch signatures are replayed (``compiled``), stayed ``eager``, or are still ``traced``."""
        kinds = ["compiled" if v.__class__ is Plan else "eager" if v is _EAGER else "traced"
                 for v in self.by_signature.values()]
        return {k: kinds.count(k) for k in ("compiled", "eager", "traced")}

    def _plan(self, signature, first, second):
        """The plan of two traced steps of one signature, or ``_EAGER`` (the reason in ``why_eager``)."""
        variables = self.model.trainable_weights
        if self._gradient_views(variables) is None:
            plan, why = _EAGER, "the optimizer was built for other variables"
        else:
            plan, why = _plan_of(first, second, variables)
        if plan is _EAGER:
            self.why_eager[signature] = why
        return plan

    def _gradient_views(self, variables):
        """The optimizer's flat gradient buffer, viewed per trainable weight (None if it was built for others)."""
        optimizer = self.model.optimizer
        if [id(v) for v in optimizer.variables] != [id(v) for v in variables]:
            return None
        views = [None] * len(variables)
        for group in optimizer._groups:
            for position, view in zip(group.positions, group.grad_views):
                views[position] = view
        self.views = views
        return views

    def _replay(self, plan, x, y, sample_weight):
        model = self.model
        feeds = (x, y) if sample_weight is None else (x, y, sample_weight)
        (loss, y_pred), grads = plan.run(feeds, model._loss_seed)
        for view, g in zip(self.views, grads):
            if g is None:
                view.fill(0)
            else:
                view[...] = g
        model.optimizer.apply_buffered()
        for m in model.compiled_metrics:
            m.update_state(y, y_pred, sample_weight)
        return loss


class CompiledInference:
    """``predict``'s forward pass, traced on the first two batches of each shape and replayed after. Any public
    attribute assigned on a layer since (see :func:`~neurona.layers.base.mutation_count`) drops the plans, so a
    changed model is traced again; a weight is read afresh at every replay."""

    def __init__(self, model):
        self.model = model
        self.by_signature = {}
        self.version = None
        self._compilable = None  # (mutation count, whether every layer is static then)

    def allowed(self) -> bool:
        """Whether the model's layers are all static (asked again after any change to a layer)."""
        version = mutation_count()
        if self._compilable is None or self._compilable[0] != version:
            self._compilable = (version, self.model.is_compilable())
        return self._compilable[1]

    def __call__(self, x):
        """The model's outputs for the batch ``x`` (a raw array) in inference mode, as a raw array."""
        if self.version != mutation_count():
            self.by_signature.clear()
        signature = (x.shape, x.dtype)
        known = self.by_signature.get(signature)
        if known.__class__ is Plan:
            return known.outputs_only((x,))[0]
        with no_grad():
            if known is _EAGER:
                return self.model(Tensor(x), training=False).data
            tape = Tape([x])
            with tape:
                out = self.model(Tensor(x), training=False)
        tape.finish([out])
        if len(self.by_signature) >= MAX_SIGNATURES:  # inputs of ever new shapes: keep the memory bounded
            self.by_signature.clear()
        self.by_signature[signature] = tape if known is None else _plan_of(known, tape, [])[0]
        self.version = mutation_count()  # a first call builds the layers: that is not a change
        return out.data


def _plan_of(first, second, weights):
    """``(Plan, None)`` from two traced steps that did the same thing, else ``(_EAGER, the reason)``."""
    why = tape_difference(first, second)
    if why is None:
        try:
            return Plan(second, weights), None
        except ValueError as exc:
            why = str(exc)
    return _EAGER, why
