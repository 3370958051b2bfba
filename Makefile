# The front door: `make test`, `make demo`, `make bench`. Each sets itself up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: test lint demo bench dot chromium clean

# Graphviz's dot renders the graphs; Chromium runs the replay page's browser test. Then
# the linter, the formatter's check and the type checker, so that CI runs them too.
test: $(READY) dot chromium
	$(BIN)/python -m pytest --nbmake tests notebooks
	@$(MAKE) --no-print-directory lint

lint: $(READY)
	$(BIN)/ruff check autograd nn
	$(BIN)/ruff format --check autograd nn
	$(BIN)/mypy

# `make demo DATASET=spiral` (or moons) trains another of the demo's tasks.
DATASET ?= students

demo: $(READY) dot
	$(BIN)/python -m nn.demo --dataset $(DATASET)

bench: $(READY) dot
	$(BIN)/python -m pip install --quiet --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py

dot:
	@scripts/ensure-dot.sh

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

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
