"""The Tensor: an array plus what automatic differentiation needs to know about it.

Dtype rule (what ``neurona.tensor`` makes of its data):

- Python floats (alone or in lists) become float32, the library's default float;
- Python ints become int64 and bools bool;
- NumPy (or CuPy) arrays and NumPy scalars keep their dtype, so float64 data stays float64;
- ``dtype=`` overrides all of the above;
- ops follow NumPy's promotion: a Python scalar adapts to the tensor (``float32 * 2.0`` is float32), float32
  with float64 gives float64.

Example::

    >>> import neurona as nr
    >>> x = nr.tensor(3.0, requires_grad=True)
    >>> y = x ** 2
    >>> y.backward()
    >>> x.grad.item()
    6.0
"""
from __future__ import annotations

import weakref

import numpy as np

from ..devices import backend
from .grad_mode import state
from .tensor_methods import TensorMethods


def _as_array(data, dtype):
    """Convert user data to an array following the dtype rule; refuse objects and strings."""
    if backend.is_array(data):
        array = data if dtype is None else data.astype(dtype, copy=False)
    else:
        try:
            array = np.asarray(data, dtype=dtype)
        except (ValueError, TypeError) as exc:
            raise TypeError(f"neurona.tensor: cannot make a numeric tensor from {type(data).__name__} "
                            f"({exc}). Hint: pass numbers, nested lists of numbers or a numeric array.") from None
        if dtype is None and array.dtype == np.float64 and not isinstance(data, np.generic):
            array = array.astype(backend.DEFAULT_FLOAT)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"neurona.tensor: unsupported dtype {array.dtype} (from {type(data).__name__}); tensors "
                        "hold bool, integer or float numbers. Hint: convert strings/objects to numbers first, "
                        "e.g. with a lookup table or one-hot encoding.")
    return array


class ElementCount(int):
    """``x.size``: an int, the number of elements (NumPy's meaning), that PyTorch users may also call:
    ``x.size()`` is ``x.shape`` and ``x.size(dim)`` is ``x.shape[dim]``. (A small object: the library itself reads
    ``x.data.size`` on its hot paths.)

    >>> n = ElementCount(6, (2, 3))
    >>> n + 1, n(), n(-1)
    (7, (2, 3), 3)
    """

    def __new__(cls, count, shape):
        number = super().__new__(cls, count)
        number.shape = tuple(shape)
        return number

    def __call__(self, dim=None):
        return self.shape if dim is None else self.shape[dim]


