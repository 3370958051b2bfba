"""Drawing a computation graph with Graphviz: `draw(root)` returns a `graphviz.Digraph`.

The picture has a box per `Value` (label | data | grad), a small oval per op, and one edge
per operand occurrence, so `x * x` shows two edges into its `*`. Options add the local
derivative on each edge, a fill colour by |grad| with a legend, boxes around groups of
nodes (a neuron inside its layer: the grouping comes from the caller, e.g. `nn`), and a
size cap that folds each group into one summary box. Every text goes through
`escape_graphviz_html`, so any label renders.

The returned `Graph` is a `graphviz.Digraph`: it shows inline in Jupyter and renders with
`graph.render("out/graph", format="svg")` (or "png", "pdf"). Without Graphviz's `dot` program
rendering raises `GraphvizNotInstalled`, which says how to install it; `graph.source` works.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Callable, Union

import graphviz

from autograd.engine import Value, to_int, topological_order
from autograd.formatting import escape_graphviz_html, format_number

GroupPath = tuple[str, ...]  # a node's group, outermost first: ("layer 1", "neuron 2")
# Which group each node is drawn in: a mapping, or a function of the graph's nodes (in
# topological order, parents first) that returns one. Nodes it leaves out are in no group.
Groups = Union[Mapping[Value, GroupPath], Callable[[list[Value]], Mapping[Value, GroupPath]]]

INSTALL_HINT = (
    "Graphviz's 'dot' program was not found on PATH, so the graph cannot be rendered "
    "(graph.source still works). Install Graphviz, then restart Python or the Jupyter "
    "kernel: 'sudo apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' "
    "(macOS), 'conda install -c conda-forge graphviz' (conda), or see "
    "https://graphviz.org/download/ (Windows: add its bin folder to PATH)."
)

# Fill colours for |grad|, from none to the largest in the graph; black text reads on all.
GRAD_PALETTE = ("#ffffff", "#fee6ce", "#fdae6b", "#fd8d3c", "#e6550d")
NAN_COLOUR = "#d9d9d9"
HIGHLIGHT_COLOUR = "#d62728"


@dataclass(frozen=True)
class GradState:
    """Gradients to draw instead of each node's `.grad`: one moment of a backward pass.

    `draw(root, state=GradState(grads))` shows `grads[node]` in each box, and a blank grad
    for a node missing from it (not reached yet). `partial`: nodes whose sum still misses
    contributions, drawn as "3 + …". `current`: a node to mark, with the edges into its
    op. `autograd.replay.ReplayState` is one, for each step of the backward pass.
    """

    grads: Mapping[Value, float]
    partial: Set[Value] = field(default_factory=frozenset)
    current: Value | None = None

    def is_final(self, node: Value) -> bool:
        """Whether `node`'s gradient is known and complete."""
        return node in self.grads and node not in self.partial


