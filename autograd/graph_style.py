"""How a node of `draw`'s picture looks: its box, its op, its colour, its SVG ids.

The colours by |grad| (`GRAD_PALETTE`), the stable SVG ids (`node_id`, `op_id`,
`cell_id`: a page updates a drawing in place by them), the gradients a drawing shows
(`GradState`, one moment of a backward pass) and the HTML-like labels of a box and the
attributes of an op. `autograd/viz.py` lays these out into a graph.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Set
from dataclasses import dataclass, field

from autograd.engine import Value
from autograd.formatting import (
    derivative,
    escape_graphviz_html,
    format_number,
    node_name,
    one_line,
    op_text,
)

# Fill colours for |grad|, from none to the largest in the graph; black text reads on all.
GRAD_PALETTE = ("#ffffff", "#fee6ce", "#fdae6b", "#fd8d3c", "#e6550d")
NAN_COLOUR = "#d9d9d9"
HIGHLIGHT_COLOUR = "#d62728"
CELL_BORDER_COLOUR = "#444444"
UNKNOWN = "?"  # the placeholder of a value or gradient not known yet (a replay's)


# Stable SVG ids, for pages that update a drawing in place (autograd/static/graph_view.js):
# k is the node's index in topological_order(root). Graphviz writes a cell's id on the
# group around it as "a_" + id (an id on a table cell needs a link: its own node's anchor).
def node_id(k: int) -> str:
    """`node-<k>`: the box of the k-th node of `topological_order(root)`."""
    return f"node-{k}"


def op_id(k: int) -> str:
    """`op-<k>`: the op that made the k-th node."""
    return f"op-{k}"


def cell_id(k: int, cell: str) -> str:
    """`node-<k>-data`, `node-<k>-grad`, `node-<k>-label`: a cell of the k-th node's box."""
    return f"node-{k}-{cell}"


@dataclass(frozen=True)
class GradState:
    """Gradients to draw instead of each node's `.grad`: one moment of a backward pass.

    `draw(root, state=GradState(grads))` shows `grads[node]` in each box, and the
    placeholder "grad ?" for a node missing from it (not reached yet). `partial`: nodes
    whose sum still misses contributions, drawn as "3 + …". `current`: a node to mark, with
    the edges into its op. `values`: when given, the data to show instead of each node's
    `.data` ("data ?" for a node missing from it: a forward pass not there yet). `room`:
    characters to reserve for each node's data and grad texts, and `scale` the |grad|
    of the fullest colour (else the largest known), so that every state of a replay is
    laid out and coloured alike. `autograd.replay.ReplayState` is one, for each step.
    """

    grads: Mapping[Value, float]
    partial: Set[Value] = field(default_factory=frozenset)
    current: Value | None = None
    values: Mapping[Value, float] | None = None
    room: Mapping[Value, tuple[int, int]] = field(default_factory=dict)
    scale: float | None = None  # with color_by_grad: the |grad| of the fullest colour

    def is_final(self, node: Value) -> bool:
        """Whether `node`'s gradient is known and complete."""
        return node in self.grads and node not in self.partial


# --- how a node looks ---------------------------------------------------------------------


class _GradReader:
    """The gradient text of a node: its `.grad`, or the state's, blank, or partial."""

    def __init__(self, state: GradState | None) -> None:
        self.state = state

    def value(self, node: Value) -> float | None:
        if self.state is None:
            return node.grad
        return self.state.grads.get(node)

    def text(self, node: Value) -> str:
        grad = self.value(node)
        if grad is None:
            return f"grad {UNKNOWN}"  # not known yet: a visible placeholder
        suffix = " + …" if self.state is not None and node in self.state.partial else ""
        return f"grad {format_number(grad)}{suffix}"

    def data_text(self, node: Value) -> str:
        if self.state is None or self.state.values is None:
            return f"data {format_number(node.data)}"
        data = self.state.values.get(node)
        return f"data {UNKNOWN}" if data is None else f"data {format_number(data)}"

    def room(self, node: Value) -> tuple[int, int]:
        """Characters reserved for the data and the grad text (0: as wide as the text)."""
        if self.state is None:
            return (0, 0)
        return self.state.room.get(node, (0, 0))


@dataclass(frozen=True)
class _GradColours:
    """Fill colour by |grad| / largest |grad|, in len(GRAD_PALETTE) steps."""

    largest: float

    @classmethod
    def of(cls, order: list[Value], state: GradState | None) -> _GradColours:
        if state is not None and state.scale is not None:
            return cls(state.scale)
        grads = state.grads.values() if state is not None else (node.grad for node in order)
        finite = [abs(g) for g in grads if math.isfinite(g)]
        return cls(max(finite, default=0.0))

    def fill(self, grad: float | None) -> str:
        if grad is None:
            return GRAD_PALETTE[0]
        if math.isnan(grad):
            return NAN_COLOUR
        if math.isinf(grad) or self.largest == 0.0:
            return GRAD_PALETTE[-1] if grad else GRAD_PALETTE[0]
        steps = len(GRAD_PALETTE) - 1
        return GRAD_PALETTE[min(steps, round(steps * abs(grad) / self.largest))]

    def legend(self, folded: bool = False) -> str:
        steps = len(GRAD_PALETTE) - 1
        cells = "".join(
            f'<TD BGCOLOR="{colour}">{format_number(self.largest * i / steps)}</TD>'
            for i, colour in enumerate(GRAD_PALETTE)
        )
        caption = "fill: nearest |grad|"
        if folded:  # what a folded box's colour means: what its parameters learn
            caption += " (a folded box: the largest |grad| of its parameters)"
        return (
            '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
            f"<TR><TD>{caption}</TD>{cells}"
            f'<TD BGCOLOR="{NAN_COLOUR}">nan</TD></TR></TABLE>'
        )


