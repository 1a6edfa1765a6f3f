"""PyTorch weights both ways: ``from_torch_state_dict(model, state_dict)`` and ``to_torch_state_dict(model)``.

Layers are matched in order: the i-th neurona layer that has weights takes the i-th PyTorch module of the state
dict (the key's prefix before its last dot: ``0.weight`` and ``0.bias`` are module ``0``). Layouts:

| neurona (Keras) layer | PyTorch module | conversion |
|---|---|---|
| Dense: kernel (in, out), bias | Linear: weight (out, in), bias | kernel transposed |
| Conv2D: kernel (kh, kw, in, out) | Conv2d: weight (out, in, kh, kw) | axes (3, 2, 0, 1); images NHWC vs NCHW |
| Conv1D: kernel (k, in, out) | Conv1d: weight (out, in, k) | axes (2, 1, 0) |
| BatchNormalization: gamma, beta, moving_mean, moving_variance | BatchNorm1d/2d: weight, bias, running_mean, running_var | the same; num_batches_tracked is 0 going out, ignored coming in; epsilon (Keras 1e-3, PyTorch 1e-5) and momentum (0.99 vs 0.1) are settings, not weights |
| LSTM: kernel (in, 4u), recurrent_kernel (u, 4u), bias (4u) | LSTM: weight_ih_l0 (4u, in), weight_hh_l0, bias_ih_l0, bias_hh_l0 | transposed; the gate order i, f, c (g), o is the same; one bias: bias_ih + bias_hh coming in, all in bias_ih going out |
| GRU (reset_after): kernel (in, 3u), recurrent_kernel, bias (2, 3u) | GRU: weight_ih_l0 (3u, in), weight_hh_l0, bias_ih_l0, bias_hh_l0 | transposed; gates z, r, n reordered to PyTorch's r, z, n; bias rows 0 and 1 are bias_ih and bias_hh |
| Bidirectional(LSTM or GRU) | LSTM/GRU(bidirectional=True) | the backward layer's weights are the ``_reverse`` ones |

A Dense layer after Flatten of a convolution sees the features in NHWC order in neurona and NCHW order in
PyTorch: such a kernel's rows must be permuted too, which these functions do not do.

>>> import neurona as nr
>>> model = nr.Sequential([nr.layers.Input((3,)), nr.layers.Dense(2, name="out")])
>>> sorted(to_torch_state_dict(model, as_numpy=True))
['out.bias', 'out.weight']
"""
from __future__ import annotations

import numpy as np

_GRU_TO_TORCH = (1, 0, 2)  # neurona/Keras blocks z, r, n -> PyTorch r, z, n (the same permutation both ways)


def _layers_with_weights(model):
    return [layer for layer in model.layers if layer.weights]


def _kind(layer):
    from ..layers import BatchNormalization, Bidirectional, Conv1D, Conv2D, Dense, GRU, LSTM
    for cls in (Bidirectional, Conv1D, Conv2D, Dense, BatchNormalization, LSTM, GRU):  # Conv1D before Conv2D
        if isinstance(layer, cls):
            return cls.__name__
    raise ValueError(f"PyTorch weights: layer {layer.name!r} ({type(layer).__name__}) has no PyTorch counterpart "
                     "here; supported: Dense, Conv1D, Conv2D, BatchNormalization, LSTM, GRU, Bidirectional")


def _gru_blocks(a, units, axis):
    """``a`` with its three gate blocks of ``units`` along ``axis`` reordered (z, r, n <-> r, z, n)."""
    blocks = np.split(a, 3, axis=axis)
    return np.concatenate([blocks[i] for i in _GRU_TO_TORCH], axis=axis)


def _recurrent_out(layer, suffix=""):
    kernel, recurrent, bias = (w.numpy() for w in (layer.kernel, layer.recurrent_kernel, layer.bias))
    if _kind(layer) == "GRU":
        u = layer.units
        kernel, recurrent = _gru_blocks(kernel, u, 1), _gru_blocks(recurrent, u, 1)
        bias_ih, bias_hh = _gru_blocks(bias[0], u, 0), _gru_blocks(bias[1], u, 0)
    else:
        bias_ih, bias_hh = bias, np.zeros_like(bias)
    return {f"weight_ih_l0{suffix}": kernel.T, f"weight_hh_l0{suffix}": recurrent.T,
            f"bias_ih_l0{suffix}": bias_ih, f"bias_hh_l0{suffix}": bias_hh}


def _layer_out(layer) -> dict:
    """One layer's weights in PyTorch's names and layouts (NumPy arrays)."""
    kind = _kind(layer)
    if kind == "Dense":
        return {"weight": layer.kernel.numpy().T, "bias": layer.bias.numpy()} if layer.bias is not None else \
            {"weight": layer.kernel.numpy().T}
    if kind in ("Conv2D", "Conv1D"):
        axes = (3, 2, 0, 1) if kind == "Conv2D" else (2, 1, 0)
        out = {"weight": layer.kernel.numpy().transpose(axes)}
        if layer.bias is not None:
            out["bias"] = layer.bias.numpy()
        return out
    if kind == "BatchNormalization":
        out = {"running_mean": layer.moving_mean.numpy(), "running_var": layer.moving_variance.numpy(),
               "num_batches_tracked": np.array(0, dtype=np.int64)}
        if layer.gamma is not None:
            out["weight"] = layer.gamma.numpy()
        if layer.beta is not None:
            out["bias"] = layer.beta.numpy()
        return out
    if kind == "Bidirectional":
        return {**_recurrent_out(layer.forward_layer), **_recurrent_out(layer.backward_layer, "_reverse")}
    return _recurrent_out(layer)


