"""One module names nodes, writes derivatives and escapes text, the same in every view."""

import ast
import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, define_op, ops
from autograd.explain import backward_table, chain_rule, step_summary
from autograd.formatting import derivative, escape_html, format_constant, node_name
from autograd.replay import BackwardReplay
from autograd.text import text_tree

AUTOGRAD = Path(__file__).resolve().parent.parent / "autograd"
NN = AUTOGRAD.parent / "nn"


# --- folded constants read exactly -------------------------------------------------------


@pytest.mark.parametrize(
    "build, name",
    [
        (lambda x: x * 2, "x*2"),
        (lambda x: x + 2, "x+2"),
        (lambda x: 2 - x, "2-x"),
        (lambda x: x - 2, "x-2"),
        (lambda x: x**0.5, "x**0.5"),
        (lambda x: x / 4, "x/4"),
        (lambda x: x % 3, "x%3"),
        (lambda x: x // 2, "x//2"),
        (lambda x: x * -1.5, "x*(-1.5)"),
        (lambda x: x * 0.1, "x*0.1"),
        (lambda x: 2 / x, "2/x"),  # c / x and c ** x: c is a leaf parent, shown by its value
        (lambda x: 2**x, "2**x"),
        (lambda x: x.clamp(0, 1), "clamp(x, 0, 1)"),
        (lambda x: x.clamp(min=0), "clamp(x, min=0)"),
        (lambda x: x.clamp(max=1.5), "clamp(x, max=1.5)"),
        (lambda x: x.leaky_relu(0.01), "leaky_relu(x, 0.01)"),
        (lambda x: x.elu(0.5), "elu(x, 0.5)"),
        (lambda x: x.round(2), "round(x, 2)"),
        (lambda x: x.round(), "round(x)"),
        (lambda x: (x * 2).relu(), "relu(x*2)"),
        (lambda x: (x - 1) * 3, "(x-1)*3"),
        (lambda x: 1 - (x * x), "1-(x*x)"),
    ],
)
def test_folded_constants_show_as_written(build, name):
    x = Value(0.75, "x")
    node = build(x)
    assert node_name(node) == name


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_folded_constant_reads_back_as_the_same_float(c):
    name = node_name(Value(1.0, "x") * c)
    assert name.startswith("x*")
    assert float(name[2:].strip("()")) == c


def test_a_user_defined_op_shows_its_name_like_any_op():
    sinc = define_op("sinc_for_names", lambda x: math.sin(x) / x, lambda x, out: ((math.cos(x) - out) / x,))
    x = Value(2.0, "x")
    assert node_name(sinc(x)) == "sinc_for_names(x)"
    assert node_name(sinc(x) * 2) == "sinc_for_names(x)*2"
    assert "sinc_for_names" in text_tree(sinc(x))


def test_format_constant_is_exact():
    for c in (2.0, -0.5, 0.1, 1 / 3, 1e-8, 123456789.0, 2.0**60):
        assert float(format_constant(c)) == c


# --- one derivative notation in every view -----------------------------------------------


def test_every_view_writes_derivatives_one_way():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    root = (x * y).tanh()  # an unlabelled, compound root: its name needs parentheses
    seed = derivative(root, root)
    assert seed == "∂(tanh(x*y))/∂(tanh(x*y))"
    replay = BackwardReplay(root)
    rule = chain_rule(root, x)
    texts = {
        "chain rule": str(rule),
        "chain rule, HTML": rule._repr_html_(),
        "caption 0": replay.caption(0),
        "caption 1": replay.caption(1),
        "step summary": step_summary(root, replay.steps[0]),
    }
    assert derivative(root, x) in texts["chain rule"]
    assert escape_html(derivative(root, x)) in texts["chain rule, HTML"]
    assert seed in texts["caption 0"]
    assert derivative(root, replay.steps[0].node) in texts["caption 1"]
    for where, text in texts.items():
        # no other notation: not d(x*y), dx*y, dL/dx
        assert not re.search(r"(?<![\w∂])d[\w(][^ ]*/d", text), where


def test_names_with_operators_are_parenthesised_in_derivatives():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    L = Value(1.0, "L")
    assert derivative(L, x * y) == "∂L/∂(x*y)"
    assert derivative(L, x) == "∂L/∂x"
    assert derivative(L, Value(1.0, "L0.N1.b")) == "∂L/∂L0.N1.b"
    assert derivative(L, Value(1.0, "loss of point 0")) == "∂L/∂(loss of point 0)"


# --- one owner: op names from autograd.ops, escaping and naming from formatting ------------


def _modules(folder, skip=()):
    return [p for p in sorted(folder.glob("*.py")) if p.name not in skip]


# The engine and the op table are the lead's; every other module of autograd and nn compares
# op names through the constants of autograd.ops.
VIEWS = _modules(AUTOGRAD, skip=("engine.py", "ops.py")) + _modules(NN)


def _mentions_an_op(node) -> bool:
    """Whether an expression reads an op: `node.op`, `op`, `output_op`..."""
    for part in ast.walk(node):
        name = part.id if isinstance(part, ast.Name) else part.attr if isinstance(part, ast.Attribute) else ""
        if name == "op" or name.endswith("_op") or name == "_op":
            return True
    return False


def _strings_compared(tree):
    """Every string literal compared (==, !=, in, not in) with something that reads an op."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and _mentions_an_op(node):
            for part in [node.left, *node.comparators]:
                items = part.elts if isinstance(part, (ast.Tuple, ast.List, ast.Set)) else [part]
                for item in items:
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        yield item


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_bare_op_name_is_compared(path):
    builtin = {name for name, op in ops.REGISTRY.items() if not op.user_defined}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = [f"line {s.lineno}: {s.value!r}" for s in _strings_compared(tree) if s.value in builtin]
    assert bare == []


def test_the_check_finds_a_bare_op_name():
    tree = ast.parse('if node.op == "relu" or op in ("+", "x") or scale == "log": pass')
    assert sorted(s.value for s in _strings_compared(tree)) == ["+", "relu", "x"]


@pytest.mark.parametrize("path", _modules(AUTOGRAD, skip=("formatting.py",)), ids=lambda p: p.name)
def test_only_formatting_escapes_html(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert "html" not in imported


def test_backward_table_names_nodes_as_node_name_does():
    x = Value(2.0, "x")
    L = (x * 2).exp()
    assert [row[1] for row in backward_table(L).rows() if row[0]] == [node_name(L), node_name(L.parents[0])]
