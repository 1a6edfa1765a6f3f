"""Small datasets that need no download: scikit-learn's bundled digits and the lecture's bribes problem."""
from __future__ import annotations

import numpy as np

from .split import train_test_split


def load_digits(test_size=0.2, seed=0):
    """The 1,797 8x8 handwritten digits bundled with scikit-learn (pixel values 0-16, uint8), split into
    ``(x_train, y_train), (x_test, y_test)`` with a stratified, seeded split.

    >>> import neurona as nr
    >>> (x, y), (x_test, y_test) = nr.datasets.load_digits()
    >>> x.shape[1:], len(x) + len(x_test)
    ((8, 8), 1797)
    """
    from sklearn.datasets import load_digits as sk_digits
    bunch = sk_digits()
    images = bunch.images.astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(images, bunch.target.astype(np.int64), test_size=test_size,
                                                        stratify=bunch.target, seed=seed)
    return (x_train, y_train), (x_test, y_test)


def make_bribes(n=200, noise=0.5, seed=0):
    """The lecture's one-input "bribes" regression, as a synthetic generator.

    ``x`` is the bribe paid (hundreds of euros, uniform in [0, 10]); ``y`` the grade obtained, out of 10: it
    rises with the bribe and saturates (``10 / (1 + exp(-1.3 (x - 4)))``), plus Gaussian noise of std
    ``noise``, clipped to [0, 10]. A straight line cannot follow the two bends, so a linear model visibly
    underfits while a network with one hidden layer follows the curve.

    Returns ``x`` of shape (n, 1) and ``y`` of shape (n,), float32.

    >>> x, y = make_bribes(5)
    >>> x.shape, y.shape, bool(((0 <= y) & (y <= 10)).all())
    ((5, 1), (5,), True)
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 10.0, size=(n, 1))
    y = bribes_curve(x[:, 0]) + noise * rng.normal(size=n)
    return x.astype(np.float32), np.clip(y, 0.0, 10.0).astype(np.float32)


def bribes_curve(x):
    """The noise-free grade for a bribe ``x``.

    >>> import neurona as nr
    >>> [round(v, 3) for v in nr.datasets.bribes_curve([0.0, 5.0]).tolist()]
    [0.055, 7.858]
    """
    return 10.0 / (1.0 + np.exp(-1.3 * (np.asarray(x, dtype=np.float64) - 4.0)))
