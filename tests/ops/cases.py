"""One table of cases per op family, driving every check of the primitives.

A case gives a neurona function, the PyTorch function that must agree with it, the input shapes and the domain
the inputs are drawn from. The same table feeds: forward and gradient against PyTorch, float64 central
differences, forward mode against ``torch.func.jvp``, second derivatives, and the identity <u, Jv> = <J^T u, v>.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

import neurona as nr
from neurona.autograd.engine import apply
from neurona.autograd.primitive import REGISTRY
from neurona.functional.recurrent import gru_step, lstm_step


@dataclass
class Case:
    id: str
    fn: object                  # neurona: Tensors -> Tensor
    torch_fn: object            # torch: tensors -> tensor
    shapes: tuple               # one shape per input
    domain: str = "any"         # any | positive | away_from_zero | unit
    second_order: bool = False  # included in the second-derivative checks
    tags: set = field(default_factory=set)

    def inputs(self, dtype=np.float64, seed=0):
        rng = np.random.default_rng(seed)
        arrays = []
        for shape in self.shapes:
            x = rng.uniform(-2.0, 2.0, size=shape)
            if self.domain == "positive":
                x = np.abs(x) + 0.5
            elif self.domain == "away_from_zero":
                x = np.sign(x + (x == 0)) * (np.abs(x) + 0.3)
            elif self.domain == "unit":
                x = rng.uniform(0.1, 0.9, size=shape)
            arrays.append(np.ascontiguousarray(x.astype(dtype)))
        return arrays


SCALAR_SHAPES = [(), (1,), (5,), (2, 3), (0,), (2, 0, 3), (1, 4, 1)]
PAIR_SHAPES = [((), ()), ((3,), ()), ((), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1)),
               ((0, 3), (3,)), ((2, 3), (2, 3)), ((1,), (2, 2))]

UNARY = [
    ("exp", nr.exp, torch.exp, "any"),
    ("log", nr.log, torch.log, "positive"),
    ("sqrt", nr.sqrt, torch.sqrt, "positive"),
    ("abs", nr.abs, torch.abs, "away_from_zero"),
    ("tanh", nr.tanh, torch.tanh, "any"),
    ("sigmoid", nr.sigmoid, torch.sigmoid, "any"),
    ("relu", nr.relu, torch.relu, "away_from_zero"),
    ("leaky_relu", lambda x: nr.leaky_relu(x, 0.1), lambda x: torch.nn.functional.leaky_relu(x, 0.1),
     "away_from_zero"),
    ("clip", lambda x: nr.clip(x, -0.5, 1.0), lambda x: torch.clamp(x, -0.5, 1.0), "any"),
    ("neg", lambda x: -x, lambda x: -x, "any"),
    ("sin", nr.sin, torch.sin, "any"),
    ("cos", nr.cos, torch.cos, "any"),
    ("pow2", lambda x: x ** 2, lambda x: x ** 2, "any"),
    ("pow3", lambda x: x ** 3, lambda x: x ** 3, "any"),
    ("pow_half", lambda x: x ** 0.5, lambda x: x ** 0.5, "positive"),
    ("pow_minus1", lambda x: x ** -1, lambda x: x ** -1, "away_from_zero"),
    ("rsub_scalar", lambda x: 2.0 - x, lambda x: 2.0 - x, "any"),
    ("rdiv_scalar", lambda x: 1.5 / x, lambda x: 1.5 / x, "away_from_zero"),
    ("rpow_scalar", lambda x: 2.0 ** x, lambda x: 2.0 ** x, "any"),
    ("softplus", nr.ops.softplus, torch.nn.functional.softplus, "any"),
    ("erf", nr.ops.erf, torch.erf, "any"),
    ("gelu", nr.activations.gelu, torch.nn.functional.gelu, "any"),
    ("gelu_tanh", lambda x: nr.activations.gelu(x, approximate=True),
     lambda x: torch.nn.functional.gelu(x, approximate="tanh"), "any"),
    ("elu", nr.activations.elu, torch.nn.functional.elu, "away_from_zero"),
    ("selu", nr.activations.selu, torch.nn.functional.selu, "away_from_zero"),
]

BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, "any"),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, "any"),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, "any"),
    ("div", lambda a, b: a / b, lambda a, b: a / b, "away_from_zero"),
    ("pow", lambda a, b: a ** b, lambda a, b: a ** b, "positive"),
    ("maximum", nr.maximum, torch.maximum, "any"),
    ("minimum", nr.minimum, torch.minimum, "any"),
]


def _unary_cases():
    for name, f, tf, domain in UNARY:
        for shape in SCALAR_SHAPES:
            yield Case(f"{name}{shape}", f, tf, (shape,), domain, second_order=True, tags={"elementwise"})


def _binary_cases():
    for name, f, tf, domain in BINARY:
        for pair in PAIR_SHAPES:
            yield Case(f"{name}{pair}", f, tf, pair, domain, second_order=True, tags={"elementwise"})
        yield Case(f"{name}_transposed", lambda a, b, f=f: f(a.T, b), lambda a, b, tf=tf: tf(a.T, b),
                   ((3, 2), (2, 3)), domain, second_order=True, tags={"elementwise"})


def _where_cases():
    mask = np.array([[True, False, True], [False, False, True]])
    yield Case("where", lambda a, b: nr.where(mask, a, b),
               lambda a, b: torch.where(torch.as_tensor(mask), a, b), ((2, 3), (3,)), second_order=True)
    yield Case("where_scalar_branch", lambda a: nr.where(mask, a, 0.0),
               lambda a: torch.where(torch.as_tensor(mask), a, 0.0), ((2, 3),), second_order=True)


REDUCE_AXES = [None, 0, -1, (0, 2)]


def _torch_reduce(name, axis, keepdims):
    dim = tuple(range(3)) if axis is None else axis

    def f(x):
        d = tuple(range(x.ndim)) if axis is None else dim
        if name == "sum":
            return torch.sum(x, dim=d, keepdim=keepdims)
        if name == "mean":
            return torch.mean(x, dim=d, keepdim=keepdims)
        if name == "max":
            return torch.amax(x, dim=d, keepdim=keepdims)
        if name == "min":
            return torch.amin(x, dim=d, keepdim=keepdims)
        if name == "var":
            return torch.var(x, dim=d, keepdim=keepdims, correction=0)
        if name == "std":
            return torch.std(x, dim=d, keepdim=keepdims, correction=0)
        if name == "logsumexp":
            return torch.logsumexp(x, dim=d, keepdim=keepdims)
        raise KeyError(name)
    return f


def _reduction_cases():
    ours = {"sum": nr.sum, "mean": nr.mean, "max": nr.max, "min": nr.min, "var": nr.var, "std": nr.std,
            "logsumexp": nr.logsumexp}
    for name, f in ours.items():
        for axis in REDUCE_AXES:
            for keepdims in (False, True):
                yield Case(f"{name}_axis{axis}_keep{keepdims}",
                           lambda x, f=f, a=axis, k=keepdims: f(x, axis=a, keepdims=k),
                           _torch_reduce(name, axis, keepdims), ((2, 3, 4),), second_order=True,
                           tags={"reduction"})
        yield Case(f"{name}_vector", lambda x, f=f: f(x), _torch_reduce(name, None, False), ((5,),),
                   second_order=True, tags={"reduction"})
        yield Case(f"{name}_size1", lambda x, f=f: f(x, axis=0), _torch_reduce(name, 0, False), ((1, 3),),
                   second_order=True, tags={"reduction"})
    yield Case("sum_size0_axis", lambda x: nr.sum(x, axis=0), _torch_reduce("sum", 0, False), ((0, 3),),
               tags={"reduction"})
    # the mean of nothing is NaN (0/0), in PyTorch too
    yield Case("mean_size0_axis", lambda x: nr.mean(x, axis=0), _torch_reduce("mean", 0, False), ((0, 3),),
               tags={"reduction", "nan_output"})


def _shape_cases():
    idx = np.array([0, 2, 2, 1, 0])
    mask = np.array([True, False, True, True])
    rows = np.array([[0, 1], [1, 0]])
    yield Case("reshape", lambda x: x.reshape(3, 4), lambda x: x.reshape(3, 4), ((2, 6),))
    yield Case("reshape_infer", lambda x: x.reshape(-1, 2), lambda x: x.reshape(-1, 2), ((2, 3, 2),))
    yield Case("transpose", lambda x: x.transpose(2, 0, 1), lambda x: x.permute(2, 0, 1), ((2, 3, 4),))
    yield Case("T", lambda x: x.T, lambda x: x.T, ((2, 3),))
    yield Case("expand_dims", lambda x: nr.expand_dims(x, 1), lambda x: x.unsqueeze(1), ((2, 3),))
    yield Case("squeeze", lambda x: nr.squeeze(x), lambda x: x.squeeze(), ((1, 3, 1),))
    yield Case("squeeze_axis", lambda x: nr.squeeze(x, 0), lambda x: x.squeeze(0), ((1, 3, 1),))
    yield Case("broadcast_to", lambda x: nr.broadcast_to(x, (4, 2, 3)), lambda x: x.expand(4, 2, 3),
               ((2, 1),))
    yield Case("layer_norm", lambda x, g, b: nr.ops.layer_norm(x, g, b, 1e-3),
               lambda x, g, b: torch.nn.functional.layer_norm(x, (4,), g, b, 1e-3), ((2, 3, 4), (4,), (4,)),
               second_order=True)
    yield Case("random_mask", lambda x: x * nr.ops.random_mask(x, 0.5, x.shape, np.random.default_rng(0)),
               lambda x: x * torch.as_tensor((np.random.default_rng(0).random(tuple(x.shape), dtype=np.float32)
                                              >= 0.5).astype(np.float64) * 2.0), ((3, 4),))
    # one process: the sum over ranks is the identity (two ranks: tests/distributed, under mpiexec)
    yield Case("allreduce_sum", lambda x: nr.ops.allreduce_sum(x) * x, lambda x: x * x, ((3, 4),), second_order=True)
    yield Case("one_hot", lambda x: x * nr.ops.one_hot(np.array([2, 0, 1]), 4, x.dtype),
               lambda x: x * torch.nn.functional.one_hot(torch.tensor([2, 0, 1]), 4).to(x.dtype), ((3, 4),))
    yield Case("getitem_basic", lambda x: x[1:, ::2, None, 0], lambda x: x[1:, ::2, None, 0], ((3, 4, 2),))
    yield Case("getitem_int", lambda x: x[1], lambda x: x[1], ((3, 4),))
    yield Case("getitem_ellipsis", lambda x: x[..., -1], lambda x: x[..., -1], ((3, 4, 2),))
    yield Case("getitem_repeated", lambda x: x[idx], lambda x: x[torch.as_tensor(idx)], ((3, 2),))
    yield Case("getitem_repeated_axis1", lambda x: x[:, idx], lambda x: x[:, torch.as_tensor(idx)], ((2, 3),))
    yield Case("getitem_pairs", lambda x: x[rows, rows.T], lambda x: x[torch.as_tensor(rows),
                                                                        torch.as_tensor(rows.T)], ((2, 2),))
    yield Case("getitem_mask", lambda x: x[mask], lambda x: x[torch.as_tensor(mask)], ((4, 2),))
    yield Case("getitem_empty", lambda x: x[2:2], lambda x: x[2:2], ((3, 2),))
    yield Case("concatenate", lambda a, b: nr.concatenate([a, b], axis=1), lambda a, b: torch.cat([a, b], 1),
               ((2, 3), (2, 1)))
    yield Case("concatenate_neg_axis", lambda a, b, c: nr.concatenate([a, b, c], axis=-1),
               lambda a, b, c: torch.cat([a, b, c], -1), ((2, 3), (2, 0), (2, 2)))
    yield Case("stack", lambda a, b: nr.stack([a, b], axis=1), lambda a, b: torch.stack([a, b], 1),
               ((2, 3), (2, 3)))
    yield Case("pad", lambda x: nr.pad(x, ((1, 0), (2, 1))),
               lambda x: torch.nn.functional.pad(x, (2, 1, 1, 0)), ((2, 3),))
    yield Case("flatten", lambda x: x.flatten(1), lambda x: x.flatten(1), ((2, 3, 4),))
    yield Case("sum_to", lambda x: nr.ops.sum_to(x, (3, 1)), lambda x: x.sum(0).sum(-1, keepdim=True),
               ((2, 3, 4),))
    yield Case("index_add_repeated", lambda g: nr.ops.index_add(g, idx, (4, 2)),
               lambda g: torch.zeros(4, 2, dtype=g.dtype).index_put((torch.as_tensor(idx),), g, accumulate=True),
               ((5, 2),))
    yield Case("index_add_basic", lambda g: nr.ops.index_add(g, (slice(1, 3),), (4, 2)),
               lambda g: torch.nn.functional.pad(g, (0, 0, 1, 1)), ((2, 2),))


def _conversion_cases():
    yield Case("astype_float64", lambda x: nr.astype(x, "float64").astype(x.dtype),
               lambda x: x.to(torch.float64).to(x.dtype), ((2, 3),), second_order=True)
    yield Case("clone", lambda x: x.clone() * 2.0, lambda x: x.clone() * 2.0, ((3,),), second_order=True)
    yield Case("alias", lambda x: apply(REGISTRY["alias"], (x,), {}) * 2.0, lambda x: x.view_as(x) * 2.0,
               ((3,),), second_order=True)


def _matmul_cases():
    shapes = [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
              ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,)),
              ((3, 0), (0, 4)), ((1, 1), (1, 1))]
    for pair in shapes:
        yield Case(f"matmul{pair}", lambda a, b: a @ b, lambda a, b: a @ b, pair, second_order=True,
                   tags={"matmul"})
    yield Case("matmul_transposed", lambda a, b: a.T @ b.T, lambda a, b: a.T @ b.T, ((4, 3), (5, 4)),
               second_order=True, tags={"matmul"})


def _softmax_cases():
    for name, f, tf in (("softmax", nr.softmax, torch.softmax), ("log_softmax", nr.log_softmax,
                                                                   torch.log_softmax)):
        for shape, axis in (((5,), -1), ((2, 5), -1), ((2, 5), 0), ((2, 3, 4), 1), ((1, 1), -1)):
            yield Case(f"{name}{shape}_axis{axis}", lambda x, f=f, a=axis: f(x, axis=a),
                       lambda x, tf=tf, a=axis: tf(x, a), (shape,), second_order=True)


def _nchw(f):
    """A torch function on NCHW wrapped to take and give NHWC, like neurona."""
    return lambda *xs: f(*[x.permute(0, 3, 1, 2) if x.ndim == 4 else x for x in xs]).permute(0, 2, 3, 1)


def _torch_windows(x, k, s):
    return x.unfold(1, k, s).unfold(2, k, s).permute(0, 1, 2, 4, 5, 3)


def _conv_cases():
    from neurona.functional.convolution import conv2d
    from neurona.functional.pooling import pool2d
    F = torch.nn.functional
    yield Case("im2col", lambda x: nr.ops.im2col(x, (2, 2), (1, 1)), lambda x: _torch_windows(x, 2, 1),
               ((2, 4, 3, 2),), second_order=True, tags={"conv"})
    yield Case("im2col_strided", lambda x: nr.ops.im2col(x, (2, 2), (2, 2)), lambda x: _torch_windows(x, 2, 2),
               ((1, 5, 4, 3),), tags={"conv"})
    yield Case("col2im", lambda g: nr.ops.col2im(g, (2, 2), (1, 1), (1, 1), (2, 4, 3, 2)),
               lambda g: torch.func.vjp(lambda x: _torch_windows(x, 2, 1), torch.zeros(2, 4, 3, 2,
                                                                                   dtype=g.dtype))[1](g)[0],
               ((2, 3, 2, 2, 2, 2),), second_order=True, tags={"conv"})
    yield Case("conv2d_valid", lambda x, w, b: conv2d(x, w, b), lambda x, w, b: _nchw(
        lambda x: F.conv2d(x, w.permute(3, 2, 0, 1), b))(x), ((2, 5, 6, 3), (3, 3, 3, 4), (4,)),
        second_order=True, tags={"conv"})
    yield Case("conv2d_same_strided", lambda x, w: conv2d(x, w, strides=2, padding="same"), lambda x, w: _nchw(
        lambda x: F.conv2d(F.pad(x, (0, 1, 0, 1)), w.permute(3, 2, 0, 1), stride=2))(x),
        ((1, 6, 6, 2), (2, 2, 2, 3)), tags={"conv"})
    yield Case("conv2d_dilated", lambda x, w: conv2d(x, w, dilation=2), lambda x, w: _nchw(
        lambda x: F.conv2d(x, w.permute(3, 2, 0, 1), dilation=2))(x), ((1, 7, 7, 2), (3, 3, 2, 2)),
        tags={"conv"})
    yield Case("max_pool", lambda x: pool2d(x, 2), _nchw(lambda x: F.max_pool2d(x, 2)), ((2, 6, 5, 3),),
               second_order=True, tags={"conv"})
    masks = [m for m in np.eye(4, dtype=bool)[np.random.default_rng(4).integers(0, 4, size=(1, 2, 3, 2))]
             .transpose(4, 0, 1, 2, 3)]
    chosen = np.stack(masks).argmax(axis=0)

    def torch_gather(x):
        return torch.take_along_dim(_torch_windows(x, 2, 2).reshape(1, 2, 3, 4, 2),
                                    torch.as_tensor(chosen)[:, :, :, None], dim=3)[:, :, :, 0]
    yield Case("pool_gather", lambda x: apply(REGISTRY["pool_gather"], (x,), {"masks": masks, "kernel": (2, 2),
                                                                             "strides": (2, 2)}),
               torch_gather, ((1, 4, 6, 2),), second_order=True, tags={"conv"})
    yield Case("pool_scatter", lambda g: apply(REGISTRY["pool_scatter"], (g,), {
        "masks": masks, "kernel": (2, 2), "strides": (2, 2), "image_shape": (1, 4, 6, 2)}),
        lambda g: torch.func.vjp(torch_gather, torch.zeros(1, 4, 6, 2, dtype=g.dtype))[1](g)[0], ((1, 2, 3, 2),),
        second_order=True, tags={"conv"})
    yield Case("max_pool_overlapping", lambda x: pool2d(x, 3, 2), _nchw(lambda x: F.max_pool2d(x, 3, 2)),
               ((2, 7, 6, 3),), second_order=True, tags={"conv"})
    yield Case("max_pool_same", lambda x: pool2d(x, 3, 2, padding="same"),
               _nchw(lambda x: F.max_pool2d(x, 3, 2, padding=1)), ((1, 7, 7, 2),), tags={"conv"})
    yield Case("avg_pool_same", lambda x: pool2d(x, 3, 2, padding="same", reduce="mean"),
               _nchw(lambda x: F.avg_pool2d(x, 3, 2, padding=1, count_include_pad=False)), ((1, 7, 7, 2),),
               second_order=True, tags={"conv"})


def _torch_lstm_cell(z, c):
    u = c.shape[1]
    i, f, o = torch.sigmoid(z[:, :u]), torch.sigmoid(z[:, u:2 * u]), torch.sigmoid(z[:, 3 * u:])
    c2 = f * c + i * torch.tanh(z[:, 2 * u:3 * u])
    return torch.cat([o * torch.tanh(c2), c2], dim=1)


def _torch_gru_cell(xp, hp, h):
    u = h.shape[1]
    z, r = torch.sigmoid(xp[:, :u] + hp[:, :u]), torch.sigmoid(xp[:, u:2 * u] + hp[:, u:2 * u])
    n = torch.tanh(xp[:, 2 * u:] + r * hp[:, 2 * u:])
    return (1 - z) * n + z * h


def _torch_lstm_sequence(xz, u, h0, c0, mask=None):
    h, c, outs = h0, c0, []
    for t in range(xz.shape[0]):
        hc = _torch_lstm_cell(xz[t] + h @ u, c)
        if mask is not None:
            hc = hc * mask[t] + torch.cat([h, c], dim=1) * (1 - mask[t])
        outs.append(hc)
        h, c = hc[:, :h0.shape[1]], hc[:, h0.shape[1]:]
    return torch.stack(outs)


def _torch_gru_sequence(xp, u, b, h0, mask=None):
    h, outs = h0, []
    for t in range(xp.shape[0]):
        new = _torch_gru_cell(xp[t], h @ u + b, h)
        h = new if mask is None else new * mask[t] + h * (1 - mask[t])
        outs.append(h)
    return torch.stack(outs)


def _xent_cases():
    targets = np.random.default_rng(6).dirichlet(np.ones(5), size=4)
    yield Case("softmax_cross_entropy", lambda z, t: nr.ops.softmax_cross_entropy(z, t),
               lambda z, t: -(t * torch.log_softmax(z, -1)).sum(-1), ((4, 5), (4, 5)), second_order=True)
    yield Case("softmax_cross_entropy_one_hot",
               lambda z: nr.ops.softmax_cross_entropy(z, targets.round(0).astype(z.dtype)),
               lambda z: -(torch.as_tensor(targets.round(0), dtype=z.dtype) * torch.log_softmax(z, -1)).sum(-1),
               ((4, 5),), second_order=True)


def _dense_cases():
    for activation in (None, "relu"):
        yield Case(f"dense_{activation}", lambda x, w, b, a=activation: nr.ops.dense(x, w, b, a),
                   lambda x, w, b, a=activation: (torch.relu if a else (lambda z: z))(x @ w + b),
                   ((5, 4), (4, 3), (3,)), domain="away_from_zero" if activation else "any", second_order=True)


def _attention_cases():
    sdpa = torch.nn.functional.scaled_dot_product_attention
    for shapes in (((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 7)), ((3, 4), (5, 4), (5, 2))):
        yield Case(f"scaled_dot_product_attention{shapes[0]}",
                   lambda q, k, v: nr.ops.scaled_dot_product_attention(q, k, v, 0.7),
                   lambda q, k, v: sdpa(q, k, v, scale=0.7), shapes, second_order=True)
    yield Case("scaled_dot_product_attention_default_scale", nr.ops.scaled_dot_product_attention, sdpa,
               ((2, 3, 4), (2, 3, 4), (2, 3, 4)))


def _cell_cases():
    yield Case("lstm_step", lambda z, c: nr.ops.concatenate(lstm_step(z, c), axis=1), _torch_lstm_cell,
               ((3, 8), (3, 2)), second_order=True)
    yield Case("gru_step", gru_step, _torch_gru_cell, ((3, 6), (3, 6), (3, 2)), second_order=True)
    mask = (np.random.default_rng(2).random((4, 3, 1)) > 0.3).astype(np.float64)
    for m in (None, mask):
        label = "" if m is None else "_masked"
        yield Case(f"lstm_sequence{label}", lambda *a, m=m: nr.ops.lstm_sequence(*a, mask=m),
                   lambda *a, m=m: _torch_lstm_sequence(*a, mask=None if m is None else torch.as_tensor(m, dtype=a[0].dtype)),
                   ((4, 3, 8), (2, 8), (3, 2), (3, 2)), second_order=True)
        yield Case(f"gru_sequence{label}", lambda *a, m=m: nr.ops.gru_sequence(*a, mask=m),
                   lambda *a, m=m: _torch_gru_sequence(*a, mask=None if m is None else torch.as_tensor(m, dtype=a[0].dtype)),
                   ((4, 3, 6), (2, 6), (6,), (3, 2)), second_order=True)


ALL = (list(_unary_cases()) + list(_binary_cases()) + list(_where_cases()) + list(_reduction_cases())
       + list(_shape_cases()) + list(_matmul_cases()) + list(_softmax_cases()) + list(_conversion_cases())
       + list(_conv_cases()) + list(_cell_cases()) + list(_dense_cases()) + list(_xent_cases())
       + list(_attention_cases()))
SECOND_ORDER = [c for c in ALL if c.second_order]
FINITE = [c for c in ALL if "nan_output" not in c.tags]
