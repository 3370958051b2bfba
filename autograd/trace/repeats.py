"""Finding the computations that a traced graph repeats over a batch (see `loops.py`).

1. Every node that depends on the inputs gets a signature: its op, its shape, and its
   parents' signatures (an input by its position, a constant as "a number"). Nodes with
   the same signature compute the same function of the inputs, given their numbers.
2. A repeated node that no repeated node consumes is an item's root; the nodes it alone
   reaches are that item (a node two roots reach is shared: outside every item).
3. Items that match exactly (the same nodes in the same order, the same sharing, the same
   guards with the same outcomes, the same nodes used outside) form a group. An item whose
   path differs (another branch) therefore falls in another group, never a wrong one.

Step 1 is done by `graph.py`, in its one reading of the graph; steps 2 and 3 read every
node once more each, in plain loops (or, where they can, C-speed `compress` and `chain`):
with step 1, most of a batch's trace.
"""

from __future__ import annotations

from itertools import chain, compress
from typing import Any

from autograd.engine import _MANY as MANY
from autograd.engine import Value
from autograd.trace.writer import Writer

SHARED = -1  # the owner of a node that two items' roots reach


class Item:
    """One copy of a repeated computation: its nodes (each after its parents), the slots
    of its numbers, its guards, and the nodes used outside it."""

    __slots__ = (
        "constants",
        "entries",
        "exports",
        "group",
        "guards",
        "key",
        "local",
        "nodes",
        "numbers",
        "position",
        "slots",
    )

    def __init__(self) -> None:
        self.nodes: list[Value] = []
        self.entries: list[Any] = []  # per node: its signature, then its parents in the item
        self.constants: dict[Value, int] = {}  # a constant Value -> its slot
        self.local: dict[Value, int] = {}  # node -> its index in `nodes`
        self.slots: list[tuple[Any, Any]] = []  # where each number goes: (node, "c"), ...
        self.numbers: list[Any] = []  # ... and the number
        self.guards: list[int] = []  # indexes into the recorder's guards
        self.exports: list[Value] = []
        self.key: Any = None
        self.position = 0  # within its group
        self.group = -1  # its group's index, once grouped


class Group:
    __slots__ = ("members", "varying")

    def __init__(self, members: list[Item]) -> None:
        self.members = members
        self.varying: list[int] = []  # the slots whose numbers differ between items


