"""Loops: a computation that the graph repeats over a batch, written once.

A loss over a batch, `loss([model(x) for x in xs], ys)`, records one copy of the same
per-item computation for each item: the same ops on the same parameters, with each item's
own numbers. Written out line by line, the code grows with the batch (and CPython's
compile with it); here it is written once, as the body of a loop over the items, the
items' numbers as data:

1. Every node that depends on the inputs gets a signature: its op, its shape, and its
   parents' signatures (an input by its position, a constant as "a number"). Nodes with
   the same signature compute the same function of the inputs, given their numbers.
2. A repeated node that no repeated node consumes is an item's root; the nodes it alone
   reaches are that item. Items that match exactly (the same nodes in the same order, the
   same sharing, the same guards with the same outcomes, the same nodes used outside)
   form a group; a group is a loop, each other item is written out as before. An item
   whose path differs (another branch) is therefore its own item, not a wrong one.
3. The forward pass runs each group's loop; the backward pass runs, where the engine's
   own order visits a group's items one after another, the loop of their backward lines,
   adding each contribution in the order `Value.backward()` adds it. Where the order is
   any other (or the items too few to be worth a loop), the code is straight-line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from autograd.engine import _MANY as MANY
from autograd.engine import Value
from autograd.trace.recorder import Recorder
from autograd.trace.writer import SUB, Writer, literal

LOOP_MIN = 200  # fewer looped nodes than this: straight-line code (short programs read better)
SHARED = -1  # the owner of a node that two items' roots reach
MAX_RUNS = 4  # backward loops per group: more (items of other paths interleaved), straight-line


class Unsupported(Exception):
    """The graph's shape is not one that loops are written for: straight-line code."""


class Layout:
    """How a trace's code is laid out: `text` says it (and why), `looped` counts the nodes
    written once for several items."""

    def __init__(self, text: str, looped: int = 0) -> None:
        self.text = text
        self.looped = looped


def write_source(
    inputs: Sequence[Value],
    labels: Sequence[str],
    output: Value,
    aux: Sequence[Value],
    recorder: Recorder,
    unroll: bool,
) -> tuple[str, dict[str, Any], list[str], Layout]:
    """The traced graph as source: with loops where it repeats a computation, else (or with
    `unroll`) straight-line. Returns the source, its globals, each guard's text and how it
    is laid out."""

    def straight(why: str) -> tuple[str, dict[str, Any], list[str], Layout]:
        writer = Writer(inputs, labels, output, aux, recorder.guards, recorder.constants)
        return writer.write(), writer.globals, writer.guard_texts, Layout(f"straight-line: {why}")

    if unroll:
        return straight("unroll=True")
    writer = Writer(inputs, labels, output, aux, recorder.guards, recorder.constants)
    writer.walk(writer.roots())
    groups, owner, items = find_groups(writer)
    looped = sum(len(group.members) * len(group.members[0].nodes) for group in groups)
    if not groups or looped < LOOP_MIN:
        return straight(f"no computation repeated over enough items ({looped} nodes)")
    try:
        source = LoopWriter(writer, groups, owner, items).write()
    except Unsupported as why:
        return straight(str(why))
    sizes = ", ".join(f"{len(g.members)} items of {len(g.members[0].nodes)} nodes" for g in groups)
    return source, writer.globals, writer.guard_texts, Layout(f"loops: {sizes}", looped)


# --- finding the repeated computations ------------------------------------------------------


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
        self.entries: list[Any] = []  # per node: its signature, and its parents in the item
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


def _shape(node: Value, kind: Any, parents: int) -> Any:
    """What besides the op and the parents makes a node's code: the kind of its folded
    constant, `c - x` against `x - c`, a `w·x+b`'s form. (Read from the node's slots: this
    runs once per node of a big graph.)"""
    b = node._b
    if b is None:
        c = node._db
        shape: Any = None if c is None else type(c) if type(c) is not tuple else tuple(map(type, c))
        return (shape, node._da == 1.0) if kind == SUB else shape
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
        key = (
            kind if type(kind) is str else id(kind),
            _shape(node, kind, len(parents)),
            codes,
        )
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
        refs: list[Any] = []
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
        item.entries.append((signature[node], tuple(refs)))
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


# --- writing them -----------------------------------------------------------------------------


