"""The sum over paths: ∂root/∂x is, over every path from x to root, the product of the
local derivatives on its edges, added up. What forward and reverse mode both compute,
each by factoring the sum its own way (colah's "Calculus on Computational Graphs").

    >>> from autograd import Value
    >>> a, b = Value(2.0, "a"), Value(1.0, "b")
    >>> c = a + b; c.label = "c"
    >>> d = b + 1; d.label = "d"
    >>> e = c * d; e.label = "e"
    >>> print(sum_over_paths(e, b))
    ∂e/∂b = 1·2 + 1·3 = 5, over 2 paths:
      b → c → e   1·2 = 2
      b → d → e   1·3 = 3

An edge is an operand occurrence, as in the drawings: `x * x` makes two edges and so two
paths. The number of paths can grow exponentially with depth (each diamond doubles it),
which is why neither mode enumerates them: they are counted first, and more than
`max_paths` is a ValueError. `draw()` pictures the graph with a derivative on every edge
and the paths from x drawn bold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograd.engine import Value, to_int, topological_order
from autograd.formatting import derivative, escape_graphviz_html, format_number, node_name, one_line
from autograd.viz import Graph

__all__ = ["Path", "SumOverPaths", "sum_over_paths"]

PATH_COLOUR = "#d62728"


@dataclass(frozen=True)
class Path:
    """One path from the input to the root: its nodes, and each edge's local derivative
    (∂next/∂previous, for that operand occurrence)."""

    nodes: tuple[Value, ...]  # input first, root last
    factors: tuple[float, ...]  # one per edge: len(nodes) - 1

    @property
    def product(self) -> float:
        """The product of the edge derivatives, multiplied from the input on."""
        product = 1.0
        for factor in self.factors:
            product *= factor
        return product

    def __str__(self) -> str:
        names = " → ".join(_name(node) for node in self.nodes)
        factors = "·".join(_factor(f) for f in self.factors) or "1"
        return f"{names}   {factors} = {format_number(self.product)}"


@dataclass(frozen=True)
class SumOverPaths:
    """∂root/∂wrt as the sum over every path from `wrt` to `root` of its edges' product."""

    root: Value
    wrt: Value
    paths: tuple[Path, ...]

    @property
    def total(self) -> float:
        total = 0.0
        for path in self.paths:
            total += path.product
        return total

    def formula(self) -> str:
        """`∂e/∂b = 1·2 + 1·3 = 5`."""
        terms = " + ".join("·".join(_factor(f) for f in p.factors) or "1" for p in self.paths)
        lhs = derivative(self.root, self.wrt)
        if not self.paths:
            return f"{lhs} = 0 (no path from {_name(self.wrt)} to {_name(self.root)})"
        return f"{lhs} = {terms} = {format_number(self.total)}"

    def __str__(self) -> str:
        count = len(self.paths)
        lines = [f"{self.formula()}, over {count} path{'s' if count != 1 else ''}:"]
        lines.extend(f"  {path}" for path in self.paths)
        return "\n".join(lines) if self.paths else self.formula()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from autograd.formatting import escape_html

        rows = "".join(
            f"<tr><td>{escape_html(' → '.join(_name(n) for n in p.nodes))}</td>"
            f"<td>{escape_html('·'.join(_factor(f) for f in p.factors))}</td>"
            f"<td>{format_number(p.product)}</td></tr>"
            for p in self.paths
        )
        return (
            f"<div><code>{escape_html(self.formula())}</code><table><thead><tr><th>path</th>"
            f"<th>edge derivatives</th><th>product</th></tr></thead><tbody>{rows}</tbody>"
            "</table></div>"
        )

    def draw(self, rankdir: str = "LR") -> Graph:
        """colah's figure: a node per Value (name and value), an edge per operand
        occurrence labelled with its local derivative, the edges of the paths from `wrt`
        bold and red, the sum in the caption."""
        if rankdir not in ("LR", "TB"):
            raise ValueError(f"SumOverPaths.draw: rankdir must be 'LR' or 'TB', got {rankdir!r}")
        on_path = {
            (id(p.nodes[i]), id(p.nodes[i + 1])) for p in self.paths for i in range(len(p.factors))
        }
        graph = Graph(
            name="paths",
            graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "labelloc": "t"},
            node_attr={"fontname": "Helvetica", "fontsize": "11", "shape": "ellipse"},
            edge_attr={"arrowsize": "0.6", "fontname": "Helvetica", "fontsize": "10"},
        )
        graph.attr(label=f"<{escape_graphviz_html(self.formula())}>")
        order = topological_order(self.root)
        names = {id(node): f"n{i}" for i, node in enumerate(order)}
        for node in order:
            label = f"<{escape_graphviz_html(_name(node))}<BR/>= {format_number(node.data)}>"
            attrs = {"color": PATH_COLOUR, "penwidth": "2"} if node is self.wrt else {}
            graph.node(names[id(node)], label=label, **attrs)
            for parent, local in zip(node.parents, node.local_grads):
                attrs = {"label": format_number(local)}
                if (id(parent), id(node)) in on_path:
                    attrs.update(color=PATH_COLOUR, fontcolor=PATH_COLOUR, penwidth="2.5")
                graph.edge(names[id(parent)], names[id(node)], **attrs)
        return graph


