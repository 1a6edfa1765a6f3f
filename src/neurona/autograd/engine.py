"""The engine: applies primitives (recording the graph) and runs reverse mode over it.

``apply`` is the one place an op becomes a graph node; ``backward`` and ``grad`` walk the graph from the output
to the inputs in reverse topological order, iteratively (a 100,000-op chain needs no recursion), and free the
saved values afterwards unless told to retain them.
"""
from __future__ import annotations

import itertools
from heapq import heappop, heappush

import numpy as np

from ..devices import backend
from ..devices import check_same as check_same_device
from .grad_mode import state, no_grad, enable_grad
from .namespaces import RAW, TENSOR
from .node import Node
from .scatter_grad import ScatterGrad
from .tensor import Tensor, _make
from . import forward_mode

_ndarray = np.ndarray


class ShapeError(ValueError):
    """An op got inputs whose shapes do not fit together; the message names the op and the shapes.

    >>> import neurona as nr
    >>> try:
    ...     nr.tensor([1.0, 2.0]) @ nr.tensor([1.0, 2.0, 3.0])
    ... except nr.ShapeError as e:
    ...     print(type(e).__name__)
    ShapeError
    """


def _describe(x):
    shape = getattr(x, "shape", None)
    return f"scalar {x!r}" if shape is None else f"shape {tuple(shape)}"


def _op_error(prim, arrays, exc):
    shapes = " and ".join(_describe(a) for a in arrays)
    hint = {
        "matmul": "the last axis of the first operand must equal the second-to-last axis of the second; "
                  "transpose one of them (x.T) or check the layer sizes",
    }.get(prim.name, "shapes broadcast when, axis by axis from the right, they are equal or one of them is 1; "
                     "reshape or expand_dims one operand")
    return ShapeError(f"{prim.name}: cannot combine {shapes} ({exc}). Hint: {hint}.")


def apply(prim, inputs, params):
    """Run ``prim`` on ``inputs`` (Tensors or raw constants) and record a node when a gradient is needed."""
    arrays = [x.data if x.__class__ is Tensor else x for x in inputs]
    if backend._cupy is not None:  # GPU arrays exist: refuse to mix devices in one op
        check_same_device(arrays, prim.name)
    try:
        out_data = prim.forward(*arrays, **params)
    except ValueError as exc:
        raise _op_error(prim, arrays, exc) from None
    aux = None
    if prim.saves_aux:
        out_data, aux = out_data
    if out_data.__class__ is not _ndarray and not backend.is_array(out_data):
        out_data = np.asarray(out_data)
    out = _make(out_data)
    if state.grad_enabled:
        for x in inputs:
            if x.__class__ is Tensor and x.requires_grad:
                out._node = node = Node(prim, inputs, arrays, params, out_data if prim.saves_output else None,
                                        _next_seq(), state.inplace_count)
                out.requires_grad = True
                if aux is not None:
                    node.aux = aux
                break
    if state.fw_levels:
        forward_mode.propagate(prim, inputs, params, out)
    if tracer is not None:
        tracer.record(prim, inputs, arrays, params, out, aux)
    return out


#: The :class:`~neurona.autograd.compiled.Tape` recording the primitives applied, while a step is traced.
tracer = None

_next_seq = itertools.count().__next__


# ---- reverse mode ----------------------------------------------------------------------------------------

def _useful_nodes(root_nodes, target_nodes, target_leaves):
    """The nodes from which a target can be reached (only those need a reverse rule applied)."""
    reachable, stack = set(root_nodes), list(root_nodes)
    while stack:
        for x in stack.pop().inputs or ():
            if x.__class__ is Tensor and x._node is not None and x._node not in reachable:
                reachable.add(x._node)
                stack.append(x._node)
    useful = set()
    for node in sorted(reachable, key=lambda n: n.seq):  # inputs before the nodes that use them
        if node in target_nodes:
            useful.add(node)
            continue
        for x in node.inputs or ():
            if x.__class__ is Tensor and (x._node in useful or id(x) in target_leaves):
                useful.add(node)
                break
    return useful


