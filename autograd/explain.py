"""Where each gradient comes from: the chain rule at one node, and the whole backward pass.

Both read `autograd.engine.backward_steps`, the engine's own record of the chain rule as
`backward()` applies it, so the numbers here are the numbers `backward()` computes.

    >>> from autograd import Value
    >>> x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(1.0, "z")
    >>> L = x * y + (x + z); L.label = "L"
    >>> print(chain_rule(x, L))
    dL/dx = dL/d(x*y)·∂(x*y)/∂x + dL/d(x+z)·∂(x+z)/∂x
          = 1·3 + 1·1
          = 4

In a terminal, `print` them; in Jupyter they show as HTML tables.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from autograd.engine import BackwardStep, Value, backward_steps
from autograd.formatting import format_number, node_name, one_line


def _name(node: Value) -> str:
    """A node's name on one line: explanations print as text before anything else."""
    return one_line(node_name(node))


def _d(name: str) -> str:
    """`dx` for a plain name, `d(x*y)` for an expression: the denominator of a derivative."""
    return f"d{name}" if re.fullmatch(r"[\w.']+", name) else f"d({name})"


def _partial_d(name: str) -> str:
    return f"∂{name}" if re.fullmatch(r"[\w.']+", name) else f"∂({name})"


def _factor(x: float) -> str:
    """A number as a factor of a product: negatives in parentheses, `2·(-3)`."""
    text = format_number(x)
    return f"({text})" if text.startswith("-") else text


# --- the chain rule at one node ----------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One way the gradient reaches a node: through one operand slot of one consumer."""

    consumer: Value
    upstream: float  # d(root)/d(consumer)
    local: float  # d(consumer)/d(node) for this operand slot
    contribution: float  # upstream * local, as the engine computed it


@dataclass(frozen=True)
class ChainRule:
    """d(root)/d(node) as the sum over its consumers of upstream · local derivative."""

    node: Value
    root: Value
    terms: tuple[Term, ...]
    total: float  # the terms added in the order backward() adds them

    def lines(self) -> list[str]:
        root, node = _name(self.root), _name(self.node)
        lhs = f"{_d(root)}/{_d(node)}"
        if self.node is self.root:
            return [f"{lhs} = 1  (backward() starts here: the seed)"]
        symbols = " + ".join(
            f"{_d(root)}/{_d(_name(t.consumer))}·"
            f"{_partial_d(_name(t.consumer))}/{_partial_d(node)}"
            for t in self.terms
        )
        numbers = " + ".join(f"{_factor(t.upstream)}·{_factor(t.local)}" for t in self.terms)
        pad = " " * len(lhs)
        return [f"{lhs} = {symbols}", f"{pad} = {numbers}", f"{pad} = {format_number(self.total)}"]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    __repr__ = __str__  # a terminal shows the formula, as Jupyter shows the table

    def _repr_html_(self) -> str:
        root, node = _name(self.root), _name(self.node)
        rows = [
            (
                _name(t.consumer),
                t.consumer.op,
                format_number(t.upstream),
                format_number(t.local),
                format_number(t.contribution),
            )
            for t in self.terms
        ]
        header = ("consumer", "op", f"{_d(root)}/d(consumer)", f"∂consumer/{_partial_d(node)}",
                  "product")
        formula = "<br>".join(html.escape(line) for line in self.lines())
        footer = ("", "", "", "sum", format_number(self.total))
        return f"<div><code>{formula}</code>{html_table(header, rows + [footer])}</div>"


def chain_rule(node: Value, root: Value) -> ChainRule:
    """How d(root)/d(node) adds up, with the numbers of the latest graph values.

    >>> a = Value(2.0, "a"); b = a * a; b.label = "b"
    >>> chain_rule(a, b).total
    4.0
    """
    return chain_rule_from_steps(node, root, backward_steps(root))


def chain_rule_from_steps(node: Value, root: Value, steps: list[BackwardStep]) -> ChainRule:
    """`chain_rule` from steps already computed (a replay explains many nodes at once)."""
    if node is root:
        return ChainRule(node, root, (), 1.0)
    terms = []
    total = 0.0
    for step in steps:
        for parent, local, contribution in step.contributions:
            if parent is node:
                terms.append(Term(step.node, step.upstream, local, contribution))
                total += contribution
    if not terms:
        raise ValueError(f"chain_rule: {node!r} is not part of the graph of {root!r}")
    return ChainRule(node, root, tuple(terms), total)


# --- the whole backward pass ---------------------------------------------------------------


@dataclass(frozen=True)
class BackwardTable:
    """Every step of the backward pass, in the order it ran: one row per operand slot."""

    root: Value
    steps: tuple[BackwardStep, ...]

    HEADER = ("step", "node", "op", "upstream", "operand", "local", "contribution")

    def rows(self) -> list[tuple[str, ...]]:
        rows = []
        for number, step in enumerate(self.steps, start=1):
            first = (str(number), _name(step.node), step.node.op, format_number(step.upstream))
            for parent, local, contribution in step.contributions:
                rows.append((*first, _name(parent), format_number(local),
                             format_number(contribution)))
                first = ("", "", "", "")  # the step's own cells only on its first row
        return rows

    def __str__(self) -> str:
        rows = [self.HEADER, *self.rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(self.HEADER))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(lines)

    __repr__ = __str__  # a terminal shows the table, as Jupyter shows it in HTML

    def _repr_html_(self) -> str:
        return html_table(self.HEADER, self.rows())


def backward_table(root: Value) -> BackwardTable:
    """The backward pass of `root`'s graph as a table (print it, or show it in Jupyter).

    >>> x = Value(3.0, "x"); y = x * x; y.label = "y"
    >>> print(backward_table(y))
    step  node  op  upstream  operand  local  contribution
    ----  ----  --  --------  -------  -----  ------------
    1     y     *   1         x        3      3
                              x        3      3
    """
    return BackwardTable(root, tuple(backward_steps(root)))


def step_summary(step: BackwardStep, root: Value) -> str:
    """One line: what a step of the backward pass sends to each operand."""
    name = _name(step.node)
    sent = ", ".join(
        f"{_name(parent)} gets {_factor(step.upstream)}·{_factor(local)} = "
        f"{format_number(contribution)}"
        for parent, local, contribution in step.contributions
    )
    return f"{_d(_name(root))}/{_d(name)} = {format_number(step.upstream)} is final; {sent}"


def html_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain HTML table; every cell escaped."""
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
