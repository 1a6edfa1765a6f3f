"""Metrics that average a probabilistic or margin loss over an epoch: the cross-entropies, the Kullback-Leibler
divergence, Poisson and the hinges. Each is the loss of the same name in :mod:`neurona.functional.losses`.

>>> import numpy as np
>>> from neurona.metrics import CategoricalCrossentropy
>>> m = CategoricalCrossentropy()
>>> round(m([[0, 1, 0], [0, 0, 1]], np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])), 4)   # Keras' example
1.1769
"""
from __future__ import annotations

from .. import checks
from ..functional import losses as fl
from .base import LossMetric


class BinaryCrossentropy(LossMetric):
    """:func:`~neurona.functional.losses.binary_crossentropy`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.BinaryCrossentropy()
    >>> round(m([[0, 1], [0, 0]], np.array([[0.6, 0.4], [0.4, 0.6]], dtype=float)), 4)
    0.8149
    """
    function = staticmethod(fl.binary_crossentropy)

    def __init__(self, name="binary_crossentropy", from_logits=False, label_smoothing=0.0):
        where = "BinaryCrossentropy"
        super().__init__(name, from_logits=checks.flag(from_logits, "from_logits", where),
                         label_smoothing=checks.number(label_smoothing, "label_smoothing", where, 0, 1))


class CategoricalCrossentropy(LossMetric):
    """:func:`~neurona.functional.losses.categorical_crossentropy`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.CategoricalCrossentropy()
    >>> round(m([[0, 1, 0], [0, 0, 1]], np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], dtype=float)), 4)
    1.1769
    """
    function = staticmethod(fl.categorical_crossentropy)

    def __init__(self, name="categorical_crossentropy", from_logits=False, label_smoothing=0.0, axis=-1):
        where = "CategoricalCrossentropy"
        super().__init__(name, from_logits=checks.flag(from_logits, "from_logits", where),
                         label_smoothing=checks.number(label_smoothing, "label_smoothing", where, 0, 1),
                         axis=checks.integer(axis, "axis", where))


class SparseCategoricalCrossentropy(LossMetric):
    """:func:`~neurona.functional.losses.sparse_categorical_crossentropy`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.SparseCategoricalCrossentropy()
    >>> round(m([1, 2], np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], dtype=float)), 4)
    1.1769
    """
    function = staticmethod(fl.sparse_categorical_crossentropy)

    def __init__(self, name="sparse_categorical_crossentropy", from_logits=False):
        super().__init__(name, from_logits=checks.flag(from_logits, "from_logits", "SparseCategoricalCrossentropy"))


class KLDivergence(LossMetric):
    """:func:`~neurona.functional.losses.kl_divergence`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.KLDivergence()
    >>> round(m([[0, 1], [0, 0]], np.array([[0.6, 0.4], [0.4, 0.6]], dtype=float)), 4)
    0.4581
    """
    function = staticmethod(fl.kl_divergence)

    def __init__(self, name="kl_divergence"):
        super().__init__(name)


class Poisson(LossMetric):
    """:func:`~neurona.functional.losses.poisson`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.Poisson()
    >>> round(m([[0, 1], [0, 0]], np.array([[1, 1], [0, 0]], dtype=float)), 4)
    0.5
    """
    function = staticmethod(fl.poisson)

    def __init__(self, name="poisson"):
        super().__init__(name)


class Hinge(LossMetric):
    """:func:`~neurona.functional.losses.hinge`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.Hinge()
    >>> round(m([[0, 1], [0, 0]], np.array([[0.6, 0.4], [0.4, 0.6]], dtype=float)), 4)
    1.3
    """
    function = staticmethod(fl.hinge)

    def __init__(self, name="hinge"):
        super().__init__(name)


class SquaredHinge(LossMetric):
    """:func:`~neurona.functional.losses.squared_hinge`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.SquaredHinge()
    >>> round(m([[0, 1], [0, 0]], np.array([[0.6, 0.4], [0.4, 0.6]], dtype=float)), 4)
    1.86
    """
    function = staticmethod(fl.squared_hinge)

    def __init__(self, name="squared_hinge"):
        super().__init__(name)


class CategoricalHinge(LossMetric):
    """:func:`~neurona.functional.losses.categorical_hinge`, averaged over the samples.

    >>> import numpy as np
    >>> import neurona as nr
    >>> m = nr.metrics.CategoricalHinge()
    >>> round(m([[0, 1], [0, 0]], np.array([[0.6, 0.4], [0.4, 0.6]], dtype=float)), 4)
    1.4
    """
    function = staticmethod(fl.categorical_hinge)

    def __init__(self, name="categorical_hinge"):
        super().__init__(name)
