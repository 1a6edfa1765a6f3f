"""Datasets: MNIST and PetFinder (files found or downloaded), scikit-learn's digits and the lecture's bribes
problem (no download), tabular preprocessing and a split helper."""
from .files import DatasetError, DatasetNotFoundError
from .mnist import load_mnist
from .petfinder import load_petfinder
from .preprocessing import Lookup, TabularEncoder
from .split import train_test_split
from .toy import bribes_curve, load_digits, make_bribes

__all__ = ["DatasetError", "DatasetNotFoundError", "load_mnist", "load_petfinder", "Lookup", "TabularEncoder",
           "train_test_split", "bribes_curve", "load_digits", "make_bribes"]
