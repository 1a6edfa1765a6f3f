"""Tabular preprocessing: numeric columns normalized, categorical columns looked up and one-hot (or multi-hot)
encoded, everything learned with ``adapt`` on the training data only.

>>> import pandas as pd
>>> train = pd.DataFrame({"age": [1.0, 3.0], "kind": ["cat", "dog"]})
>>> enc = TabularEncoder(numeric=["age"], categorical=["kind"]).adapt(train)
>>> enc.transform(pd.DataFrame({"age": [2.0], "kind": ["dog"]})).tolist()
[[0.0, 0.0, 0.0, 1.0]]
>>> enc.feature_names
['age', 'kind=[OOV]', 'kind=cat', 'kind=dog']
"""
from __future__ import annotations

import numpy as np

OOV = "[OOV]"


class Lookup:
    """Maps values to indices learned from the training data; index 0 is kept for unseen values (OOV).

    >>> import neurona as nr
    >>> lookup = nr.datasets.Lookup()
    >>> _ = lookup.adapt(["cat", "dog", "cat"])
    >>> lookup(["dog", "cat"]).tolist()
    [2, 1]
    """

    def __init__(self, max_tokens=None):
        self.max_tokens = max_tokens
        self.vocabulary: list = []

    def adapt(self, values):
        values = np.asarray(values).reshape(-1)
        uniques, counts = np.unique(values.astype(str) if values.dtype.kind in "OU" else values, return_counts=True)
        order = sorted(range(len(uniques)), key=lambda i: (-counts[i], str(uniques[i])))
        if self.max_tokens is not None:
            order = order[: self.max_tokens - 1]
        self.vocabulary = sorted((uniques[i] for i in order), key=str)
        self._index = {v: i + 1 for i, v in enumerate(self.vocabulary)}
        return self

    def __call__(self, values):
        values = np.asarray(values).reshape(-1)
        if values.dtype.kind in "OU":
            values = values.astype(str)
        return np.fromiter((self._index.get(v, 0) for v in values.tolist()), dtype=np.int64, count=len(values))

    @property
    def size(self):
        return len(self.vocabulary) + 1


def one_hot(indices, depth) -> np.ndarray:
    out = np.zeros((len(indices), depth), dtype=np.float32)
    out[np.arange(len(indices)), indices] = 1.0
    return out


class TabularEncoder:
    """Turns a DataFrame with numeric and categorical columns into one float32 matrix.

    ``numeric``: normalized with the training mean and std. ``categorical``: each column one-hot encoded over
    the values seen in training (plus an out-of-vocabulary slot). ``multi_hot``: groups of columns sharing one
    vocabulary, encoded as one multi-hot block (e.g. ``{"colors": ["Color1", "Color2"]}``).

    >>> import neurona as nr
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"age": [1.0, 3.0], "type": ["cat", "dog"]})
    >>> encoder = nr.datasets.TabularEncoder(numeric=["age"], categorical=["type"])
    >>> _ = encoder.adapt(frame)
    >>> encoder.feature_names
    ['age', 'type=[OOV]', 'type=cat', 'type=dog']
    >>> encoder.transform(frame).round(3).tolist()
    [[-1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]]
    """

    def __init__(self, numeric=(), categorical=(), multi_hot=None, max_tokens=None):
        self.numeric, self.categorical = list(numeric), list(categorical)
        self.multi_hot = dict(multi_hot or {})
        self.max_tokens = max_tokens

    def adapt(self, frame):
        """Learn statistics and vocabularies from the training data only."""
        self._check_columns(frame)
        values = frame[self.numeric].to_numpy(dtype=np.float64) if self.numeric else np.zeros((len(frame), 0))
        self.mean = values.mean(axis=0)
        self.std = np.maximum(values.std(axis=0), 1e-7)
        self.lookups = {c: Lookup(self.max_tokens).adapt(frame[c].to_numpy()) for c in self.categorical}
        self.group_lookups = {g: Lookup(self.max_tokens).adapt(frame[cols].to_numpy())
                              for g, cols in self.multi_hot.items()}
        return self

    def _check_columns(self, frame):
        wanted = self.numeric + self.categorical + [c for cols in self.multi_hot.values() for c in cols]
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            raise KeyError(f"TabularEncoder: columns {missing} are not in the data (columns: {list(frame.columns)})")

    def transform(self, frame) -> np.ndarray:
        if not hasattr(self, "mean"):
            raise RuntimeError("TabularEncoder: call adapt(training_frame) before transform")
        self._check_columns(frame)
        blocks = []
        if self.numeric:
            blocks.append(((frame[self.numeric].to_numpy(dtype=np.float64) - self.mean) / self.std)
                          .astype(np.float32))
        for column, lookup in self.lookups.items():
            blocks.append(one_hot(lookup(frame[column].to_numpy()), lookup.size))
        for group, lookup in self.group_lookups.items():
            block = np.zeros((len(frame), lookup.size), dtype=np.float32)
            for column in self.multi_hot[group]:
                block[np.arange(len(frame)), lookup(frame[column].to_numpy())] = 1.0
            blocks.append(block)
        return np.concatenate(blocks, axis=1) if blocks else np.zeros((len(frame), 0), np.float32)

    @property
    def feature_names(self) -> list[str]:
        names = list(self.numeric)
        for column, lookup in self.lookups.items():
            names += [f"{column}={OOV}"] + [f"{column}={v}" for v in lookup.vocabulary]
        for group, lookup in self.group_lookups.items():
            names += [f"{group}={OOV}"] + [f"{group}={v}" for v in lookup.vocabulary]
        return names
