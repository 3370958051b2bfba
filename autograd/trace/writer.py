"""Code writing: one traced graph written out as the Python source of `forward_backward`.

The forward pass is one line per node (a guard as soon as its operands are computed), the
backward pass one line per chain-rule contribution, in `Value.backward()`'s order. When
the graph repeats one computation over a batch, `loops.py` writes that computation once,
as the body of a loop, with a `Writer` of its own (`Body`); this module writes the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import engine, ops
from autograd.engine import Value
from autograd.trace.graph import Graph, emission
from autograd.trace.recorder import Guard, printable
from autograd.trace.rules import (
    ADD,
    DETACH,
    INLINE_INFIX,
    MUL,
    NEG,
    RELU,
    RSUB,
    SUB,
    WEIGHTED_SUM,
    derivatives,
    exact_number,
    literal,
    numeric_rule,
    word,
)

FUNCTION_NAME = "forward_backward"
SHORT = 24  # comments spell out an unlabelled operand's expression up to this length
WIDE_SUM = 256  # a `w·x+b` with more terms goes on several lines: CPython's compiler
# recurses once per `+` of an expression, and fails past about 2,000.


class Writer:
    """Writes one traced graph, or (as `Body`) one repeated computation of it."""

    value_prefix = "v"  # v<k>: a node's value; g<k>: d(output)/d(it); d<k>: its derivatives
    grad_prefix = "g"
    derivative_prefix = "d"

    def __init__(
        self,
        inputs: Sequence[Value],
        labels: Sequence[str],
        output: Value,
        aux: Sequence[Value],
        guards: Sequence[Guard],
        constants: set,
    ) -> None:
        self.inputs = list(inputs)
        self.labels = list(labels)
        self.output = output
        self.aux = list(aux)
        self.guards = list(guards)
        self.constants = constants
        # Per node, computed once: its parents, whether it depends on the inputs; for the
        # nodes that do, its variables and how comments show it (alone, and as an operand
        # of an infix op: in parentheses when it is an unlabelled infix expression).
        self.parents: dict[Value, tuple[Value, ...]] = {}
        self.depends: dict[Value, bool] = {}
        self.names: dict[Value, str] = {}
        self.grad_names: dict[Value, str] = {}
        self.stems: dict[Value, str] = {}  # the stem of its derivatives' names: d<k>
        self.shown: dict[Value, str] = {}
        self.operand: dict[Value, str] = {}
        self.count = 0  # variables named so far
        self.lines: list[str] = []
        self.globals: dict[str, Any] = {}  # `op_exp` -> its numeric rule; `k0` -> a number
        self.op_names: dict[ops.Op, str] = {}  # each Op (by identity) -> its name in the code
        self.guard_texts = [""] * len(guards)  # each guard as the comments show it
        # Constants that a loop's body reads from its data instead of writing them in:
        # (node, "c") its folded constant, (node, j) a `w·x+b`'s constant input j.
        self.slots: dict[tuple[Value, Any], str] = {}
        self.order: list[Value] = []  # every node, each after its parents (after walk())
        self.graph = Graph(self.inputs, constants)  # read by walk()

    # --- names ------------------------------------------------------------------------------

    def ref(self, node: Value) -> str:
        """A node's value in code: its variable, or the constant as a literal."""
        name = self.names.get(node)
        return name if name is not None else literal(node._data)

    def show(self, node: Value) -> str:
        text = self.shown.get(node)
        return text if text is not None else literal(node._data)

    def show_operand(self, node: Value) -> str:
        text = self.operand.get(node)
        return text if text is not None else literal(node._data)

    def folded(self, node: Value) -> str:
        """The constant an op folded in (the 2 of `x * 2`), in code."""
        slot = self.slots.get((node, "c"))
        return slot if slot is not None else literal(node.constant)

    def constant_input(self, node: Value, j: int) -> str:
        """The constant input j of a `w·x+b` node (kept as its weight's derivative)."""
        slot = self.slots.get((node, j))
        return slot if slot is not None else literal(node._da[j])

    def number(self, x: Any) -> str:
        """A number a guard compares with, in code, exactly (`rules.exact_number`)."""
        return exact_number(x, self.globals)

    def name(self, node: Value, text: str, infix: bool) -> str:
        """Give `node` the next variable; comments show it as its label, else as `text`
        while that is short, else as the variable."""
        k = self.count
        self.count += 1
        v = self.names[node] = f"{self.value_prefix}{k}"
        self.grad_names[node] = f"{self.grad_prefix}{k}"
        self.stems[node] = f"{self.derivative_prefix}{k}"
        label = node.label
        if label:
            self.shown[node] = self.operand[node] = printable(label)
        elif len(text) <= SHORT:
            self.shown[node] = text
            self.operand[node] = f"({text})" if infix else text
        else:
            self.shown[node] = self.operand[node] = v
        return v

    def op_global(self, op: ops.Op) -> str:
        """The module-level name, in the generated code, of what applies `op`'s numeric rule.

        One name per Op object: two user ops may have the same name (one defined again),
        each keeps its own rule. The name is an identifier made here, `op_` and the op's
        name cut down to ASCII letters, digits and `_` (`op_exp`, `op_truediv`, `op_my_op_2`)."""
        name = self.op_names.get(op)
        if name is None:
            name = base = f"op_{word(op)}"
            k = 1
            while name in self.globals:
                k += 1
                name = f"{base}_{k}"
            self.globals[name] = numeric_rule(op)
            self.op_names[op] = name
        return name

    # --- the graph ----------------------------------------------------------------------------

    def walk(self, roots: Sequence[Value]) -> list[Value]:
        """Read the graph of `roots` (the output first, `graph.py`): every node's parents
        and dependence on the inputs, refusing what cannot be replayed."""
        graph = self.graph
        graph.read(self.output, roots)
        self.parents, self.depends, self.order = graph.parents, graph.depends, graph.order
        return self.order

    def roots(self) -> list[Value]:
        """The results, then every Value a guard compares."""
        roots = [self.output, *self.aux]
        for guard in self.guards:
            roots.extend(x for x in (guard.left, guard.right) if isinstance(x, Value))
        return roots

    def header(self) -> None:
        for value, label in zip(self.inputs, self.labels):
            self.name(value, printable(label), False)
            self.shown[value] = self.operand[value] = printable(label)
        args = ", ".join(self.names[value] for value in self.inputs)
        self.lines.append(f"def {FUNCTION_NAME}({args}):")
        described = ", ".join(f"{self.names[v]} = {self.shown[v]}" for v in self.inputs)
        self.lines.append(f"    # inputs: {described}" if described else "    # no inputs")

    def write(self) -> str:
        """The straight-line source: one line per node and per contribution."""
        self.walk(self.roots())
        self.header()
        self.lines.append("    # forward: one line per node")
        self.forward_with_guards(
            range(len(self.guards)), [self.output, *self.aux], set(self.inputs)
        )
        self.lines.append(
            "    # backward: g<k> = d(output)/d(v<k>), one line per chain-rule contribution"
        )
        grads = self.seed()
        if grads:
            for node in self.backward_order():
                if node in grads:
                    self.backward(node, grads)
        return self.finish(grads)

    def forward_with_guards(
        self, guards: Sequence[int], results: Sequence[Value], seen: set
    ) -> None:
        """The nodes `results` need, each guard of `guards` as early as it can be: after the
        nodes its operands need, before anything that f computed after the comparison."""
        depends = self.depends
        for index in guards:
            guard = self.guards[index]
            operands = [x for x in (guard.left, guard.right) if isinstance(x, Value)]
            for node in emission(self.parents, self.depends, operands, seen):
                self.forward(node)
            if any(depends[x] for x in operands):
                self.guard(index, guard)
        for node in emission(self.parents, self.depends, results, seen):
            self.forward(node)

    def seed(self) -> dict[Value, str]:
        grads: dict[Value, str] = {}
        output = self.output
        if self.depends[output]:
            g = self.grad_names[output]
            self.lines.append(f"    {g} = 1.0")
            grads[output] = g
        return grads

    def backward_order(self) -> list[Value]:
        """The nodes that depend on the inputs, in backward()'s own order: the same sums,
        added in the same order."""
        return self.graph.backward

    def finish(self, grads: dict[Value, str]) -> str:
        returned = ", ".join(grads.get(value, "0.0") for value in self.inputs)
        returned = f"({returned},)" if len(self.inputs) == 1 else f"({returned})"
        result = f"{self.ref(self.output)}, {returned}"
        if self.aux:
            aux = ", ".join(self.ref(value) for value in self.aux)
            result += f", ({aux},)" if len(self.aux) == 1 else f", ({aux})"
        self.lines.append(f"    return {result}")
        return "\n".join(self.lines) + "\n"

    # --- lines ----------------------------------------------------------------------------------

    def guard_index(self, index: int) -> str:
        """What the generated code raises for guard `index`."""
        return str(index)

    def guard_number(self, index: int, x: Any) -> str:
        """The number guard `index` compares with, in code."""
        return self.number(x)

    def guard_label(self, index: int) -> str:
        return str(index)

    def guard(self, index: int, guard: Guard) -> None:
        left, right = guard.left, guard.right
        if isinstance(right, Value):
            right_code, right_shown = self.ref(right), self.show(right)
        else:
            right_code = self.guard_number(index, right)
            right_shown = right_code if type(right) in (float, int) else printable(repr(right))
        test = f"{self.ref(left)} {guard.op} {right_code}"
        shown = f"{self.show(left)} {guard.op} {right_shown}"
        if index < len(self.guard_texts):
            self.guard_texts[index] = shown
        condition = f"not {test}" if guard.outcome else test
        self.lines.append(
            f"    if {condition}: raise GuardFailed({self.guard_index(index)})  # guard "
            f"{self.guard_label(index)}: {shown} was {guard.outcome} when traced"
        )

    def forward(self, node: Value) -> None:
        """One line: the node's value (and, for ops called by name, its local derivatives)."""
        op = node._kind()  # its Op: an entry of ops.py, or a user op (called, below)
        parents = self.parents[node]
        if op in INLINE_INFIX:
            symbol = op.symbol
            if len(parents) == 2:
                a, b = parents
                code = f"{self.ref(a)} {symbol} {self.ref(b)}"
                text = f"{self.show_operand(a)} {symbol} {self.show_operand(b)}"
            else:
                a = parents[0]
                c = self.folded(node)
                shown_c = literal(node.constant)
                if op.left:  # c - x
                    code = f"{c} {symbol} {self.ref(a)}"
                    text = f"{shown_c} {symbol} {self.show_operand(a)}"
                else:  # x + c, x - c, x * c
                    code = f"{self.ref(a)} {symbol} {c}"
                    text = f"{self.show_operand(a)} {symbol} {shown_c}"
            infix = True
        elif op is RELU:  # as the engine's: nan passes through
            x = self.ref(parents[0])
            code = f"{x} if {x} > 0.0 or {x} != {x} else 0.0"
            text = f"relu({self.show(parents[0])})"
            infix = False
        elif op is NEG:
            code = f"-{self.ref(parents[0])}"
            text = f"-{self.show_operand(parents[0])}"
            infix = True
        elif op is DETACH:  # the same number
            code = self.ref(parents[0])
            text = f"detach({self.show(parents[0])})"
            infix = False
        elif op is WEIGHTED_SUM:
            self.weighted_sum(node, parents)
            return
        else:
            self.call(node, parents)
            return
        label = node.label
        v = self.name(node, text, infix)
        if label:
            text = f"{printable(label)} = {text}"
        self.lines.append(f"    {v} = {code}  # {text}")

    def call(self, node: Value, parents: tuple[Value, ...]) -> None:
        """A node of an op that is not written inline: a call of its numeric rule."""
        op = engine.op_of(node)
        args = [self.ref(p) for p in parents]
        infix = op.symbol is not None
        op_name = printable(op.name)
        shown = [self.show_operand(p) if infix else self.show(p) for p in parents]
        ds = derivatives(op, len(parents), f"{self.derivative_prefix}{self.count}")
        for j, parent in enumerate(parents):
            if not self.depends[parent]:  # a constant operand: its derivative is not needed
                ds[j] = "_"
        if op.has_constant or len(ds) > len(parents):  # a folded constant: x / 2, elu(x, 1.0)
            args.append(self.folded(node))
            shown.append(literal(node.constant))
        if infix and len(shown) == 2:
            left, right = (shown[1], shown[0]) if op.left else shown  # 2 / x: c on the left
            text = f"{left} {op_name} {right}"
        else:
            text = f"{op_name}({', '.join(shown)})"
        label = node.label
        comment = f"{printable(label)} = {text}" if label else text
        v = self.name(node, text, infix)
        self.lines.append(
            f"    {v}, {', '.join(ds)} = {self.op_global(op)}({', '.join(args)})  # {comment}"
        )

    def weighted_sum(self, node: Value, parents: tuple[Value, ...]) -> None:
        """z = b + w0*x0 + w1*x1 + ...: added left to right, as the engine adds."""
        n = node.constant
        ref, operand = self.ref, self.show_operand
        ws = parents[:n]
        if len(parents) == 2 * n + 1:
            xs = [ref(x) for x in parents[n : 2 * n]]
            xs_shown = [operand(x) for x in parents[n : 2 * n]]
        else:  # constant inputs, kept as the weights' local derivatives
            xs = [self.constant_input(node, j) for j in range(n)]
            xs_shown = [self.slots.get((node, j)) or literal(x) for j, x in enumerate(node._da[:n])]
        terms = [f"{ref(w)} * {x}" for w, x in zip(ws, xs)]
        text = " + ".join(
            [operand(parents[-1]), *(f"{operand(w)}*{x}" for w, x in zip(ws, xs_shown))]
        )
        if len(text) > 100:
            text = text[:97] + "..."
        label = node.label
        comment = f"{printable(label)} = {text}" if label else text
        v = self.name(node, text, True)
        first, rest = terms[:WIDE_SUM], terms[WIDE_SUM:]
        self.lines.append(f"    {v} = {' + '.join([ref(parents[-1]), *first])}  # {comment}")
        for start in range(0, len(rest), WIDE_SUM):
            chunk = rest[start : start + WIDE_SUM]
            self.lines.append(f"    {v} = {' + '.join([v, *chunk])}  # (continued)")

    def target(self, parent: Value, grads: dict[Value, str]) -> str | None:
        """The variable that already holds a gradient for `parent`, or None (then the first
        contribution assigns it)."""
        return grads.get(parent)

    def backward(self, node: Value, grads: dict[Value, str]) -> None:
        """One line per contribution of `node` to a parent that depends on the inputs."""
        g = grads[node]
        op = node._kind()  # its Op
        if op is DETACH:
            return  # a local derivative of 0: the engine's zero factor wins, nothing to add
        parents = self.parents[node]
        depends, shown, append = self.depends, self.shown, self.lines.append
        source = shown[node]
        for j, parent in enumerate(parents):
            if not depends[parent]:
                continue
            if parent._kind() is DETACH:
                continue  # (a detach's gradient is not needed: it passes nothing on)
            if op is ADD:
                local = "1"
            elif op is MUL and len(parents) == 2:
                local = self.ref(parents[1 - j])
            else:
                local = self.local(node, op, parents, j)
            # (Each term is `gradient * local`, gradient first: careful.py rewrites these
            # lines into the engine's rule for inf and nan.)
            target = self.target(parent, grads)
            if target is None:
                target = grads[parent] = self.grad_names[parent]
                if local == "1":
                    code = f"{target} = {g}"
                elif local == "-1":
                    code = f"{target} = -{g}"
                else:
                    code = f"{target} = {g} * {local}"
            elif local == "1":
                code = f"{target} += {g}"
            elif local == "-1":
                code = f"{target} -= {g}"
            else:
                code = f"{target} += {g} * {local}"
            append(f"    {code}  # {shown.get(parent, self.ref(parent))} <- {source}")

    def local(self, node: Value, op: ops.Op, parents: tuple[Value, ...], j: int) -> str:
        """d(node)/d(parents[j]) as code: "1", "-1", or an expression."""
        if op is MUL:
            if len(parents) == 2:
                return self.ref(parents[1 - j])
            return self.folded(node)
        if op is ADD:
            return "1"
        if op is WEIGHTED_SUM:
            n = node.constant
            if j == len(parents) - 1:
                return "1"  # the bias
            if len(parents) == 2 * n + 1:  # a weight's input, an input's weight
                return self.ref(parents[j + n]) if j < n else self.ref(parents[j - n])
            return self.constant_input(node, j)  # a weight's constant input
        if op is RELU:
            a = self.ref(parents[0])
            return f"({a} > 0.0 or {a} != {a})"
        if op is SUB:
            return "1" if j == 0 else "-1"
        if op is RSUB or op is NEG:
            return "-1"
        return derivatives(op, len(parents), self.stems[node])[j]
