"""Loops: a computation that the graph repeats over a batch, written once.

A loss over a batch, `loss([model(x) for x in xs], ys)`, records one copy of the same
per-item computation for each item: the same ops on the same parameters, with each item's
own numbers. Written out line by line, the code grows with the batch (and CPython's
compile with it); here it is written once, as the body of a loop over the items, the
items' numbers as data:

1. `repeats.py` finds the items (the copies of one computation) and groups those that
   match exactly; an item whose path differs (another branch) is in another group, or
   alone: written out as before, never a wrong one.
2. The forward pass runs each group's loop, saving what each item's backward needs.
3. The backward pass runs, where the engine's own order visits items one after another,
   a loop of their backward lines (dispatching on each item's group where groups mix),
   adding each contribution in the order `Value.backward()` adds it. Where the order is
   any other (or the items too few to be worth a loop), the code is straight-line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from autograd.engine import Value
from autograd.trace.recorder import Recorder
from autograd.trace.repeats import SHARED, Group, Item, find_groups
from autograd.trace.writer import Writer

LOOP_MIN = 200  # fewer looped nodes than this: straight-line code (short programs read better)
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
        for group in self.groups:  # (its exports: the rest of the code stops at them)
            for item in group.members:
                seen.update(item.exports)
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

        i, n = 0, len(order)
        while i < n:
            node = order[i]
            i += 1
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
                # The common case, compared at C speed: the item's nodes all at once, in
                # the reverse of the order they were recorded in.
                k = len(item.nodes)
                if order[i - 1 : i - 1 + k] == item.nodes[::-1]:
                    block = list(range(k - 1, -1, -1))
                    i += k - 1
                    continue
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
        members = group.members
        for k, export in enumerate(item.exports):  # the exports, as the function's variables
            for start in range(0, len(members), 12):  # a few items a line
                chunk = members[start : start + 12]
                names = []
                for m in chunk:
                    mine = m.exports[k]
                    v = w.name(mine, "", False)
                    if not mine.label:
                        w.shown[mine] = w.operand[mine] = v
                    names.append(v)
                end = start + len(chunk)
                lines.append(
                    f"    {', '.join(names)}, = [x[{k}] for x in X{g}[{start}:{end}]]"
                    f"  # {body.names[export]} of items {start} to {end - 1}"
                )

    def backward_loop(self, items: list[Item], grads: dict[Value, str]) -> None:
        """The backward of a run of items, in backward()'s order: each group's body's
        backward lines once, in a loop that gives each item its saved numbers and the
        gradients the rest of the code sent to its exports (and, where the run mixes
        groups, runs the item's group's lines)."""
        lines = self.w.lines
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
        fresh: list[str] = []  # gradients the items are the first to add to
        for body in (self.bodies[g] for g in kinds):
            for node, name in body.outside.items():
                if node not in grads:
                    grads[node] = name
                    fresh.append(name)
        for start in range(0, len(fresh), 12):  # -0.0: adding to it changes no number
            names = " = ".join(fresh[start : start + 12])
            lines.append(f"    {names} = -0.0  # summed over the items below")
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


__all__ = ["Layout", "write_source"]
