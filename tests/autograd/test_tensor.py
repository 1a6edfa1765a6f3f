"""Tensor creation, dtype rules, attributes and the errors bad input gets."""
import numpy as np
import pytest

import neurona as nr


def test_dtype_rule():
    assert nr.tensor(1.5).dtype == np.float32
    assert nr.tensor([[1.0, 2.0]]).dtype == np.float32
    assert nr.tensor([1, 2]).dtype == np.int64
    assert nr.tensor([True]).dtype == np.bool_
    assert nr.tensor(np.ones(2)).dtype == np.float64
    assert nr.tensor([1, 2], dtype="float64").dtype == np.float64
    x = nr.tensor([1.0, 2.0])
    assert (x * 2.0).dtype == np.float32 and (2 * x).dtype == np.float32
    assert (x + nr.tensor(np.ones(2))).dtype == np.float64


def test_attributes():
    x = nr.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert (x.shape, x.ndim, x.size) == ((2, 3), 2, 6)
    assert x.is_leaf and x.grad_fn is None and x.requires_grad
    y = (x * 2).sum()
    assert not y.is_leaf and y.grad_fn.name == "sum"
    assert y.item() == 30.0 and isinstance(y.item(), float)
    assert x.detach().requires_grad is False
    np.testing.assert_array_equal(x.numpy(), np.arange(6.0).reshape(2, 3))


def test_tensor_copies_but_numpy_shares_on_cpu():
    data = np.zeros(3)
    t = nr.tensor(data)
    data[0] = 1.0
    assert t.numpy()[0] == 0.0


def test_creation_functions():
    assert nr.zeros(2, 3).shape == (2, 3) and nr.zeros((2, 3)).dtype == np.float32
    assert nr.ones(4).numpy().sum() == 4
    assert nr.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert nr.arange(4).tolist() == [0, 1, 2, 3] and nr.arange(0.0, 1.0, 0.5).dtype == np.float32
    x = nr.tensor(np.ones((2, 2)))
    assert nr.zeros_like(x).dtype == np.float64 and nr.ones_like(x).numpy().sum() == 4


def test_random_tensors_are_seeded():
    a = nr.Generator(7).normal((3, 4)).numpy()
    b = nr.Generator(7).normal((3, 4)).numpy()
    assert np.array_equal(a, b) and a.dtype == np.float32
    nr.manual_seed(3)
    r1 = nr.randn(5).numpy()
    nr.manual_seed(3)
    assert np.array_equal(r1, nr.randn(5).numpy())


def test_comparisons_carry_no_gradient():
    x = nr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == np.bool_ and not m.requires_grad
    assert m.tolist() == [False, True, True]
    assert (x == 2.0).tolist() == [False, True, False]


def test_requires_grad_on_integers_raises():
    with pytest.raises(TypeError, match="floating-point"):
        nr.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize("bad", [["a", "b"], np.array([object(), 1], dtype=object), {"x": 1}])
def test_strings_and_objects_raise_type_error(bad):
    with pytest.raises(TypeError, match="neurona.tensor"):
        nr.tensor(bad)


def test_matmul_shape_error_names_the_op_and_both_shapes():
    with pytest.raises(ValueError) as info:
        nr.ones(2, 3) @ nr.ones(4, 5)
    msg = str(info.value)
    assert "matmul" in msg and "(2, 3)" in msg and "(4, 5)" in msg and "Hint" in msg


def test_broadcast_error_names_the_op_and_both_shapes():
    with pytest.raises(ValueError) as info:
        nr.ones(2, 3) + nr.ones(4)
    msg = str(info.value)
    assert "add" in msg and "(2, 3)" in msg and "(4,)" in msg


def test_indexing_and_setitem():
    x = nr.tensor(np.arange(12.0).reshape(3, 4))
    assert x[1, 2].item() == 6.0
    assert x[nr.tensor([0, 2])].shape == (2, 4)
    x[0] = 0.0
    assert x[0].numpy().sum() == 0.0


def test_repr_shows_values_and_graph():
    x = nr.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert "grad_fn=<mulBackward>" in repr(x * 2)
