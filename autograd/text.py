"""The graph as an indented tree of text, for terminals without Graphviz.

The root is on top and each node's operands are indented under it. A node used more than
once (a shared subgraph, or `x` in `x * x`) is printed in full the first time, tagged
`[#1]`, and afterwards only referenced: `x  → see [#1]`. So the text grows with the graph,
not with the number of paths through it. Built with an explicit stack: no recursion.
Every 32 levels the indentation starts again at the margin, with the depth written in.
"""

from __future__ import annotations

from autograd.engine import Value, topological_order
from autograd.formatting import format_number, node_name, one_line

# After this many levels of indentation the tree restarts at the left margin, each line of
# the next band saying its depth: a 20,000-deep chain stays narrow.
INDENT_LEVELS = 32


def text_tree(root: Value) -> str:
    """`root`'s graph as an indented tree; shared nodes are printed once, then referenced.

    >>> x = Value(2.0, "x"); y = x * x; y.label = "y"; y.backward()
    >>> print(text_tree(y))
    y = *  data 4  grad 1
    ├── [#1] x  data 2  grad 4
    └── x  → see [#1]
    """
    uses: dict[int, int] = {}
    for node in topological_order(root):
        for parent in node.parents:
            uses[id(parent)] = uses.get(id(parent), 0) + 1

    tags: dict[int, str] = {}  # id(node) -> "[#k]", once it has been printed
    lines: list[str] = []
    # Each entry: (node, its depth, prefix of its line, prefix of its operands' lines).
    stack: list[tuple[Value, int, str, str]] = [(root, 0, "", "")]
    while stack:
        node, depth, line_prefix, child_prefix = stack.pop()
        name = one_line(node_name(node))
        if id(node) in tags:
            lines.append(f"{line_prefix}{name}  → see {tags[id(node)]}")
            continue
        tag = ""
        if uses.get(id(node), 0) > 1:
            tags[id(node)] = tag = f"[#{len(tags) + 1}]"
            tag += " "
        op = f" = {node.op}" if node.op else ""
        lines.append(
            f"{line_prefix}{tag}{name}{op}  data {format_number(node.data)}"
            f"  grad {format_number(node.grad)}"
        )
        parents = node.parents
        if (depth + 1) % INDENT_LEVELS == 0:
            # Start again at the left margin, so a long chain costs lines, not columns.
            child_prefix = f"(depth {depth + 1}) "
        # Pushed last-first so that the first operand is printed first.
        for position in range(len(parents) - 1, -1, -1):
            last = position == len(parents) - 1
            branch, extension = ("└── ", "    ") if last else ("├── ", "│   ")
            stack.append(
                (parents[position], depth + 1, child_prefix + branch, child_prefix + extension)
            )
    return "\n".join(lines)
