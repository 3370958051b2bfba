"""The network as a teacher draws it: `draw_network(model, x=None, show="weights")`.

Neurons are circles in columns, one column per layer (the inputs first), each column in
index order from the top; one edge per weight, coloured by its sign and as wide as its
magnitude. `autograd.viz.draw` pictures the computation (every `Value` and op); this
pictures the network. Each circle has a stable SVG id for pages that update it in place:
`input-<i>`, `neuron-<l>-<j>` (layer l, neuron j, from 0), and each edge
`weight-<l>-<j>-<i>` (weight i of that neuron).

    >>> from nn import MLP
    >>> graph = draw_network(MLP(2, [3, 1], rng=0), x=[1.0, -2.0])
    >>> graph.source.count("->")   # 2·3 + 3·1 weights
    9
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autograd import Value, no_grad
from autograd.engine import is_number
from autograd.formatting import escape_graphviz_html, format_number
from autograd.viz import Graph
from nn.module import MLP, Layer, Neuron

POSITIVE_COLOUR = "#2166ac"  # blue: a positive weight (or gradient)
NEGATIVE_COLOUR = "#d6604d"  # orange-red: a negative one
ZERO_COLOUR = "#bdbdbd"
EDGE_OPACITY = "b0"  # edges a little transparent, so that a dense layer stays readable
LARGEST_PEN = 5.0  # points: the edge of the largest |weight|
SMALLEST_PEN = 0.4

COLUMN_GAP = 2.2  # inches between layer columns
ROW_GAP = 0.9  # inches between neurons in a column

SHOWS = ("weights", "grads")


def draw_network(
    model: MLP | Layer | Neuron, x: Sequence[float] | None = None, show: str = "weights"
) -> Graph:
    """`model` drawn as a network: inputs, hidden layers and outputs in columns, neurons
    in index order from the top, an edge per weight (blue positive, red negative, width by
    magnitude). `show="grads"` colours and sizes the edges by each weight's gradient
    instead. With `x` (one number per input), each circle shows its value for that input.

    Returns a `graphviz.Digraph` (shown inline in Jupyter; `.render(path, format="svg")`).
    """
    layers = _layers(model)
    if show not in SHOWS:
        raise ValueError(f"draw_network: show must be 'weights' or 'grads', got {show!r}")
    nin = len(layers[0][0].w)
    values = None if x is None else _forward(layers, x, nin)

    graph = Graph(
        name="network",
        engine="neato",  # every circle placed where the columns say: nothing moves
        graph_attr={
            "splines": "false",
            "outputorder": "edgesfirst",
            "fontname": "Helvetica",
            "labelloc": "t",
            "label": _legend(show),
            "fontsize": "11",
        },
        node_attr={
            "fontname": "Helvetica",
            "fontsize": "10",
            "shape": "circle",
            "fixedsize": "true",
            "width": "0.75",
            "style": "filled",
        },
        edge_attr={"arrowhead": "none"},
    )
    sizes = [nin] + [len(layer) for layer in layers]
    tallest = max(sizes)

    def place(column: int, row: int, count: int) -> str:
        top = (tallest - count) * ROW_GAP / 2
        return f"{column * COLUMN_GAP:.3f},{-(top + row * ROW_GAP):.3f}!"

    headers = ["inputs"] + [
        "outputs" if k == len(layers) - 1 else f"hidden {k + 1}" for k in range(len(layers))
    ]
    if len(layers) == 1:
        headers[-1] = "outputs"
    for column, header in enumerate(headers):
        top = (tallest - sizes[column]) * ROW_GAP / 2
        graph.node(
            f"c{column}",
            label=header,
            id=f"column-{column}",
            shape="plaintext",
            style="",
            width="1.2",
            pos=f"{column * COLUMN_GAP:.3f},{-(top - 0.7):.3f}!",
        )
    for i in range(nin):
        text = f"x{i}" if values is None else f"x{i}<BR/>{format_number(values[0][i])}"
        graph.node(
            f"i{i}", label=f"<{text}>", id=f"input-{i}", pos=place(0, i, nin), fillcolor="#f0f0f0"
        )
    magnitudes = [abs(_shown(w, show)) for neurons in layers for n in neurons for w in n.w]
    finite = [m for m in magnitudes if math.isfinite(m)]
    largest = max(finite, default=0.0)
    for k, neurons in enumerate(layers):
        for j, neuron in enumerate(neurons):
            name = f"n{k}_{j}"
            lines = [f"N{j}", escape_graphviz_html(neuron.activation)]
            if values is not None:
                lines.append(f"<B>{format_number(values[k + 1][j])}</B>")
            graph.node(
                name,
                label="<" + "<BR/>".join(lines) + ">",
                id=f"neuron-{k}-{j}",
                pos=place(k + 1, j, len(neurons)),
                fillcolor="#ffffff",
                tooltip=f"{neuron.b.label} = {format_number(neuron.b.data)}, "
                f"grad {format_number(neuron.b.grad)}",
            )
            for i, weight in enumerate(neuron.w):
                source = f"i{i}" if k == 0 else f"n{k - 1}_{i}"
                number = _shown(weight, show)
                graph.edge(
                    source,
                    name,
                    id=f"weight-{k}-{j}-{i}",
                    color=_colour(number),
                    penwidth=f"{_pen(number, largest):.2f}",
                    tooltip=f"{weight.label} = {format_number(weight.data)}, "
                    f"grad {format_number(weight.grad)}",
                )
    return graph


def network_frame(
    model: MLP | Layer | Neuron, x: Sequence[float] | None = None, show: str = "weights"
) -> dict[str, list]:
    """What `draw_network(model, x, show)` shows, as a frame for `graph_view.js`'s
    `updateNetwork(svg, frame)`: `values` (one list per column: the inputs, then each
    layer; empty without `x`) and `edges` (`[l, j, i, colour, width]` per weight), so that
    a page draws the network once and updates it in place as it trains."""
    layers = _layers(model)
    if show not in SHOWS:
        raise ValueError(f"network_frame: show must be 'weights' or 'grads', got {show!r}")
    nin = len(layers[0][0].w)
    values = [] if x is None else _forward(layers, x, nin)
    magnitudes = [abs(_shown(w, show)) for neurons in layers for n in neurons for w in n.w]
    largest = max((m for m in magnitudes if math.isfinite(m)), default=0.0)
    edges = [
        [k, j, i, _colour(_shown(w, show)), round(_pen(_shown(w, show), largest), 2)]
        for k, neurons in enumerate(layers)
        for j, neuron in enumerate(neurons)
        for i, w in enumerate(neuron.w)
    ]
    return {
        "values": [[format_number(v) for v in column] for column in values],
        "edges": edges,
    }


def _layers(model: object) -> list[list[Neuron]]:
    if isinstance(model, MLP):
        return [layer.neurons for layer in model.layers]
    if isinstance(model, Layer):
        return [model.neurons]
    if isinstance(model, Neuron):
        return [[model]]
    raise TypeError(
        f"draw_network: model must be an MLP, a Layer or a Neuron, got {model!r} "
        f"({type(model).__name__})"
    )


def _forward(layers: list[list[Neuron]], x: Sequence[float], nin: int) -> list[list[float]]:
    """Each column's values for input `x`: the inputs, then each layer's outputs."""
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"draw_network: x must be a sequence of {nin} numbers, got {x!r}")
    if len(x) != nin:
        raise ValueError(f"draw_network: the model takes {nin} inputs, x has {len(x)}: {x!r}")
    for xi in x:
        if not (is_number(xi) or isinstance(xi, Value)):
            raise TypeError(f"draw_network: x must hold numbers, got {xi!r}")
    columns = [[float(xi) for xi in x]]
    with no_grad():  # nothing recorded, nothing's grad touched
        h: list[Value] = [Value(v) for v in columns[0]]
        for neurons in layers:
            h = [neuron(h) for neuron in neurons]
            columns.append([v.data for v in h])
    return columns


def _shown(weight: Value, show: str) -> float:
    return weight.data if show == "weights" else weight.grad


def _colour(number: float) -> str:
    if number > 0:
        return POSITIVE_COLOUR + EDGE_OPACITY
    if number < 0:
        return NEGATIVE_COLOUR + EDGE_OPACITY
    return ZERO_COLOUR


def _pen(number: float, largest: float) -> float:
    if not math.isfinite(number):
        return LARGEST_PEN
    if largest == 0.0:
        return SMALLEST_PEN
    return SMALLEST_PEN + (LARGEST_PEN - SMALLEST_PEN) * abs(number) / largest


def _legend(show: str) -> str:
    """One table cell per phrase: Graphviz places each text run where its own font metrics
    say, so runs joined in one line leave gaps when a browser's font is narrower. Separate
    legend items (no sentence running across them) read the same whatever the font."""
    what = "its weight" if show == "weights" else "the gradient of its weight"
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4"><TR>'
        f"<TD>each edge, {what}:</TD>"
        f'<TD><FONT COLOR="{POSITIVE_COLOUR}">blue: positive</FONT></TD>'
        f'<TD><FONT COLOR="{NEGATIVE_COLOUR}">red: negative</FONT></TD>'
        "<TD>width: magnitude</TD>"
        "</TR></TABLE>>"
    )
