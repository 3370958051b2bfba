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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from autograd.engine import Value, no_grad, weighted_sum

# Each op: how many operands, how it builds its node from operand Values and one
# constant `c` (unused by most), and how it prints.
_BUILDERS: dict[str, tuple[int, Callable[..., Value], str]] = {
    "+": (2, lambda c, a, b: a + b, "{0} + {1}"),
    "-": (2, lambda c, a, b: a - b, "{0} - {1}"),
    "*": (2, lambda c, a, b: a * b, "{0} * {1}"),
    "/": (2, lambda c, a, b: a / b, "{0} / {1}"),
    "**": (2, lambda c, a, b: a**b, "{0} ** {1}"),
    "neg": (1, lambda c, a: -a, "-{0}"),
    "+c": (1, lambda c, a: a + c, "{0} + {c}"),
    "c-": (1, lambda c, a: c - a, "{c} - {0}"),
    "*c": (1, lambda c, a: a * c, "{0} * {c}"),
    "/c": (1, lambda c, a: a / c, "{0} / {c}"),
    "c/": (1, lambda c, a: c / a, "{c} / {0}"),
    "**c": (1, lambda c, a: a**c, "{0} ** {c}"),
    "c**": (1, lambda c, a: c**a, "{c} ** {0}"),
    "exp": (1, lambda c, a: a.exp(), "exp({0})"),
    "log": (1, lambda c, a: a.log(), "log({0})"),
    "tanh": (1, lambda c, a: a.tanh(), "tanh({0})"),
    "relu": (1, lambda c, a: a.relu(), "relu({0})"),
    "sigmoid": (1, lambda c, a: a.sigmoid(), "sigmoid({0})"),
    "sin": (1, lambda c, a: a.sin(), "sin({0})"),
    "cos": (1, lambda c, a: a.cos(), "cos({0})"),
    "tan": (1, lambda c, a: a.tan(), "tan({0})"),
    "asin": (1, lambda c, a: a.asin(), "asin({0})"),
    "acos": (1, lambda c, a: a.acos(), "acos({0})"),
    "atan": (1, lambda c, a: a.atan(), "atan({0})"),
    "sinh": (1, lambda c, a: a.sinh(), "sinh({0})"),
    "cosh": (1, lambda c, a: a.cosh(), "cosh({0})"),
    "asinh": (1, lambda c, a: a.asinh(), "asinh({0})"),
    "acosh": (1, lambda c, a: a.acosh(), "acosh({0})"),
    "atanh": (1, lambda c, a: a.atanh(), "atanh({0})"),
    "sqrt": (1, lambda c, a: a.sqrt(), "sqrt({0})"),
    "abs": (1, lambda c, a: a.abs(), "abs({0})"),
    "sign": (1, lambda c, a: a.sign(), "sign({0})"),
    "exp2": (1, lambda c, a: a.exp2(), "exp2({0})"),
    "expm1": (1, lambda c, a: a.expm1(), "expm1({0})"),
    "log2": (1, lambda c, a: a.log2(), "log2({0})"),
    "log10": (1, lambda c, a: a.log10(), "log10({0})"),
    "log1p": (1, lambda c, a: a.log1p(), "log1p({0})"),
    "erf": (1, lambda c, a: a.erf(), "erf({0})"),
    "floor": (1, lambda c, a: a.floor(), "floor({0})"),
    "ceil": (1, lambda c, a: a.ceil(), "ceil({0})"),
    "round": (1, lambda c, a: a.round(), "round({0})"),
    "trunc": (1, lambda c, a: a.trunc(), "trunc({0})"),
    "softplus": (1, lambda c, a: a.softplus(), "softplus({0})"),
    "silu": (1, lambda c, a: a.silu(), "silu({0})"),
    "gelu": (1, lambda c, a: a.gelu(), "gelu({0})"),
    "leaky_relu": (1, lambda c, a: a.leaky_relu(c), "leaky_relu({0}, {c})"),
    "elu": (1, lambda c, a: a.elu(c), "elu({0}, {c})"),
    "clamp": (1, lambda c, a: a.clamp(-c, c), "clamp({0}, -{c}, {c})"),
    "%": (2, lambda c, a, b: a % b, "{0} % {1}"),
    "%c": (1, lambda c, a: a % c, "{0} % {c}"),
    "//": (2, lambda c, a, b: a // b, "{0} // {1}"),
    "maximum": (2, lambda c, a, b: a.maximum(b), "maximum({0}, {1})"),
    "minimum": (2, lambda c, a, b: a.minimum(b), "minimum({0}, {1})"),
    "w·x+b": (
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
    "leaky_relu": (0.01, 0.2),
    "elu": (0.5, 1.0),
    "clamp": (0.5, 2.0),
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
def _expressions(draw, max_inputs, max_steps, ops, margin, bound) -> Expression:
    n_inputs = draw(st.integers(1, max_inputs))
    inputs = tuple(
        draw(st.floats(-3.0, 3.0).filter(lambda x: abs(x) >= margin)) for _ in range(n_inputs)
    )
    values = list(inputs)
    steps: list[Step] = []
    for _ in range(draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(ops))
        arity = _BUILDERS[op][0]
        operands = tuple(draw(st.integers(0, len(values) - 1)) for _ in range(arity))
        constant = draw(st.sampled_from(_CONSTANTS[op])) if op in _CONSTANTS else 0.0
        step = Step(op, operands, constant)
        value = _safe_value(step, [values[i] for i in operands], margin, bound)
        if value is not None:
            steps.append(step)
            values.append(value)
    if not steps:  # every draw was unsafe here: fall back on a sum, always safe
        steps.append(Step("+", (0, 0)))
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
    "/": lambda a, c, m: abs(a[-1]) < m,
    "c/": lambda a, c, m: abs(a[0]) < m,
    "/c": lambda a, c, m: False,
    "log": lambda a, c, m: a[0] < m,
    "relu": lambda a, c, m: abs(a[0]) < m,
    "**": lambda a, c, m: a[0] < m or max(a) > 4.0,
    "**c": lambda a, c, m: (a[0] < m and not float(c).is_integer()) or (c < 0 and abs(a[0]) < m),
    "exp": lambda a, c, m: a[0] > 4.0,
    "c**": lambda a, c, m: a[0] > 4.0,
    "exp2": lambda a, c, m: a[0] > 4.0,
    "expm1": lambda a, c, m: a[0] > 4.0,
    "sinh": lambda a, c, m: abs(a[0]) > 4.0,
    "cosh": lambda a, c, m: abs(a[0]) > 4.0,
    "tan": lambda a, c, m: abs(math.cos(a[0])) < m,
    "asin": lambda a, c, m: abs(a[0]) > 1.0 - m,
    "acos": lambda a, c, m: abs(a[0]) > 1.0 - m,
    "atanh": lambda a, c, m: abs(a[0]) > 1.0 - m,
    "acosh": lambda a, c, m: a[0] < 1.0 + m,
    "sqrt": lambda a, c, m: a[0] < m,
    "log2": lambda a, c, m: a[0] < m,
    "log10": lambda a, c, m: a[0] < m,
    "log1p": lambda a, c, m: a[0] < -1.0 + m,
    "abs": lambda a, c, m: abs(a[0]) < m,
    "sign": lambda a, c, m: abs(a[0]) < m,
    "leaky_relu": lambda a, c, m: abs(a[0]) < m,
    "elu": lambda a, c, m: abs(a[0]) < m,
    "floor": lambda a, c, m: _near_whole(a[0], m),
    "ceil": lambda a, c, m: _near_whole(a[0], m),
    "trunc": lambda a, c, m: _near_whole(a[0], m),
    "round": lambda a, c, m: _near_whole(a[0], m, offset=0.5),
    "clamp": lambda a, c, m: abs(abs(a[0]) - c) < m,
    "%": lambda a, c, m: _quotient_near_whole(a[0], a[1], m),
    "%c": lambda a, c, m: _quotient_near_whole(a[0], c, m),
    "//": lambda a, c, m: _quotient_near_whole(a[0], a[1], m),
    "maximum": lambda a, c, m: abs(a[0] - a[1]) < m,
    "minimum": lambda a, c, m: abs(a[0] - a[1]) < m,
}