def _freed_error(node):
    return RuntimeError(
        f"backward through the graph a second time: the values saved by {node.prim.name!r} were freed by the "
        "first backward(). Hint: pass retain_graph=True to the first backward() if you need to call it again, "
        "or recompute the forward pass.")


def _check_versions(node):
    """Raise if a value the reverse rule reads was changed in place after the node was recorded."""
    saves = node.prim.saves
    for i, x in enumerate(node.inputs):
        if x.__class__ is Tensor and x._version > node.stamp and (saves is None or i in saves):
            raise RuntimeError(
                f"an input of {node.prim.name!r} (shape {x.shape}) was modified in place after it was used; its "
                "gradient would be wrong. Hint: use an out-of-place op (x = x * 2) or .clone() before changing it.")
    if node.out_stale and node.prim.saves_output:
        raise RuntimeError(f"the output of {node.prim.name!r} was modified in place after it was used; its "
                           "gradient would be wrong. Hint: use an out-of-place op instead.")


def _output_for_rule(node):
    """The node's output as a Tensor for a rule run in tensor mode (gradients through it reach the node)."""
    if node.out_tensor is not None:
        return node.out_tensor
    return None if node.out_data is None else _make(node.out_data, node)


def _fit_gradient(F, g, x_data):
    """Sum a broadcast gradient back to the input's shape and cast it to the input's dtype."""
    if g.shape != x_data.shape:
        g = F.sum_to(g, shape=x_data.shape)
    if g.dtype != x_data.dtype:
        g = F.astype(g, dtype=x_data.dtype)
    return g


def _run(roots, seeds, targets, retain_graph, create_graph, accumulate):
    """Propagate ``seeds`` from ``roots`` back through the graph: backprop, as in the lecture.

    Take the youngest node not yet processed (a max-heap on the creation number visits every node after all
    the nodes that use its output: no recursion, no separate topological sort), ask its primitive's rule for
    the gradients of its inputs, and add each to what the input has received so far.

    Returns gradients for ``targets`` (Tensors, leaf or not; None where unreached). With ``accumulate`` the
    leaves' ``.grad`` are updated. ``create_graph`` may be "auto": differentiable backward only where the
    result may itself be differentiated (a target that is not a fresh leaf, or another leaf needing grad).
    """
    plan = _Plan(roots, targets or [], create_graph, retain_graph)
    store = _Gradients(plan)
    for r, s in zip(roots, seeds):
        store.seed(r, _seed_as(s, plan.tensor_mode), accumulate)
    heap, grads, send = store.heap, store.grads, store.sender()
    stamp, has_targets, F, tensor_mode = plan.stamp, bool(plan.target_nodes), plan.F, plan.tensor_mode
    with (enable_grad() if plan.create_graph else no_grad()):
        while heap:
            node = heappop(heap)[1]
            g = grads.pop(node)
            if node.inputs is None or node.stamp != stamp or node.out_stale or node.retain_ref or has_targets:
                plan.check(node, g)
            prim = node.prim
            if tensor_mode or prim.saves_aux or prim.skips_unneeded:
                in_grads = _input_gradients(node, g, F, tensor_mode)
            else:  # the common case of _input_gradients, inline: this loop runs once per node
                in_grads = prim.vjp(F, g, node.out_data, *node.arrays, **node.params)
            for x, gx in zip(node.inputs, in_grads):
                if gx is not None and x.__class__ is Tensor and x.requires_grad:
                    send(x, gx)
            if not plan.retain_graph:
                node.free()
    return store.finish(accumulate)


def _input_gradients(node, g, F, tensor_mode):
    """The node's rule applied to ``g``: one call for every primitive. In tensor mode the rule sees Tensors
    (so it is differentiated itself), else raw arrays; ``aux`` and ``needs`` go to the rules that ask for them."""
    prim, params = node.prim, node.params
    if prim.saves_aux or prim.skips_unneeded:
        params = dict(params)
        if prim.saves_aux:
            params["aux"] = None if tensor_mode else node.aux
        if prim.skips_unneeded:
            params["needs"] = tuple([x.__class__ is Tensor and x.requires_grad for x in node.inputs])
    if tensor_mode:
        return prim.vjp(F, g, _output_for_rule(node), *node.inputs, **params)
    return prim.vjp(F, g, node.out_data, *node.arrays, **params)


