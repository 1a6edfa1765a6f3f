"""SimpleRNN, LSTM, GRU, Bidirectional and masking against PyTorch with the same weights; gradient checks."""
import numpy as np
import pytest
import torch

import neurona as nr
from .torch_copy import check_gradients, compare, t, to_float64

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 6, 5)).astype(np.float32)


def _reorder_gru(a, u):
    """Keras GRU blocks [update z, reset r, candidate] -> PyTorch [r, z, n] along the last axis."""
    return np.concatenate([a[..., u:2 * u], a[..., :u], a[..., 2 * u:]], axis=-1)


def torch_rnn(layer, kind, bidirectional=False):
    u = layer.forward_layer.units if bidirectional else layer.units
    rnn = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](
        5, u, batch_first=True, bidirectional=bidirectional)
    layers = [(layer, "")]
    if bidirectional:
        layers = [(layer.forward_layer, ""), (layer.backward_layer, "_reverse")]
    with torch.no_grad():
        for cell, suffix in layers:
            k, r = cell.kernel.numpy(), cell.recurrent_kernel.numpy()
            if kind == "gru":
                k, r = _reorder_gru(k, u), _reorder_gru(r, u)
                b_in, b_rec = _reorder_gru(cell.bias.numpy()[0], u), _reorder_gru(cell.bias.numpy()[1], u)
            else:
                b_in, b_rec = cell.bias.numpy(), np.zeros_like(cell.bias.numpy())
            getattr(rnn, f"weight_ih_l0{suffix}").copy_(t(k.T))
            getattr(rnn, f"weight_hh_l0{suffix}").copy_(t(r.T))
            getattr(rnn, f"bias_ih_l0{suffix}").copy_(t(b_in))
            getattr(rnn, f"bias_hh_l0{suffix}").copy_(t(b_rec))
    return rnn


@pytest.mark.parametrize("kind, cls", [("rnn", nr.layers.SimpleRNN), ("lstm", nr.layers.LSTM),
                                       ("gru", nr.layers.GRU)])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_recurrent_layers_match_torch(kind, cls, return_sequences):
    layer = cls(4, return_sequences=return_sequences)
    layer(X)
    rnn = torch_rnn(layer, kind)
    u = layer.units

    def torch_fn(z):
        out = rnn(z)[0]
        return out if return_sequences else out[:, -1]
    grads = [(layer.kernel, lambda: (_reorder_gru(rnn.weight_ih_l0.grad.numpy().T, u) if kind == "gru" else
                                     rnn.weight_ih_l0.grad.numpy().T)),
             (layer.recurrent_kernel, lambda: (_reorder_gru(rnn.weight_hh_l0.grad.numpy().T, u) if kind == "gru"
                                               else rnn.weight_hh_l0.grad.numpy().T))]
    if kind != "gru":
        grads.append((layer.bias, lambda: rnn.bias_ih_l0.grad.numpy()))
    compare(layer, torch_fn, X, grads)


def test_gru_reorder_helper_is_a_permutation():
    a = np.arange(6)
    assert _reorder_gru(a, 2).tolist() == [2, 3, 0, 1, 4, 5]


def test_lstm_keras_defaults():
    layer = nr.layers.LSTM(3)
    layer(X)
    np.testing.assert_array_equal(layer.bias.numpy(), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])  # unit forget bias
    r = layer.recurrent_kernel.numpy()
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-5)  # orthogonal rows (3 x 12)


def test_return_state():
    out, h, c = nr.layers.LSTM(4, return_state=True)(X)
    np.testing.assert_array_equal(out.numpy(), h.numpy())
    assert c.shape == (3, 4)


def test_bidirectional_lstm_matches_torch():
    layer = nr.layers.Bidirectional(nr.layers.LSTM(4, return_sequences=True))
    layer(X)
    rnn = torch_rnn(layer, "lstm", bidirectional=True)
    compare(layer, lambda z: rnn(z)[0], X,
            [(layer.backward_layer.kernel, lambda: rnn.weight_ih_l0_reverse.grad.numpy().T)])