class Body(Writer):
    """Writes a group's computation once, for its first item, as a loop's body: the other
    items' numbers come from the loop's data (`c<j>`), the inputs and the nodes outside the
    items are the function's own variables."""

    value_prefix = "u"
    grad_prefix = "gu"
    derivative_prefix = "du"

    def __init__(self, outer: Writer, group: Group, number: int) -> None:
        super().__init__(outer.inputs, outer.labels, outer.output, outer.aux, outer.guards, set())
        self.parents, self.depends = outer.parents, outer.depends
        self.globals, self.op_names = outer.globals, outer.op_names
        self.outer = outer
        self.group = group
        self.index = number  # the group's
        self.item = item = group.members[0]
        self.data_names: list[str] = []
        self.guard_slots: dict[int, str] = {}  # guard -> the slot of its index
        self.guard_numbers: dict[int, str] = {}  # guard -> the slot of the number it compares
        self.outside: dict[Value, str] = {}  # an outer node's grad that the body adds to
        varying = set(group.varying)
        slot: Any
        for j, slot in enumerate(item.slots):
            if j not in varying:
                continue  # the same number in every item: written in as a literal
            name = f"c{j}"
            self.data_names.append(name)
            where = slot[0]
            if where == "index":
                self.guard_slots[slot[1]] = name
            elif where == "guard":
                if isinstance(slot[2], Value):
                    self.names[slot[2]] = name  # a constant Value compared
                else:
                    self.guard_numbers[slot[1]] = name  # a number compared
            elif slot[1] is None:
                self.names[where] = name  # a constant parent
            else:
                self.slots[(where, slot[1])] = name  # a folded constant

    def guard_number(self, index: int, x: Any) -> str:
        name = self.guard_numbers.get(index)
        return name if name is not None else super().guard_number(index, x)

    def guard_index(self, index: int) -> str:
        return self.guard_slots.get(index, str(index))

    def guard_label(self, index: int) -> str:
        return f"{index} of item 0, each item's own"

    def target(self, parent: Value, grads: dict[Value, str]) -> str | None:
        if parent not in self.item.local:  # an input or an outer node: the function's grad
            name = self.outer.grad_names[parent]
            self.outside[parent] = name
            return name
        return grads.get(parent)


