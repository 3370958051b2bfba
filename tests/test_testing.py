"""The hypothesis strategies that users reuse: valid, safe, and covering every op."""

import pytest
from hypothesis import find, given

from autograd import Value
from autograd.testing import OPS, Expression, Step, expressions


@given(expressions())
def test_expressions_are_deterministic_and_finite(expr):
    first = expr(*[Value(x) for x in expr.inputs]).data
    second = expr(*[Value(x) for x in expr.inputs]).data
    assert first == second and abs(first) <= 50.0


@pytest.mark.parametrize("op", OPS)
def test_every_op_can_be_drawn(op):
    expr = find(expressions(ops=[op]), lambda e: op in e.ops)
    assert expr(*[Value(x) for x in expr.inputs]).data == expr(*[Value(x) for x in expr.inputs]).data


def test_graphs_reuse_nodes():
    expr = find(expressions(ops=["*"]), lambda e: any(s.operands[0] == s.operands[1] for s in e.steps))
    step = next(i for i, s in enumerate(expr.steps) if s.operands[0] == s.operands[1])
    node = Expression(expr.inputs, expr.steps[: step + 1])(*[Value(x) for x in expr.inputs])
    assert node.parents[0] is node.parents[1]


def intermediate_values(expr):
    """The value every step computes, in order."""
    inputs = [Value(x) for x in expr.inputs]
    values = [node.data for node in inputs]
    for k in range(len(expr.steps)):
        values.append(Expression(expr.inputs, expr.steps[: k + 1])(*inputs).data)
    return values


@given(expressions(ops=["relu", "log", "/", "-", "+", "tanh"]))
def test_operands_keep_away_from_kinks_and_singularities(expr):
    values = intermediate_values(expr)
    for step in expr.steps:
        last = values[step.operands[-1]]
        if step.op in ("relu", "log", "/"):
            assert abs(last) >= 0.25
        if step.op == "log":
            assert last > 0


def test_repr_reads_as_a_program():
    expr = Expression((1.5, -2.0), (Step("*", (0, 1)), Step("tanh", (2,))))
    assert repr(expr) == "Expression(x0 = 1.5; x1 = -2.0; t2 = x0 * x1; t3 = tanh(t2))"


def test_unknown_ops_are_refused():
    with pytest.raises(ValueError, match="nope"):
        expressions(ops=["nope"])


def test_without_hypothesis_the_import_error_says_which_extra_to_install(monkeypatch):
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "hypothesis", None)  # import hypothesis now fails
    monkeypatch.delitem(sys.modules, "autograd.testing")  # put back after the test
    with pytest.raises(ImportError, match=r"pip install 'backprop-lens\[testing\]'"):
        importlib.import_module("autograd.testing")


def test_the_testing_extra_installs_hypothesis():
    from pathlib import Path

    try:
        import tomllib
    except ImportError:  # before Python 3.11 (PyPy 3.9): tomli, which pytest itself needs there
        tomllib = pytest.importorskip("tomli", reason="neither tomllib (3.11+) nor tomli is installed")

    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    extras = pyproject["project"]["optional-dependencies"]
    assert any(r.startswith("hypothesis") for r in extras["testing"])
