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


REFERENCE_MODULES = ["neurona", "neurona.layers", "neurona.losses", "neurona.metrics", "neurona.optimizers",
                     "neurona.initializers", "neurona.regularizers", "neurona.constraints", "neurona.callbacks",
                     "neurona.datasets", "neurona.viz", "neurona.distributed", "neurona.onnx", "neurona.sklearn"]


def public_names():
    """``{"module.name": object}`` for every public class and function of the reference's modules."""
    found, seen = {}, set()
    for name in REFERENCE_MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]:
            value = getattr(module, attr, None)
            if (inspect.isclass(value) or inspect.isfunction(value)) and id(value) not in seen and \
                    getattr(value, "__module__", "").startswith("neurona"):
                seen.add(id(value))
                found[f"{name}.{attr}"] = value
    return found


def test_every_public_name_of_the_reference_has_a_docstring():
    names = public_names()
    assert len(names) > 250
    assert [n for n, v in names.items() if not (v.__doc__ or "").strip()] == []


def test_every_public_name_has_a_runnable_example():
    """Each public class and function shows itself in use; the examples run in test_docstring_examples."""
    assert sorted(n for n, v in public_names().items() if ">>>" not in (inspect.getdoc(v) or "")) == []
