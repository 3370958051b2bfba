"""The examples in the docstrings run as written."""

import doctest
import re

import pytest

from pathlib import Path

import autograd.engine
import autograd.functional
import autograd.gradcheck

API_REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "api.md"


@pytest.mark.parametrize("module", [autograd.engine, autograd.functional, autograd.gradcheck])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_api_reference_examples():
    result = doctest.testfile(str(API_REFERENCE), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 20 and result.failed == 0


README = API_REFERENCE.parent.parent / "README.md"


def readme_blocks() -> list:
    """Every ```python block of the README, each to be run as pasted into a fresh Python;
    a block that renders with Graphviz (render, to_html, to_gif) needs dot."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    params = []
    for number, block in enumerate(blocks, start=1):
        line = text[: text.index(block)].count("\n") + 1
        marks = [pytest.mark.requires_dot] if re.search(r"render\(|to_html\(|to_gif\(", block) else []
        params.append(pytest.param(block, id=f"block{number}-line{line}", marks=marks))
    return params


@pytest.mark.parametrize("block", readme_blocks())
def test_every_readme_code_block_runs_as_pasted(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # what a block writes (model.json, out/graph.svg) goes here
    exec(compile(block, str(README), "exec"), {"__name__": "__readme__"})


def test_the_readme_has_code_blocks_to_run():
    assert len(readme_blocks()) >= 8


def test_the_pictures_guide_examples():
    guide = API_REFERENCE.parent / "pictures.md"
    result = doctest.testfile(str(guide), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6 and result.failed == 0
