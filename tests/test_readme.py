"""The README's code runs as pasted: each python block on its own, in a fresh interpreter
namespace and an empty working folder; a block followed by a `text` block (with at most
one line of prose between, such as "prints") must print exactly that."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
# A block that draws needs Graphviz's dot (as the notebooks that import these do).
DRAWING = ("autograd.viz", "autograd.replay")


def python_blocks() -> list[tuple[int, str, str | None]]:
    """Each python block of the README: its line, its code, and the output the README shows
    for it (a `text` block right after it), or None."""
    text = README.read_text(encoding="utf-8")
    fences = list(FENCE.finditer(text))
    blocks = []
    for i, fence in enumerate(fences):
        if fence.group(1) != "python":
            continue
        line = text.count("\n", 0, fence.start()) + 1
        shown = None
        after = fences[i + 1] if i + 1 < len(fences) else None
        if after is not None and after.group(1) == "text":
            between = text[fence.end() : after.start()].strip()
            if "\n" not in between:
                shown = after.group(2)
        blocks.append((line, fence.group(2), shown))
    return blocks


BLOCKS = python_blocks()


def test_the_readme_has_its_examples():
    assert len(BLOCKS) >= 8
    first_line, first_code, first_output = BLOCKS[0]
    assert "backward()" in first_code and "print(" in first_code
    assert first_output is not None, "the first example shows what it prints"


@pytest.mark.parametrize(("line", "code", "shown"), BLOCKS, ids=[f"line{b[0]}" for b in BLOCKS])
def test_readme_block_runs_as_pasted(line, code, shown, tmp_path, monkeypatch):
    if any(module in code for module in DRAWING) and shutil.which("dot") is None:
        pytest.skip("this README block draws with Graphviz's 'dot', which is not on PATH")
    if "hypothesis" in code:
        pytest.importorskip("hypothesis")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"README.md, the block at line {line}", "exec"), {"__name__": "__main__"})
    if shown is not None:
        assert printed.getvalue() == shown