@dataclass(frozen=True)
class _Style:
    grads: _GradReader
    colours: _GradColours | None
    highlight: Value | None
    show_local_grads: bool
    root: Value
    names: Mapping[Value, str]  # names the grouping gives unlabelled nodes (nn: z, a)
    tangents: Mapping[Value, float] | None = None  # forward mode's, by node, when drawn

    def fill(self, node: Value) -> str:
        if self.colours is None:
            return GRAD_PALETTE[0]
        return self.colours.fill(self.grads.value(node))

    def label(self, node: Value) -> str:
        return node.label or self.names.get(node, "")

    def grad_symbol(self, node: Value) -> str:
        """The gradient's meaning, for a tooltip: ∂L/∂x."""
        return derivative(self.root, node)

    def fill_for(self, grad: float | None) -> str:
        if self.colours is None:
            return GRAD_PALETTE[0]
        return self.colours.fill(grad)

    def is_highlighted(self, node: Value) -> bool:
        return node is self.highlight


def _html(inner: str) -> str:
    """Mark a string as a Graphviz HTML-like label (its text must already be escaped)."""
    return f"<{inner}>"


def _box(
    cells: list[tuple[str, str]],
    fill: str,
    highlighted: bool,
    stacked: bool = False,
    framed: bool = False,
) -> str:
    """A table of cells, each `(td attributes, text)`, side by side or `stacked` one above
    the other. `framed`: an outer border even when not highlighted (white then), so that
    marking a box never changes its size, nor the layout."""
    if highlighted:
        border = f' BORDER="3" COLOR="{HIGHLIGHT_COLOUR}"'
    elif framed:
        border = ' BORDER="3" COLOR="#ffffff"'
    else:
        border = ' BORDER="0"'
    tds = [f'<TD COLOR="{CELL_BORDER_COLOUR}"{attrs}>{text}</TD>' for attrs, text in cells]
    rows = "".join(f"<TR>{td}</TR>" for td in tds) if stacked else "<TR>" + "".join(tds) + "</TR>"
    return _html(
        f'<TABLE{border} CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{fill}">'
        f"{rows}</TABLE>"
    )


# Points per character of an 11 pt sans-serif number, generously: a reserved cell is at
# least as wide as any of the texts it will hold.
_POINTS_PER_CHARACTER = 6.6


def _cell_attrs(k: int, cell: str, chars: int, tooltip: str) -> str:
    """A cell's id (with the link Graphviz needs to write it), tooltip and reserved width."""
    attrs = f' ID="{cell_id(k, cell)}" HREF="#{node_id(k)}" TOOLTIP="{tooltip}"'
    if chars:
        attrs += f' WIDTH="{round(chars * _POINTS_PER_CHARACTER + 8)}" ALIGN="LEFT"'
    return attrs


def _value_box(k: int, node: Value, style: _Style) -> str:
    name = escape_graphviz_html(one_line(node_name(node)))
    data_room, grad_room = style.grads.room(node)
    cells = []
    if node.label:
        label = escape_graphviz_html(node.label)
        cells.append((_cell_attrs(k, "label", 0, name), f"<B>{label}</B>"))
    elif node in style.names:  # a name the grouping gives (z, a): not the node's own label
        label = escape_graphviz_html(style.names[node])
        cells.append((_cell_attrs(k, "label", 0, label), f"<I>{label}</I>"))
    cells.append(
        (_cell_attrs(k, "data", data_room, f"data of {name}"), style.grads.data_text(node))
    )
    grad_tip = escape_graphviz_html(style.grad_symbol(node))
    grad_text = escape_graphviz_html(style.grads.text(node))
    cells.append((_cell_attrs(k, "grad", grad_room, grad_tip), grad_text))
    if style.tangents is not None:  # forward mode's, when drawn: node-<k>-tangent
        tangent = style.tangents.get(node)
        text = "tangent" if tangent is None else f"tangent {format_number(tangent)}"
        cells.append((_cell_attrs(k, "tangent", 0, f"tangent of {name}"), text))
    framed = style.grads.state is not None  # a replay's: the current box is marked
    return _box(cells, style.fill(node), style.is_highlighted(node), framed=framed)


def _op_attrs(k: int, node: Value, style: _Style) -> dict[str, str]:
    text = op_text(node)  # with its folded constant: 2 − x, x ** 2, clamp(x, 0, 1)
    attrs = {
        "id": op_id(k),
        "label": _html(escape_graphviz_html(text)),
        "shape": "circle" if len(text) <= 4 else "ellipse",
        "fontsize": "10",
        "margin": "0.02",
        "width": "0.3",
        "ordering": "in",  # operands top to bottom (or left to right) in operand order
    }
    if style.is_highlighted(node):
        attrs.update(color=HIGHLIGHT_COLOUR, penwidth="3")
    return attrs
