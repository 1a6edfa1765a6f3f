"""Rank 1 raises; rank 0 waits in a collective. The job must end with rank 1's error, not hang."""
import numpy as np

import neurona as nr

nr.distributed.init()
if nr.distributed.rank() == 1:
    raise ValueError("rank 1 fails on purpose")
nr.distributed.allreduce_sum_(np.ones(3))   # never completes: rank 1 is gone
print("rank 0 should not get here")
