# The front door: `make test`, `make test-pypy`, `make demo`, `make bench`. Each sets itself up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
# PyPy has a virtual environment of its own, with only what `pytest tests` and the
# benchmark need (micrograd, pure Python): the notebooks' Jupyter stack stays on CPython.
# --prefer-binary: the newest Pillow (for matplotlib) has no PyPy 3.9 wheel, an older one does.
PYPY       ?= pypy3
PYPY_VENV  := .venv-pypy
PYPY_BIN   := $(PYPY_VENV)/bin
PYPY_READY := $(PYPY_VENV)/.ready

.PHONY: test test-pypy lint demo live bench dot pypy chromium clean

# Graphviz's dot renders the graphs; Chromium runs the replay page's browser test. Then
# the linter, the formatter's check and the type checker, so that CI runs them too.
test: $(READY) dot chromium
	$(BIN)/python -m pytest --nbmake tests notebooks
	@$(MAKE) --no-print-directory lint

lint: $(READY)
	$(BIN)/ruff check autograd nn
	$(BIN)/ruff format --check autograd nn
	$(BIN)/mypy

test-pypy: $(PYPY_READY) dot
	$(PYPY_BIN)/python -m pytest tests

# `make demo DATASET=spiral` (or moons) trains another of the demo's tasks.
DATASET ?= students

demo: $(READY) dot
	$(BIN)/python -m nn.demo --dataset $(DATASET)

# `make live`: watch it learn in the browser (python -m nn.live; LIVE_ARGS="--dataset spiral").
LIVE_ARGS ?=

live: $(READY) dot
	$(BIN)/python -m nn.live $(LIVE_ARGS)

# The demo loop is timed on CPython and on PyPy (whose venv has micrograd already).
bench: $(READY) $(PYPY_READY) dot
	$(BIN)/python -m pip install --quiet --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py --pypy $(PYPY_BIN)/python

dot:
	@scripts/ensure-dot.sh

pypy:
	@scripts/ensure-pypy.sh $(PYPY)

chromium:
	@scripts/ensure-chromium.sh

# The venv is rebuilt whenever the project's dependencies change. (--quiet twice: pip
# would otherwise warn about package indexes this machine lists but does not have.)
$(READY): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
	  { echo "Python 3.10 or newer is needed as '$(PYTHON)' (make PYTHON=python3.11 ...)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create $(VENV): on Debian, 'apt-get install python3-venv'" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --quiet -e '.[dev]'
	@touch $@

$(PYPY_READY): pyproject.toml | pypy
	@test -x $(PYPY_BIN)/python || $(PYPY) -m venv $(PYPY_VENV) || \
	  { echo "Could not create $(PYPY_VENV) with '$(PYPY)'" >&2; exit 1; }
	$(PYPY_BIN)/python -m pip install --quiet --quiet --prefer-binary -e '.[test,bench]'
	@touch $@

clean:
	rm -rf $(VENV) $(PYPY_VENV) out .pytest_cache .hypothesis
