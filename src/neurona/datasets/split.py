"""Splitting a dataset into training and test (or validation) parts: shuffled, optionally stratified, seeded.

>>> import numpy as np
>>> x_tr, x_te, y_tr, y_te = train_test_split(np.arange(10), np.arange(10) % 2, test_size=0.2, seed=0)
>>> len(x_tr), len(x_te)
(8, 2)
"""
from __future__ import annotations

import numpy as np


def train_test_split(*arrays, test_size=0.2, shuffle=True, stratify=None, seed=None):
    """Split each array into a training and a test part: ``a_train, a_test, b_train, b_test, ...``.

    ``stratify``: labels whose class proportions both parts keep. ``seed`` makes the split reproducible.

    >>> import neurona as nr
    >>> import numpy as np
    >>> x, y = np.arange(10).reshape(-1, 1), np.arange(10)
    >>> x_train, x_test, y_train, y_test = nr.datasets.train_test_split(x, y, test_size=0.2, seed=0)
    >>> len(x_train), len(x_test)
    (8, 2)
    """
    if not arrays:
        raise ValueError("train_test_split: give at least one array")
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(f"train_test_split: arrays of different lengths {[len(a) for a in arrays]}")
    n_test = int(round(test_size * n)) if isinstance(test_size, float) else int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size={test_size} leaves an empty part out of {n} samples")
    rng = np.random.default_rng(seed)
    if stratify is not None:
        labels = np.asarray(stratify)
        test_idx = []
        classes, counts = np.unique(labels, return_counts=True)
        quotas = _quotas(counts, n_test)
        for cls, quota in zip(classes, quotas):
            members = np.flatnonzero(labels == cls)
            test_idx.append(rng.permutation(members)[:quota] if shuffle else members[:quota])
        test = np.sort(np.concatenate(test_idx))
        train = np.setdiff1d(np.arange(n), test)
        if shuffle:
            train, test = rng.permutation(train), rng.permutation(test)
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        train, test = order[: n - n_test], order[n - n_test:]
    out = []
    for a in arrays:
        a = a.iloc if hasattr(a, "iloc") else np.asarray(a)
        out += [a[train], a[test]]
    return out


def _quotas(counts, n_test):
    """Per-class test counts proportional to the class sizes, summing to ``n_test`` (largest remainders)."""
    exact = counts * n_test / counts.sum()
    quotas = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - quotas))[: n_test - quotas.sum()]:
        quotas[i] += 1
    return quotas
