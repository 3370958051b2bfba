"""How numbers, nodes and derivatives read in drawings, explanations, replays and text trees.

One place for all of it, so that a gradient reads the same in a picture, a table, a page
and a tree: numbers (`format_number`), folded constants (`format_constant`), node names
(`node_name`), derivatives (`derivative`: `∂L/∂w`, `∂L/∂(x*y)`), and the escaping of any
text for HTML (`escape_html`) and Graphviz (`escape_graphviz_html`) or for a terminal (`one_line`).
"""

from __future__ import annotations

import html
import math
import re
from typing import Union

from autograd.engine import Value, op_of

SIGNIFICANT_DIGITS = 4

# Control characters and the non-characters U+FFFE/U+FFFF: XML (so dot's HTML-like labels,
# and SVG) rejects most of them, and a reader cannot see any of them.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def format_number(x: float) -> str:
    """`x` to 4 significant digits, without noise: 1.9, 4, -4, 0.633, 1.235e+05, nan.

    >>> format_number(4.0), format_number(0.6330001), format_number(-0.0)
    ('4', '0.633', '0')
    """
    if x == 0.0:
        return "0"  # also -0.0, which relu and * by 0 produce and which only confuses
    if math.isnan(x):
        return "nan"
    return f"{x:.{SIGNIFICANT_DIGITS}g}"


def format_constant(c: float) -> str:
    """A folded constant exactly, as the number it is: 2, 0.5, 0.01, 1e-08, -3.25.

    >>> format_constant(2.0), format_constant(0.1), format_constant(1 / 3)
    ('2', '0.1', '0.3333333333333333')
    """
    if isinstance(c, float) and c.is_integer() and abs(c) < 1e16:
        return str(int(c))  # 2, not 2.0; also -0.0 as 0
    return repr(c)


def readable_text(text: str) -> str:
    """`text` with invisible characters spelled out (`\\x00`, `\\ufffe`), lone surrogates
    escaped (`\\udc80`), tabs as spaces and every line break as a newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _INVISIBLE.sub(_spelled_out, text)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(text: str) -> str:
    """`readable_text` on a single line, for terminal tables and trees."""
    return readable_text(text).replace("\n", " ")


def _spelled_out(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_html(text: str) -> str:
    """`text` made safe inside an HTML page: quotes, `&`, `<` and `>` become entities,
    newlines become `<BR/>`."""
    lines = readable_text(text).split("\n")
    return "<BR/>".join(html.escape(line, quote=True) for line in lines)


def escape_graphviz_html(text: str) -> str:
    """`text` made safe inside a Graphviz HTML-like label: `escape_html`, and two rules of
    Graphviz's own. Braces and pipes mean nothing there and stay as they are.

    - `]` becomes `&#93;`: Graphviz 2.43 rejects a text that starts with it right after a
      tag (`<B>]</B>`).
    - Each backslash is doubled: Graphviz reads `\\N`, `\\G`, ... in a text as the node's
      or the graph's name, and two backslashes as one.
    """
    return escape_html(text).replace("]", "&#93;").replace("\\", "\\\\")


def node_name(node: Value) -> str:
    """A short human name: the label, else the number for a leaf, else op over the operands.

    One level deep only, so that a name stays short and is built without recursion:
    `x*y`, `relu(x*y)`, `(x*y)+z`; a deeper unnamed operand reads `…`. A constant the op
    folded in shows exactly: `x*2`, `2-x`, `x**0.5`, `clamp(x, 0, 1)`, `leaky_relu(x, 0.01)`.

    >>> x, y = Value(2.0, "x"), Value(3.0, "y")
    >>> node_name(x * y), node_name((x * y).relu()), node_name(2 - x), node_name(x.clamp(0, 1))
    ('x*y', 'relu(x*y)', '2-x', 'clamp(x, 0, 1)')
    """
    atomic = _atomic_name(node)
    if atomic is not None:
        return atomic
    inside_infix = _reads_infix(node)
    return _expression(node, [_operand_name(p, inside_infix) for p in node.parents])


def _reads_infix(node: Value) -> bool:
    """Whether the node's name is written with an operator (`x*y`, `-x`), not a call."""
    return op_of(node).symbol is not None


