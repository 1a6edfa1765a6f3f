"""LayerNormalization, MultiHeadAttention and TransformerEncoder against PyTorch; gradient checks."""
import numpy as np
import pytest
import torch

import neurona as nr
from .torch_copy import check_gradients, compare, t, to_float64

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 5, 8)).astype(np.float32)


def test_layer_normalization_matches_torch():
    layer = nr.layers.LayerNormalization(epsilon=1e-5)
    layer(X)
    layer.gamma.data[...] = RNG.normal(size=8)
    layer.beta.data[...] = RNG.normal(size=8)
    norm = torch.nn.LayerNorm(8, eps=1e-5)
    with torch.no_grad():
        norm.weight.copy_(t(layer.gamma.numpy()))
        norm.bias.copy_(t(layer.beta.numpy()))
    compare(layer, norm, X, [(layer.gamma, lambda: norm.weight.grad.numpy()),
                             (layer.beta, lambda: norm.bias.grad.numpy())])


def copy_attention(mha, torch_mha):
    with torch.no_grad():
        torch_mha.in_proj_weight.copy_(t(np.concatenate([d.kernel.numpy().T for d in
                                                         (mha.query_dense, mha.key_dense, mha.value_dense)])))
        torch_mha.in_proj_bias.copy_(t(np.concatenate([d.bias.numpy() for d in
                                                       (mha.query_dense, mha.key_dense, mha.value_dense)])))
        torch_mha.out_proj.weight.copy_(t(mha.output_dense.kernel.numpy().T))
        torch_mha.out_proj.bias.copy_(t(mha.output_dense.bias.numpy()))


@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_self_attention_matches_torch(causal):
    mha = nr.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    mha(X, X)
    for w in mha.weights:
        w.data[...] = RNG.normal(scale=0.3, size=w.shape)
    torch_mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    copy_attention(mha, torch_mha)
    mask = torch.triu(torch.ones(5, 5, dtype=torch.bool), 1) if causal else None
    compare(mha, lambda z: torch_mha(z, z, z, attn_mask=mask, need_weights=False)[0], X,
            [(mha.query_dense.kernel, lambda: torch_mha.in_proj_weight.grad.numpy()[:8].T),
             (mha.output_dense.kernel, lambda: torch_mha.out_proj.weight.grad.numpy().T)],
            ours_fn=lambda z: mha(z, z, use_causal_mask=causal))


def test_causal_attention_never_looks_ahead():
    mha = nr.layers.MultiHeadAttention(2, 4)
    out, scores = mha(X, X, use_causal_mask=True, return_attention_scores=True)
    assert scores.shape == (2, 2, 5, 5)
    assert np.all(np.triu(scores.numpy()[0, 0], 1) == 0)
    changed = X.copy()
    changed[:, 3:] += 1.0  # changing later steps leaves earlier outputs untouched
    np.testing.assert_allclose(mha(changed, changed, use_causal_mask=True).numpy()[:, :3], out.numpy()[:, :3],
                               rtol=1e-5, atol=1e-6)


def test_transformer_encoder_matches_torch():
    block = nr.layers.TransformerEncoder(intermediate_dim=16, num_heads=2)
    block(X)
    layer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    copy_attention(block.attention, layer.self_attn)
    with torch.no_grad():
        for ours, theirs in ((block.ffn1, layer.linear1), (block.ffn2, layer.linear2)):
            theirs.weight.copy_(t(ours.kernel.numpy().T))
            theirs.bias.copy_(t(ours.bias.numpy()))
    layer.train(False)
    compare(block, lambda z: layer(z), X,
            [(block.ffn1.kernel, lambda: layer.linear1.weight.grad.numpy().T),
             (block.norm2.gamma, lambda: layer.norm2.weight.grad.numpy())])