class _Plan:
    """What one backward pass does: the mode of its rules, which nodes are worth visiting, what it watches
    (targets to capture, ``retain_grad`` tensors) and the checks a node must pass before its rule runs."""

    def __init__(self, roots, targets, create_graph, retain_graph):
        self.target_nodes = {t._node: i for i, t in enumerate(targets) if t._node is not None}
        self.target_leaves = {id(t): i for i, t in enumerate(targets) if t._node is None}
        self.captured = [None] * len(targets)
        root_nodes = list(dict.fromkeys(r._node for r in roots if r._node is not None))
        self.useful = _useful_nodes(root_nodes, self.target_nodes, self.target_leaves) if targets else None
        if create_graph == "auto":
            create_graph = bool(self.target_nodes) or _has_other_leaf(self.useful, self.target_leaves)
        self.create_graph = bool(create_graph)
        self.tensor_mode = self.create_graph or bool(state.fw_levels)
        self.F = TENSOR if self.tensor_mode else RAW
        self.retain_graph = self.create_graph if retain_graph is None else retain_graph
        self.stamp = state.inplace_count

    def check(self, node, g):
        """Refuse a freed graph or a value changed in place; capture ``g`` for a target or ``retain_grad``."""
        if node.inputs is None:
            raise _freed_error(node)
        if node.retain_ref is not None:
            _retain(node, g)
        k = self.target_nodes.get(node)
        if k is not None:
            self.captured[k] = g
        if node.stamp != self.stamp or node.out_stale:
            _check_versions(node)


class _Gradients:
    """The gradients received so far: per node (waiting in the heap) and per leaf. Sparse (``getitem``)
    gradients are added in place into arrays the engine allocated itself (``owned``), never into the user's."""

    def __init__(self, plan):
        self.plan, self.F, self.useful = plan, plan.F, plan.useful
        self.grads, self.leaf_grads, self.heap = {}, {}, []
        self.owned = set()  # keys (nodes, leaf ids) whose accumulated gradient array the engine allocated

    def seed(self, root, s, accumulate):
        node = root._node
        if node is not None:
            prev = self.grads.get(node)
            if prev is None:
                heappush(self.heap, (-node.seq, node))
            self.grads[node] = s if prev is None else prev + s
        elif id(root) in self.plan.target_leaves or (accumulate and root.requires_grad):
            self.leaf_grads[id(root)] = [root, s]

    def sender(self):
        """``send(x, gx)``: add ``gx`` (fitted to ``x``'s shape and dtype) to what ``x`` has received. A closure
        over the store's dicts, because it runs once per edge of the graph (the hot path of backward)."""
        F, useful, grads, heap, owned, to_leaf = self.F, self.useful, self.grads, self.heap, self.owned, self._to_leaf

        def send(x, gx):
            x_data = x.data
            if gx.__class__ is not ScatterGrad and (gx.shape != x_data.shape or gx.dtype is not x_data.dtype):
                gx = _fit_gradient(F, gx, x_data)
            node = x._node
            if node is None:
                to_leaf(x, gx)
            elif useful is None or node in useful:
                prev = grads.get(node)
                grads[node] = _received(prev, gx, node, owned)
                if prev is None:
                    heappush(heap, (-node.seq, node))
        return send

    def _to_leaf(self, x, gx):
        entry = self.leaf_grads.get(id(x))
        if entry is not None:
            entry[1] = _received(entry[1], gx, id(x), self.owned)
        else:
            self.leaf_grads[id(x)] = [x, _received(None, gx, id(x), self.owned)]

    def finish(self, accumulate):
        """The captured gradients of the targets; with ``accumulate``, the leaves' ``.grad`` updated."""
        plan = self.plan
        for x, g in self.leaf_grads.values():
            k = plan.target_leaves.get(id(x))
            if k is not None:
                plan.captured[k] = g
            elif accumulate:
                _accumulate_leaf(x, g, plan.tensor_mode)
        return plan.captured


