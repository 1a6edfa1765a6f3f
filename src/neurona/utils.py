"""Small utilities: one seed for everything."""
from __future__ import annotations

import random

import numpy as np

from . import random as nr_random


def set_random_seed(seed: int):
    """Seed every source of randomness neurona uses (initializers, dropout, shuffling) and Python's and NumPy's
    global generators: the same seed gives bit-identical training on the CPU.

    >>> set_random_seed(0)
    """
    nr_random.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
