"""The backward pass as code: trace a function once, read its chain rule as Python, replay it.

`trace(f, *example_inputs)` calls `f` once with `Value` inputs, so that the engine records
its graph, and writes the graph out as one straight-line Python function over floats: one
line per node for the forward pass, one line per chain-rule contribution for the backward
pass, each with the node's label or op in a comment. Calling the result with new numbers
runs that function: it returns the output and the gradients and builds no `Value`.

    >>> from autograd.trace import trace
    >>> f = trace(lambda x, y: x * y + x.exp(), 1.0, 2.0)
    >>> f(0.0, 3.0)                       # (output, (d/dx, d/dy)) at x = 0, y = 3
    (1.0, (4.0, 0.0))
    >>> print(f.source)
    def forward_backward(v0, v1):
        # inputs: v0 = x, v1 = y
        # forward: one line per node
        v2 = v0 * v1  # x * y
        v3, d3 = op_exp(v0)  # exp(x)
        v4 = v2 + v3  # (x * y) + exp(x)
        # backward: g<k> = d(output)/d(v<k>), one line per chain-rule contribution
        g4 = 1.0
        g2 = g4  # x * y <- (x * y) + exp(x)
        g3 = g4  # exp(x) <- (x * y) + exp(x)
        g0 = g2 * v1  # x <- x * y
        g1 = g2 * v0  # y <- x * y
        g0 += g3 * d3  # x <- exp(x)
        return v4, (g0, g1)
    <BLANKLINE>

The hot ops (`+`, `-`, `*`, `neg`, `relu`, the fused `w·x+b`) are written inline, with
constants folded in as literals, and `detach()` is a copy of the number; every other op
calls the numeric rule of the node's own `Op` (`engine.op_of`: an op of `ops.py`, or a user
op of `define_op`, even one defined again since under the same name), so that each op's
math stays in one place. `op_exp` above applies `ops.EXP.numeric`: each distinct Op has its
own global, whose name the tracer makes (`op_` and the op's name cut down to ASCII letters,
digits and `_`); op names, as labels, reach the code only in comments, escaped. A result
beyond a float raises the engine's OverflowError (`exp: exp(1000.0) overflows a float`,
from `ops.overflow_error`). The backward pass adds the contributions in the order
`Value.backward()` does, with the same local derivatives, so the numbers are the engine's
to the last bit: up to the sign of a zero; from Python 3.12, `sum()` inside the engine's
`w·x+b` compensates its rounding, which the traced sum does not; and a `detach()` passes
nothing back (no backward line), where the engine adds 0 times its gradient, which is nan,
not 0, only when that gradient or a derivative behind it is infinite or nan.

What is an input, what is a constant
------------------------------------
- Each example input is a number (`f` receives a new `Value` with it, labelled after `f`'s
  parameter) or a leaf `Value` (`f` receives that very Value: pass a model's parameters,
  and `f` may use the model as usual; the traced function takes their numbers).
- Every other leaf that `f` creates (`Value(2.0)`, the leaf of `2 / x`, a data point), and
  every node computed from such constants only, is folded into the code as a number.
- A Value created before `f` was called and used by `f` (captured, not passed as an
  input) is an error at trace time: its number would be frozen into the code and training
  it would silently change nothing. Pass it as an input, or take its number on purpose
  (`Value(w.data)`: reading `.data` of a captured Value is allowed). A copy of an input
  (`copy.copy(x)`, a new leaf cut off from `x`) is refused too, saying so.

Control flow: guards
--------------------
Python control flow that depends on values would be invisible in a recorded graph. So
every comparison between values that depend on the inputs (`<`, `<=`, `>`, `>=` on a
Value: `if x > 0`, `max(a, b)`, `sorted(values)`) is recorded as a guard, with the answer
it gave. The generated code re-evaluates each guard, with the new numbers, as soon as
its operands are computed, before anything `f` computed after the comparison. If a guard
goes the other way, `f` would have taken another path: by default the call traces `f`
again at these inputs (a new variant, kept beside the others: up to `max_variants` are
cached); with `on_guard_failure="raise"` it raises `GuardFailure`. Primitives with kinks
(`relu`, `abs`, `clamp`, `maximum`, `minimum`, ...) are ops, not control flow: no guards.

While tracing, `.data` of a value that depends on the inputs is a stand-in. It passes for
a float (`isinstance(v.data, float)` and `numbers.Real` are True, as in the engine) and
compares like its number: each comparison, with a number, a Value or another `.data`, is
a guard (`if z.data >= 0`, as `nn.losses` does; `x < y.data`; `bool(v.data)`). Every other
use of its number is a `ConcretizationError`, like JAX's, at trace time: arithmetic
(`x - x.data`, `v.data * 2`), `float()`, `int()`, `round()`, `math.exp`, hashing, a float
method or attribute, and `str()`, `repr()`, `format()`: printing `v.data` inside a traced
function is an error, since the text depends on the number (print the traced function's
results outside it). `float(v)`, `v.local_grads`, `v.backward()` and `grad(...)` on such
values raise it too (the traced function computes the gradients itself); `no_grad()` and
setting `.data` inside `f` raise `TraceError` (the values they make are not recorded), as
does an op that neither the table nor a user op defines. So a construct the tracer cannot
replay is an error when tracing, never a wrong number when replaying, within these
limits: `type(v.data)` is the stand-in's class (`type(v.data) is float` is False, True in
the engine) and `is`/`id()` see the stand-in; `repr(v)` and `str(v)` of a Value itself,
and its private attributes (`v._data`), show the number at trace time. `f` must not
branch on those. (The stand-in is not a subclass of float: C code such as `math.exp` reads
a float subclass's number directly, unseen, where it asks this one for `float()`.)

A traced function may be called inside `no_grad()`: its call builds no Value, and a trace
it needs again (a guard failed) records as usual. Calling `trace()` itself inside
`no_grad()` is a `TraceError`.

Whatever `f` does with plain numbers (random draws, counters, prints) happens once, at
trace time. Nodes that neither the output, the aux values nor a guard need are left out
of the code, so an error only they would raise (`log` of a negative) is not raised. An
op's domain error in a needed node is raised as the engine raises it, and the traceback
shows the generated line. `Traced.costs` says what the last trace cost: running `f`
through the engine, writing the code, and compiling it (CPython compiles about 100,000
lines a second: most of a big graph's trace). One trace at a time per process: tracing
is not thread-safe.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import linecache
import marshal
import math
import os
import re
import sys
import time
import weakref
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

from autograd import engine, ops
from autograd.engine import Value, to_float, to_int

__all__ = ["ConcretizationError", "GuardFailure", "TraceError", "Traced", "trace"]

FUNCTION_NAME = "forward_backward"
GUARD_POLICIES = ("retrace", "raise")
SHORT = 24  # comments spell out an unlabelled operand's expression up to this length
WIDE_SUM = 256  # a `w·x+b` with more terms goes on several lines: CPython's compiler
# recurses once per `+` of an expression, and fails past about 2,000.


class TraceError(Exception):
    """`f` does something that the traced code could not replay."""


class ConcretizationError(TraceError, TypeError):
    """`f` turned a value that depends on the traced inputs into a plain number (a
    TypeError too, as the engine's own refusal of `x * x.data` is)."""


class GuardFailure(TraceError):
    """A guard recorded when tracing goes the other way (with `on_guard_failure="raise"`)."""


class _GuardFailed(Exception):
    """Raised by generated code when a guard fails; `trace` handles it."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


# --- recording: what the engine reports while `f` runs -------------------------------------


class _Guard:
    """One comparison made while tracing: `left op right` gave `outcome`.

    `left` and `right` are Values or floats."""

    __slots__ = ("left", "op", "outcome", "right")

    def __init__(self, left: Any, op: str, right: Any, outcome: bool) -> None:
        self.left = left
        self.op = op
        self.right = right
        self.outcome = outcome


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _pretend_float(stand_in: Any) -> type:
    return float


class _TracedData:
    """What `.data` of a value that depends on the traced inputs is while tracing.

    It passes for a float, as `.data` is in the engine: `isinstance(v.data, float)` (and
    `numbers.Real`) is True, since its `__class__` says `float`. It compares like its number,
    and each comparison (`<`, `==`, `bool()`, ...) becomes a guard. Every other use would
    read the number, which the traced code could not redo: arithmetic, `float()`, `int()`,
    `math.exp`, hashing, `str()`, `repr()`, formatting, a float method. Each is a
    ConcretizationError at trace time.

    Not a subclass of float: C code (`math.exp`, `%f`, `struct`, NumPy) reads the number of
    a float subclass directly, without calling any of its methods, so that number would
    escape unseen into the traced code. What remains visible: `type(v.data)` is this class
    (`type(v.data) is float` is False, where the engine says True), and identity (`is`,
    `id`).
    """

    __slots__ = ("_node", "_recorder")

    def __init__(self, recorder: _Recorder, node: Value) -> None:
        self._recorder = recorder
        self._node = node

    # The class that isinstance() sees (it falls back to `__class__`, as for mocks).
    __class__ = property(_pretend_float)

    def __lt__(self, other: Any) -> Any:
        return self._recorder.compare_data(self, "<", other)

    def __le__(self, other: Any) -> Any:
        return self._recorder.compare_data(self, "<=", other)

    def __gt__(self, other: Any) -> Any:
        return self._recorder.compare_data(self, ">", other)

    def __ge__(self, other: Any) -> Any:
        return self._recorder.compare_data(self, ">=", other)

    def __eq__(self, other: Any) -> Any:
        return self._recorder.compare_data(self, "==", other)

    def __ne__(self, other: Any) -> Any:
        return self._recorder.compare_data(self, "!=", other)

    def __bool__(self) -> bool:
        return self._recorder.compare_data(self, "!=", 0.0)

    def __copy__(self) -> _TracedData:
        return self  # as a float: immutable, so a copy is itself

    def __deepcopy__(self, memo: Any) -> _TracedData:
        return self

    def _refuse(self, *args: Any) -> Any:
        raise ConcretizationError(
            f"computing with .data of {_describe(self._node)}, which depends on the traced "
            "inputs: the traced code could not redo that computation. While tracing, such a "
            ".data can be compared, not computed with (comparisons are guarded): compute "
            "with the Value itself (`v * 2`, not `v.data * 2`)."
        )

    def _refuse_text(self, *args: Any) -> Any:
        raise ConcretizationError(
            f"printing or formatting .data of {_describe(self._node)}, which depends on the "
            "traced inputs: the text depends on its number, so the traced code could not "
            "redo what f does with it (and a print inside f runs once, at trace time). "
            "Print the traced function's results instead, outside it."
        )

    def __getattr__(self, name: str) -> Any:
        if hasattr(float, name):  # a float method or attribute: `.real`, `.is_integer()`
            self._refuse()
        raise AttributeError(f"'float' object has no attribute {name!r}")

    __hash__ = __float__ = __int__ = __index__ = __complex__ = _refuse
    __round__ = __trunc__ = __floor__ = __ceil__ = _refuse
    __neg__ = __pos__ = __abs__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _refuse
    __mod__ = __rmod__ = __divmod__ = __rdivmod__ = __pow__ = __rpow__ = _refuse
    __reduce__ = __reduce_ex__ = _refuse
    __str__ = __repr__ = __format__ = _refuse_text


class _Recorder:
    """Set as `engine._tracer` while `f` runs: classifies leaves, records guards, refuses
    what cannot be replayed."""

    stand_in = _TracedData  # what the engine's comparisons recognise: `x < y.data`

    def __init__(self, inputs: Sequence[Value]) -> None:
        self.inputs = set(inputs)  # Values hash by identity
        self.constants: set = set()  # leaves made inside f. Kept alive, so that no other
        # Value can take the id of one of them.
        self.guards: list[_Guard] = []
        self._depends: dict[Value, bool] = {}
        self._stand_ins: dict[Value, _TracedData] = {}  # one per node: `v.data is v.data`

    def depends(self, node: Value) -> bool:
        """Whether `node` depends on an input (iterative, memoized)."""
        memo = self._depends
        known = memo.get(node)
        if known is not None:
            return known
        stack = [node]
        while stack:
            n = stack[-1]
            if n in memo:
                stack.pop()
                continue
            parents = n.parents
            if not parents:
                memo[n] = n in self.inputs
                stack.pop()
                continue
            pending = [p for p in parents if p not in memo]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            memo[n] = any(memo[p] for p in parents)
        return memo[node]

    # the engine's hooks

    def created(self, value: Value) -> None:
        self.constants.add(value)

    def data(self, value: Value) -> Any:
        if not self.depends(value):
            return value._data
        stand_in = self._stand_ins.get(value)
        if stand_in is None:
            stand_in = self._stand_ins[value] = _TracedData(self, value)
        return stand_in

    def compared(self, value: Value, op: str, other: Any, result: bool) -> None:
        if isinstance(other, _TracedData):  # `x < y.data`: as `x < y`
            right: Any = other._node
        else:
            right = other if isinstance(other, Value) else float(other)
        if self.depends(value) or (isinstance(right, Value) and self.depends(right)):
            self.guards.append(_Guard(value, op, right, result))

    def refuse(self, value: Value | None, what: str) -> None:
        if value is None:
            raise TraceError(
                f"{what} inside a traced function: what it makes is not recorded in the graph, "
                "so the traced code could not redo it. Do it outside the traced function."
            )
        if what == "setting .data":
            raise TraceError(
                f"{what} inside a traced function (of {_describe(value)}): the graph keeps the "
                "numbers its ops computed, so the traced code would not see the change. "
                "Compute the new value with ops instead."
            )
        if self.depends(value):
            if what == "float()":
                hint = (
                    "compute with the Value itself, and compare the Value (or its .data) to "
                    "branch on it: comparisons are guarded"
                )
            else:
                hint = (
                    "the traced function computes the gradients itself: return the output, "
                    "and call backward()/grad() outside it"
                )
            raise ConcretizationError(
                f"{what} of {_describe(value)}, which depends on the traced inputs: its number "
                f"would be frozen into the traced code. Instead, {hint}."
            )

    # comparisons of `.data` stand-ins

    def compare_data(self, stand_in: _TracedData, op: str, other: Any) -> Any:
        if isinstance(other, _TracedData):
            right: Any = other._node
            b = right._data
        elif isinstance(other, Value):
            right = other
            b = other._data
        elif isinstance(other, Real):
            right = b = float(other)
        else:
            return NotImplemented
        left = stand_in._node
        result = _COMPARE[op](left._data, b)
        self.guards.append(_Guard(left, op, right, result))
        return result


def _describe(node: Value) -> str:
    label = node.label
    named = f" {label!r}" if label else ""
    op = _printable(node.op) or "leaf"
    return f"the Value{named} ({op}, {node._data!r} at trace time)"


# --- writing the code -----------------------------------------------------------------------

_ADD, _SUB, _MUL, _NEG, _RELU, _DETACH = (
    op.name for op in (ops.ADD, ops.SUB, ops.MUL, ops.NEG, ops.RELU, ops.DETACH)
)
_OP_WORDS = {
    ops.ADD.name: "add",
    ops.SUB.name: "sub",
    ops.MUL.name: "mul",
    ops.DIV.name: "div",
    ops.POW.name: "pow",
    ops.MOD.name: "mod",
    ops.FLOORDIV.name: "floordiv",
}
_INFIX = tuple(_OP_WORDS)
_INLINE_INFIX = (_ADD, _SUB, _MUL)


def _literal(x: Any) -> str:
    """Python source for a constant: exact for floats, `inf` and `nan` as names."""
    if isinstance(x, float):
        if x != x:
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(x, tuple):
        inner = ", ".join(_literal(item) for item in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    if x is None or isinstance(x, int):  # clamp's missing bound, round's decimals
        return repr(x)
    raise TraceError(f"trace: cannot write the constant {x!r} ({type(x).__name__}) as code")


def _printable(text: str) -> str:
    """`text` on one line, for a comment."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class _Writer:
    """Writes one traced graph as the source of `forward_backward`."""

    def __init__(
        self,
        inputs: Sequence[Value],
        labels: Sequence[str],
        output: Value,
        aux: Sequence[Value],
        guards: Sequence[_Guard],
        constants: set,
    ) -> None:
        self.inputs = list(inputs)
        self.labels = list(labels)
        self.output = output
        self.aux = list(aux)
        self.guards = list(guards)
        self.constants = constants
        # Per node, computed once: its parents, whether it depends on the inputs; for the
        # nodes that do, its variable and how comments show it (alone, and as an operand
        # of an infix op: in parentheses when it is an unlabelled infix expression).
        self.parents: dict[Value, tuple[Value, ...]] = {}
        self.depends: dict[Value, bool] = {}
        self.names: dict[Value, str] = {}
        self.shown: dict[Value, str] = {}
        self.operand: dict[Value, str] = {}
        self.lines: list[str] = []
        self.op_globals: dict[str, Callable] = {}  # `op_exp` -> what applies its numeric rule
        self.op_names: dict[ops.Op, str] = {}  # each Op (by identity) -> its name in the code
        self.guard_texts = [""] * len(guards)  # each guard as the comments show it

    # names

    def ref(self, node: Value) -> str:
        """A node's value in code: its variable, or the constant as a literal."""
        name = self.names.get(node)
        return name if name is not None else _literal(node._data)

    def show(self, node: Value) -> str:
        text = self.shown.get(node)
        return text if text is not None else _literal(node._data)

    def show_operand(self, node: Value) -> str:
        text = self.operand.get(node)
        return text if text is not None else _literal(node._data)

    def name(self, node: Value, text: str, infix: bool) -> str:
        """Give `node` the next variable; comments show it as its label, else as `text`
        while that is short, else as the variable."""
        v = f"v{len(self.names)}"
        self.names[node] = v
        label = node.label
        if label:
            self.shown[node] = self.operand[node] = _printable(label)
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
        name cut down to ASCII letters, digits and `_` (`op_exp`, `op_div`, `op_my_op_2`)."""
        name = self.op_names.get(op)
        if name is None:
            word = _OP_WORDS.get(op.name) or re.sub(r"[^A-Za-z0-9_]", "_", str(op.name))[:40]
            name = base = f"op_{word}"
            k = 1
            while name in self.op_globals:
                k += 1
                name = f"{base}_{k}"
            self.op_globals[name] = _numeric_rule(op)
            self.op_names[op] = name
        return name

    # the graph

    def walk(self, roots: Sequence[Value]) -> list[Value]:
        """Every node reachable from `roots`, each after its parents; records their parents
        and dependence on the inputs, and refuses what cannot be replayed."""
        inputs = set(self.inputs)
        constants = self.constants
        parents_of = self.parents
        depends = self.depends
        order: list[Value] = []
        stack: list[Any] = list(reversed(roots))
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            if type(node) is tuple:  # (node,): its parents are done
                node = node[0]
                parents = parents_of[node]
                if parents:
                    try:
                        engine.op_of(node)
                    except KeyError:
                        raise TraceError(
                            f"trace: the op {node.op!r} of {_describe(node)} is not in "
                            "ops.REGISTRY, nor a user op (define_op): nothing says how to "
                            "compute it"
                        ) from None
                    dep = False
                    for parent in parents:
                        if depends[parent]:
                            dep = True
                            break
                    depends[node] = dep
                else:
                    depends[node] = node in inputs
                order.append(node)
                continue
            if node in parents_of:
                continue
            parents = parents_of[node] = node.parents
            if not parents and node not in inputs and node not in constants:
                raise TraceError(self.stranger(node))
            push((node,))
            for parent in reversed(parents):
                if parent not in parents_of:
                    push(parent)
        return order

    def stranger(self, leaf: Value) -> str:
        """Why a leaf that f neither received nor made with `Value(...)` is refused."""
        for known in (*self.inputs, *self.constants):
            # A copy (copy.copy, copy.deepcopy) keeps the very float and the label.
            if known._data is leaf._data and known.label == leaf.label:
                kind = "input" if known in self.inputs else "constant"
                return (
                    f"the traced function uses {_describe(leaf)}, a leaf that it neither "
                    f"received as an input nor made with Value(...): apparently a copy "
                    f"(copy.copy or copy.deepcopy) of the {kind} {_describe(known)[4:]}. A "
                    "copied leaf is a new leaf, cut off from the original (in the engine too, "
                    "no gradient reaches the original through it), and the traced code cannot "
                    "tell what it copied. Use the Value itself, or v.detach() for its number "
                    "without a gradient."
                )
        return (
            f"the traced function uses {_describe(leaf)}, a leaf that it neither received as "
            "an input nor made with Value(...): a Value captured from outside (or a copy of "
            "one, copy.copy making a new leaf). Its number would be frozen into the traced "
            "code. Pass it as an input, or use Value(v.data) to make a constant on purpose."
        )

    def emission(self, roots: Sequence[Value], seen: set) -> list[Value]:
        """The nodes that depend on the inputs, reachable from `roots` and not `seen` yet,
        each after its parents (marking them seen)."""
        parents_of, depends = self.parents, self.depends
        order: list[Value] = []
        stack: list[Any] = [root for root in reversed(roots) if depends[root]]
        while stack:
            node = stack.pop()
            if type(node) is tuple:
                order.append(node[0])
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node,))
            for parent in reversed(parents_of[node]):
                if parent not in seen and depends[parent]:
                    stack.append(parent)
        return order

    def write(self) -> str:
        guards, output = self.guards, self.output
        results = [output, *self.aux]
        roots = list(results)
        for guard in guards:
            roots.extend(x for x in (guard.left, guard.right) if isinstance(x, Value))
        order = self.walk(roots)
        depends = self.depends
        for value, label in zip(self.inputs, self.labels):
            self.name(value, _printable(label), False)
            self.shown[value] = self.operand[value] = _printable(label)

        lines = self.lines
        args = ", ".join(self.names[value] for value in self.inputs)
        lines.append(f"def {FUNCTION_NAME}({args}):")
        described = ", ".join(f"{self.names[v]} = {self.shown[v]}" for v in self.inputs)
        lines.append(f"    # inputs: {described}" if described else "    # no inputs")
        lines.append("    # forward: one line per node")
        if guards:
            # Each guard as early as it can be: after the nodes its operands need, before
            # anything that f computed after the comparison.
            seen = set(self.inputs)
            for index, guard in enumerate(guards):
                operands = [x for x in (guard.left, guard.right) if isinstance(x, Value)]
                for node in self.emission(operands, seen):
                    self.forward(node)
                if any(depends[x] for x in operands):
                    self.guard(index, guard)
            for node in self.emission(results, seen):
                self.forward(node)
        else:
            for node in order:
                if depends[node] and node not in self.names:
                    self.forward(node)

        # Backward, in backward()'s own order: the same sums, added in the same order.
        lines.append(
            "    # backward: g<k> = d(output)/d(v<k>), one line per chain-rule contribution"
        )
        grads: dict[Value, str] = {}
        if depends[output]:
            g = "g" + self.names[output][1:]
            lines.append(f"    {g} = 1.0")
            grads[output] = g
            if self.parents[output]:
                for node in reversed(engine._intermediates_in_order(output)):
                    # (A node that only a detach consumes gets no gradient: no line.)
                    if depends[node] and node in grads:
                        self.backward(node, grads)
        returned = ", ".join(grads.get(value, "0.0") for value in self.inputs)
        returned = f"({returned},)" if len(self.inputs) == 1 else f"({returned})"
        result = f"{self.ref(output)}, {returned}"
        if self.aux:
            aux = ", ".join(self.ref(value) for value in self.aux)
            result += f", ({aux},)" if len(self.aux) == 1 else f", ({aux})"
        lines.append(f"    return {result}")
        return "\n".join(lines) + "\n"

    def guard(self, index: int, guard: _Guard) -> None:
        left, right = guard.left, guard.right
        if isinstance(right, Value):
            right_code, right_shown = self.ref(right), self.show(right)
        else:
            right_code = right_shown = _literal(right)
        test = f"{self.ref(left)} {guard.op} {right_code}"
        shown = self.guard_texts[index] = f"{self.show(left)} {guard.op} {right_shown}"
        condition = f"not {test}" if guard.outcome else test
        self.lines.append(
            f"    if {condition}: raise GuardFailed({index})  # guard {index}: "
            f"{shown} was {guard.outcome} when traced"
        )

    def forward(self, node: Value) -> None:
        """One line: the node's value (and, for ops called by name, its local derivatives)."""
        op = node._kind()  # a built-in op's name, or a user op's Op
        parents = self.parents[node]
        names, operands = self.names, self.operand
        if type(op) is not str:  # a user op
            self.call(node, parents)
            return
        if op in _INLINE_INFIX:
            if len(parents) == 2:
                a, b = parents
                code_a = names.get(a) or _literal(a._data)
                code_b = names.get(b) or _literal(b._data)
                text_a = operands.get(a) or _literal(a._data)
                text_b = operands.get(b) or _literal(b._data)
                code = f"{code_a} {op} {code_b}"
                text = f"{text_a} {op} {text_b}"
            else:
                a = parents[0]
                c = _literal(node.constant)
                if op == _SUB and node._da != 1.0:  # c - x
                    code = f"{c} - {names[a]}"
                    text = f"{c} - {operands[a]}"
                else:  # x + c, x - c, x * c
                    code = f"{names[a]} {op} {c}"
                    text = f"{operands[a]} {op} {c}"
            infix = True
        elif op == _RELU:  # as the engine's: nan passes through
            x = names[parents[0]]
            code = f"{x} if {x} > 0.0 or {x} != {x} else 0.0"
            text = f"relu({self.shown[parents[0]]})"
            infix = False
        elif op == _NEG:
            code = f"-{names[parents[0]]}"
            text = f"-{operands[parents[0]]}"
            infix = True
        elif op == _DETACH:  # the same number; derivative 0, so no backward line
            code = names[parents[0]]
            text = f"detach({self.shown[parents[0]]})"
            infix = False
        elif op == ops.WEIGHTED_SUM.name:
            self.weighted_sum(node, parents)
            return
        else:
            self.call(node, parents)
            return
        label = node.label
        v = self.name(node, text, infix)
        if label:
            text = f"{_printable(label)} = {text}"
        self.lines.append(f"    {v} = {code}  # {text}")

    def call(self, node: Value, parents: tuple[Value, ...]) -> None:
        """A node of an op that is not written inline: a call of its numeric rule."""
        op = engine.op_of(node)
        k = str(len(self.names))
        args = [self.ref(p) for p in parents]
        infix = not op.user_defined and op.name in _INFIX
        op_name = _printable(op.name)
        shown = [self.show_operand(p) if infix else self.show(p) for p in parents]
        ds = _derivatives(op, len(parents), k)
        for j, parent in enumerate(parents):
            if parent not in self.names:  # a constant operand: its derivative is not needed
                ds[j] = "_"
        if op.has_constant or len(ds) > len(parents):  # a folded constant: x / 2, elu(x, 1.0)
            c = _literal(node.constant)
            args.append(c)
            shown.append(c)
        if infix and len(shown) == 2:
            text = f"{shown[0]} {op_name} {shown[1]}"
        else:
            text = f"{op_name}({', '.join(shown)})"
        label = node.label
        comment = f"{_printable(label)} = {text}" if label else text
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
            xs = xs_shown = [_literal(x) for x in node._da[:n]]
        terms = [f"{ref(w)} * {x}" for w, x in zip(ws, xs)]
        text = " + ".join(
            [operand(parents[-1]), *(f"{operand(w)}*{x}" for w, x in zip(ws, xs_shown))]
        )
        if len(text) > 100:
            text = text[:97] + "..."
        label = node.label
        comment = f"{_printable(label)} = {text}" if label else text
        v = self.name(node, text, True)
        first, rest = terms[:WIDE_SUM], terms[WIDE_SUM:]
        self.lines.append(f"    {v} = {' + '.join([ref(parents[-1]), *first])}  # {comment}")
        for start in range(0, len(rest), WIDE_SUM):
            chunk = rest[start : start + WIDE_SUM]
            self.lines.append(f"    {v} = {' + '.join([v, *chunk])}  # (continued)")

    def backward(self, node: Value, grads: dict[Value, str]) -> None:
        """One line per contribution of `node` to a parent that depends on the inputs."""
        g = grads[node]
        op = node._kind()  # a built-in op's name, or a user op's Op
        if op == _DETACH:
            return  # local derivative 0: nothing flows back
        parents = self.parents[node]
        depends, names, shown, append = self.depends, self.names, self.shown, self.lines.append
        source = shown[node]
        for j, parent in enumerate(parents):
            if not depends[parent] or parent._kind() == _DETACH:
                continue  # (a detach's gradient is not needed: it passes nothing on)
            if op == _ADD:
                local = "1"
            elif op == _MUL and len(parents) == 2:
                other = parents[1 - j]
                local = names.get(other) or _literal(other._data)
            else:
                local = self.local(node, op, parents, j)
            target = grads.get(parent)
            if target is None:
                target = grads[parent] = "g" + names[parent][1:]
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
            append(f"    {code}  # {shown[parent]} <- {source}")

    def local(self, node: Value, op: Any, parents: tuple[Value, ...], j: int) -> str:
        """d(node)/d(parents[j]) as code: "1", "-1", or an expression."""
        if op == _MUL:
            if len(parents) == 2:
                return self.ref(parents[1 - j])
            return _literal(node.constant)
        if op == _ADD:
            return "1"
        if op == ops.WEIGHTED_SUM.name:
            n = node.constant
            if j == len(parents) - 1:
                return "1"  # the bias
            if len(parents) == 2 * n + 1:  # a weight's input, an input's weight
                return self.ref(parents[j + n]) if j < n else self.ref(parents[j - n])
            return _literal(node._da[j])  # a weight's constant input
        if op == _RELU:
            a = self.ref(parents[0])
            return f"({a} > 0.0 or {a} != {a})"
        if op == _SUB:
            if len(parents) == 2:
                return "1" if j == 0 else "-1"
            return "1" if node._da == 1.0 else "-1"
        if op == _NEG:
            return "-1"
        return _derivatives(engine.op_of(node), len(parents), self.names[node][1:])[j]


def _numeric_rule(op: ops.Op) -> Callable[..., tuple[float, ...]]:
    """What the generated code calls for `op`: its numeric rule, raising, as the engine does,
    `ops.overflow_error` where the result is beyond a float.

    The engine applies a built-in op of one operand through `engine._unary`, which turns an
    OverflowError into that message; so does the function returned here. Other ops' rules
    are called as the engine calls them: as they are."""
    numeric = op.numeric
    if op.user_defined or op.arity != 1:
        return numeric
    name = op.name
    if op.has_constant:

        def with_constant(x: float, c: Any) -> tuple[float, ...]:
            try:
                return numeric(x, c)
            except OverflowError:
                raise ops.overflow_error(name, x) from None

        return with_constant

    def rule(x: float) -> tuple[float, ...]:
        try:
            return numeric(x)
        except OverflowError:
            raise ops.overflow_error(name, x) from None

    return rule


def _derivatives(op: ops.Op, parents: int, k: str) -> list[str]:
    """The names a call of `op`'s numeric rule unpacks its local derivatives into: one per
    parent, then `_` for the derivative by a folded constant (the 2 of `x / 2`), if any.

    An op with a constant argument (`leaky_relu(x, slope)`) returns one derivative; a
    two-operand op with one parent (`x / 2`) returns two, of which the first is needed."""
    if op.arity == 2 and parents == 1:
        return [f"d{k}", "_"]
    if parents == 1:
        return [f"d{k}"]
    return [f"d{k}_{j}" for j in range(parents)]


# --- the traced function ------------------------------------------------------------------


class _Variant:
    """One traced path through `f`: its source, its compiled function, its guards."""

    __slots__ = ("__weakref__", "filename", "function", "guards", "source")

    def __init__(self, source: str, function: Callable, guards: list[str], filename: str) -> None:
        self.source = source
        self.function = function
        self.guards = guards  # each guard as text, by index
        self.filename = filename


class Traced:
    """`f`, traced: call it with numbers to get `(output, gradients)` (and the aux values
    with `has_aux=True`). Made by `trace`; see the module's documentation."""

    def __init__(
        self,
        f: Callable[..., Any],
        examples: Sequence[Value | None],
        labels: Sequence[str],
        on_guard_failure: str,
        has_aux: bool,
        max_variants: int,
        cache_dir: str | None,
    ) -> None:
        self._f = f
        self._examples = list(examples)  # the input Values passed in, or None for numbers
        self.labels: tuple[str, ...] = tuple(labels)
        self.on_guard_failure = on_guard_failure
        self.has_aux = has_aux
        self.max_variants = max_variants
        self.cache_dir = cache_dir
        self.traces = 0  # how many times f was traced
        self.costs: dict[str, float] = {}  # the last trace's seconds per phase, and lines
        self._variants: list[_Variant] = []  # the most recently used first
        self._name = getattr(f, "__name__", "f")

    @property
    def source(self) -> str:
        """The generated code of the variant used last."""
        return self._variants[0].source

    @property
    def variants(self) -> int:
        """How many traced paths are cached."""
        return len(self._variants)

    @property
    def guards(self) -> list[str]:
        """The guards of the variant used last, as text: `z1 > 0.0 was True when traced`."""
        return list(self._variants[0].guards)

    def __repr__(self) -> str:
        return (
            f"Traced({self._name}, {len(self.labels)} inputs, {self.variants} variant(s), "
            f"traced {self.traces} time(s))"
        )

    def __call__(self, *inputs: float) -> Any:
        if len(inputs) != len(self.labels):
            raise TypeError(
                f"traced {self._name}: takes {len(self.labels)} inputs, got {len(inputs)}"
            )
        xs = [x if type(x) is float else to_float(x, f"traced {self._name}") for x in inputs]
        try:
            return self._variants[0].function(*xs)
        except _GuardFailed as failed:
            return self._other_path(xs, failed.index)

    def _other_path(self, xs: list[float], index: int) -> Any:
        """The last-used variant's guard `index` failed at `xs`: another cached variant,
        else a new trace (or GuardFailure)."""
        variants = self._variants
        for k in range(1, len(variants)):
            try:
                result = variants[k].function(*xs)
            except _GuardFailed:
                continue
            variants.insert(0, variants.pop(k))
            return result
        if self.on_guard_failure == "raise":
            raise GuardFailure(
                f"traced {self._name}: guard {index}, {variants[0].guards[index]}, goes the other "
                f"way at inputs {xs!r}: {self._name} would take a path that was not traced. "
                "Trace with on_guard_failure='retrace' (the default) to trace it too."
            )
        self._record(xs)
        try:
            return variants[0].function(*xs)
        except _GuardFailed as failed:  # f took another path just now than when traced
            raise TraceError(
                f"traced {self._name}: traced again at {xs!r}, its guard {failed.index} fails at "
                "those very inputs: does the function depend on something besides its inputs?"
            ) from None

    def _record(self, xs: Sequence[float]) -> None:
        """Trace f at `xs` and put the new variant first."""
        if engine._tracer is not None:
            raise TraceError("trace: tracing inside a traced function is not supported")
        inputs: list[Value] = []
        saved: list[tuple[Value, float]] = []
        for example, x, label in zip(self._examples, xs, self.labels):
            if example is None:
                inputs.append(Value(x, label))
            else:  # an existing leaf: f receives it, holding the number x while traced
                saved.append((example, example._data))
                example._data = x
                inputs.append(example)
        recorder = _Recorder(inputs)
        started = time.perf_counter()
        # Called inside no_grad(), a traced function may trace again: the graph must be
        # recorded for that while f runs (the call itself still builds no Value). A
        # no_grad() inside f is refused by the recorder.
        recording = engine._recording
        engine._tracer = recorder
        engine._recording = True
        try:
            result = self._f(*inputs)
        finally:
            engine._tracer = None
            engine._recording = recording
            for example, data in saved:
                example._data = data
        output, aux = self._outputs(result)
        recorded = time.perf_counter()
        writer = _Writer(inputs, self.labels, output, aux, recorder.guards, recorder.constants)
        source = writer.write()
        written = time.perf_counter()
        self.traces += 1
        key = hashlib.sha256(f"{self._name}\n{source}".encode()).hexdigest()
        filename = f"<traced {self._name} {key[:12]}>"
        namespace: dict[str, Any] = {"GuardFailed": _GuardFailed, "inf": math.inf, "nan": math.nan}
        namespace.update(writer.op_globals)
        exec(_compiled(source, filename, key, self.cache_dir), namespace)
        compiled = time.perf_counter()
        guards = [
            f"{text} was {guard.outcome} when traced"
            for text, guard in zip(writer.guard_texts, recorder.guards)
        ]
        variant = _Variant(source, namespace[FUNCTION_NAME], guards, filename)
        # Tracebacks through the generated code show its lines, for as long as it lives.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        weakref.finalize(variant, linecache.cache.pop, filename, None)
        self._variants.insert(0, variant)
        del self._variants[self.max_variants :]
        self.costs = {
            "record": recorded - started,  # f through the engine, once
            "write": written - recorded,  # the graph written out as source
            "compile": compiled - written,  # CPython's compile (or the cache's copy)
            "lines": float(source.count("\n")),
        }

    def _outputs(self, result: Any) -> tuple[Value, list[Value]]:
        if self.has_aux:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise TypeError(
                    f"trace: with has_aux=True, {self._name} must return (output, aux), "
                    f"got {result!r}"
                )
            output, aux = result
            aux = [aux] if isinstance(aux, Value) else list(aux)
        else:
            output, aux = result, []
        for value in (output, *aux):
            if not isinstance(value, Value):
                raise TypeError(
                    f"trace: {self._name} must return a Value"
                    f"{' (and aux Values)' if self.has_aux else ''}, got {value!r} "
                    f"({type(value).__name__})"
                )
        return output, aux


def _compiled(source: str, filename: str, key: str, cache_dir: str | None) -> Any:
    """`compile(source)`, or its code read back from `cache_dir` where an earlier process
    left it (CPython compiles a big graph's code at about 10 us a line: seconds for a
    network's batch). The files are keyed by the source's hash and the interpreter, and
    checked as `.pyc` files are, by the bytecode's magic number."""
    if cache_dir is None:
        return compile(source, filename, "exec")
    magic = importlib.util.MAGIC_NUMBER
    path = os.path.join(cache_dir, f"trace-{key[:32]}.{sys.implementation.cache_tag}.bin")
    try:
        with open(path, "rb") as file:
            data = file.read()
        if data[: len(magic)] == magic:
            return marshal.loads(data[len(magic) :])
    except (OSError, ValueError, EOFError, TypeError):
        pass  # absent or unreadable: compile it again
    code = compile(source, filename, "exec")
    os.makedirs(cache_dir, exist_ok=True)
    partial = f"{path}.{os.getpid()}.tmp"
    with open(partial, "wb") as file:
        file.write(magic + marshal.dumps(code))
    os.replace(partial, path)  # whole or absent, even with several processes at once
    return code


def trace(
    f: Callable[..., Any],
    *example_inputs: Value | float,
    on_guard_failure: str = "retrace",
    has_aux: bool = False,
    max_variants: int = 8,
    cache_dir: str | None = None,
) -> Traced:
    """Trace `f` at `example_inputs` once; return it as straight-line code over floats.

    `f` takes one Value per example input and returns a Value (with `has_aux=True`, a pair
    `(output, aux)`, aux a Value or a list of Values whose numbers are returned too). Each
    example input is a number or a leaf Value (f then receives that Value itself). The
    result, called with one number per input, returns `(output, gradients)` (`(output,
    gradients, aux)` with has_aux), the gradients as a tuple in input order; `.source` is
    its code. On a guard that goes the other way it traces again (`"retrace"`, keeping up
    to `max_variants` variants) or raises `GuardFailure` (`"raise"`). With `cache_dir`, the
    compiled code is kept in that folder and reused by later processes tracing the same
    graph (compiling is most of the cost of tracing a big graph).
    """
    if not callable(f):
        raise TypeError(f"trace: f must be callable, got {f!r}")
    if on_guard_failure not in GUARD_POLICIES:
        raise ValueError(
            f"trace: on_guard_failure must be 'retrace' or 'raise', got {on_guard_failure!r}"
        )
    max_variants = to_int(max_variants, "trace: max_variants", minimum=1)
    if engine._tracer is not None:
        raise TraceError("trace: tracing inside a traced function is not supported")
    if not engine._recording:
        raise TraceError(
            "trace: cannot trace inside no_grad(): call trace() outside it (the traced "
            "function may then be called inside no_grad())"
        )
    names = _parameter_names(f, len(example_inputs))
    examples: list[Value | None] = []
    labels: list[str] = []
    xs: list[float] = []
    seen: set = set()
    for i, x in enumerate(example_inputs):
        if isinstance(x, Value):
            if x.parents:
                raise TypeError(
                    f"trace: input {i} is not a leaf ({_describe(x)}): pass numbers or leaf Values"
                )
            if x in seen:
                raise ValueError(f"trace: input {i} ({_describe(x)}) is passed twice")
            seen.add(x)
            examples.append(x)
            labels.append(x.label or names[i])
            xs.append(x._data)
        else:
            examples.append(None)
            labels.append(names[i])
            xs.append(to_float(x, "trace"))
    traced = Traced(f, examples, labels, on_guard_failure, has_aux, max_variants, cache_dir)
    traced._record(xs)
    return traced


def _parameter_names(f: Callable[..., Any], n: int) -> list[str]:
    """Labels for number inputs: f's parameter names (`x`, `y`), else x0, x1, ..."""
    names = [f"x{i}" for i in range(n)]
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return names
    for i, parameter in enumerate(parameters[:n]):
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            names[i] = parameter.name
        else:
            break
    return names
