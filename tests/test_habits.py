"""The lint, the pre-commit hook and the coverage floor say the same things in every place
that states them (Makefile, .pre-commit-config.yaml, pyproject.toml, docs/development.md)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def read_pyproject() -> dict:
    try:
        import tomllib
    except ImportError:  # before Python 3.11 (PyPy 3.9): tomli, which pytest itself needs there
        tomllib = pytest.importorskip("tomli", reason="neither tomllib (3.11+) nor tomli is installed")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def makefile_variable(name: str) -> list:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (value,) = re.findall(rf"^{name}\s*:?= (.*)$", makefile, re.MULTILINE)
    return value.split()


def makefile_recipe(target: str) -> list:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(rf"^{target}:[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.MULTILINE)
    assert block, f"no recipe for {target}"
    return [line.strip() for line in block.group(1).splitlines()]


def test_ruff_and_mypy_check_the_same_files_and_tests_and_benchmarks_are_among_them():
    linted = makefile_variable("LINTED")
    assert {"autograd", "nn", "tests", "benchmarks", "conftest.py"} <= set(linted)
    assert read_pyproject()["tool"]["mypy"]["files"] == linted


def test_the_formatter_checks_the_library_and_never_tests_or_benchmarks():
    formatted = makefile_variable("FORMATTED")
    assert {"autograd", "nn"} <= set(formatted) <= set(makefile_variable("LINTED"))
    assert not {"tests", "benchmarks"} & set(formatted)


def test_make_lint_is_lint_now_after_the_venv_and_the_hook_runs_lint_now():
    assert makefile_recipe("lint") == ["@$(MAKE) --no-print-directory lint-now"]
    lint_now = makefile_recipe("lint-now")
    assert "$(BIN)/ruff check $(LINTED)" in lint_now
    assert "$(BIN)/ruff format --check $(FORMATTED)" in lint_now
    assert any("$(BIN)/mypy" in line for line in lint_now)
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert re.findall(r"^\s*entry: (.*)$", hooks, re.MULTILINE) == ["make --no-print-directory lint-now"]
    assert "language: unsupported" in hooks and "repo: local" in hooks


def test_make_test_measures_coverage_and_the_docs_state_pyprojects_floor():
    coverage = read_pyproject()["tool"]["coverage"]
    floor = coverage["report"]["fail_under"]
    assert set(coverage["run"]["source"]) == {"autograd", "nn"}
    recipe = makefile_recipe("test")
    assert recipe[0] == "$(BIN)/python -m coverage erase"  # no file of an earlier run counts
    assert recipe[1] == "$(BIN)/python -m coverage run -m pytest tests"
    assert recipe[2] == "$(BIN)/python -m pytest --nbmake notebooks"  # executed, not measured
    assert recipe[-2:] == ["$(BIN)/python -m coverage combine --quiet", "$(BIN)/python -m coverage report"]
    assert not any("coverage" in line for line in makefile_recipe("test-pypy"))  # CPython's job
    docs = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    assert f"**the floor** (`fail_under` in `[tool.coverage.report]`) | **{floor}%**" in docs
