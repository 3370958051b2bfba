# The front door: `make demo`, `make live`, `make test`, `make test-pypy`, `make lab`,
# `make bench`, `make dist-check`. Each sets itself up.
PYTHON ?= python3
# The oldest Python the package supports, read from pyproject.toml's requires-python, the one
# place it is stated.
PYTHON_MIN := $(shell sed -n 's/^requires-python = ">=\([0-9.]*\)"/\1/p' pyproject.toml)
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
DEMO_READY := $(VENV)/.demo
LIVE_READY := $(VENV)/.live
# PyPy has a virtual environment of its own, with only what `pytest tests` and the
# benchmark need (micrograd, pure Python): the notebooks' Jupyter stack stays on CPython.
# --prefer-binary: the newest Pillow (for matplotlib) has no PyPy 3.9 wheel, an older one does.
PYPY       ?= pypy3
PYPY_VENV  := .venv-pypy
PYPY_BIN   := $(PYPY_VENV)/bin
PYPY_READY := $(PYPY_VENV)/.ready

.PHONY: test test-pypy lint lint-now demo lab dist-check bench dot pypy chromium clean pictures live fuzz mutation

# Graphviz's dot renders the graphs; Chromium runs the replay page's browser test. The
# tests run once, under coverage of autograd/ and nn/ (with the Python processes they start:
# a data file each, combined after); the notebooks outside it (their kernels under the
# tracer cost a minute of CPU for 0.05 points); then the linter, the formatter's check and
# the type checker, so that CI runs them too; last, the coverage, failing under pyproject's
# floor ([tool.coverage.report] fail_under; docs/development.md says why that number).
test: $(READY) dot chromium
	$(BIN)/python -m coverage erase
	$(BIN)/python -m coverage run -m pytest tests
	$(BIN)/python -m pytest --nbmake notebooks
	@$(MAKE) --no-print-directory lint
	$(BIN)/python -m coverage combine --quiet
	$(BIN)/python -m coverage report

# ruff checks these and mypy reads pyproject's [tool.mypy] files, the same; the formatter's
# check covers the library only: tests and benchmarks are checked, not reformatted.
LINTED    := autograd nn tests benchmarks conftest.py
FORMATTED := autograd nn conftest.py

lint: $(READY)
	@$(MAKE) --no-print-directory lint-now

# The lint with the venv as it is, installing nothing: what the pre-commit hook runs.
lint-now:
	@test -x $(BIN)/ruff || { echo "no $(BIN)/ruff: run 'make lint' once to build the venv" >&2; exit 1; }
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(FORMATTED)
	@if [ -x $(BIN)/mypy ]; then $(BIN)/mypy; else echo "mypy 2 runs on Python 3.10 and newer: no type check with this venv's Python"; fi

test-pypy: $(PYPY_READY) dot
	$(PYPY_BIN)/python -m pytest tests

# `make demo DATASET=spiral` (or moons) trains another of the demo's tasks; each writes
# its pictures into out/$(DATASET)/.
DATASET ?= students

demo: $(DEMO_READY) dot
	$(BIN)/python -m nn.demo --dataset $(DATASET)

# The README's pictures (a graph, a network, the replay, the boundary), redrawn into docs/img.
pictures: $(READY) dot chromium
	$(BIN)/python scripts/pictures.py --out docs/img

# The notebooks in JupyterLab, from the project's venv (the `notebooks` extra), on
# 127.0.0.1 with Jupyter's token. As root (a container), Jupyter wants --allow-root.
lab: $(VENV)/.notebooks dot
	$(BIN)/jupyter lab notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

$(VENV)/.notebooks: $(READY)
	$(BIN)/python -m pip install --quiet --quiet -e '.[notebooks]'
	@touch $@

# A wheel and an sdist build and pass twine's check; the wheel, installed alone into a fresh
# venv, imports and runs the README's first example.
dist-check: $(READY)
	$(BIN)/python -m pip install --quiet --quiet -e '.[dist]'
	scripts/dist-check.sh $(BIN)/python $(PYTHON)

# `make live`: watch it learn in the browser (python -m nn.live; LIVE_ARGS="--dataset spiral").
LIVE_ARGS ?=

live: $(LIVE_READY) dot
	$(BIN)/python -m nn.live $(LIVE_ARGS)

# The demo loop is timed on CPython and on PyPy (whose venv has micrograd already).
bench: $(READY) $(PYPY_READY) dot
	$(BIN)/python -m pip install --quiet --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py --pypy $(PYPY_BIN)/python

# The high-precision oracle at many more random points than `make test` takes (a few minutes).
fuzz: $(READY)
	ORACLE_POINTS=200 $(BIN)/python -m pytest -q tests/test_oracle.py

# Mutation testing of the engine and its op table (configured in pyproject.toml, [tool.mutmut];
# the survivors and why are in docs/mutants.md). Long: hours on two cores; niced.
mutation: $(READY)
	$(BIN)/python -m pip install --quiet --quiet -e '.[mutation]'
	nice $(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

dot:
	@scripts/ensure-dot.sh

pypy:
	@scripts/ensure-pypy.sh $(PYPY)

chromium:
	@scripts/ensure-chromium.sh

# The venv is rebuilt whenever the project's dependencies change. (--quiet twice: pip
# would otherwise warn about package indexes this machine lists but does not have.)
# One venv: `make demo` and `make live` install only what they need ('.[demo]', '.[live]'),
# `make test` and the rest everything ('.[dev]'), each marked by a file of its own.
$(READY): pyproject.toml | $(VENV)/.created
	@echo "setting up $(VENV) for the tests (first run: a few minutes)..."
	$(BIN)/python -m pip install --quiet --quiet -e '.[dev]'
	@touch $@

$(DEMO_READY): pyproject.toml | $(VENV)/.created
	@echo "setting up $(VENV) for the demo (first run: a minute or two)..."
	$(BIN)/python -m pip install --quiet --quiet -e '.[demo]'
	@touch $@

$(LIVE_READY): pyproject.toml | $(VENV)/.created
	@echo "setting up $(VENV) for the live page (first run: a minute or two)..."
	$(BIN)/python -m pip install --quiet --quiet -e '.[live]'
	@touch $@

$(VENV)/.created:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < tuple(map(int, "$(PYTHON_MIN)".split("."))))' || \
	  { echo "Python $(PYTHON_MIN) or newer is needed as '$(PYTHON)' (make PYTHON=python3.11 ...)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create $(VENV): on Debian, 'apt-get install python3-venv'" >&2; exit 1; }
	@touch $@

$(PYPY_READY): pyproject.toml | pypy
	@test -x $(PYPY_BIN)/python || $(PYPY) -m venv $(PYPY_VENV) || \
	  { echo "Could not create $(PYPY_VENV) with '$(PYPY)'" >&2; exit 1; }
	$(PYPY_BIN)/python -m pip install --quiet --quiet --prefer-binary -e '.[test,bench]'
	@touch $@

clean:
	rm -rf $(VENV) $(PYPY_VENV) out .pytest_cache .hypothesis build *.egg-info .coverage .coverage.*
