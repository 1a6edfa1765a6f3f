"""Pictures: the computational graph (:func:`graph`)."""
