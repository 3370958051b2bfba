"""Hypothesis strategies for property tests of derivatives.

`expressions()` draws random expression graphs over every op, together with the inputs
to evaluate them at. Each op is chosen so that, at those inputs, it stays inside its
domain and away from its kinks (relu at 0, log and division near 0, ...), and every
value stays moderate, so that finite differences are accurate: ready for `gradcheck`.

    from hypothesis import given
    from autograd.gradcheck import gradcheck
    from autograd.testing import expressions

    @given(expressions())
    def test_gradients(expr):
        assert gradcheck(expr, expr.inputs)

An `Expression` is callable with one `Value` per input and prints as the program it
runs (`t2 = x0 * x1; t3 = tanh(t2); ...`), so a failing example reads plainly. Nodes are
reused (`x0 * x0`, diamonds), so graphs are DAGs, not just trees.

It needs hypothesis: `pip install 'backprop-lens[testing]'`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

try:
    from hypothesis import strategies as st
except ImportError:
    raise ImportError(
        "autograd.testing is a set of hypothesis strategies, and hypothesis is not installed: "
        "pip install 'backprop-lens[testing]' (or pip install hypothesis)"
    ) from None

from autograd import ops
from autograd.engine import Value, no_grad, weighted_sum


class Form(NamedTuple):
    """One way the strategies apply an op: `x * y`, `x * c`, `c - x`, `clamp(x, c)`."""

    arity: int  # how many Values it takes
    build: Callable[..., Value]  # (constant, *Values) -> the node
    text: str  # how a step prints: `{0}`, `{1}` its operands, `{c}` its constant
    constants: tuple  # the constants drawn for it (none: it folds in none)
    trouble: Callable[[list, Any, float], bool] | None  # `ops.Op.trouble`


def forms() -> dict[str, Form]:
    """Every op of the table (`ops.REGISTRY`), in every form it takes, under the names
    `expressions(ops=...)` reads: an op's own name for its usual form (`*`, `exp`,
    `clamp`); `*c` and `c-` for a number folded in on the right or the left of an
    operator, `maximum(c)` beside a named op. Read from the table at each call, so that
    an entry added since (a test's) is drawn too."""
    key = tuple(ops.REGISTRY.values())
    if _cache and _cache[0] == key:
        return _cache[1]
    found: dict[str, Form] = {}
    for op in key:
        if op is ops.WEIGHTED_SUM:  # built by weighted_sum(), not by a method of Value
            found[op.name] = Form(
                5,
                lambda c, w0, w1, x0, x1, b: weighted_sum([w0, w1], [x0, x1], b),
                "w·x+b([{0}, {1}], [{2}, {3}], {4})",
                (),
                None,
            )
            continue
        if op is ops.DETACH:  # its gradient is 0 by definition, not its finite difference
            continue
        method, symbol, name = op.method, op.symbol, op.name
        if op.arity == 2:
            found[name] = Form(
                2,
                _method(method),
                f"{{0}} {symbol} {{1}}" if symbol else f"{name}({{0}}, {{1}})",
                (),
                op.trouble,
            )
            if op.constant == "operand":
                found[f"{name}c" if symbol else f"{name}(c)"] = Form(
                    1,
                    _method(method, constant=True),
                    f"{{0}} {symbol} {{c}}" if symbol else f"{name}({{0}}, {{c}})",
                    op.samples,
                    op.trouble,
                )
            reflected = op.reflected
            if reflected is not None:
                found[f"c{name}"] = Form(
                    1,
                    _method(reflected.method, constant=True),
                    f"{{c}} {symbol} {{0}}",
                    reflected.samples,
                    reflected.trouble,
                )
        elif op.constant is None:
            text = f"{symbol}{{0}}" if symbol else f"{name}({{0}})"
            found[name] = Form(1, _method(method), text, (), op.trouble)
        else:  # a constant argument: leaky_relu(x, c), clamp(x, min, max), round(x, d)
            build = _method(method, constant=True, spread=op.constant == "bounds")
            found[name] = Form(1, build, f"{name}({{0}}, {{c}})", op.samples, op.trouble)
    _cache[:] = [key, found]
    return found


_cache: list = []  # [the table's entries when last read, their forms]


def _method(name: str | None, constant: bool = False, spread: bool = False) -> Callable:
    """A builder that calls `Value`'s method `name` on its first operand, with the other
    operand or the constant as the argument (spread: the constant's items)."""
    assert name, "an op applied by a method of Value"
    if spread:
        return lambda c, a: getattr(a, name)(*c)
    if constant:
        return lambda c, a: getattr(a, name)(c)
    return lambda c, a, *more: getattr(a, name)(*more)


OPS: tuple[str, ...] = tuple(forms())  # every form's name, when this module was imported


@dataclass(frozen=True)
class Step:
    op: str
    operands: tuple[int, ...]  # indices of earlier values: inputs first, then steps
    constant: Any = None  # what the form folds in (a number; clamp's bounds), else None


@dataclass(frozen=True)
class Expression:
    """A random program of engine ops, with the inputs it was drawn for."""

    inputs: tuple[float, ...]
    steps: tuple[Step, ...]

    def __call__(self, *xs: Value) -> Value:
        if len(xs) != len(self.inputs):
            raise TypeError(f"Expression: takes {len(self.inputs)} inputs, got {len(xs)}")
        values = list(xs)
        for step in self.steps:
            build = forms()[step.op].build
            values.append(build(step.constant, *(values[i] for i in step.operands)))
        return values[-1]

    @property
    def ops(self) -> set[str]:
        return {step.op for step in self.steps}

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(len(self.inputs))]
        lines = [f"{name} = {x!r}" for name, x in zip(names, self.inputs)]
        for step in self.steps:
            name = f"t{len(names)}"
            lines.append(f"{name} = {_format(step, [names[i] for i in step.operands])}")
            names.append(name)
        return "Expression(" + "; ".join(lines) + ")"


