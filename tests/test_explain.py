"""The chain rule at a node and the backward table: right numbers, readable text and HTML."""

import doctest

import pytest
from hypothesis import given, settings

import autograd.explain
import autograd.formatting
from autograd import Value, topological_order
from autograd.explain import backward_table, chain_rule
from autograd.testing import expressions


def fresh_backward(root: Value) -> None:
    """backward() with every grad starting at 0, so leaf grads are this pass's alone."""
    for node in topological_order(root):
        node.grad = 0.0
    root.backward()


def test_chain_rule_writes_the_sum_over_consumers_with_numbers():
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(1.0, "z")
    u = x * y
    v = x + z
    L = u * 2 + v  # dL/du = 2, dL/dv = 1; du/dx = y = 3, dv/dx = 1
    L.label = "L"
    lines = chain_rule(L, x).lines()
    assert lines[0] == "∂L/∂x = ∂L/∂(x*y)·∂(x*y)/∂x + ∂L/∂(x+z)·∂(x+z)/∂x"
    assert lines[1].split("= ")[1] == "2·3 + 1·1"
    assert lines[2].split("= ")[1] == "7"
    assert str(chain_rule(L, x)) == "\n".join(lines)


def test_chain_rule_puts_negative_factors_in_parentheses():
    x = Value(-2.0, "x")
    L = x * -3.0
    L.label = "L"
    assert "(-3)" in str(chain_rule(L, x))


def test_chain_rule_of_x_times_x_counts_both_operand_slots():
    x = Value(3.0, "x")
    y = x * x
    y.label = "y"
    rule = chain_rule(y, x)
    assert len(rule.terms) == 2
    assert rule.total == 6.0  # d(x²)/dx = 2x


def test_chain_rule_at_the_root_is_the_seed():
    x = Value(2.0, "x")
    L = x.exp()
    L.label = "L"
    assert chain_rule(L, L).total == 1.0
    assert "seed" in str(chain_rule(L, L))


def test_chain_rule_of_a_node_outside_the_graph_is_an_error():
    x, other = Value(1.0, "x"), Value(2.0, "other")
    with pytest.raises(ValueError, match="not part of the graph"):
        chain_rule(x * 3, other)


@settings(max_examples=60)
@given(expressions(max_steps=10))
def test_contributions_add_up_to_each_nodes_grad(expression):
    inputs = [Value(x, f"x{i}") for i, x in enumerate(expression.inputs)]
    root = expression(*inputs)
    fresh_backward(root)
    for node in topological_order(root):
        rule = chain_rule(root, node)
        assert rule.total == node.grad
        if node is not root:  # the root has no consumers: its 1 is the seed
            assert sum_in_order(t.contribution for t in rule.terms) == node.grad


def sum_in_order(numbers) -> float:
    total = 0.0
    for number in numbers:
        total += number
    return total


def test_contributions_are_upstream_times_local():
    a, b = Value(1.5, "a"), Value(-2.0, "b")
    c = (a * b).tanh()
    L = c * c + a
    L.label = "L"
    for node in topological_order(L):
        for term in chain_rule(L, node).terms:
            assert term.contribution == pytest.approx(term.upstream * term.local)


def test_chain_rule_html_escapes_labels():
    x = Value(2.0, "<b>x</b>")
    L = x * 3
    L.label = "L & co"
    page = chain_rule(L, x)._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "L &amp; co" in page and "<table>" in page


def test_backward_table_lists_every_operand_slot_in_the_order_backward_ran():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    z = x * y
    z.label = "z"
    L = z.relu() + x
    L.label = "L"
    table = backward_table(L)
    rows = table.rows()
    assert len(rows) == sum(len(n.parents) for n in topological_order(L))
    steps = [row for row in rows if row[0]]
    assert [row[1] for row in steps] == ["L", "relu(z)", "z"]  # root first, parents later
    assert steps[0][2] == "+" and steps[2][2] == "*"
    text = str(table)
    assert text.splitlines()[0].split() == list(table.HEADER)
    assert len(text.splitlines()) == len(rows) + 2
    assert "<table>" in table._repr_html_() and "relu(z)" in table._repr_html_()


def test_backward_table_of_a_leaf_is_empty():
    table = backward_table(Value(1.0, "x"))
    assert table.rows() == []
    assert len(str(table).splitlines()) == 2


@pytest.mark.parametrize("module", [autograd.explain, autograd.formatting])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