class GraphvizNotInstalled(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's `dot` program, and it is not installed (or not on PATH)."""

    def __init__(self) -> None:
        RuntimeError.__init__(self, INSTALL_HINT)  # skip the parent's own message


def _explain_missing_dot(method):
    """Re-raise graphviz's ExecutableNotFound as GraphvizNotInstalled, with our message."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except GraphvizNotInstalled:
            raise
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotInstalled() from error

    return wrapper


class Graph(graphviz.Digraph):
    """A `graphviz.Digraph` whose rendering says how to install Graphviz when `dot` is missing.

    Jupyter's inline display goes through `pipe`, so it gets the same message.
    """

    pipe = _explain_missing_dot(graphviz.Digraph.pipe)
    render = _explain_missing_dot(graphviz.Digraph.render)
    unflatten = _explain_missing_dot(graphviz.Digraph.unflatten)


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    show_local_grads: bool = False,
    color_by_grad: bool = False,
    groups: Groups | None = None,
    max_nodes: int | None = None,
    state: GradState | None = None,
    title: str = "",
    tangents: Mapping[Value, float] | None = None,
) -> Graph:
    """The computation graph that produced `root`, as a Graphviz digraph.

    - `rankdir`: "LR" (inputs on the left) or "TB" (inputs on top).
    - `show_local_grads`: write the local derivative ∂(op output)/∂(operand) on each
      operand's edge.
    - `color_by_grad`: fill each box by |grad| relative to the largest, with a legend.
    - `groups`: the box each node is drawn in, as a group path, outermost first: a
      mapping `{node: ("layer 1", "neuron 2")}`, or a function that receives the graph's
      nodes in topological order (parents first) and returns such a mapping, so that it
      can place the nodes computed from the ones it knows. Each path prefix is one box,
      nested: "neuron 2" inside "layer 1". Nodes left out are drawn outside every box.
      `nn` gives a model's grouping: `draw(loss, groups=model.grouping())`. Without
      `groups`: no boxes, no folding.
    - `max_nodes`: when the graph has more `Value`s than this, fold each group (the nodes
      sharing one whole group path) into one box showing its last node's data and grad,
      its leaf count ("params") and its largest leaf |grad|; the title says what was folded.
    - `state`: a `GradState`, whose gradients the boxes show instead of each node's
      `.grad`, with its partial sums and its current node marked: one step of a backward
      pass (`autograd.replay` draws each step so).
    - `title`: a caption above the graph.
    - `tangents`: forward mode's ∂node/∂seed by node (`autograd.forward.tangents`): each
      box gets a "tangent" line, blank for a node missing from the mapping.

    >>> x = Value(2.0, "x"); y = x * x; y.backward()
    >>> graph = draw(y)                       # graph.render("out/square", format="svg")
    >>> graph.source.count("->")              # two edges x -> *, one * -> y
    3
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw: root must be a Value, got {root!r} ({type(root).__name__})")
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"draw: rankdir must be 'LR' or 'TB', got {rankdir!r}")
    if max_nodes is not None:
        max_nodes = to_int(max_nodes, "draw: max_nodes", minimum=1)
    if state is not None and not isinstance(state, GradState):
        raise TypeError(
            f"draw: state must be a GradState or None, got {state!r} ({type(state).__name__})"
        )
    order = topological_order(root)
    over_cap = max_nodes is not None and len(order) > max_nodes
    placement = _placement(groups, order)
    style = _Style(
        grads=_GradReader(state),
        colours=_GradColours.of(order, state) if color_by_grad else None,
        highlight=None if state is None else state.current,
        show_local_grads=show_local_grads,
        tangents=tangents,
    )
    builder = _Builder(style, placement)
    if over_cap and placement:
        builder.add_folded(order)
    else:
        builder.add_all(order)

    graph = Graph(
        name="autograd",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "labelloc": "t"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"arrowsize": "0.6", "fontname": "Helvetica"},
    )
    caption = [title] if title else []
    if over_cap and max_nodes is not None:  # over_cap implies a cap; this tells mypy so
        caption.append(
            _folding_note(len(order), max_nodes, builder.folded_groups, builder.value_count)
        )
    if caption:
        graph.attr(label=_html("<BR/>".join(escape_graphviz_html(line) for line in caption)))
    builder.emit(graph, rankdir=rankdir)
    if style.colours is not None:
        graph.node("legend", label=_html(style.colours.legend()), shape="plain")
    return graph


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
            return "grad"  # not known yet: the cell stays, empty
        suffix = " + …" if self.state is not None and node in self.state.partial else ""
        return f"grad {format_number(grad)}{suffix}"


