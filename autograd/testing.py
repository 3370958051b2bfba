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

# The ops that are a method without arguments: `x.sin()`.
_PLAIN_FUNCTIONS = (
    ops.EXP, ops.LOG, ops.TANH, ops.RELU, ops.SIGMOID, ops.SIN, ops.COS, ops.TAN,
    ops.ASIN, ops.ACOS, ops.ATAN, ops.SINH, ops.COSH, ops.ASINH, ops.ACOSH, ops.ATANH,
    ops.SQRT, ops.ABS, ops.SIGN, ops.EXP2, ops.EXPM1, ops.LOG2, ops.LOG10, ops.LOG1P,
    ops.ERF, ops.FLOOR, ops.CEIL, ops.ROUND, ops.TRUNC, ops.SOFTPLUS, ops.SILU, ops.GELU,
)  # fmt: skip


def _method(name: str) -> Callable[..., Value]:
    """A builder that calls the method `name` on its one operand."""
    return lambda c, a: getattr(a, name)()


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
    ops.MOD.name: (2, lambda c, a, b: a % b, "{0} % {1}"),
    "%c": (1, lambda c, a: a % c, "{0} % {c}"),
    ops.FLOORDIV.name: (2, lambda c, a, b: a // b, "{0} // {1}"),
    ops.MAXIMUM.name: (2, lambda c, a, b: a.maximum(b), "maximum({0}, {1})"),
    ops.MINIMUM.name: (2, lambda c, a, b: a.minimum(b), "minimum({0}, {1})"),
    ops.LEAKY_RELU.name: (1, lambda c, a: a.leaky_relu(c), "leaky_relu({0}, {c})"),
    ops.ELU.name: (1, lambda c, a: a.elu(c), "elu({0}, {c})"),
    ops.CLAMP.name: (1, lambda c, a: a.clamp(-c, c), "clamp({0}, -{c}, {c})"),
    # Every op that is a method without arguments, drawn under its own name.
    **{op.name: (1, _method(op.name), op.name + "({0})") for op in _PLAIN_FUNCTIONS},
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
    ops.LEAKY_RELU.name: (0.01, 0.2),
    ops.ELU.name: (0.5, 1.0),
    ops.CLAMP.name: (0.5, 2.0),
    "%c": (-1.5, 0.7, 2.0),
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
    trouble = _TROUBLE.get(op)
    if trouble is not None and trouble(args, c, margin):
        return None
    with no_grad():
        build = _BUILDERS[op][1]
        try:
            value = build(c, *(Value(a) for a in args)).data
        except (ArithmeticError, ValueError):
            return None
    if not math.isfinite(value) or abs(value) > bound:
        return None
    return value


def _near_whole(x: float, margin: float, offset: float = 0.0) -> bool:
    """Whether x is within `margin` of a whole number (plus `offset`): a step of floor & co."""
    shifted = x - offset
    return abs(shifted - round(shifted)) < margin


def _quotient_near_whole(x: float, y: float, margin: float) -> bool:
    """`x % y` and `x // y` jump where x / y is whole; a divisor near 0 is trouble too."""
    return abs(y) < margin or _near_whole(x / y, margin / abs(y))


# Each op's trouble at its operands (and constant): outside its domain, within `margin` of
# a kink, a jump or a singularity, or so large that exp-like growth spoils finite differences.
_TROUBLE: dict[str, Callable[[list[float], float, float], bool]] = {
    ops.DIV.name: lambda a, c, m: abs(a[-1]) < m,
    "c/": lambda a, c, m: abs(a[0]) < m,
    "/c": lambda a, c, m: False,
    ops.LOG.name: lambda a, c, m: a[0] < m,
    ops.RELU.name: lambda a, c, m: abs(a[0]) < m,
    ops.POW.name: lambda a, c, m: a[0] < m or max(a) > 4.0,
    "**c": lambda a, c, m: (a[0] < m and not float(c).is_integer()) or (c < 0 and abs(a[0]) < m),
    ops.EXP.name: lambda a, c, m: a[0] > 4.0,
    "c**": lambda a, c, m: a[0] > 4.0,
    ops.EXP2.name: lambda a, c, m: a[0] > 4.0,
    ops.EXPM1.name: lambda a, c, m: a[0] > 4.0,
    ops.SINH.name: lambda a, c, m: abs(a[0]) > 4.0,
    ops.COSH.name: lambda a, c, m: abs(a[0]) > 4.0,
    ops.TAN.name: lambda a, c, m: abs(math.cos(a[0])) < m,
    ops.ASIN.name: lambda a, c, m: abs(a[0]) > 1.0 - m,
    ops.ACOS.name: lambda a, c, m: abs(a[0]) > 1.0 - m,
    ops.ATANH.name: lambda a, c, m: abs(a[0]) > 1.0 - m,
    ops.ACOSH.name: lambda a, c, m: a[0] < 1.0 + m,
    ops.SQRT.name: lambda a, c, m: a[0] < m,
    ops.LOG2.name: lambda a, c, m: a[0] < m,
    ops.LOG10.name: lambda a, c, m: a[0] < m,
    ops.LOG1P.name: lambda a, c, m: a[0] < -1.0 + m,
    ops.ABS.name: lambda a, c, m: abs(a[0]) < m,
    ops.SIGN.name: lambda a, c, m: abs(a[0]) < m,
    ops.LEAKY_RELU.name: lambda a, c, m: abs(a[0]) < m,
    ops.ELU.name: lambda a, c, m: abs(a[0]) < m,
    ops.FLOOR.name: lambda a, c, m: _near_whole(a[0], m),
    ops.CEIL.name: lambda a, c, m: _near_whole(a[0], m),
    ops.TRUNC.name: lambda a, c, m: _near_whole(a[0], m),
    ops.ROUND.name: lambda a, c, m: _near_whole(a[0], m, offset=0.5),
    ops.CLAMP.name: lambda a, c, m: abs(abs(a[0]) - c) < m,
    ops.MOD.name: lambda a, c, m: _quotient_near_whole(a[0], a[1], m),
    "%c": lambda a, c, m: _quotient_near_whole(a[0], c, m),
    ops.FLOORDIV.name: lambda a, c, m: _quotient_near_whole(a[0], a[1], m),
    ops.MAXIMUM.name: lambda a, c, m: abs(a[0] - a[1]) < m,
    ops.MINIMUM.name: lambda a, c, m: abs(a[0] - a[1]) < m,
}