def _expression(node: Value, operands: list[str]) -> str:
    """The node's op applied to its operands' names, with its folded constant if any."""
    op = op_of(node)
    symbol = op.symbol
    if symbol is None:
        return f"{op.name}({', '.join(operands + _constant_arguments(node))})"
    if len(operands) == 2:
        return f"{operands[0]}{symbol}{operands[1]}"
    if op.constant is None:  # a prefix operator: -x
        return f"{symbol}{operands[0]}"
    # One operand: the other was a number, folded into the node as its constant.
    c = node.constant
    if op.left:  # c - x
        return f"{format_constant(c)}{symbol}{operands[0]}"
    right = format_constant(c)
    return f"{operands[0]}{symbol}{f'({right})' if c < 0.0 else right}"


# How an operator reads in a drawing, with its folded constant, the operand written `x`:
# `2 − x`, `x × 2` (typography: the table's symbols are Python's).
_OP_SYMBOLS = {"-": "−", "*": "×"}


def op_text(node: Value) -> str:
    """The text of a node's op in a drawing: the op, and its folded constant as written,
    the operand named `x`: `+`, `2 − x`, `x × 2`, `x ** 2`, `clamp(x, 0, 1)`.

    >>> x = Value(2.0, "x")
    >>> op_text(x * x), op_text(2 - x), op_text(x ** 2), op_text(x.clamp(0, 1))
    ('*', '2 − x', 'x ** 2', 'clamp(x, 0, 1)')
    """
    op = op_of(node)
    if op.symbol is not None and op.constant is not None:  # an infix operator
        if len(node.parents) == 2:
            return op.symbol
        c = node.constant
        symbol = _OP_SYMBOLS.get(op.symbol, op.symbol)
        if op.left:
            return f"{format_constant(c)} {symbol} x"
        right = format_constant(c)
        return f"x {symbol} {f'({right})' if c < 0.0 else right}"
    arguments = _constant_arguments(node)
    if not arguments:
        return op.name
    return f"{op.name}({', '.join(['x', *arguments])})"


def _constant_arguments(node: Value) -> list[str]:
    """The folded constant of a named op, as its call would pass it: the slope of
    `leaky_relu(x, 0.01)`, the bounds of `clamp(x, 0, 1)` (`clamp(x, min=0)` with one)."""
    c = node.constant
    kind = op_of(node).constant
    if c is None or kind == "count":  # w·x+b keeps its weight count there
        return []
    if kind == "bounds":
        low, high = c
        if low is None:
            return [f"max={format_constant(high)}"]
        if high is None:
            return [f"min={format_constant(low)}"]
        return [format_constant(low), format_constant(high)]
    if kind == "decimals" and c == 0:
        return []  # round(x): to a whole number, as Python writes it
    return [format_constant(c)]


def _operand_name(node: Value, inside_infix: bool) -> str:
    """An operand's name inside its consumer's name: named, a number, `x*y`, or elided."""
    atomic = _atomic_name(node)
    if atomic is not None:
        return atomic
    names = [_atomic_name(p) for p in node.parents]
    atomic_names = [name for name in names if name is not None]
    if len(atomic_names) < len(names):  # an operand that is itself an expression
        return "(…)" if inside_infix else "…"
    expression = _expression(node, atomic_names)
    return f"({expression})" if inside_infix and _reads_infix(node) else expression


def _atomic_name(node: Value) -> str | None:
    if node.label:
        return node.label
    if not node.parents:
        return format_number(node.data)
    return None


# --- derivatives --------------------------------------------------------------------------

# A name that needs no parentheses after ∂: letters, digits, _, dots and primes.
_SIMPLE_NAME = re.compile(r"[\w.'′]+")

Named = Union[Value, str]


def symbol(x: Named) -> str:
    """A node's name (or a given name) on one line, in parentheses when it is compound:
    `x`, `w_1`, `f'`, `(x*y)`, `(loss of point 0)`."""
    name = one_line(node_name(x) if isinstance(x, Value) else x)
    return name if _SIMPLE_NAME.fullmatch(name) else f"({name})"


def derivative(of: Named, wrt: Named) -> str:
    """The derivative of `of` with respect to `wrt`, as every view writes it: `∂L/∂w`,
    `∂L/∂(x*y)`. Nodes are named by `node_name`; a str is used as the name itself.

    >>> x, y = Value(2.0, "x"), Value(3.0, "y")
    >>> derivative(x * y, x), derivative("L", "consumer")
    ('∂(x*y)/∂x', '∂L/∂consumer')
    """
    return f"∂{symbol(of)}/∂{symbol(wrt)}"