def _format(step: Step, args: list[str]) -> str:
    return forms()[step.op].text.format(*args, c=_constant_text(step.constant))


def _constant_text(c: Any) -> str:
    if isinstance(c, tuple):  # clamp's bounds
        return ", ".join("None" if b is None else f"{b:g}" for b in c)
    return "" if c is None else f"{c:g}"


def expressions(
    max_inputs: int = 3,
    max_steps: int = 8,
    ops: Sequence[str] = OPS,
    margin: float = 0.25,
    bound: float = 50.0,
) -> st.SearchStrategy[Expression]:
    """Random expression graphs with their inputs, safe for finite differences.

    `ops` limits the ops drawn (names as in `OPS`); `margin` is how far every operand
    keeps from a kink or a singularity; `bound` caps every value's magnitude.
    """
    known = forms()
    unknown = set(ops) - set(known)
    if unknown:
        raise ValueError(f"expressions: unknown ops {sorted(unknown)}; choose from {tuple(known)}")
    if max_inputs < 1 or max_steps < 1:
        raise ValueError(
            f"expressions: max_inputs and max_steps must be >= 1, got {max_inputs}, {max_steps}"
        )
    return _expressions(max_inputs, max_steps, tuple(ops), margin, bound)


@st.composite
def _expressions(draw, max_inputs, max_steps, choices, margin, bound) -> Expression:
    n_inputs = draw(st.integers(1, max_inputs))
    inputs = tuple(
        draw(st.floats(-3.0, 3.0).filter(lambda x: abs(x) >= margin)) for _ in range(n_inputs)
    )
    values = list(inputs)
    steps: list[Step] = []
    for _ in range(draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(choices))
        form = forms()[op]
        operands = tuple(draw(st.integers(0, len(values) - 1)) for _ in range(form.arity))
        constant = draw(st.sampled_from(form.constants)) if form.constants else None
        step = Step(op, operands, constant)
        value = _safe_value(step, [values[i] for i in operands], margin, bound)
        if value is not None:
            steps.append(step)
            values.append(value)
    if not steps:  # every draw was unsafe here: fall back on a sum, always safe
        steps.append(Step(ops.ADD.name, (0, 0)))
    return Expression(inputs, tuple(steps))


def _safe_value(step: Step, args: list[float], margin: float, bound: float) -> float | None:
    """The step's value at these operands, or None if it is too close to trouble."""
    form, c = forms()[step.op], step.constant
    if form.trouble is not None and form.trouble(args, c, margin):
        return None
    with no_grad():
        try:
            value = form.build(c, *(Value(a) for a in args)).data
        except (ArithmeticError, ValueError):
            return None
    if not math.isfinite(value) or abs(value) > bound:
        return None
    return value
