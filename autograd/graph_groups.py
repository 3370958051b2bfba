"""Which group each node of a drawing is in: checking a grouping, ordering the groups,
and the note that says what a size cap folded. `autograd/viz.py` draws the groups; the
grouping itself comes from the caller (`nn.labels.neuron_groups`: a neuron in its layer).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable, Union

from autograd.engine import Value

GroupPath = tuple[str, ...]  # a node's group, outermost first: ("layer 1", "neuron 2")
# Which group each node is drawn in: a mapping, or a function of the graph's nodes (in
# topological order, parents first) that returns one. Nodes it leaves out are in no group.
Groups = Union[Mapping[Value, GroupPath], Callable[[list[Value]], Mapping[Value, GroupPath]]]


def _placement(
    groups: Groups | None, order: list[Value]
) -> tuple[dict[int, GroupPath], dict[Value, str]]:
    """`id(node) -> group path` for every grouped node of the graph, checked; and the
    names the grouping gives nodes (a mapping with a `names` attribute: nn's z and a)."""
    if groups is None:
        return {}, {}
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
    given_names = getattr(mapping, "names", None)
    names: dict[Value, str] = {}
    if isinstance(given_names, Mapping):
        for node, name in given_names.items():
            if id(node) in in_graph and isinstance(name, str) and name:
                names[node] = name
    return placement, names


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