def to_torch_state_dict(model, like=None, as_numpy=False) -> dict:
    """The model's weights as a PyTorch ``state_dict``. Keys are ``<layer name>.<PyTorch name>``, or, with
    ``like`` (a PyTorch module or state dict of the same architecture), that module's keys, so that
    ``module.load_state_dict(to_torch_state_dict(model, like=module))`` works. ``as_numpy``: arrays instead of
    tensors (no PyTorch needed)."""
    prefixes = None if like is None else _module_prefixes(like.state_dict() if hasattr(like, "state_dict") else like)
    layers = _layers_with_weights(model)
    if prefixes is not None and len(prefixes) != len(layers):
        raise ValueError(f"to_torch_state_dict: the PyTorch model has {len(prefixes)} modules with weights, the "
                         f"neurona model {len(layers)} layers with weights ({', '.join(l.name for l in layers)})")
    out = {}
    for i, layer in enumerate(layers):
        prefix = layer.name if prefixes is None else prefixes[i]
        for name, array in _layer_out(layer).items():
            out[f"{prefix}.{name}" if prefix else name] = np.ascontiguousarray(array)
    if as_numpy:
        return out
    import torch
    return {k: torch.from_numpy(v.copy()) for k, v in out.items()}


def from_torch_state_dict(model, state_dict) -> None:
    """Copy a PyTorch ``state_dict`` (tensors or arrays) into ``model``, layer by layer in order (see the module
    table). Every shape is checked; a mismatch names the layer, the key and both shapes."""
    arrays = {k: _as_array(v) for k, v in state_dict.items()}
    prefixes = _module_prefixes(arrays)
    layers = _layers_with_weights(model)
    if len(prefixes) != len(layers):
        raise ValueError(f"from_torch_state_dict: the state dict has {len(prefixes)} modules with weights "
                         f"({', '.join(prefixes)}), the model {len(layers)} layers with weights "
                         f"({', '.join(l.name for l in layers)})")
    for prefix, layer in zip(prefixes, layers):
        given = {k[len(prefix) + 1:] if prefix else k: v for k, v in arrays.items() if _prefix(k) == prefix}
        _layer_in(layer, given, prefix)


def _layer_in(layer, given, prefix):
    expected = _layer_out(layer)
    for name, array in expected.items():
        if name == "num_batches_tracked":
            continue
        if name not in given:
            raise ValueError(f"from_torch_state_dict: module {prefix!r} lacks {name!r} for layer {layer.name!r} "
                             f"({type(layer).__name__}); it has {sorted(given)}")
        if given[name].shape != array.shape:
            raise ValueError(f"from_torch_state_dict: {prefix}.{name} has shape {tuple(given[name].shape)}, layer "
                             f"{layer.name!r} needs {array.shape} (PyTorch's layout)")
    kind = _kind(layer)
    if kind == "Dense":
        _set(layer.kernel, given["weight"].T)
        if layer.bias is not None:
            _set(layer.bias, given["bias"])
    elif kind in ("Conv2D", "Conv1D"):
        _set(layer.kernel, given["weight"].transpose((2, 3, 1, 0) if kind == "Conv2D" else (2, 1, 0)))
        if layer.bias is not None:
            _set(layer.bias, given["bias"])
    elif kind == "BatchNormalization":
        for w, name in ((layer.gamma, "weight"), (layer.beta, "bias"), (layer.moving_mean, "running_mean"),
                        (layer.moving_variance, "running_var")):
            if w is not None:
                _set(w, given[name])
    elif kind == "Bidirectional":
        _recurrent_in(layer.forward_layer, given, "")
        _recurrent_in(layer.backward_layer, given, "_reverse")
    else:
        _recurrent_in(layer, given, "")


def _recurrent_in(layer, given, suffix):
    kernel, recurrent = given[f"weight_ih_l0{suffix}"].T, given[f"weight_hh_l0{suffix}"].T
    bias_ih, bias_hh = given[f"bias_ih_l0{suffix}"], given[f"bias_hh_l0{suffix}"]
    if _kind(layer) == "GRU":
        u = layer.units
        _set(layer.kernel, _gru_blocks(kernel, u, 1))
        _set(layer.recurrent_kernel, _gru_blocks(recurrent, u, 1))
        _set(layer.bias, np.stack([_gru_blocks(bias_ih, u, 0), _gru_blocks(bias_hh, u, 0)]))
    else:
        _set(layer.kernel, kernel)
        _set(layer.recurrent_kernel, recurrent)
        _set(layer.bias, bias_ih + bias_hh)


def _set(weight, array):
    from ..devices import device_of, to_device
    weight.data[...] = to_device(np.asarray(array, dtype=weight.data.dtype), device_of(weight.data))
    weight.mark_modified()


def _as_array(value):
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _prefix(key):
    return key.rsplit(".", 1)[0] if "." in key else ""


def _module_prefixes(state_dict) -> list:
    """The module prefixes of a state dict, in order of first appearance."""
    seen = []
    for key in state_dict:
        p = _prefix(key)
        if p not in seen:
            seen.append(p)
    return seen