def test_attention_gradients_by_central_differences():
    x = RNG.normal(size=(1, 3, 4))
    block = nr.layers.TransformerEncoder(intermediate_dim=6, num_heads=2, causal=True)
    block(x)
    to_float64(block)
    check_gradients(block, x, block.weights[:4])


def test_position_embedding_adds_a_vector_per_step():
    layer = nr.layers.PositionEmbedding(sequence_length=10)
    out = layer(X)
    np.testing.assert_allclose(out.numpy() - X, np.broadcast_to(layer.position_embeddings.numpy()[:5], X.shape),
                               rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="longer than sequence_length=10"):
        layer(np.zeros((1, 11, 8)))


@pytest.mark.parametrize("value_dim", [None, 3])
def test_self_attention_projection_in_one_product_equals_three(value_dim):
    """With one input, the query, key and value projections run as one matrix product: its outputs and every
    gradient (input and the six projection weights) equal those of three separate products (distinct but equal
    inputs take that path) to float32 rounding."""
    mha = nr.layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=value_dim)
    g = RNG.normal(size=(2, 5, 8)).astype(np.float32)

    def run(inputs):
        for w in mha.weights:
            w.grad = None
        out = mha(*inputs)
        out.backward(g)
        return [out.numpy()] + [w.grad.numpy().copy() for w in mha.weights]
    one = nr.tensor(X, requires_grad=True)
    fused = run([one, one]) + [one.grad.numpy()]
    apart = nr.tensor(X, requires_grad=True)
    separate = run([apart, nr.tensor(X), nr.tensor(X)])
    assert len(fused) - 1 == len(separate) == 1 + 8
    for a, b in zip(fused, separate):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    both = nr.tensor(X, requires_grad=True)
    for w in mha.weights:
        w.grad = None
    mha(both, nr.tensor(X), nr.tensor(X)).backward(g)   # separate path, gradient through the query only
    mha(nr.tensor(X), both, both).backward(g)            # key and value: together with the above, all three
    np.testing.assert_allclose(fused[-1], both.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_unmasked_attention_takes_the_fused_product_and_equals_the_composed_one():
    """Without a mask or dropout, the weights stay inside the fused ``scaled_dot_product_attention``; asked for
    the weights, the layer composes them instead. Both give the same output and gradients (float32 rounding),
    and PyTorch's MultiheadAttention the same weights."""
    mha = nr.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    g = RNG.normal(size=(2, 5, 8)).astype(np.float32)

    def run(**kwargs):
        for w in mha.weights:
            w.grad = None
        x = nr.tensor(X, requires_grad=True)
        result = mha(x, x, **kwargs)
        out = result[0] if kwargs else result
        primitives = {node.prim.name for node in _graph_nodes(out)}   # before the reverse pass frees the graph
        out.backward(g)
        grads = [x.grad.numpy()] + [w.grad.numpy().copy() for w in mha.weights]
        return out, result[1] if kwargs else None, grads, primitives
    fused, _, fused_grads, primitives = run()
    assert "scaled_dot_product_attention" in primitives and "softmax" not in primitives
    composed, weights, composed_grads, primitives = run(return_attention_scores=True)
    assert "scaled_dot_product_attention" not in primitives and "softmax" in primitives
    np.testing.assert_allclose(fused.numpy(), composed.numpy(), rtol=1e-5, atol=1e-6)
    for a, b in zip(fused_grads, composed_grads):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    torch_mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    copy_attention(mha, torch_mha)
    _, torch_weights = torch_mha(t(X), t(X), t(X), average_attn_weights=False)
    np.testing.assert_allclose(weights.numpy(), torch_weights.detach().numpy(), rtol=1e-5, atol=1e-6)


def _graph_nodes(out):
    """Every node of the graph that made ``out``."""
    seen, stack = [], [out._node]
    while stack:
        node = stack.pop()
        if node is None or any(node is s for s in seen):
            continue
        seen.append(node)
        stack.extend(getattr(i, "_node", None) for i in node.inputs)
    return seen
