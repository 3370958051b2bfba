"""What a test needs from the machine, and a skip that says so when it is missing.

- `@pytest.mark.requires_dot`: the test renders with Graphviz's `dot`. Without `dot` on
  PATH it is skipped, with the reason; the rest of the suite runs. A notebook that
  imports `autograd.viz` or `autograd.replay` shows graphs, so it needs `dot` too.
- The browser test (`tests/test_replay_browser.py`) skips itself when there is no
  Chromium or no Playwright.

`make test` installs both first (scripts/ensure-dot.sh, scripts/ensure-chromium.sh), so
there nothing is skipped.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

NO_DOT = (
    "needs Graphviz's 'dot' to render, and it is not on PATH: 'make test' installs it, or "
    "install Graphviz ('sudo apt-get install graphviz', 'brew install graphviz' or "
    "'conda install -c conda-forge graphviz')"
)

# A notebook that imports either shows graphs, which Jupyter renders with `dot`.
DRAWING_MODULES = ("autograd.viz", "autograd.replay")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires_dot: the test renders with Graphviz's dot")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("dot") is not None:
        return
    skip = pytest.mark.skip(reason=NO_DOT)
    for item in items:
        if item.get_closest_marker("requires_dot") is not None or _notebook_draws(item.path):
            item.add_marker(skip)


def _notebook_draws(path: Path) -> bool:
    """Whether `path` is a notebook whose code imports a drawing module."""
    if path.suffix != ".ipynb":
        return False
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    code = "\n".join(
        "".join(cell.get("source", [])) for cell in cells if cell.get("cell_type") == "code"
    )
    return any(module in code for module in DRAWING_MODULES)