@dataclass(frozen=True)
class _GradColours:
    """Fill colour by |grad| / largest |grad|, in len(GRAD_PALETTE) steps."""

    largest: float

    @classmethod
    def of(cls, order: list[Value], state: GradState | None) -> _GradColours:
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

    def legend(self) -> str:
        steps = len(GRAD_PALETTE) - 1
        cells = "".join(
            f'<TD BGCOLOR="{colour}">{format_number(self.largest * i / steps)}</TD>'
            for i, colour in enumerate(GRAD_PALETTE)
        )
        return (
            '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
            f"<TR><TD>fill: nearest |grad|</TD>{cells}"
            f'<TD BGCOLOR="{NAN_COLOUR}">nan</TD></TR></TABLE>'
        )


@dataclass(frozen=True)
class _Style:
    grads: _GradReader
    colours: _GradColours | None
    highlight: Value | None
    show_local_grads: bool
    tangents: Mapping[Value, float] | None = None  # forward mode's, by node, when drawn

    def fill(self, node: Value) -> str:
        if self.colours is None:
            return GRAD_PALETTE[0]
        return self.colours.fill(self.grads.value(node))

    def is_highlighted(self, node: Value) -> bool:
        return node is self.highlight


def _html(inner: str) -> str:
    """Mark a string as a Graphviz HTML-like label (its text must already be escaped)."""
    return f"<{inner}>"


def _box(cells: list[str], fill: str, highlighted: bool, stacked: bool = False) -> str:
    """A table of cells side by side, or `stacked` one above the other."""
    border = f' BORDER="3" COLOR="{HIGHLIGHT_COLOUR}"' if highlighted else ' BORDER="0"'
    if stacked:
        rows = "".join(f"<TR><TD>{cell}</TD></TR>" for cell in cells)
    else:
        rows = "<TR>" + "".join(f"<TD>{cell}</TD>" for cell in cells) + "</TR>"
    return _html(
        f'<TABLE{border} CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{fill}">'
        f"{rows}</TABLE>"
    )


def _value_box(node: Value, style: _Style) -> str:
    cells = [f"<B>{escape_graphviz_html(node.label)}</B>"] if node.label else []
    cells.append(f"data {format_number(node.data)}")
    cells.append(escape_graphviz_html(style.grads.text(node)))
    if style.tangents is not None:
        tangent = style.tangents.get(node)
        cells.append("tangent" if tangent is None else f"tangent {format_number(tangent)}")
    return _box(cells, style.fill(node), style.is_highlighted(node))


def _op_attrs(node: Value, style: _Style) -> dict[str, str]:
    attrs = {
        "label": _html(escape_graphviz_html(node.op)),
        "shape": "circle" if len(node.op) <= 4 else "ellipse",
        "fontsize": "10",
        "margin": "0.02",
        "width": "0.3",
        "ordering": "in",  # operands top to bottom (or left to right) in operand order
    }
    if style.is_highlighted(node):
        attrs.update(color=HIGHLIGHT_COLOUR, penwidth="3")
    return attrs


# --- groups -------------------------------------------------------------------------------


def _placement(groups: Groups | None, order: list[Value]) -> dict[int, GroupPath]:
    """`id(node) -> group path` for every grouped node of the graph, checked."""
    if groups is None:
        return {}
    if isinstance(groups, Mapping):
        mapping = groups
    elif callable(groups):
        mapping = groups(order)
        if not isinstance(mapping, Mapping):
            raise TypeError(
                f"draw: groups(nodes) must return a mapping of node -> group path, got "
                f"{mapping!r} ({type(mapping).__name__})"
            )
    else:
        raise TypeError(
            "draw: groups must be a mapping of node -> group path, or a function of the "
            f"graph's nodes that returns one; got {groups!r} ({type(groups).__name__})"
        )
    in_graph = {id(node) for node in order}
    placement: dict[int, GroupPath] = {}
    for node, path in mapping.items():
        if id(node) in in_graph:  # a grouping may know more nodes than this graph has
            placement[id(node)] = _group_path(path)
    return placement


