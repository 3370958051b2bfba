"""Where each gradient comes from: the chain rule at one node, and the whole backward pass.

Both read `autograd.engine.backward_steps`, the engine's own record of the chain rule as
`backward()` applies it, so the numbers here are the numbers `backward()` computes.

    >>> from autograd import Value
    >>> x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(1.0, "z")
    >>> L = x * y + (x + z); L.label = "L"
    >>> print(chain_rule(L, x))
    ∂L/∂x = ∂L/∂(x*y)·∂(x*y)/∂x + ∂L/∂(x+z)·∂(x+z)/∂x
          = 1·3 + 1·1
          = 4

Like `grad`, `draw`, `text_tree` and `backward_table`, each takes the root (the output)
first. In a terminal, `print` them; in Jupyter they show as HTML tables. Names, the
derivative notation and all escaping come from `autograd.formatting`, as in every view.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograd.engine import BackwardStep, Value, backward_steps, op_of
from autograd.formatting import (
    derivative,
    escape_html,
    format_constant,
    format_number,
    node_name,
    one_line,
    op_text,
)


def _name(node: Value) -> str:
    """A node's name on one line: explanations print as text before anything else."""
    return one_line(node_name(node))


def _factor(x: float) -> str:
    """A number as a factor of a product: negatives in parentheses, `2·(-3)`."""
    text = format_number(x)
    return f"({text})" if text.startswith("-") else text


# --- the chain rule at one node ----------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One way the gradient reaches a node: through one operand slot of one consumer."""

    consumer: Value
    upstream: float  # ∂root/∂consumer
    local: float  # ∂consumer/∂node for this operand slot
    contribution: float  # upstream * local, as the engine computed it


@dataclass(frozen=True)
class ChainRule:
    """∂root/∂node as the sum over its consumers of upstream · local derivative."""

    root: Value
    node: Value
    terms: tuple[Term, ...]
    total: float  # the terms added in the order backward() adds them

    def lines(self) -> list[str]:
        lhs = derivative(self.root, self.node)
        if self.node is self.root:
            return [f"{lhs} = 1  (backward() starts here: the seed)"]
        symbols = " + ".join(
            f"{derivative(self.root, t.consumer)}·{derivative(t.consumer, self.node)}"
            for t in self.terms
        )
        numbers = " + ".join(f"{_factor(t.upstream)}·{_factor(t.local)}" for t in self.terms)
        pad = " " * len(lhs)
        return [f"{lhs} = {symbols}", f"{pad} = {numbers}", f"{pad} = {format_number(self.total)}"]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    __repr__ = __str__  # a terminal shows the formula, as Jupyter shows the table

    def _repr_html_(self) -> str:
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
        header = (
            "consumer",
            "op",
            derivative(self.root, "consumer"),
            derivative("consumer", self.node),
            "product",
        )
        formula = escape_html("\n".join(self.lines()))
        footer = ("", "", "", "sum", format_number(self.total))
        return f"<div><code>{formula}</code>{html_table(header, [*rows, footer])}</div>"


def chain_rule(root: Value, node: Value) -> ChainRule:
    """How ∂root/∂node adds up, with the numbers of the latest graph values.

    >>> a = Value(2.0, "a"); b = a * a; b.label = "b"
    >>> chain_rule(b, a).total
    4.0
    """
    for what, x in (("root", root), ("node", node)):
        if not isinstance(x, Value):
            raise TypeError(
                f"chain_rule(root, node): {what} must be a Value, got {x!r} ({type(x).__name__})"
            )
    return chain_rule_from_steps(root, node, backward_steps(root))


def chain_rule_from_steps(root: Value, node: Value, steps: list[BackwardStep]) -> ChainRule:
    """`chain_rule` from steps already computed (a replay explains many nodes at once)."""
    if node is root:
        return ChainRule(root, node, (), 1.0)
    terms = []
    total = 0.0
    for step in steps:
        for parent, local, contribution in step.contributions:
            if parent is node:
                terms.append(Term(step.node, step.upstream, local, contribution))
                total += contribution
    if not terms:
        raise ValueError(f"chain_rule: {node!r} is not part of the graph of {root!r}")
    return ChainRule(root, node, tuple(terms), total)


