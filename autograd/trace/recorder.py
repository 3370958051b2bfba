"""Recording: what the engine reports while a traced function runs (`autograd.recording`).

The recorder classifies leaves (inputs, constants made inside `f`), records every
comparison of a value that depends on the inputs as a guard, hands out a stand-in for
`.data` of such values, and refuses what the traced code could not replay. A refusal that
`f` catches (`except TypeError:`), and an op's error that `f` catches (`try: x.log()`), are
remembered: tracing then fails when `f` returns, since `f` took a path that no guard
describes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

from autograd.engine import Value
from autograd.op_type import Op
from autograd.recording import Escape
from autograd.trace.errors import ConcretizationError, TraceError


class Guard:
    """One comparison made while tracing: `left op right` gave `outcome`.

    `left` is a Value; `right` a Value or the number as `f` passed it (an int, a float, a
    Fraction: compared exactly, as Python compares numbers)."""

    __slots__ = ("left", "op", "outcome", "right")

    def __init__(self, left: Value, op: str, right: Any, outcome: bool) -> None:
        self.left = left
        self.op = op
        self.right = right
        self.outcome = outcome


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _pretend_float(stand_in: Any) -> type:
    return float


class TracedData:
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

    def __init__(self, recorder: Recorder, node: Value) -> None:
        self._recorder = recorder
        self._node = node

    # The class that isinstance() sees (it falls back to `__class__`, as for mocks).
    __class__ = property(_pretend_float)

    def __lt__(self, other: Any) -> Any:
        return self._recorder.compare_data(self._node, "<", other)

    def __le__(self, other: Any) -> Any:
        return self._recorder.compare_data(self._node, "<=", other)

    def __gt__(self, other: Any) -> Any:
        return self._recorder.compare_data(self._node, ">", other)

    def __ge__(self, other: Any) -> Any:
        return self._recorder.compare_data(self._node, ">=", other)

    def __eq__(self, other: Any) -> Any:
        return self._recorder.compare_data(self._node, "==", other)

    def __ne__(self, other: Any) -> Any:
        return self._recorder.compare_data(self._node, "!=", other)

    def __bool__(self) -> bool:
        return self._recorder.compare_data(self._node, "!=", 0.0)

    def __copy__(self) -> TracedData:
        return self  # as a float: immutable, so a copy is itself

    def __deepcopy__(self, memo: Any) -> TracedData:
        return self

    def _refuse(self, *args: Any) -> Any:
        raise self._recorder.refusal(
            ConcretizationError(
                f"computing with .data of {describe(self._node)}, which depends on the traced "
                "inputs: the traced code could not redo that computation. While tracing, such "
                "a .data can be compared, not computed with (comparisons are guarded): compute "
                "with the Value itself (`v * 2`, not `v.data * 2`)."
            )
        )

    def _refuse_text(self, *args: Any) -> Any:
        raise self._recorder.refusal(
            ConcretizationError(
                f"printing or formatting .data of {describe(self._node)}, which depends on the "
                "traced inputs: the text depends on its number, so the traced code could not "
                "redo what f does with it (and a print inside f runs once, at trace time). "
                "Print the traced function's results instead, outside it."
            )
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


class Recorder:
    """The tracer's `autograd.recording.Recorder`: installed (`engine.traced_by`) while `f`
    runs; classifies leaves, records guards, refuses what cannot be replayed."""

    def __init__(self, inputs: Sequence[Value]) -> None:
        self.inputs = set(inputs)  # Values hash by identity
        self.constants: set = set()  # leaves made inside f. Kept alive, so that no other
        # Value can take the id of one of them.
        self.guards: list[Guard] = []
        self.refusals: list[BaseException] = []  # each refusal raised, caught by f or not
        self.failures: list[tuple[Op, tuple, BaseException]] = []  # op errors while f ran
        self._depends: dict[Value, bool] = {}
        self._stand_ins: dict[Value, TracedData] = {}  # one per node: `v.data is v.data`

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

    def refusal(self, error: BaseException) -> BaseException:
        """`error`, remembered: if `f` catches it and returns, tracing still fails."""
        self.refusals.append(error)
        return error

    def swallowed(self) -> TraceError | None:
        """Why the trace of an `f` that returned normally cannot be trusted, or None."""
        if self.refusals:
            error = self.refusals[0]
            return TraceError(
                f"trace: f caught the tracer's refusal ({type(error).__name__}: {error}) and "
                "went on: the path it took after catching it is not recorded, so the traced "
                "code could compute another function. Do not catch it (an `except TypeError:` "
                "or `except Exception:` around the refused use catches it)."
            )
        if self.failures:
            op, operands, error = self.failures[0]
            shown = ", ".join(repr(x._data if isinstance(x, Value) else x) for x in operands)
            return TraceError(
                f"trace: f caught an error of the op {op.name!r} at ({shown}) "
                f"({type(error).__name__}: {error}) and went on: which inputs make that op "
                "fail is not a guard the traced code can check, so it could take the "
                "recorded path where f would not. Branch on a comparison instead "
                "(`if x > 0:`), which is guarded."
            )
        return None

    # --- the engine's events (autograd.recording.Recorder) --------------------------------

    def created(self, value: Value) -> None:
        self.constants.add(value)

    def data(self, value: Value) -> Any:
        if not self.depends(value):
            return value._data
        stand_in = self._stand_ins.get(value)
        if stand_in is None:
            stand_in = self._stand_ins[value] = TracedData(self, value)
        return stand_in

    def operand(self, other: object) -> Value | None:
        return other._node if isinstance(other, TracedData) else None

    def compared(self, value: Value, op: str, other: Any, result: bool) -> None:
        right = other._node if isinstance(other, TracedData) else other  # `x < y.data`
        if self.depends(value) or (isinstance(right, Value) and self.depends(right)):
            self.guards.append(Guard(value, op, right, result))

    def failed(self, op: Op, operands: tuple, error: BaseException) -> None:
        # Only an operand that depends on the inputs makes the failure depend on them.
        if any(isinstance(x, Value) and self.depends(x) for x in operands):
            self.failures.append((op, operands, error))

    def escaped(self, value: Value | None, what: Escape) -> None:
        if value is None:
            raise self.refusal(
                TraceError(
                    f"{what.value} inside a traced function: what it makes is not recorded in "
                    "the graph, so the traced code could not redo it. Do it outside the traced "
                    "function."
                )
            )
        if what is Escape.SET_DATA:
            raise self.refusal(
                TraceError(
                    f"{what.value} inside a traced function (of {describe(value)}): the graph "
                    "keeps the numbers its ops computed, so the traced code would not see the "
                    "change. Compute the new value with ops instead."
                )
            )
        if self.depends(value):
            if what is Escape.FLOAT or what is Escape.BOOL:
                hint = (
                    "compute with the Value itself, and compare the Value (or its .data) to "
                    "branch on it: comparisons are guarded"
                )
            else:
                hint = (
                    "the traced function computes the gradients itself: return the output, "
                    "and call backward()/grad() outside it"
                )
            raise self.refusal(
                ConcretizationError(
                    f"{what.value} of {describe(value)}, which depends on the traced inputs: its "
                    f"number would be frozen into the traced code. Instead, {hint}."
                )
            )

    # --- comparisons of `.data` stand-ins --------------------------------------------------

    def compare_data(self, left: Value, op: str, other: Any) -> Any:
        if isinstance(other, TracedData):
            right: Any = other._node
            b: Any = right._data
        elif isinstance(other, Value):
            right = b = other
            b = other._data
        elif isinstance(other, Real):
            right = b = other  # as passed: Python compares a float with an int exactly
        else:
            return NotImplemented
        result = COMPARE[op](left._data, b)
        self.guards.append(Guard(left, op, right, result))
        return result


def describe(node: Value) -> str:
    """A Value for a message: its label, op and number at trace time."""
    label = node.label
    named = f" {label!r}" if label else ""
    op = printable(node.op) or "leaf"
    return f"the Value{named} ({op}, {node._data!r} at trace time)"


def printable(text: str) -> str:
    """`text` on one line, for a comment."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def stranger(leaf: Value, inputs: list, constants: set) -> str:
    """Why a leaf that f neither received nor made with `Value(...)` is refused."""
    for known in (*inputs, *constants):
        # A copy (copy.copy, copy.deepcopy) keeps the very float and the label.
        if known._data is leaf._data and known.label == leaf.label:
            kind = "input" if known in inputs else "constant"
            return (
                f"the traced function uses {describe(leaf)}, a leaf that it neither "
                f"received as an input nor made with Value(...): apparently a copy "
                f"(copy.copy or copy.deepcopy) of the {kind} {describe(known)[4:]}. A "
                "copied leaf is a new leaf, cut off from the original (in the engine too, "
                "no gradient reaches the original through it), and the traced code cannot "
                "tell what it copied. Use the Value itself, or v.detach() for its number "
                "without a gradient."
            )
    return (
        f"the traced function uses {describe(leaf)}, a leaf that it neither received as "
        "an input nor made with Value(...): a Value captured from outside (or a copy of "
        "one, copy.copy making a new leaf). Its number would be frozen into the traced "
        "code. Pass it as an input, or use Value(v.data) to make a constant on purpose."
    )
