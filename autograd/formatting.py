"""How numbers and nodes read in drawings, explanations and text trees.

One place for it, so that a gradient reads the same in a picture, a table and a tree.
"""

from __future__ import annotations

import html
import math
import re

from autograd.engine import Value

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
    """`text` made safe inside an HTML page or a Graphviz HTML-like label.

    Quotes, `&`, `<` and `>` become entities, newlines become `<BR/>`; braces, pipes and
    backslashes mean nothing in HTML-like labels and stay as they are. `]` becomes `&#93;`
    too: Graphviz 2.43 rejects a text that starts with it right after a tag (`<B>]</B>`).
    """
    lines = readable_text(text).split("\n")
    return "<BR/>".join(html.escape(line, quote=True).replace("]", "&#93;") for line in lines)


def node_name(node: Value) -> str:
    """A short human name: the label, else the number for a leaf, else op over the operands.

    One level deep only, so that a name stays short and is built without recursion:
    `x*y`, `relu(x*y)`, `(x*y)+z`; a deeper unnamed operand reads `…`.

    >>> x, y = Value(2.0, "x"), Value(3.0, "y")
    >>> node_name(x * y), node_name((x * y).relu()), node_name(x * 2)
    ('x*y', 'relu(x*y)', 'x*2')
    """
    atomic = _atomic_name(node)
    if atomic is not None:
        return atomic
    op = node.op
    operands = [_operand_name(p, inside_infix=op in _INFIX or op == "neg") for p in node.parents]
    if op in _INFIX and len(operands) == 2:
        return f"{operands[0]}{op}{operands[1]}"
    if op in _INFIX and len(operands) == 1:
        # x * 2: the constant operand was folded into the node, not kept as a parent.
        return _with_folded_constant(node, operands[0])
    if op == "neg":
        return f"-{operands[0]}"
    return f"{op}({', '.join(operands)})"


_INFIX = {"+", "-", "*", "/", "**"}


def _operand_name(node: Value, inside_infix: bool) -> str:
    """An operand's name inside its consumer's name: named, a number, `x*y`, or elided."""
    atomic = _atomic_name(node)
    if atomic is not None:
        return atomic
    names = [_atomic_name(p) for p in node.parents]
    if None not in names and node.op in _INFIX and len(names) == 2:
        expression = f"{names[0]}{node.op}{names[1]}"
        return f"({expression})" if inside_infix else expression
    if None not in names and node.op not in _INFIX and node.op != "neg":
        return f"{node.op}({', '.join(names)})"  # relu(z): brackets of its own
    return "(…)" if inside_infix else "…"


def _atomic_name(node: Value) -> str | None:
    if node.label:
        return node.label
    if not node.parents:
        return format_number(node.data)
    return None


def _with_folded_constant(node: Value, operand: str) -> str:
    """`x*2`, `x/4`, `x**2`, `2**x`: the folded constant read back from what the node keeps.

    A `*` keeps its constant as the local derivative; for `/` and `**` it follows from the
    operand, the output and the local derivative, which also tell on which side it stood.
    For `+` and `-` it cannot be recovered exactly (x + c - x is not always c), so the
    name says `const`; `const-x` when the local derivative is -1.
    """
    (local,) = node.local_grads
    (x,) = (p.data for p in node.parents)
    out = node.data
    op = node.op
    if op == "*":
        return f"{operand}*{format_number(local)}"
    if op == "-":
        return f"const-{operand}" if local < 0.0 else f"{operand}-const"
    if op == "/" and x != 0.0 and out != 0.0:
        if math.isclose(x * local, out):  # x / c: the local derivative is 1/c
            return f"{operand}/{format_number(x / out)}"
        return f"{format_number(out * x)}/{operand}"  # c / x
    if op == "**" and x > 0.0 and out > 0.0 and x != 1.0:
        exponent = local * x / out  # x ** c: the local derivative is c * x**c / x
        if math.isclose(x**exponent, out):
            return f"{operand}**{format_number(exponent)}"
        return f"{format_number(math.exp(local / out))}**{operand}"  # c ** x: log(c) * out
    return f"{operand}{op}const"