# --- the whole backward pass ---------------------------------------------------------------


@dataclass(frozen=True)
class BackwardTable:
    """Every step of the backward pass, in the order it ran: one row per operand slot."""

    root: Value
    steps: tuple[BackwardStep, ...]

    HEADER = ("step", "node", "op", "upstream", "operand", "local", "contribution")

    def rows(self) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        for number, step in enumerate(self.steps, start=1):
            first = (str(number), _name(step.node), step.node.op, format_number(step.upstream))
            for parent, local, contribution in step.contributions:
                rows.append(
                    (*first, _name(parent), format_number(local), format_number(contribution))
                )
                first = ("", "", "", "")  # the step's own cells only on its first row
        return rows

    def __str__(self) -> str:
        rows = [self.HEADER, *self.rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(self.HEADER))]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
            for row in rows
        ]
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


def step_summary(root: Value, step: BackwardStep) -> str:
    """One line: what a step of the backward pass sends to each operand."""
    sent = ", ".join(
        f"{_name(parent)} gets {_factor(step.upstream)}·{_factor(local)} = "
        f"{format_number(contribution)}"
        for parent, local, contribution in step.contributions
    )
    return f"{derivative(root, step.node)} = {format_number(step.upstream)} is final; {sent}"


def step_formulas(step: BackwardStep) -> list[str]:
    """Why each operand gets what it gets: its local derivative as a formula, one line per
    operand slot, `s gets 1·0.5, where tanh: 1 − o² = 1 − 0.7071² = 0.5`."""
    return [
        f"{_name(parent)} gets {_factor(step.upstream)}·{_factor(local)} = "
        f"{format_number(contribution)}, where {local_formula(step.node, slot)}"
        for slot, (parent, local, contribution) in enumerate(step.contributions)
    ]


def local_formula(node: Value, slot: int) -> str:
    """The local derivative of `node` for its operand `slot`, as the op table writes it,
    then with today's numbers, then its value: `tanh: 1 − o² = 1 − 0.7071² = 0.5`.

    An op without a formula (a user op defined without one) reads `op: 0.5`.

    >>> x = Value(0.8813735870195429, "x"); t = x.tanh()
    >>> local_formula(t, 0)
    'tanh: 1 − o² = 1 − 0.7071² = 0.5'
    >>> local_formula(Value(3.0) * 2, 0), local_formula(2 - Value(3.0), 0)
    ('x × 2: 2', '2 − x: -1')
    """
    op = op_of(node)
    local = format_number(node.local_grads[slot])
    head = op_text(node)
    templates = op.formula
    if templates is None:
        return f"{head}: {local}"
    names, numbers = _formula_values(node)
    template = templates[0] if len(templates) == 1 else templates[slot]
    symbolic = template.format(**names)
    numeric = template.format(**numbers)
    parts = [symbolic]
    for part in (numeric, local):
        if _plain(part) != _plain(parts[-1]):
            parts.append(part)
        else:  # `y = (-2) = -2` says -2 once, as the derivative reads: `y = -2`
            parts[-1] = part
    return f"{head}: {' = '.join(parts)}"


def _plain(text: str) -> str:
    return text.replace("−", "-").replace("(", "").replace(")", "")


def _formula_values(node: Value) -> tuple[dict[str, str], dict[str, str]]:
    """The names and the numbers a template's `{x}`, `{y}`, `{o}`, `{c}` stand for."""
    names = {"x": "x", "y": "y", "o": "o", "c": "c"}
    numbers = {"o": _factor(node.data)}
    parents = node.parents
    c = node.constant
    constant = format_constant(c) if isinstance(c, (int, float)) else "c"
    if len(parents) >= 2:
        numbers.update(x=_factor(parents[0].data), y=_factor(parents[1].data))
    elif parents:
        numbers.update(x=_factor(parents[0].data), y=constant, c=constant)
        if c is not None and isinstance(c, (int, float)):  # x * 2: the constant as written
            names.update(y=constant, c=constant)
    numbers.setdefault("c", constant)
    numbers.setdefault("y", "y")
    return names, numbers


def html_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain HTML table; every cell escaped."""
    head = "".join(f"<th>{escape_html(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape_html(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