def _received(prev, gx, key, owned):
    """What an input holds after receiving ``gx`` on top of ``prev`` (None: nothing yet). A sparse (scatter)
    gradient is made dense on arrival, in an array the engine then owns (``key`` in ``owned``)."""
    if prev is not None:
        return _accumulate(prev, gx, key, owned)
    if gx.__class__ is ScatterGrad:
        owned.add(key)
        return gx.materialize()
    return gx


def _accumulate(prev, gx, key, owned):
    """``prev + gx``, in place where the engine owns ``prev`` and ``gx`` is a sparse (scatter) gradient."""
    if gx.__class__ is ScatterGrad:
        if key not in owned:
            prev = prev.copy()
            owned.add(key)
        return gx.add_into(prev)
    owned.add(key)
    return prev + gx


def _seed_as(seed, tensor_mode):
    if tensor_mode:
        return seed if seed.__class__ is Tensor else _make(seed)
    return seed.data if seed.__class__ is Tensor else seed


def _has_other_leaf(useful, target_leaves):
    for node in useful:
        for x in node.inputs or ():
            if x.__class__ is Tensor and x.requires_grad and x._node is None and id(x) not in target_leaves:
                return True
    return False


def _as_grad_tensor(g, tensor_mode):
    return g if tensor_mode else _make(g)


def _accumulate_leaf(x, g, tensor_mode):
    if x.grad is None:
        x.grad = _as_grad_tensor(g, tensor_mode)
    elif tensor_mode:
        x.grad = x.grad + g
    else:
        x.grad = _make(x.grad.data + g)


def _retain(node, g):
    t = node.retain_ref()
    if t is not None:
        tensor_mode = g.__class__ is Tensor
        t.grad = _as_grad_tensor(g, tensor_mode) if t.grad is None else t.grad + g


def _seed(root, gradient, tensor_mode):
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(f"backward() on a tensor of shape {root.shape}: gradients are implicit only for "
                               "one-element outputs. Hint: reduce it first (y.sum() or y.mean()), or pass "
                               "gradient= a tensor of the same shape (a vector-Jacobian product).")
        xp = backend.xp_of(root.data)
        seed = xp.ones_like(root.data)
    else:
        seed = gradient.data if isinstance(gradient, Tensor) and not tensor_mode else gradient
        if not isinstance(seed, Tensor):
            seed = backend.xp_of(root.data).asarray(seed, dtype=root.data.dtype)
        if tuple(seed.shape) != tuple(root.shape):
            raise ShapeError(f"backward(): gradient has shape {tuple(seed.shape)} but the output has shape "
                             f"{root.shape}; they must match.")
    if tensor_mode and not isinstance(seed, Tensor):
        seed = _make(seed)
    return seed


def _check_differentiable(roots):
    for r in roots:
        if not r.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no graph. Hint: create the "
                               "inputs with requires_grad=True, and do not compute it inside no_grad().")


def backward(roots, gradients=None, retain_graph=None, create_graph=False):
    """Accumulate gradients of ``roots`` into the ``.grad`` of every leaf that requires grad."""
    _check_differentiable(roots)
    tensor_mode = bool(create_graph) or bool(state.fw_levels)
    gradients = gradients or [None] * len(roots)
    seeds = [_seed(r, g, tensor_mode) for r, g in zip(roots, gradients)]
    _run(roots, seeds, None, retain_graph, create_graph, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned instead of accumulated (like
    ``torch.autograd.grad``). ``inputs`` may be leaves or intermediate tensors.

    >>> import neurona as nr
    >>> x = nr.tensor(3.0, requires_grad=True)
    >>> nr.autograd.grad(x * x, [x])[0].item()
    6.0
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    _check_differentiable(outputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("grad(): one of the inputs does not require grad, so it is not part of the graph")
    tensor_mode = bool(create_graph) or bool(state.fw_levels)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    seeds = [_seed(r, g, tensor_mode) for r, g in zip(outputs, grad_outputs)]
    result = _run(outputs, seeds, inputs, retain_graph, create_graph, accumulate=False)
    out = []
    for t, g in zip(inputs, result):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"grad(): an input of shape {t.shape} is not used to compute the outputs. "
                                   "Hint: pass allow_unused=True to get None for it.")
            out.append(None)
        else:
            out.append(g if isinstance(g, Tensor) else _make(g))
    return out[0] if single else tuple(out)
