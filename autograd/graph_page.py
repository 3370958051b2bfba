"""A drawing on a page that updates in place: frames of numbers and a clean inline SVG.

A page draws a graph once (`draw(...)`, rendered to SVG, `inline_svg` for the HTML) and
then sends `graph_frame`s, the numbers by node index, to `autograd/static/graph_view.js`
(`graph_view_script`), which rewrites the texts in the boxes by their SVG ids.
"""

from __future__ import annotations

import re
from pathlib import Path

from autograd.engine import Value, topological_order
from autograd.formatting import format_number
from autograd.graph_style import GradState, _GradReader

STATIC = Path(__file__).resolve().parent / "static"


def graph_view_script() -> str:
    """The front end's `graph_view.js` (an ES module): `updateGraph(svg, frame)` rewrites a
    drawing's numbers in place by node index; the file's head documents the frame."""
    return (STATIC / "graph_view.js").read_text(encoding="utf-8")


def graph_frame(root: Value, state: GradState | None = None) -> dict:
    """The numbers of `draw(root, state=state)` as a frame for `graph_view.js`'s
    `updateGraph`: `data`, `grad` (None: unknown), `partial` and `current` by node index in
    `topological_order(root)`. Formatted as the drawing formats them."""
    order = topological_order(root)
    index = {node: k for k, node in enumerate(order)}
    reader = _GradReader(state)
    grads = [reader.value(node) for node in order]
    values = None if state is None else state.values
    return {
        "data": [
            format_number(n.data) if values is None else _formatted(values.get(n)) for n in order
        ],
        "grad": [_formatted(g) for g in grads],
        "partial": [] if state is None else sorted(index[n] for n in state.partial if n in index),
        "current": None if state is None or state.current is None else index.get(state.current),
    }


def inline_svg(svg: str) -> str:
    """Graphviz's SVG document as an `<svg>` element for an HTML page, ids kept clean.

    The XML prolog, the DOCTYPE (a URL), the namespace declarations (URLs too) and the
    comments go: an HTML parser knows SVG, and the page stays free of any address. Each
    cell's link (Graphviz writes a table cell's id only on one) becomes a plain group
    with the cell's id (`node-3-grad`) and its tooltip as a `<title>`.
    """
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(
        r'<g id="a_([^"]*)"><a xlink:href="[^"]*" xlink:title="([^"]*)">',
        r'<g id="\1"><title>\2</title>',
        svg,
    )
    svg = svg.replace("</a>\n", "").replace("</a>", "")
    # Graphviz writes "-" in an id as "&#45;": the same id to a browser, not to a reader.
    return re.sub(r'id="([^"]*)"', lambda m: 'id="' + m.group(1).replace("&#45;", "-") + '"', svg)


def _formatted(x: float | None) -> str | None:
    return None if x is None else format_number(x)
