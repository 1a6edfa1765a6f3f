"""PyTorch weights both ways, checked against PyTorch itself: after moving the weights, the PyTorch module and the
neurona model give the same outputs (rtol 1e-5)."""
from __future__ import annotations

import numpy as np
import pytest

import neurona as nr
from neurona import layers as L

torch = pytest.importorskip("torch")


def _random_torch(module, seed=0):
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-0.5, 0.5)
        for name, b in module.named_buffers():
            if "running_var" in name:
                b.uniform_(0.5, 1.5)
            elif "running_mean" in name:
                b.uniform_(-0.5, 0.5)
    return module.eval()


def _torch_out(module, x, channels_first=False):
    t = torch.from_numpy(x.transpose(0, 3, 1, 2).copy() if channels_first == 2 else
                         x.transpose(0, 2, 1).copy() if channels_first == 1 else x)
    with torch.no_grad():
        y = module(t)
    y = y[0] if isinstance(y, tuple) else y
    y = y.numpy()
    return y.transpose(0, 2, 3, 1) if channels_first == 2 else y.transpose(0, 2, 1) if channels_first == 1 else y


class _LastStep(torch.nn.Module):
    def __init__(self, rnn, last=True):
        super().__init__()
        self.rnn, self.last = rnn, last

    def forward(self, x):
        y = self.rnn(x)[0]
        return y[:, -1] if self.last else y


CASES = {
    "mlp": (lambda: [L.Input((5,)), L.Dense(8, activation="relu"), L.Dense(3)],
            lambda: torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)), (4, 5), 0),
    "conv2d": (lambda: [L.Input((7, 6, 3)), L.Conv2D(4, 3, strides=2, padding="valid")],
               lambda: torch.nn.Conv2d(3, 4, 3, stride=2), (2, 7, 6, 3), 2),
    "conv1d": (lambda: [L.Input((9, 3)), L.Conv1D(4, 3)], lambda: torch.nn.Conv1d(3, 4, 3), (2, 9, 3), 1),
    "batchnorm": (lambda: [L.Input((6,)), L.BatchNormalization(epsilon=1e-5)], lambda: torch.nn.BatchNorm1d(6),
                  (5, 6), 0),
    "lstm": (lambda: [L.Input((7, 5)), L.LSTM(4)],
             lambda: _LastStep(torch.nn.LSTM(5, 4, batch_first=True)), (3, 7, 5), 0),
    "lstm_sequences": (lambda: [L.Input((7, 5)), L.LSTM(4, return_sequences=True)],
                       lambda: _LastStep(torch.nn.LSTM(5, 4, batch_first=True), last=False), (3, 7, 5), 0),
    "gru": (lambda: [L.Input((7, 5)), L.GRU(4, return_sequences=True)],
            lambda: _LastStep(torch.nn.GRU(5, 4, batch_first=True), last=False), (3, 7, 5), 0),
    "bidirectional_lstm": (lambda: [L.Input((7, 5)), L.Bidirectional(L.LSTM(4, return_sequences=True))],
                           lambda: _LastStep(torch.nn.LSTM(5, 4, batch_first=True, bidirectional=True), last=False),
                           (3, 7, 5), 0),
    "bidirectional_gru": (lambda: [L.Input((7, 5)), L.Bidirectional(L.GRU(4, return_sequences=True))],
                          lambda: _LastStep(torch.nn.GRU(5, 4, batch_first=True, bidirectional=True), last=False),
                          (3, 7, 5), 0),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_weights_moved_from_pytorch_give_pytorchs_outputs(case):
    layers, module, shape, channels = CASES[case]
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    net = _random_torch(module())
    model = nr.Sequential(layers())
    nr.utils.from_torch_state_dict(model, net.state_dict())
    np.testing.assert_allclose(model.predict(x, verbose=0), _torch_out(net, x, channels), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_weights_moved_to_pytorch_give_neuronas_outputs(case):
    layers, module, shape, channels = CASES[case]
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    nr.utils.set_random_seed(3)
    model = nr.Sequential(layers())
    for w in model.weights:   # not the initial zeros and ones: every weight must land where it belongs
        w.data[...] = np.random.default_rng(len(w.name)).uniform(0.5 if "variance" in w.name else -0.5, 1.0, w.shape)
    net = module().eval()
    net.load_state_dict(nr.utils.to_torch_state_dict(model, like=net))
    np.testing.assert_allclose(_torch_out(net, x, channels), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_a_mismatch_names_the_layer_the_key_and_the_shapes():
    model = nr.Sequential([L.Input((5,)), L.Dense(8)])
    with pytest.raises(ValueError, match=r"0.weight has shape \(8, 4\), layer 'dense\w*' needs \(8, 5\)"):
        nr.utils.from_torch_state_dict(model, torch.nn.Sequential(torch.nn.Linear(4, 8)).state_dict())
    with pytest.raises(ValueError, match="2 modules with weights .* 1 layers with weights"):
        nr.utils.from_torch_state_dict(model, torch.nn.Sequential(torch.nn.Linear(5, 8),
                                                                  torch.nn.Linear(8, 2)).state_dict())


def test_without_like_the_keys_follow_the_layer_names():
    model = nr.Sequential([L.Input((7, 5)), L.GRU(4, name="encoder"), L.Dense(2, name="head")])
    keys = sorted(nr.utils.to_torch_state_dict(model, as_numpy=True))
    assert keys == ["encoder.bias_hh_l0", "encoder.bias_ih_l0", "encoder.weight_hh_l0", "encoder.weight_ih_l0",
                    "head.bias", "head.weight"]
