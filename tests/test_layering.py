"""The engine and its views know nothing of nn: no import of it, no trace of its label format."""

import ast
import re
from pathlib import Path

import pytest

AUTOGRAD = Path(__file__).resolve().parent.parent / "autograd"
MODULES = sorted(AUTOGRAD.glob("*.py"))

# nn's label format in any of its spellings: the template (`L{i}.N{j}.w{k}`), a regex for it
# (`L\d+`, `N\d`), or an example label (`L0.N3.w1`, `L.N0.b`, `N.w0`).
LABEL_FORMAT = re.compile(r"\bL\{|\bN\{|\bL\\d|\bN\\d|\bL\d*\.N\d*\b|\bN\d*\.(w\d|b\b)")


def test_there_are_modules_to_check():
    assert len(MODULES) >= 10 and AUTOGRAD / "viz.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_autograd_imports_nothing_from_nn(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.append(node.module or "")
    assert [name for name in imported if name == "nn" or name.startswith("nn.")] == []
    assert "import_module" not in path.read_text(encoding="utf-8")  # no import by name either


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_autograd_does_not_know_nns_label_format(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [f"{path.name}:{n}: {line.strip()}" for n, line in enumerate(lines, 1)
             if LABEL_FORMAT.search(line)]
    assert found == []


@pytest.mark.parametrize(
    "text", ["L{i}.N{j}.w{k}", r"(L\d+)\.(N\d+)", "L0.N3.w1", "L.N0.b", "N.w0", "`N.b`"]
)
def test_the_pattern_finds_the_format_in_its_spellings(text):
    assert LABEL_FORMAT.search(text)


@pytest.mark.parametrize("text", ["Layer.Neuron", "self.N", "LR", "x.b_", "w·x+b", "loss.backward()"])
def test_the_pattern_leaves_ordinary_code_alone(text):
    assert not LABEL_FORMAT.search(text)
