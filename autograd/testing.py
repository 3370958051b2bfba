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

try:
    from hypothesis import strategies as st
except ImportError:
    raise ImportError(
        "autograd.testing is a set of hypothesis strategies, and hypothesis is not installed: "
        "pip install 'backprop-lens[testing]' (or pip install hypothesis)"
    ) from None

from autograd import ops
from autograd.engine import Value, no_grad, weighted_sum

# Each op: how many operands, how it builds its node from operand Values and one
# constant `c` (unused by most), and how it prints. An engine op is drawn under its own
# name; `+c`, `c-`, ... are this module's names for an op with a folded number.
_BUILDERS: dict[str, tuple[int, Callable[..., Value], str]] = {
    ops.ADD.name: (2, lambda c, a, b: a + b, "{0} + {1}"),
    ops.SUB.name: (2, lambda c, a, b: a - b, "{0} - {1}"),
    ops.MUL.name: (2, lambda c, a, b: a * b, "{0} * {1}"),
    ops.DIV.name: (2, lambda c, a, b: a / b, "{0} / {1}"),
    ops.POW.name: (2, lambda c, a, b: a**b, "{0} ** {1}"),
    ops.NEG.name: (1, lambda c, a: -a, "-{0}"),
    "+c": (1, lambda c, a: a + c, "{0} + {c}"),
    "c-": (1, lambda c, a: c - a, "{c} - {0}"),
    "*c": (1, lambda c, a: a * c, "{0} * {c}"),
    "/c": (1, lambda c, a: a / c, "{0} / {c}"),
    "c/": (1, lambda c, a: c / a, "{c} / {0}"),
    "**c": (1, lambda c, a: a**c, "{0} ** {c}"),
    "c**": (1, lambda c, a: c**a, "{c} ** {0}"),
    ops.EXP.name: (1, lambda c, a: a.exp(), "exp({0})"),
    ops.LOG.name: (1, lambda c, a: a.log(), "log({0})"),
    ops.TANH.name: (1, lambda c, a: a.tanh(), "tanh({0})"),
    ops.RELU.name: (1, lambda c, a: a.relu(), "relu({0})"),
    ops.SIGMOID.name: (1, lambda c, a: a.sigmoid(), "sigmoid({0})"),
    ops.WEIGHTED_SUM.name: (
        5,
        lambda c, w0, w1, x0, x1, b: weighted_sum([w0, w1], [x0, x1], b),
        "w·x+b([{0}, {1}], [{2}, {3}], {4})",
    ),
}
OPS: tuple[str, ...] = tuple(_BUILDERS)

_CONSTANTS = {
    "+c": (-2.0, 0.5, 3.0),
    "c-": (-1.0, 2.0),
    "*c": (-1.5, 0.5, 2.0),
    "/c": (-4.0, 0.5, 3.0),
    "c/": (-2.0, 1.0, 3.0),
    "**c": (2.0, 3.0, -1.0, 0.5, 1.5),
    "c**": (0.5, 2.0, 3.0),
}


@dataclass(frozen=True)
class Step:
    op: str
    operands: tuple[int, ...]  # indices of earlier values: inputs first, then steps
    constant: float = 0.0


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
            build = _BUILDERS[step.op][1]
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
    return _BUILDERS[step.op][2].format(*args, c=f"{step.constant:g}")


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
    unknown = set(ops) - set(OPS)
    if unknown:
        raise ValueError(f"expressions: unknown ops {sorted(unknown)}; choose from {OPS}")
    if max_inputs < 1 or max_steps < 1:
        raise ValueError(f"expressions: max_inputs and max_steps must be >= 1, got {max_inputs}, {max_steps}")
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
        arity = _BUILDERS[op][0]
        operands = tuple(draw(st.integers(0, len(values) - 1)) for _ in range(arity))
        constant = draw(st.sampled_from(_CONSTANTS[op])) if op in _CONSTANTS else 0.0
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
    op, c = step.op, step.constant
    near_zero = [abs(a) < margin for a in args]
    if op in (ops.DIV.name, "c/", ops.LOG.name, ops.RELU.name) and near_zero[-1]:
        return None  # divisor, log's argument, or relu's kink
    if op in (ops.LOG.name, ops.POW.name) and args[0] < margin:
        return None  # log needs x > 0; a real power of a negative base has no value
    if op == "**c" and args[0] < margin and not float(c).is_integer():
        return None
    if op == "**c" and c < 0 and near_zero[0]:
        return None
    if op in (ops.EXP.name, "c**", ops.POW.name) and max(args) > 4.0:
        return None  # keeps exp and powers moderate
    with no_grad():
        build = _BUILDERS[op][1]
        try:
            value = build(c, *(Value(a) for a in args)).data
        except (ArithmeticError, ValueError):
            return None
    if not math.isfinite(value) or abs(value) > bound:
        return None
    return value