def sum_over_paths(root: Value, wrt: Value, max_paths: int = 1000) -> SumOverPaths:
    """Every path from `wrt` to `root` with the product of its edge derivatives; their sum
    is ∂root/∂wrt, the number `grad` and `jvp` give (up to the order of additions).
    More than `max_paths` paths: a ValueError saying how many (they are counted first)."""
    for what, x in (("root", root), ("wrt", wrt)):
        if not isinstance(x, Value):
            raise TypeError(
                f"sum_over_paths: {what} must be a Value, got {x!r} ({type(x).__name__})"
            )
    limit = to_int(max_paths, "sum_over_paths: max_paths", minimum=1)
    order = topological_order(root)
    # Paths from wrt to each node, counted parents first: one per operand occurrence.
    count: dict[Value, int] = {}
    for node in order:
        if node is wrt:
            count[node] = 1
        else:
            n = sum(count.get(parent, 0) for parent in node.parents)
            if n:
                count[node] = n
    total = count.get(root, 0)
    if total > limit:
        raise ValueError(
            f"sum_over_paths: {total} paths from {_name(wrt)} to {_name(root)}, more than "
            f"max_paths={limit}; forward and reverse mode never list them (raise max_paths "
            "to see them all)"
        )
    # Depth first from the root back to wrt, through the operands that wrt reaches, in
    # operand order (the root's first operand's paths first); no recursion. A partial path
    # is a linked list, (node, ∂next/∂node, the rest towards the root), so that a step
    # costs the same on a path of any length.
    paths: list[Path] = []
    if total:
        stack: list[tuple[Value, Any]] = [(root, (root, None, None))]
        while stack:
            node, link = stack.pop()
            if node is wrt:
                paths.append(_unlinked(link))
                continue
            edges = list(zip(node.parents, node.local_grads))
            for parent, local in reversed(edges):
                if parent in count:
                    stack.append((parent, (parent, local, link)))
    return SumOverPaths(root, wrt, tuple(paths))


def _unlinked(link: Any) -> Path:
    """A path from its linked list, wrt first: the nodes, and each edge's derivative."""
    nodes: list[Value] = []
    factors: list[float] = []
    while link is not None:
        node, factor, link = link
        nodes.append(node)
        if link is not None:
            factors.append(factor)
    return Path(tuple(nodes), tuple(factors))


def _name(node: Value) -> str:
    return one_line(node_name(node))


def _factor(x: float) -> str:
    text = format_number(x)
    return f"({text})" if text.startswith("-") else text
