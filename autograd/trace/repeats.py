"""Finding the computations that a traced graph repeats over a batch (see `loops.py`).

1. Every node that depends on the inputs gets a signature: its op, its shape, and its
   parents' signatures (an input by its position, a constant as "a number"). Nodes with
   the same signature compute the same function of the inputs, given their numbers.
2. A repeated node that no repeated node consumes is an item's root; the nodes it alone
   reaches are that item (a node two roots reach is shared: outside every item).
3. Items that match exactly (the same nodes in the same order, the same sharing, the same
   guards with the same outcomes, the same nodes used outside) form a group. An item whose
   path differs (another branch) therefore falls in another group, never a wrong one.

Each pass reads every node of the graph once, in plain loops: this is most of a batch's
trace.
"""

from __future__ import annotations

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


def _shape(node: Value, parents: int) -> Any:
    """What besides the op and the parents makes a node's code: the kind of its folded
    constant, a `w·x+b`'s form. (`c - x` and `x - c` differ by their Op already.) Read
    from the node's slots: this runs once per node of a big graph."""
    b = node._b
    if b is None:
        c = node._db
        shape: Any = None if c is None else type(c) if type(c) is not tuple else tuple(map(type, c))
        return shape
    if b is MANY:
        return (node._db, parents)
    return None


def find_groups(writer: Writer) -> tuple[list[Group], dict[Value, int], list[Item | None]]:
    """The groups of matching items of the traced graph (see the module's docstring)."""
    depends, parents_of = writer.depends, writer.parents
    inputs = {value: -2 - k for k, value in enumerate(writer.inputs)}  # negative codes
    nodes = [n for n in writer.order if depends[n] and n not in inputs]

    # 1. signatures: the same op and shape on parents of the same signatures
    signature: dict[Value, int] = {}
    interned: dict[Any, int] = {}
    count: list[int] = []
    for node in nodes:
        parents = parents_of[node]
        codes = tuple(
            [(signature[p] if p in signature else inputs[p]) if depends[p] else -1 for p in parents]
        )
        tag = node._tag
        kind = tag[0] if type(tag) is tuple else tag
        key = (kind, _shape(node, len(parents)), codes)  # kind: its Op
        s = interned.get(key)
        if s is None:
            s = interned[key] = len(count)
            count.append(0)
        count[s] += 1
        signature[node] = s

    # 2. roots: repeated nodes that no repeated node consumes; and the nodes that one root
    # alone reaches (consumers first: backwards)
    consumed: set = set()
    roots: list[Value] = []
    owner: dict[Value, int] = {}  # -1: reached from two roots or more (shared: outside)
    for node in reversed(nodes):
        mine = owner.get(node)
        if count[signature[node]] > 1:
            consumed.update(parents_of[node])
            if node not in consumed:
                mine = owner[node] = len(roots) if mine is None else SHARED
                roots.append(node)
        if mine is None:
            continue
        for p in parents_of[node]:
            if p in inputs or not depends[p]:
                continue
            theirs = owner.get(p)
            if theirs is None:
                owner[p] = mine
            elif theirs != mine:
                owner[p] = SHARED
    if len(roots) < 2:
        return [], {}, []
    roots.reverse()  # in topological order
    last = len(roots) - 1
    owner = {node: (r if r == SHARED else last - r) for node, r in owner.items()}

    # 3. each item's nodes in topological order, and its key (inline: per node of the graph)
    made = [Item() for _ in roots]
    used: set = set()  # item nodes used outside their item
    owned = owner.get
    for node in nodes:
        r = owned(node, SHARED)
        parents = parents_of[node]
        if r == SHARED:
            for p in parents:
                if owned(p, SHARED) != SHARED:
                    used.add(p)
            continue
        item = made[r]
        local = item.local
        # The node's entry in the item's key, flat (mostly small ints: a few bytes a node):
        # its signature (which says how many parents follow), then each parent.
        refs = item.entries
        refs.append(signature[node])
        for p in parents:
            j = local.get(p)
            if j is not None:
                refs.append(j)
            elif p in inputs:
                refs.append(inputs[p])
            elif depends[p]:  # an outer node, the same for every item
                if owned(p, SHARED) != SHARED:
                    used.add(p)  # (another item's node)
                refs.append(("x", id(p)))
            else:  # a constant Value: a number of the item's own (shared where shared)
                slot = item.constants.get(p)
                if slot is None:
                    slot = item.constants[p] = len(item.slots)
                    item.slots.append((p, None))
                    item.numbers.append(p._data)
                refs.append(("k", slot))
        b = node._b
        if b is None:
            if node._db is not None:  # x * 2: the 2
                item.slots.append((node, "c"))
                item.numbers.append(node._db)
        elif b is MANY and len(parents) != 2 * node._db + 1:  # w·x+b, constant inputs
            for j in range(node._db):
                item.slots.append((node, j))
                item.numbers.append(node._da[j])
        local[node] = len(item.nodes)
        item.nodes.append(node)
    items: list[Item | None] = list(made)
    for r, root in enumerate(roots):
        if owner.get(root) != r:
            items[r] = None
    used.update(x for x in (writer.output, *writer.aux) if owner.get(x, SHARED) != SHARED)
    if writer.guards:
        _assign_guards(writer, items, owner, used)
    grouped: dict[Any, list[Item]] = {}
    for kept in items:
        if kept is not None:
            kept.exports = [n for n in kept.nodes if n in used]
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