class Tensor(TensorMethods):
    """An n-dimensional array that records the operations applied to it.

    Attributes: ``data`` (the raw NumPy/CuPy array), ``grad`` (a Tensor, filled by ``backward`` on leaves),
    ``requires_grad``, ``grad_fn`` (the graph node that made it, None for leaves).

    >>> import neurona as nr
    >>> x = nr.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad.tolist()
    [2.0, 4.0]
    """
    __slots__ = ("data", "grad", "requires_grad", "_node", "_version", "_tangents", "name", "constraint",
                 "__weakref__")
    __array_ufunc__ = None      # ndarray (op) Tensor defers to Tensor's reflected operators
    __array_priority__ = 1000

    def __init__(self, data, dtype=None, requires_grad=False, name=None):
        if isinstance(data, Tensor):
            data = data.data
        self.data = _as_array(data, dtype)
        self.grad = None
        self.requires_grad = False
        self._node = None
        self._version = 0
        self._tangents = None
        self.name = name
        if requires_grad:
            self.requires_grad_(True)

    # ---- properties -------------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> "ElementCount":
        """The number of elements, as in NumPy (``x.size``); called, the shape, as in PyTorch (``x.size()``,
        ``x.size(0)``)."""
        return ElementCount(self.data.size, self.data.shape)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self) -> str:
        """Where the data lives: ``"cpu"`` or ``"cuda:N"``."""
        if self.data.__class__ is np.ndarray:   # no import on the CPU's path (predict's one sample)
            return "cpu"
        from ..devices import device_of
        return device_of(self.data)

    def to(self, device) -> "Tensor":
        """This tensor on ``device`` ("cpu", "cuda", "cuda:N"); differentiable, like PyTorch's ``.to``."""
        from ..ops.device import to_device
        return to_device(self, device)

    def cpu(self) -> "Tensor":
        return self.to("cpu")

    def cuda(self, index=0) -> "Tensor":
        return self.to(f"cuda:{index}")

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self):
        return self._node

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    # ---- conversion -------------------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The values as a host NumPy array (shares memory on the CPU)."""
        return backend.to_numpy(self.data)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item(): only one-element tensors convert to a Python number, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return backend.to_numpy(self.data).tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all()")
        return bool(self.data.item())

    def __array__(self, dtype=None, copy=None):
        array = backend.to_numpy(self.data)
        return array if dtype is None else array.astype(dtype)

    def detach(self) -> "Tensor":
        """A tensor sharing the data, cut from the graph (no grad, no tangents)."""
        return _make(self.data)

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        """Mark a leaf for gradient tracking (float dtypes only)."""
        if flag and self.data.dtype.kind != "f":
            raise TypeError(f"requires_grad=True needs a floating-point tensor, got dtype {self.dtype}. "
                            "Hint: create it with dtype=float32, or call .astype('float32') first.")
        if not flag and self._node is not None:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor: use .detach() instead")
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> "Tensor":
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it)."""
        if self._node is not None:
            self._node.retain_ref = weakref.ref(self)
        return self

    def zero_grad(self):
        self.grad = None

    # ---- differentiation --------------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d self / d leaf into every leaf's ``.grad`` (reverse mode, one pass).

        ``gradient`` is required unless the tensor has one element; it is the vector of the vector-Jacobian
        product. The graph is freed afterwards unless ``retain_graph`` (default: ``create_graph``).
        """
        from .engine import backward
        backward([self], None if gradient is None else [gradient], retain_graph, create_graph)

    # ---- in-place updates (no graph) --------------------------------------------------------------------
    def _check_inplace(self, what):
        if state.grad_enabled and self.requires_grad:
            kind = "a leaf that requires grad" if self._node is None else "a tensor that is part of a graph"
            raise RuntimeError(f"{what}: in-place modification of {kind} would corrupt its gradient. "
                               "Hint: update parameters inside `with neurona.no_grad():`, or use an "
                               "out-of-place op (x = x + y).")

    def mark_modified(self):
        """Record an in-place change (an in-place op, an optimizer step): ``_version`` becomes the global
        in-place count, so a node recorded before it (``node.stamp`` smaller) knows this input changed under it
        and refuses to give a wrong gradient."""
        state.inplace_count += 1
        self._version = state.inplace_count
        if self._node is not None:
            self._node.out_stale = True

    def __repr__(self):
        body = np.array2string(backend.to_numpy(self.data), separator=", ", precision=4,
                               prefix="tensor(", threshold=100)
        extras = []
        if self.data.dtype != backend.DEFAULT_FLOAT and self.data.dtype != np.int64:
            extras.append(f"dtype={self.dtype}")
        if self._node is not None:
            extras.append(f"grad_fn={self._node!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}{''.join(', ' + e for e in extras)})"

    def _repr_html_(self):
        """In a notebook: the repr, then the shape, the dtype and, once backward ran, the gradient's summary."""
        import html
        facts = [f"shape {tuple(self.shape)}", str(self.dtype)]
        if self.grad is not None:
            g = backend.to_numpy(self.grad.data if isinstance(self.grad, Tensor) else self.grad)
            facts.append(f"grad: mean {g.mean():.4g}, max |g| {abs(g).max():.4g}" if g.size else "grad: empty")
        return f"<pre>{html.escape(repr(self))}</pre><small>{html.escape(' · '.join(facts))}</small>"

    def __hash__(self):
        return id(self)


def _make(data, node=None) -> Tensor:
    """A Tensor around an array that already follows the rules (the engine's fast path)."""
    t = object.__new__(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = node is not None
    t._node = node
    t._version = 0
    t._tangents = None
    t.name = None
    return t


def tensor(data, dtype=None, requires_grad=False, name=None) -> Tensor:
    """Make a tensor from a number, a (nested) list or an array (copied); see the module docstring for dtypes.

    ``Tensor(array)`` wraps an array without copying it.

    >>> tensor([1.0, 2.0]).dtype
    dtype('float32')
    """
    if isinstance(data, Tensor):
        data = data.data
    if backend.is_array(data):
        data = data.copy()  # like torch.tensor: the tensor owns its memory
        return Tensor(data, dtype=dtype, requires_grad=requires_grad, name=name)
    from ..devices import on_default_device
    t = Tensor(data, dtype=dtype, name=name)
    t.data = on_default_device(t.data)
    return t.requires_grad_(True) if requires_grad else t
