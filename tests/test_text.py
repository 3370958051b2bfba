"""The text tree: shared nodes once, every node present, no recursion."""

import doctest
import sys

import autograd.text
from autograd import Value, topological_order
from autograd.text import text_tree


def full_lines(tree: str) -> list[str]:
    return [line for line in tree.splitlines() if "→ see" not in line]


def test_a_diamond_prints_the_shared_node_once_and_references_it():
    a = Value(2.0, "a")
    b = a * 3
    b.label = "b"
    c = a.exp()
    c.label = "c"
    d = b + c
    d.label = "d"
    tree = text_tree(d)
    lines = tree.splitlines()
    assert [line for line in lines if "a  data" in line] == [lines[2]]
    assert "[#1] a  data 2" in lines[2]
    assert lines[-1].endswith("a  → see [#1]")
    assert len(lines) == 5


def test_shared_subgraphs_are_not_expanded_again():
    x = Value(1.0, "x")
    layer = x
    for i in range(30):  # each level uses the one below twice: 2**30 paths
        layer = layer * layer
        layer.label = f"t{i}"
    tree = text_tree(layer)
    assert len(full_lines(tree)) == len(topological_order(layer)) == 31
    assert len(tree.splitlines()) == 31 + 30


def test_operands_appear_in_operand_order_under_their_consumer():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    z = x - y
    z.label = "z"
    assert text_tree(z).splitlines() == [
        "z = -  data -1  grad 0",
        "├── x  data 1  grad 0",
        "└── y  data 2  grad 0",
    ]


def test_a_long_chain_prints_without_recursion():
    v = Value(1.0, "x")
    for _ in range(5_000):
        v = v + 1
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        tree = text_tree(v)
    finally:
        sys.setrecursionlimit(limit)
    assert len(tree.splitlines()) == 5_001
    assert tree.splitlines()[-1].endswith("x  data 1  grad 0")
    assert max(len(line) for line in tree.splitlines()) < 200  # indentation restarts
    assert "(depth 4992) " in tree


def test_invisible_characters_in_labels_are_spelled_out():
    x = Value(1.0, "a\x00b\nc")
    assert "a\\x00b c" in text_tree(x * 2)


def test_docstring_examples():
    result = doctest.testmod(autograd.text)
    assert result.attempted > 0 and result.failed == 0
