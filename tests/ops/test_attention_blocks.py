"""The fused attention's blocks: with the scores split into many blocks (a ragged last one included), its values
and each input's gradient, alone or together, equal PyTorch's ``scaled_dot_product_attention`` (float64)."""
import itertools

import numpy as np
import pytest
import torch

import neurona as nr
from neurona.functional.attention import attention as composed_attention
from neurona.ops import attention

SHAPES = ((3, 5, 7, 4), (3, 5, 6, 4), (3, 5, 6, 3))   # 15 (query, key) blocks of 7 x 6 scores


@pytest.mark.parametrize("parallel_scores", [0, 1 << 40])   # the blocks shared among the cores, or in one thread
@pytest.mark.parametrize("block_scores", [1, 100, 1 << 17])   # 15 blocks of one, 8 of two (ragged), one block
@pytest.mark.parametrize("wanted", [w for n in (1, 2, 3) for w in itertools.combinations(range(3), n)])
def test_blocks_match_torch(monkeypatch, block_scores, wanted, parallel_scores):
    monkeypatch.setattr(attention, "BLOCK_SCORES", block_scores)
    monkeypatch.setattr(attention, "PARALLEL_SCORES", parallel_scores)
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in SHAPES]
    ours = [nr.tensor(a, requires_grad=i in wanted) for i, a in enumerate(arrays)]
    theirs = [torch.tensor(a, requires_grad=i in wanted) for i, a in enumerate(arrays)]
    g = rng.normal(size=(3, 5, 7, 3))
    out = nr.ops.scaled_dot_product_attention(*ours, 0.6)
    expected = torch.nn.functional.scaled_dot_product_attention(*theirs, scale=0.6)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-13)
    out.backward(nr.tensor(g))
    expected.backward(torch.tensor(g))
    for i in range(3):
        if i in wanted:
            np.testing.assert_allclose(ours[i].grad.numpy(), theirs[i].grad.numpy(), rtol=1e-11, atol=1e-12)
        else:
            assert ours[i].grad is None


def test_float32_blocks_match_the_composed_reference(monkeypatch):
    """float32, several blocks: the fused output is the reference's to the bit (the same products and softmax,
    block by block); the gradients agree to float32 rounding."""
    monkeypatch.setattr(attention, "BLOCK_SCORES", 100)
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    fused = [nr.tensor(a, requires_grad=True) for a in arrays]
    composed = [nr.tensor(a, requires_grad=True) for a in arrays]
    out = nr.ops.scaled_dot_product_attention(*fused, 0.5)
    reference = composed_attention(*composed, 0.5)
    np.testing.assert_array_equal(out.numpy(), reference.numpy())
    out.sum().backward()
    reference.sum().backward()
    for a, b in zip(fused, composed):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_blocks_shared_among_threads_give_the_bits_of_one_thread(monkeypatch):
    """float32, 15 blocks: computed in two threads (BLAS on one thread each) or in the calling thread, the output
    and every gradient are the same bits: each block runs the same calls either way."""
    monkeypatch.setattr(attention, "BLOCK_SCORES", 42)
    rng = np.random.default_rng(2)
    arrays = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    g = rng.normal(size=(3, 5, 7, 3)).astype(np.float32)
    results = []
    for parallel_scores in (0, 1 << 40):
        monkeypatch.setattr(attention, "PARALLEL_SCORES", parallel_scores)
        inputs = [nr.tensor(a, requires_grad=True) for a in arrays]
        out = nr.ops.scaled_dot_product_attention(*inputs, 0.5)
        out.backward(nr.tensor(g))
        results.append([out.numpy()] + [t.grad.numpy() for t in inputs])
    for shared, alone in zip(*results):
        np.testing.assert_array_equal(shared, alone)


@pytest.mark.parametrize("shapes, message", [
    (((2, 3, 4), (2, 5, 4), (2, 6, 4)), "same leading axes"),
    (((2, 3, 4), (3, 5, 4), (3, 5, 4)), "same leading axes"),
    (((4,), (4,), (4,)), "at least 2"),
])
def test_shapes_that_do_not_fit_are_refused(shapes, message):
    with pytest.raises(nr.ShapeError, match=message):
        nr.ops.scaled_dot_product_attention(*[nr.zeros(*s) for s in shapes])


def test_a_scale_that_is_not_a_finite_number_is_refused():
    q = nr.zeros(2, 3, 4)
    with pytest.raises(ValueError, match="scale must be a finite number, got nan"):
        nr.ops.scaled_dot_product_attention(q, q, q, float("nan"))