class LoopWriter:
    """Writes the traced graph with one loop per group (see the module's docstring)."""

    def __init__(
        self, writer: Writer, groups: list[Group], owner: dict[Value, int], items: list
    ) -> None:
        self.w = writer
        self.groups = groups
        self.owner = owner  # a node -> the index of the item that owns it (or SHARED)
        self.looped: list[Item | None] = [  # by that index: the item, if it is in a loop
            item if item is not None and item.group >= 0 else None for item in items
        ]
        self.bodies = [Body(writer, group, g) for g, group in enumerate(groups)]
        self.saved: list[list[str] | None] = [None] * len(groups)  # per group, once known
        self.placeholders: list[int] = [0] * len(groups)  # the line of each `S<g>.append`

    def item_of(self, node: Value) -> Item | None:
        """The looped item that `node` belongs to, or None."""
        r = self.owner.get(node, SHARED)
        return None if r == SHARED else self.looped[r]

    def write(self) -> str:
        w = self.w
        order = w.backward_order()
        segments = self.segments(order)
        w.header()
        w.lines.append(
            "    # forward: one line per node; a loop per computation repeated over items"
        )
        looped_guards = {i for group in self.groups for item in group.members for i in item.guards}
        outer_guards = [i for i in range(len(w.guards)) if i not in looped_guards]
        touches: dict[Value, bool] = {}  # whether a node depends on a looped node
        if outer_guards:
            for node in w.order:
                touches[node] = self.item_of(node) is not None or any(
                    touches[p] for p in w.parents[node]
                )
        early: list[int] = []
        late: list[int] = []
        for index in outer_guards:
            guard = w.guards[index]
            operands = [x for x in (guard.left, guard.right) if isinstance(x, Value)]
            (late if any(touches[x] for x in operands) else early).append(index)
        externals = [  # the same for every item of a group: its first item's
            p
            for group in self.groups
            for node in group.members[0].nodes
            for p in w.parents[node]
            if w.depends[p] and self.item_of(p) is None
        ]
        seen = set(w.inputs)
        w.forward_with_guards(early, externals, seen)
        for g in range(len(self.groups)):
            self.forward_loop(g, seen)
        for group in self.groups:
            for item in group.members:
                seen.update(item.nodes)
        w.forward_with_guards(late, [w.output, *w.aux], seen)

        w.lines.append(
            "    # backward: g<k> = d(output)/d(v<k>), one line per chain-rule contribution,"
            " in backward()'s order"
        )
        grads = w.seed()
        for segment in segments:
            if isinstance(segment, Value):
                if segment in grads:
                    w.backward(segment, grads)
            else:
                self.backward_loop(segment, grads)
        for g, line in enumerate(self.placeholders):
            saved = self.saved[g]
            w.lines[line] = (
                f"        S{g}.append(({', '.join(saved)},))" if saved else "        pass"
            )
        return w.finish(grads)

    def segments(self, order: list[Value]) -> list[Any]:
        """`order` (backward's) as outer nodes and runs `[item, ...]` of items (of any
        group) visited one after another, each item's nodes in the same order as its group's
        others; Unsupported where the engine's order interleaves items."""
        segments: list[Any] = []
        reference: dict[int, list[int]] = {}
        finished: set = set()
        runs = 0
        current: Item | None = None
        block: list[int] = []
        owner, looped = self.owner, self.looped

        def close() -> None:
            if current is None:
                return
            g = current.group
            if reference.setdefault(g, block) != block:
                raise Unsupported("the items of a loop are visited in different orders")
            finished.add(current)

        for node in order:
            r = owner.get(node, SHARED)
            item = None if r == SHARED else looped[r]
            if item is None:
                close()
                current, block = None, []
                segments.append(node)
                continue
            if item is not current:
                close()
                if item in finished:
                    raise Unsupported("backward() visits an item's nodes apart")
                current, block = item, []
                last = segments[-1] if segments else None
                if isinstance(last, list):
                    last.append(item)
                else:
                    runs += 1
                    if runs > MAX_RUNS:
                        raise Unsupported("the rest of the code interleaves the items' backward")
                    segments.append([item])
            block.append(item.local[node])
        close()
        self.reference = reference
        return segments

    def forward_loop(self, g: int, seen: set) -> None:
        """The group's items, forward: the body once, in a loop over their numbers."""
        w, body, group = self.w, self.bodies[g], self.groups[g]
        item = body.item
        data = tuple(tuple(m.numbers[j] for j in group.varying) for m in group.members)
        w.globals[f"D{g}"] = data
        names = body.data_names
        head = "_" if not names else f"({names[0]},)" if len(names) == 1 else ", ".join(names)
        loop = f"for {head} in D{g}:" if names else f"for _ in range({len(data)}):"
        lines = w.lines
        lines.append(
            f"    # computation {g}, repeated for {len(data)} items: the lines of item 0, run"
            f" for each (D{g}: each item's own numbers {', '.join(names) or '(none)'})"
        )
        lines.append(f"    S{g} = []  # what each item's backward needs")
        lines.append(f"    X{g} = []  # what each item gives the rest of the code")
        lines.append(f"    {loop}")
        for p in w.names:  # the body reads inputs and outer nodes by their names
            if self.item_of(p) is None:
                body.names.setdefault(p, w.names[p])
                body.shown.setdefault(p, w.shown.get(p, w.names[p]))
                body.operand.setdefault(p, w.operand.get(p, w.names[p]))
        inner = set(seen)
        start = len(body.lines)
        body.forward_with_guards(item.guards, item.exports, inner)
        lines.extend("    " + line for line in body.lines[start:])
        exports = ", ".join(body.names[e] for e in item.exports)
        lines.append(f"        X{g}.append(({exports},))")
        self.placeholders[g] = len(lines)
        lines.append("")  # S<g>.append(...), once the backward says what it needs
        for index in item.guards:
            for m in group.members:
                own = m.guards[item.guards.index(index)]
                w.guard_texts[own] = f"{body.guard_texts[index]} (item {m.position})"
        for m in group.members:  # the exports, as the function's variables
            for k, (export, mine) in enumerate(zip(item.exports, m.exports)):
                v = w.name(mine, "", False)
                if not mine.label:
                    w.shown[mine] = w.operand[mine] = v
                shown = body.names[export]
                lines.append(f"    {v} = X{g}[{m.position}][{k}]  # {shown} of item {m.position}")

    def backward_loop(self, items: list[Item], grads: dict[Value, str]) -> None:
        """The backward of a run of items, in backward()'s order: each group's body's
        backward lines once, in a loop that gives each item its saved numbers and the
        gradients the rest of the code sent to its exports (and, where the run mixes
        groups, runs the item's group's lines)."""
        w, lines = self.w, self.w.lines
        kinds = sorted({item.group for item in items})
        bodies: dict[int, tuple[list[int], list[str], list[str]]] = {}
        for g in kinds:
            mine = [item for item in items if item.group == g]
            seeded = [k for k, e in enumerate(mine[0].exports) if e in grads]
            for item in mine:
                if [k for k, e in enumerate(item.exports) if e in grads] != seeded:
                    raise Unsupported("the items of a loop receive gradients at different nodes")
            if not seeded:
                raise Unsupported("an item receives no gradient from the rest of the code")
            bodies[g] = (seeded, *self.body_backward(g, seeded))
        for body in (self.bodies[g] for g in kinds):
            for node, name in body.outside.items():
                if node not in grads:  # -0.0: adding to it leaves every number as it is
                    grads[node] = name
                    lines.append(
                        f"    {name} = -0.0  # {w.shown.get(node, name)}: summed over the items"
                    )
        positions = ", ".join(str(item.position) for item in items)
        if len(kinds) == 1:
            g = kinds[0]
            seeded, saved, body_lines = bodies[g]
            rep = self.bodies[g].item
            seeds = [f"({', '.join(grads[item.exports[k]] for item in items)},)" for k in seeded]
            targets = ", ".join(self.bodies[g].grad_names[rep.exports[k]] for k in seeded)
            lines.append(f"    # computation {g}, backward, for items {_span(items)}")
            lines.append(f"    for i, {targets} in zip(({positions},), {', '.join(seeds)}):")
            if saved:
                lines.append(f"        {', '.join(saved)}, = S{g}[i]")
            lines.extend("    " + line for line in body_lines)
            return
        which = ", ".join(str(item.group) for item in items)
        seeded_by = ", ".join(
            f"({', '.join(grads[item.exports[k]] for k in bodies[kind][0])},)"
            for item, kind in ((item, item.group) for item in items)
        )
        lines.append(f"    # computations {', '.join(map(str, kinds))}, backward, item by item")
        lines.append(f"    for k, i, s in zip(({which},), ({positions},), ({seeded_by},)):")
        for n, g in enumerate(kinds):
            seeded, saved, body_lines = bodies[g]
            rep = self.bodies[g].item
            targets = ", ".join(self.bodies[g].grad_names[rep.exports[k]] for k in seeded)
            lines.append(f"        {'if' if n == 0 else 'elif'} k == {g}:")
            lines.append(f"            {targets}, = s")
            if saved:
                lines.append(f"            {', '.join(saved)}, = S{g}[i]")
            lines.extend("        " + line for line in body_lines)

    def body_backward(self, g: int, seeded: list[int]) -> tuple[list[str], list[str]]:
        """Group g's backward lines, its exports `seeded` by the rest of the code, and the
        names they read from what the forward loop saved."""
        body = self.bodies[g]
        rep = body.item
        body_grads = {rep.exports[k]: body.grad_names[rep.exports[k]] for k in seeded}
        start = len(body.lines)
        for j in self.reference[g]:
            node = rep.nodes[j]
            if node in body_grads:
                body.backward(node, body_grads)
        body_lines = body.lines[start:]
        del body.lines[start:]
        if self.saved[g] is None:
            used = set(re.findall(r"\b(?:u\d+|du\d+(?:_\d+)?|c\d+)\b", "\n".join(body_lines)))
            mine = [name for name in body.names.values() if name in used]
            mine += [n for n in sorted(used) if n.startswith(("du", "c")) and n not in mine]
            self.saved[g] = mine
        return self.saved[g] or [], body_lines


def _span(items: list[Item]) -> str:
    positions = [item.position for item in items]
    if len(positions) > 2 and positions == list(range(positions[0], positions[-1] + 1)):
        return f"{positions[0]} to {positions[-1]}"
    if len(positions) > 2 and positions == list(range(positions[0], positions[-1] - 1, -1)):
        return f"{positions[0]} down to {positions[-1]}"
    return ", ".join(str(p) for p in positions)


__all__ = ["Layout", "literal", "write_source"]
