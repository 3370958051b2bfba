"""Adding an op is one entry in the table (`autograd/ops.py`) plus one `Value` method: every
view of the engine reads the table, and each view that is written out names what it lacks.

A throwaway op, `cube`, is added to the table for each test (and taken out after): the
derived views (`autograd.functional`, the strategies, the names in drawings, the traced
code, the replay's formula, second derivatives) know it at once, and each check of a view
that is written by hand (Value's methods, the tests' tables of examples) fails naming it.
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path

import pytest

from autograd import Value, functional, grad, ops
from autograd.engine import _unary, op_of
from autograd.explain import local_formula
from autograd.formatting import node_name, op_text
from autograd.gradcheck import gradcheck
from autograd.trace import trace

try:
    from autograd import testing
except ImportError:  # hypothesis is not installed: the strategies' test skips
    testing = None  # type: ignore[assignment]


def _table_module(name: str):
    """A test module with a table of examples, imported now, before any test adds to the
    table (a table derived at import would otherwise take in the throwaway op)."""
    try:
        return importlib.import_module(name)
    except pytest.skip.Exception:  # it needs a tool that is missing (it says which)
        return None


def _cube(x: float) -> tuple[float, float]:
    return x * x * x, 3.0 * x * x


@pytest.fixture
def cube(monkeypatch):
    """The entry `cube` in the table, as `ops.py` would write it, without its method."""
    op = ops._builtin(
        "cube",
        1,
        _cube,
        lambda x, out: (3.0 * x * x,),
        formula=("3·{x}²",),
        trouble=lambda a, c, m: abs(a[0]) > 3.0,
    )
    try:
        yield op
    finally:
        del ops.REGISTRY["cube"]


@pytest.fixture
def cube_method(cube, monkeypatch):
    """`Value.cube`, the one method the new entry needs."""
    monkeypatch.setattr(Value, "cube", lambda self: _unary(cube, self), raising=False)
    return cube


def test_the_table_entry_carries_what_the_views_read(cube):
    assert cube.method == "cube" and cube.symbol is None and cube.constant is None
    assert cube in ops.entries() and ops.REGISTRY["cube"] is cube


def test_a_new_entry_reaches_every_derived_view(cube_method):
    x = Value(2.0, "x")
    y = x.cube()  # type: ignore[attr-defined]  # the throwaway entry's method, added at run time
    assert op_of(y) is cube_method and y.op == "cube" and y.local_grads == (12.0,)
    # autograd.functional: a function of the method's name
    assert functional.cube(2.0).data == 8.0 and "cube" in functional.names()
    # the names in drawings, tables and trees
    assert node_name(y) == "cube(x)" and op_text(y) == "cube"
    # the replay's formula
    assert local_formula(y, 0) == "cube: 3·x² = 3·2² = 12"
    # second derivatives through the differentiable form
    (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x])
    assert (d1.data, d2.data) == (12.0, 12.0)
    assert gradcheck(lambda v: v.cube(), [1.3])
    # the traced code calls the entry's numeric rule
    f = trace(lambda v: (v.cube() * v).tanh(), 0.7)
    expected = Value(0.7)
    out = (expected.cube() * expected).tanh()  # type: ignore[attr-defined]
    out.backward()
    value, (gradient,) = f(0.7)
    assert value == out.data and math.isclose(gradient, expected.grad, rel_tol=1e-15)


def test_a_new_entry_is_drawn_by_the_strategies(cube_method):
    if testing is None:
        pytest.skip("hypothesis is not installed")
    import hypothesis

    assert "cube" in testing.forms()
    expr = hypothesis.find(testing.expressions(ops=["cube"]), lambda e: "cube" in e.ops)
    out = expr(*[Value(x) for x in expr.inputs])
    assert "cube(" in repr(expr) and out.data == out.data


def test_without_its_method_the_check_names_the_new_entry(cube):
    check = _table_module("test_ops_table").test_every_entry_has_the_method_that_applies_it
    with pytest.raises(AssertionError, match=r"Value\.cube"):
        check()
    with pytest.raises(AttributeError, match="Value has no method 'cube'"):
        functional.cube(2.0)


# Each table of examples written in the tests, and the check that it covers the table.
# (`test_ops_table`'s examples default to `x.name()`, so they take in a new entry.)
TABLE_CHECKS = [
    ("test_grad", "test_every_op_has_a_differentiable_form", "OP_EXAMPLES"),
    ("test_trace", "test_every_op_of_the_registry_has_a_graph_here", "OP_GRAPHS"),
    ("test_engine_vocabulary", "test_every_builtin_op_has_a_method_or_operator", "UNARY"),
    ("test_forward_ops", "test_every_builtin_op_has_hard_points", "HARD_POINTS"),
]
MODULES = {module: _table_module(module) for module, _, _ in TABLE_CHECKS}


def _check(module: str, check: str):
    if MODULES[module] is None:
        pytest.skip(f"{module} skips here (it needs a tool that is missing)")
    return getattr(MODULES[module], check)


@pytest.mark.parametrize("module, check, table", TABLE_CHECKS)
def test_every_table_of_examples_covers_the_table(module, check, table):
    _check(module, check)()


@pytest.mark.parametrize("module, check, table", TABLE_CHECKS)
def test_a_new_entry_missing_from_a_table_of_examples_fails_its_check(
    cube_method, module, check, table
):
    with pytest.raises(AssertionError, match=rf"{table}.*cube"):
        _check(module, check)()


# --- the docs' table of ops -------------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "contributing-an-op.md"
_ARGUMENTS = {"argument": "c", "decimals": "decimals", "bounds": "min, max", "operand": "y"}


def _written(op: ops.Op) -> str:
    """How an entry is applied, as the docs' table writes it."""
    if op.symbol is None:
        if not op.method:
            return "`weighted_sum(ws, xs, b)`"
        return f"`x.{op.method}({_ARGUMENTS.get(op.constant or '', '')})`"
    if op.left:
        return f"`c {op.symbol} x`"
    if op.arity == 1:
        return f"`{op.symbol}x`"
    return f"`x {op.symbol} y`, `x {op.symbol} c`"


def docs_rows(entries) -> list[str]:
    """The docs' table of ops, one row per entry, from the table itself."""
    rows = [
        "| op | written | folded constant | domain | kinks | local derivatives |",
        "|---|---|---|---|---|---|",
    ]
    for op in entries:
        formula = "; ".join(op.formula or ())
        cells = [f"`{op.name}`", _written(op), op.constant or "", op.domain, op.kinks, formula]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return rows


def test_the_docs_table_of_ops_is_the_table():
    text = DOCS.read_text(encoding="utf-8")
    expected = docs_rows(ops.entries())
    listed = [line for line in text.splitlines() if line.startswith("|")]
    assert listed == expected, "docs/contributing-an-op.md's table, as the table says:\n" + "\n".join(
        expected
    )


def test_a_new_entry_missing_from_the_docs_table_fails_its_check(cube_method):
    with pytest.raises(AssertionError, match="cube"):
        test_the_docs_table_of_ops_is_the_table()