def _group_path(path: object) -> GroupPath:
    """A group path as a tuple of names; one name alone is a path of one."""
    if isinstance(path, str):
        path = (path,)
    if (
        not isinstance(path, (tuple, list))
        or not path
        or not all(isinstance(name, str) and name for name in path)
    ):
        raise TypeError(
            f"draw: a group path is a non-empty tuple of non-empty names, outermost first "
            f"(like ('layer 1', 'neuron 2')), got {path!r}"
        )
    return tuple(path)


# --- the graph, node by node ---------------------------------------------------------------


@dataclass
class _Group:
    path: GroupPath
    members: list[Value]  # in topological order: leaves first, the last node last


class _Builder:
    """Collects node statements per group (or none) and edges, then writes them out."""

    def __init__(self, style: _Style, placement: dict[int, GroupPath]) -> None:
        self.style = style
        self.placement = placement
        self.nodes: dict[GroupPath, list[tuple[str, dict[str, str]]]] = {(): []}
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        self.ids: dict[int, str] = {}  # id(Value) -> the node that stands for it
        self.folded_groups: list[_Group] = []
        self.boxes: set[str] = set()  # the nodes that stand for a folded group
        self.value_count = 0

    def _add_node(self, group: GroupPath, name: str, attrs: dict[str, str]) -> None:
        self.nodes.setdefault(group, []).append((name, attrs))

    def _add_value(self, index: int, node: Value, group: GroupPath) -> None:
        name = f"v{index}"
        self.ids[id(node)] = name
        self.value_count += 1
        self._add_node(group, name, {"label": _value_box(node, self.style), "shape": "plain"})
        if node.parents:
            op_name = f"o{index}"
            self._add_node(group, op_name, _op_attrs(node, self.style))
            self.edges.append((op_name, name, {}))
            self._add_operand_edges(node, op_name)

    def _add_operand_edges(self, node: Value, op_name: str) -> None:
        """One edge per operand occurrence, so `x * x` shows both."""
        highlighted = self.style.is_highlighted(node)
        for parent, local in zip(node.parents, node.local_grads):
            attrs: dict[str, str] = {}
            if self.style.show_local_grads:
                attrs.update(label=format_number(local), fontsize="9", fontcolor="#555555")
            if highlighted:
                attrs.update(color=HIGHLIGHT_COLOUR, penwidth="2")
            self.edges.append((self.ids[id(parent)], op_name, attrs))

    def add_all(self, order: list[Value]) -> None:
        for index, node in enumerate(order):
            self._add_value(index, node, self.placement.get(id(node), ()))

    def add_folded(self, order: list[Value]) -> None:
        """Each group becomes one summary box, inside its enclosing group's box; everything
        else is drawn as usual."""
        placement = self.placement
        groups: dict[GroupPath, _Group] = {}
        for node in order:
            path = placement.get(id(node))
            if path is not None:
                groups.setdefault(path, _Group(path, [])).members.append(node)
        box_of = {path: f"n{i}" for i, path in enumerate(groups)}
        self.boxes = set(box_of.values())
        for index, node in enumerate(order):
            path = placement.get(id(node))
            if path is None:
                self._add_value(index, node, ())
                continue
            self.ids[id(node)] = box_of[path]
        # Sibling boxes in natural order (x2 before x10), as the clusters are.
        self.folded_groups = sorted(groups.values(), key=lambda g: _natural_path_order(g.path))
        for group in self.folded_groups:
            self._add_group_box(group, box_of[group.path])
            self._add_edges_into_group(group, box_of[group.path])

    def _add_group_box(self, group: _Group, box: str) -> None:
        output = group.members[-1]
        leaves = [node for node in group.members if not node.parents]
        grads = [self.style.grads.value(p) for p in leaves]
        finite = [abs(g) for g in grads if g is not None and math.isfinite(g)]
        largest = format_number(max(finite)) if finite else "?"
        cells = [
            f"<B>{escape_graphviz_html(group.path[-1])}</B> {escape_graphviz_html(output.op)}",
            f"out {format_number(output.data)}",
            escape_graphviz_html(self.style.grads.text(output)),
            f"{len(leaves)} params",
            f"max |grad| {largest}",
        ]
        highlighted = any(self.style.is_highlighted(node) for node in group.members)
        # Stacked, so that the many edges of a dense layer meet the box at its sides.
        label = _box(cells, self.style.fill(output), highlighted, stacked=True)
        self.value_count += 1
        self._add_node(group.path[:-1], box, {"label": label, "shape": "plain"})

    def _add_edges_into_group(self, group: _Group, box: str) -> None:
        """One edge per outside operand (x2 when it enters twice), not one per occurrence."""
        counts: dict[str, int] = {}
        for node in group.members:
            for parent in node.parents:
                if self.placement.get(id(parent)) != group.path:
                    source = self.ids[id(parent)]
                    counts[source] = counts.get(source, 0) + 1
        for source, count in counts.items():
            attrs = {"label": f"×{count}", "fontsize": "9"} if count > 1 else {}
            self.edges.append((source, box, attrs))

    def emit(self, graph: Graph, rankdir: str) -> None:
        """Write the ungrouped nodes, then each group's box with its nodes (boxes nested by
        their paths), then all edges."""
        for name, attrs in self.nodes[()]:
            graph.node(name, **attrs)
        # Every prefix of every path is a box: ("layer 1", "neuron 2") lies in ("layer 1",).
        paths = {path[:depth] for path in self.nodes for depth in range(1, len(path) + 1)}
        clusters: dict[GroupPath, graphviz.Digraph] = {}
        for index, path in enumerate(sorted(paths, key=_natural_path_order)):
            cluster = graphviz.Digraph(name=f"cluster_{index}")
            outermost = len(path) == 1
            label = escape_graphviz_html(path[-1])
            if outermost:
                cluster.attr(label=_html(f"<B>{label}</B>"), style="rounded", color="#9ecae1")
            else:
                cluster.attr(label=_html(label), style="rounded,dashed", color="#bdbdbd")
            for name, attrs in self.nodes.get(path, []):
                cluster.node(name, **attrs)
            clusters[path] = cluster
        # A box is copied into its enclosing one when added, so the innermost go first;
        # siblings in natural order.
        for path in sorted(paths, key=lambda p: (-len(p), _natural_path_order(p))):
            enclosing = graph if len(path) == 1 else clusters[path[:-1]]
            enclosing.subgraph(clusters[path])
        # Edges leave a group's box on its downstream side and enter on its upstream side.
        downstream, upstream = ("e", "w") if rankdir == "LR" else ("s", "n")
        for tail, head, attrs in self.edges:
            if tail in self.boxes:
                attrs = {**attrs, "tailport": downstream}
            if head in self.boxes:
                attrs = {**attrs, "headport": upstream}
            graph.edge(tail, head, **attrs)


def _natural_order(name: str) -> list:
    """x2 before x10: digit runs compare as numbers."""
    # isdecimal, as \d: isdigit() also takes '²', which int() refuses
    return [(0, int(part)) if part.isdecimal() else (1, part) for part in re.split(r"(\d+)", name)]


def _natural_path_order(path: GroupPath) -> list:
    return [_natural_order(name) for name in path]


def _folding_note(total: int, max_nodes: int, folded: list[_Group], shown: int) -> str:
    if not folded:
        return (
            f"{total} nodes, over max_nodes={max_nodes}, but no groups to fold "
            "(draw(..., groups=...) says which nodes belong together): drawn in full."
        )
    hidden = sum(len(group.members) for group in folded)
    note = (
        f"Folded: {len(folded)} groups ({hidden} of {total} nodes) drawn as one box each "
        f"(output data and grad, parameter count, largest parameter |grad|), "
        f"because the graph has more than max_nodes={max_nodes} nodes."
    )
    if shown > max_nodes:
        note += f" Still {shown} boxes: only groups fold."
    return note