def test_masked_steps_match_torch_packed_sequences():
    lengths = [6, 3, 4]
    x = X.copy()
    mask = np.arange(6)[None, :] < np.array(lengths)[:, None]
    x[~mask] = 0.0
    layer = nr.layers.LSTM(4, return_sequences=True, return_state=True)
    layer(x)
    rnn = torch_rnn(layer, "lstm")
    out, h, _ = layer(nr.tensor(x), mask=mask)
    packed = torch.nn.utils.rnn.pack_padded_sequence(t(x), lengths, batch_first=True, enforce_sorted=False)
    t_out, (t_h, _) = rnn(packed)
    t_out, _ = torch.nn.utils.rnn.pad_packed_sequence(t_out, batch_first=True, total_length=6)
    np.testing.assert_allclose(out.numpy(), t_out.detach().numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(h.numpy(), t_h[0].detach().numpy(), rtol=1e-4, atol=1e-6)


def test_masking_flows_from_embedding_through_sequential():
    ids = np.array([[3, 5, 2, 0, 0], [4, 1, 0, 0, 0]])
    nr.utils.set_random_seed(0)
    model = nr.Sequential([nr.layers.Input((5,)), nr.layers.Embedding(8, 4, mask_zero=True), nr.layers.GRU(3)])
    padded = model(ids).numpy()
    trimmed = np.stack([model(ids[i:i + 1, :n]).numpy()[0] for i, n in enumerate((3, 2))])
    np.testing.assert_allclose(padded, trimmed, rtol=1e-5, atol=1e-7)
    masking = nr.Sequential([nr.layers.Input((4, 2)), nr.layers.Masking(), nr.layers.SimpleRNN(2)])
    x = np.array([[[1.0, 2.0], [0.5, 0.1], [0.0, 0.0], [0.0, 0.0]]])
    np.testing.assert_allclose(masking(x).numpy(), masking(x[:, :2]).numpy(), rtol=1e-6)


def test_embedding_matches_torch_and_refuses_bad_ids():
    layer = nr.layers.Embedding(10, 3)
    ids = np.array([[1, 2, 2], [9, 0, 1]])
    out = layer(ids)
    emb = torch.nn.Embedding(10, 3)
    with torch.no_grad():
        emb.weight.copy_(t(layer.embeddings.numpy()))
    w = RNG.normal(size=out.shape).astype(np.float32)
    (out * nr.tensor(w)).sum().backward()
    (emb(t(ids)) * t(w)).sum().backward()
    np.testing.assert_allclose(layer.embeddings.grad.numpy(), emb.weight.grad.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        layer(np.array([[10]]))


@pytest.mark.parametrize("cls", [nr.layers.SimpleRNN, nr.layers.LSTM, nr.layers.GRU])
def test_recurrent_gradients_by_central_differences(cls):
    x = RNG.normal(size=(2, 4, 3))
    layer = cls(3, return_sequences=True)
    layer(x)
    to_float64(layer)
    check_gradients(layer, x, layer.weights)


def test_recurrent_layer_on_a_2d_input_names_the_layer():
    with pytest.raises(ValueError, match=r"lstm.*\(batch, steps, features\).*\(4, 7\)"):
        nr.layers.LSTM(3)(np.zeros((4, 7)))


@pytest.mark.parametrize("cls", [nr.layers.LSTM, nr.layers.GRU])
def test_fused_cells_equal_their_composed_twins(cls, monkeypatch):
    x = RNG.normal(size=(2, 5, 3))
    fused = cls(4, return_sequences=True)
    fused(x)
    to_float64(fused)
    xs = nr.tensor(x, requires_grad=True)
    out = fused(xs)
    out.sum().backward()
    grads = [w.grad.numpy().copy() for w in fused.weights] + [xs.grad.numpy().copy()]
    monkeypatch.setattr(nr.layers.recurrent.activations, "tanh", lambda z: nr.ops.tanh(z))  # defeats the fast path
    for w in fused.weights:
        w.grad = None
    xs2 = nr.tensor(x, requires_grad=True)
    composed = fused(xs2)
    composed.sum().backward()
    np.testing.assert_allclose(composed.numpy(), out.numpy(), rtol=1e-12)
    for a, b in zip([w.grad.numpy() for w in fused.weights] + [xs2.grad.numpy()], grads):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
