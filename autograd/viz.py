"""Drawing a computation graph with Graphviz: `draw(root)` returns a `graphviz.Digraph`.

The picture has a box per `Value` (label | data | grad), a small oval per op, and one edge
per operand occurrence, so `x * x` shows two edges into its `*`. Options add the local
derivative on each edge, a fill colour by |grad| with a legend, boxes around groups of
nodes (a neuron inside its layer: the grouping comes from the caller, e.g. `nn`), and a
size cap that folds each group into one summary box (two folded layers joined by one
edge that says how many it stands for). Every text goes through `escape_graphviz_html`,
so any label renders.

Every box, cell, op and edge has a stable SVG id from its node's index k in
`topological_order(root)` (`node-<k>`, `node-<k>-data`, `node-<k>-grad`, `op-<k>`,
`edge-<k>-<i>`), so that a page draws once and updates the numbers in place with
`autograd/static/graph_view.js` (`graph_frame` makes its frames; `inline_svg` cleans the
SVG for a page).

The returned `Graph` is a `graphviz.Digraph`: it shows inline in Jupyter and renders with
`graph.render("out/graph", format="svg")` (or "png", "pdf"). Without Graphviz's `dot` program
rendering raises `GraphvizNotInstalled`, which says how to install it; `graph.source` works.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import graphviz

from autograd.engine import Value, to_int, topological_order
from autograd.formatting import (
    escape_graphviz_html,
    format_number,
    op_text,
)
from autograd.graph_groups import (
    GroupPath,
    Groups,
    _folding_note,
    _Group,
    _natural_order,
    _natural_path_order,
    _placement,
)
from autograd.graph_page import graph_frame, graph_view_script, inline_svg
from autograd.graph_style import (
    CELL_BORDER_COLOUR,
    GRAD_PALETTE,
    HIGHLIGHT_COLOUR,
    NAN_COLOUR,
    UNKNOWN,
    GradState,
    _box,
    _GradColours,
    _GradReader,
    _html,
    _op_attrs,
    _Style,
    _value_box,
    cell_id,
    node_id,
    op_id,
)

INSTALL_HINT = (
    "Graphviz's 'dot' program was not found on PATH, so the graph cannot be rendered "
    "(graph.source still works). Install Graphviz, then restart Python or the Jupyter "
    "kernel: 'sudo apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' "
    "(macOS), 'conda install -c conda-forge graphviz' (conda), or see "
    "https://graphviz.org/download/ (Windows: add its bin folder to PATH)."
)


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
    placement, names = _placement(groups, order)
    style = _Style(
        grads=_GradReader(state),
        colours=_GradColours.of(order, state) if color_by_grad else None,
        highlight=None if state is None else state.current,
        show_local_grads=show_local_grads,
        root=root,
        names=names,
        tangents=tangents,
    )
    builder = _Builder(style, placement, rankdir)
    if over_cap and placement:
        builder.add_folded(order)
    else:
        builder.add_all(order)

    graph = Graph(
        name="autograd",
        # compound: an edge between two folded layers runs box to box (lhead, ltail).
        # mclimit: few crossing-reduction passes, which keep the boxes' natural order.
        graph_attr={
            "mclimit": "0.01",
            "rankdir": rankdir,
            "fontname": "Helvetica",
            "labelloc": "t",
            "compound": "true",
        },
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
        folded = bool(builder.folded_groups)
        graph.node("legend", label=_html(style.colours.legend(folded)), shape="plain")
    return graph


class _Builder:
    """Collects node statements per group (or none) and edges, then writes them out."""

    def __init__(self, style: _Style, placement: dict[int, GroupPath], rankdir: str) -> None:
        self.style = style
        self.placement = placement
        self.rankdir = rankdir
        self.nodes: dict[GroupPath, list[tuple[str, dict[str, str]]]] = {(): []}
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        self.ids: dict[int, str] = {}  # id(Value) -> the node that stands for it
        self.folded_groups: list[_Group] = []
        self.boxes: set[str] = set()  # the nodes that stand for a folded group
        self.box_path: dict[str, GroupPath] = {}  # folded box -> its group's path
        # Nodes to keep in this order, one above the other, in their group's box: folded
        # boxes (N0, N1, …, N10), a neuron's parameters (w0, w1, b), the inputs (x0, x1).
        self.ordered: dict[GroupPath, list[str]] = {}
        self.value_count = 0

    def _add_node(self, group: GroupPath, name: str, attrs: dict[str, str]) -> None:
        self.nodes.setdefault(group, []).append((name, attrs))

    def _add_value(self, index: int, node: Value, group: GroupPath) -> None:
        name = f"v{index}"
        self.ids[id(node)] = name
        self.value_count += 1
        label = _value_box(index, node, self.style)
        self._add_node(group, name, {"id": node_id(index), "label": label, "shape": "plain"})
        if node.parents:
            op_name = f"o{index}"
            self._add_node(group, op_name, _op_attrs(index, node, self.style))
            self.edges.append((op_name, name, {"id": f"edge-{index}-out"}))
            self._add_operand_edges(index, node, op_name)

    def _add_operand_edges(self, index: int, node: Value, op_name: str) -> None:
        """One edge per operand occurrence, so `x * x` shows both."""
        highlighted = self.style.is_highlighted(node)
        path = self.placement.get(id(node))
        # An op in a group that also takes leaves of its own group (a neuron's parameters):
        # those sit in the op's own rank (minlen 0), under it, so that no edge from the
        # layer before has to cross the layer's box: layers run left to right, no staircase.
        own_leaves = path is not None and any(
            not p.parents and self.placement.get(id(p)) == path for p in node.parents
        )
        slots = list(enumerate(zip(node.parents, node.local_grads)))
        if own_leaves:
            # The group's own operands first, so that the op's edges in order (`ordering`)
            # keep the parameters together; their order itself is kept by `ordered`.
            own = [slot for slot in slots if self.placement.get(id(slot[1][0])) == path]
            others = [slot for slot in slots if self.placement.get(id(slot[1][0])) != path]
            slots = own + others[::-1]
        for slot, (parent, local) in slots:
            attrs: dict[str, str] = {"id": f"edge-{index}-{slot}"}
            if own_leaves and self.placement.get(id(parent)) == path and not parent.parents:
                attrs["minlen"] = "0"
            if self.style.show_local_grads:
                attrs.update(label=format_number(local), fontsize="9", fontcolor="#555555")
            if highlighted:
                attrs.update(color=HIGHLIGHT_COLOUR, penwidth="2")
            self.edges.append((self.ids[id(parent)], op_name, attrs))

    def add_all(self, order: list[Value]) -> None:
        for index, node in enumerate(order):
            self._add_value(index, node, self.placement.get(id(node), ()))
        # A neuron's parameters in the order its ops take them: w0, w1, …, b.
        seen: set[int] = set()
        for node in order:
            path = self.placement.get(id(node))
            for parent in node.parents:
                if (
                    path is not None
                    and not parent.parents
                    and id(parent) not in seen
                    and self.placement.get(id(parent)) == path
                ):
                    seen.add(id(parent))
                    self.ordered.setdefault(path, []).append(self.ids[id(parent)])
        self._order_inputs(order)

    def _order_inputs(self, order: list[Value]) -> None:
        """The inputs of the grouped part (x0, x1, …, x10: leaves in no group that feed a
        grouped node) one above the other in natural order, before the first box."""
        if not self.placement:
            return
        inputs = {}
        for node in order:
            if id(node) in self.placement:
                for parent in node.parents:
                    if not parent.parents and id(parent) not in self.placement:
                        inputs[id(parent)] = parent
        ranked = sorted(inputs.values(), key=lambda v: _natural_order(v.label))
        self.ordered[()] = [self.ids[id(v)] for v in ranked]

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
        self.box_path = {box_of[g.path]: g.path for g in self.folded_groups}
        self._order_inputs(order)
        bundles: dict[tuple[object, object], list] = {}
        index_of = {id(node): k for k, node in enumerate(order)}
        # A group's outputs: its nodes that a node outside it takes (or the root). A layer
        # folded whole has many, and no one of them stands for the box.
        outputs: dict[GroupPath, set[int]] = {}
        for node in order:
            path = placement.get(id(node))
            for parent in node.parents:
                parent_path = placement.get(id(parent))
                if parent_path is not None and parent_path != path:
                    outputs.setdefault(parent_path, set()).add(id(parent))
        root_path = placement.get(id(order[-1])) if order else None
        if root_path is not None:
            outputs.setdefault(root_path, set()).add(id(order[-1]))
        for group in self.folded_groups:
            k = index_of[id(group.members[-1])]
            self._add_group_box(group, box_of[group.path], k, len(outputs.get(group.path, ())))
            if len(group.path) > 1:  # siblings in one box; outermost boxes rank by edges
                self.ordered.setdefault(group.path[:-1], []).append(box_of[group.path])
            self._add_edges_into_group(group, box_of[group.path], bundles)
        self._add_bundles(bundles)

    def _add_group_box(self, group: _Group, box: str, k: int, outputs: int = 1) -> None:
        """The group's summary box, with the ids `fold-<k>` and `fold-<k>-out` (k: the
        index of its last node, whose numbers it shows) for a page that updates it. A
        group with several outputs (a whole layer) says how many instead of one's numbers."""
        output = group.members[-1]
        leaves = [node for node in group.members if not node.parents]
        grads = [self.style.grads.value(p) for p in leaves]
        finite = [abs(g) for g in grads if g is not None and math.isfinite(g)]
        largest = max(finite) if finite else None
        largest_text = "?" if largest is None else format_number(largest)
        name = escape_graphviz_html(group.path[-1])
        grad = escape_graphviz_html(self.style.grads.text(output))
        cells = [
            # A space between the name and the op: never "L0.N8relu".
            ("", f"<B>{name}</B>  {escape_graphviz_html(op_text(output))}"),
            (
                f' ID="fold-{k}-out" HREF="#fold-{k}" TOOLTIP="{name}: its last node"',
                f"out {format_number(output.data)}, {grad}",
            )
            if outputs <= 1
            else ("", f"{outputs} outputs"),
            ("", f"{len(leaves)} params, max |grad| {largest_text}"),
        ]
        highlighted = any(self.style.is_highlighted(node) for node in group.members)
        # Filled by what the group's parameters learn, the largest |grad| among them, not
        # by its output's gradient: a dead neuron (all its parameters' gradients 0) is
        # drawn in the colour of zero, even when a large gradient reaches its output.
        fill = self.style.fill_for(largest)
        # Stacked, so that the many edges of a dense layer meet the box at its sides.
        label = _box(cells, fill, highlighted, stacked=True)
        self.value_count += 1
        self._add_node(group.path[:-1], box, {"id": f"fold-{k}", "label": label, "shape": "plain"})

    def _end(self, name: str) -> tuple[str, object]:
        """Where a folded drawing's edge ends: a folded box inside an enclosing box ends
        at that enclosing box (a layer), any other node at itself."""
        path = self.box_path.get(name)
        if path is not None and len(path) > 1:
            return ("group", path[:-1])
        return ("node", name)

    def _add_edges_into_group(self, group: _Group, box: str, bundles: dict) -> None:
        """Each operand occurrence from outside the group, gathered by the pair of ends it
        joins: between two folded layers, one bundle for all their weights."""
        for node in group.members:
            for parent in node.parents:
                if self.placement.get(id(parent)) != group.path:
                    source = self.ids[id(parent)]
                    key = (self._end(source), self._end(box))
                    bundles.setdefault(key, []).append((source, box))

    def _add_bundles(self, bundles: dict) -> None:
        """One edge per pair of ends, labelled with how many it stands for (×256)."""
        for (tail_end, head_end), pairs in bundles.items():
            count = len(pairs)
            tail, head = pairs[len(pairs) // 2]  # a middle pair: the edge meets mid-box
            attrs: dict[str, str] = {}
            if count > 1:
                width = min(6.0, 1.0 + math.log10(count) * 1.5)
                attrs.update(label=f"×{count}", fontsize="9", penwidth=f"{width:.2g}")
            if tail_end[0] == "group":
                attrs["ltail_path"] = tail_end[1]
            if head_end[0] == "group":
                attrs["lhead_path"] = head_end[1]
            self.edges.append((tail, head, attrs))

    def emit(self, graph: Graph, rankdir: str) -> None:
        """Write each group's box with its nodes (boxes nested by their paths, in natural
        order), then the ungrouped nodes, then all edges. With few crossing-reduction
        passes (mclimit) dot keeps much of the order it first meets nodes in: boxes first
        keeps N0 above N1 above N10."""
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
        cluster_names = {
            path: f"cluster_{index}"
            for index, path in enumerate(sorted(paths, key=_natural_path_order))
        }
        # Nodes kept in order: one rank, chained by invisible edges (flat edges keep
        # their order: top to bottom from left to right, or left to right from top down).
        for path, names in self.ordered.items():
            if len(names) < 2:
                continue
            target = clusters[path] if path else graph
            with target.subgraph() as row:
                row.attr(rank="same")
                for name in names:
                    row.node(name)
            if rankdir == "LR" and path:  # flat edges run bottom to top in a box there
                names = names[::-1]
            for tail, head in zip(names, names[1:]):
                target.edge(tail, head, style="invis")
        # A box is copied into its enclosing one when added, so the innermost go first;
        # siblings in natural order.
        for path in sorted(paths, key=lambda p: (-len(p), _natural_path_order(p))):
            enclosing = graph if len(path) == 1 else clusters[path[:-1]]
            enclosing.subgraph(clusters[path])
        for name, attrs in self.nodes[()]:
            graph.node(name, **attrs)
        # Edges leave a group's box on its downstream side and enter on its upstream side.
        downstream, upstream = ("e", "w") if rankdir == "LR" else ("s", "n")
        for tail, head, attrs in self.edges:
            attrs = dict(attrs)
            ltail = attrs.pop("ltail_path", None)
            lhead = attrs.pop("lhead_path", None)
            if ltail is not None:
                attrs["ltail"] = cluster_names[ltail]  # type: ignore[index]
            elif tail in self.boxes:
                attrs["tailport"] = downstream
            if lhead is not None:
                attrs["lhead"] = cluster_names[lhead]  # type: ignore[index]
            elif head in self.boxes:
                attrs["headport"] = upstream
            graph.edge(tail, head, **attrs)


__all__ = [  # drawn here; the look and the page helpers re-exported from their modules
    "CELL_BORDER_COLOUR",
    "GRAD_PALETTE",
    "HIGHLIGHT_COLOUR",
    "INSTALL_HINT",
    "NAN_COLOUR",
    "UNKNOWN",
    "GradState",
    "Graph",
    "GraphvizNotInstalled",
    "GroupPath",
    "Groups",
    "cell_id",
    "draw",
    "graph_frame",
    "graph_view_script",
    "inline_svg",
    "node_id",
    "op_id",
]