def find_groups(writer: Writer) -> tuple[list[Group], dict[Value, int], list[Item | None]]:
    """The groups of matching items of the traced graph (see the module's docstring)."""
    graph = writer.graph
    signature, counts = graph.signature, graph.counts
    signature_get = signature.get  # (>= 0: a node that depends on the inputs; < 0: an input)
    # 1. the signatures, which graph.py gave every node that depends on the inputs
    nodes, parents_list = graph.signed, graph.signed_parents
    repeated = [counts[s] > 1 for s in graph.signatures]

    # 2. roots: repeated nodes that no repeated node consumes; and the nodes that one root
    # alone reaches (consumers first: backwards). Roots are numbered from the last.
    consumed = set(chain.from_iterable(compress(parents_list, repeated)))
    roots = [node for node in compress(nodes, repeated) if node not in consumed]
    roots.reverse()
    # -1: reached from two roots or more (shared: outside), as the inputs and constants are
    owner: dict[Value, int] = dict.fromkeys(graph.unsigned, SHARED)
    owner.update(zip(roots, range(len(roots))))
    owner_get = owner.get
    for node, parents in zip(reversed(nodes), reversed(parents_list)):
        mine = owner_get(node)
        if mine is None:
            continue
        for p in parents:
            theirs = owner_get(p)
            if theirs is None:
                owner[p] = mine
            elif theirs != mine and theirs != SHARED:
                owner[p] = SHARED
    if len(roots) < 2:
        return [], {}, []

    # 3. each item's nodes in topological order, and its key (inline: per node of the graph)
    made = [Item() for _ in roots]
    used: set = set()  # item nodes used outside their item
    owned = owner.get
    last = None
    item = made[0]
    for node, parents, sig in zip(nodes, parents_list, graph.signatures):
        r = owned(node, SHARED)
        if r == SHARED:
            for p in parents:
                if owned(p, SHARED) != SHARED:
                    used.add(p)
            continue
        if r != last:
            last = r
            item = made[r]
            local, slots, numbers = item.local, item.slots, item.numbers
            in_item, add = local.get, item.entries.append
        # The node's entry in the item's key, flat (mostly small ints: a few bytes a node):
        # its signature (which says how many parents follow), then each parent.
        add(sig)
        for p in parents:
            j = in_item(p)
            if j is not None:
                add(j)
                continue
            code = signature_get(p)
            if code is None:  # a constant Value: a number of the item's own (shared where shared)
                slot = item.constants.get(p)
                if slot is None:
                    slot = item.constants[p] = len(slots)
                    slots.append((p, None))
                    numbers.append(p._data)
                add(("k", slot))
            elif code < 0:  # an input
                add(code)
            else:  # an outer node, the same for every item
                if owned(p, SHARED) != SHARED:
                    used.add(p)  # (another item's node)
                add(("x", id(p)))
        b = node._b
        if b is None:
            if node._db is not None:  # x * 2: the 2
                slots.append((node, "c"))
                numbers.append(node._db)
        elif b is MANY and len(parents) != 2 * node._db + 1:  # w·x+b, constant inputs
            for j in range(node._db):
                slots.append((node, j))
                numbers.append(node._da[j])
        local[node] = len(local)
    for item in made:
        item.nodes = list(item.local)
    items: list[Item | None] = list(made)
    for r, root in enumerate(roots):
        if owner.get(root) != r:
            items[r] = None
    used.update(x for x in (writer.output, *writer.aux) if owner.get(x, SHARED) != SHARED)
    if writer.guards:
        _assign_guards(writer, items, owner, used)
    grouped: dict[Any, list[Item]] = {}
    for kept in reversed(items):  # in topological order
        if kept is not None:
            kept.exports = list(compress(kept.nodes, map(used.__contains__, kept.nodes)))
            kept.key = (tuple(kept.entries), tuple(kept.local[e] for e in kept.exports))
            kept.entries = []
            grouped.setdefault(kept.key, []).append(kept)
    groups = [Group(members) for members in grouped.values() if len(members) > 1]
    for g, group in enumerate(groups):
        for position, item in enumerate(group.members):
            item.position = position
            item.group = g
        first = group.members[0].numbers
        for j, number in enumerate(first):
            shown = (type(number), repr(number))
            if any((type(m.numbers[j]), repr(m.numbers[j])) != shown for m in group.members):
                group.varying.append(j)
    return groups, owner, items


def _assign_guards(writer: Writer, items: list[Item | None], owner: dict, used: set) -> None:
    """Each guard whose operands are one item's nodes (and inputs, and constants) goes into
    that item's key: its op, its outcome, its operands; its numbers into the item's slots.
    Any other guard is the outer code's."""
    depends, inputs = writer.depends, set(writer.inputs)
    for index, guard in enumerate(writer.guards):
        operands = [x for x in (guard.left, guard.right) if isinstance(x, Value) and depends[x]]
        mine = [x for x in operands if x not in inputs]
        rs = {owner.get(x) for x in mine}
        item = None
        if len(rs) == 1:
            (r,) = rs
            item = items[r] if r is not None and r >= 0 else None
        if item is None:  # the outer code's guard: what it compares is used outside
            used.update(x for x in mine if owner.get(x, SHARED) != SHARED)
            continue
        refs: list[Any] = []
        for _side, x in enumerate((guard.left, guard.right)):
            if isinstance(x, Value) and depends[x]:
                refs.append(item.local[x] if x in item.local else ("x", id(x)))
            else:
                refs.append(("k", len(item.slots)))
                item.slots.append(("guard", index, x))
                item.numbers.append(x._data if isinstance(x, Value) else x)
        item.slots.append(("index", index))
        item.numbers.append(index)
        item.guards.append(index)
        item.entries.append(("guard", guard.op, guard.outcome, *refs))
