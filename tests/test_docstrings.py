"""Every example in a docstring runs and prints what it claims."""
import doctest
import importlib
import inspect
import pkgutil

import pytest

import neurona

MODULES = ["neurona"] + sorted(m.name for m in pkgutil.walk_packages(neurona.__path__, "neurona."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_public_functions_and_classes_have_docstrings():
    public = {n: v for n, v in vars(neurona).items() if not n.startswith("_") and
              (inspect.isfunction(v) or inspect.isclass(v)) and v.__module__.startswith("neurona")}
    assert len(public) > 50
    assert [n for n, v in public.items() if not v.__doc__] == []
