# The two set-up commands of a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test test-all docs bench clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all]'
	touch $@

$(VENV)/.dev: $(VENV)/.base
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

demo: $(VENV)/.base
	$(PY) -m neurona.cli demo

test: $(VENV)/.dev       # the fast tests (a few minutes): everything but `slow` (full datasets) and `gpu`
	$(PY) -m pytest -q -m "not gpu and not slow" $(PYTEST_ARGS)

test-all: $(VENV)/.dev   # every test this machine can run, the slow ones on ../shared/data included (CI)
	$(PY) -m pytest -q -m "not gpu" $(PYTEST_ARGS)

docs: $(VENV)/.dev      # the site in docs/_build/html (Sphinx, warnings are errors); reuses the examples' kept runs
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html docs docs/_build/html

bench: $(VENV)/.dev
	cd benchmarks && ../$(PY) run.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache docs/_build docs/gallery
