"""New ops from outside the table, and the weighted sum, a layer's one node per neuron.

`define_op` makes a primitive op from float functions: its nodes are like any built-in
op's (drawn, explained, replayed, gradchecked). `weighted_sums` builds a layer's
z = W·x + b as one `w·x+b` node per row, a specialised form of `ops.WEIGHTED_SUM`'s rule.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, Callable, Protocol, cast

from autograd import ops
from autograd.backprop import _MANY
from autograd.checks import _constant, to_float
from autograd.op_type import Differentiable, Op
from autograd.value import _ONE, Scalar, Value, _failed, _node


class UserOpFunction(Protocol):
    """What `define_op` returns: the function that applies the op, with its `Op` as `.op`
    (the object its nodes record, which `engine.op_of(node)` gives back)."""

    op: Op

    def __call__(self, *operands: Scalar) -> Value: ...


def define_op(
    name: str,
    forward: Callable[..., float],
    derivatives: Callable[..., Sequence[float]],
    differentiable: Differentiable | None = None,
    formula: str | Sequence[str] | None = None,
) -> UserOpFunction:
    """Define a new primitive op from float functions; returns the function that applies it.

    - `forward(*xs) -> float`: the output, from the operands' floats.
    - `derivatives(*xs, out) -> sequence of floats`: d(out)/d(x_i) for each operand.
    - `differentiable(*parents, node) -> sequence`: optional, the same derivatives built
      from Values with the engine's ops, for `grad(..., create_graph=True)`; without it a
      second derivative through this op raises NotImplementedError.
    - `formula`: optional, the local derivatives as text for the replay and explanations,
      one per operand (a str for a one-operand op): `{x}`, `{y}` stand for the operands'
      values and `{o}` for the output, e.g. `"cos({x})"`.

    The op's arity is read from `forward`'s signature. Its nodes are like any other: the
    name shows in drawings, explanations and replays, and `gradcheck` checks it. Operands
    may be Values or numbers (a number becomes a leaf).

    >>> import math
    >>> sinc = define_op("sinc", lambda x: math.sin(x) / x,
    ...                  lambda x, out: ((math.cos(x) - out) / x,))
    >>> y = sinc(Value(2.0))
    >>> y.op, round(y.data, 4), round(y.local_grads[0], 4)
    ('sinc', 0.4546, -0.4354)
    """
    import inspect

    if not isinstance(name, str):
        raise TypeError(f"define_op: the name must be a str, got {name!r}")
    if not name or not name.isprintable() or name != name.strip():
        raise ValueError(
            f"define_op: the name must be printable text without surrounding spaces, got {name!r}"
        )
    for what, f in (
        ("forward", forward),
        ("derivatives", derivatives),
        ("differentiable", differentiable),
    ):
        if f is not None and not callable(f):
            raise TypeError(f"define_op: {what} must be callable, got {f!r}")
    try:
        arity = _positional_count(inspect.signature(forward))
    except (TypeError, ValueError):
        raise TypeError(
            f"define_op: cannot read how many operands {name!r}'s forward takes"
        ) from None
    if arity < 1:
        raise ValueError(f"define_op: {name!r}'s forward must take at least one operand")

    def numeric(*xs: float) -> tuple[float, ...]:
        out = to_float(forward(*xs), f"{name} (forward)")
        returned = derivatives(*xs, out)
        if not isinstance(returned, (tuple, list)):  # a dict would give its keys
            raise TypeError(
                f"{name}: derivatives must return a tuple or list of {arity} number(s), one "
                f"d(out)/d(x) per operand; got {returned!r} ({type(returned).__name__})"
            )
        ds = tuple(returned)
        if len(ds) != arity:
            raise ValueError(
                f"{name}: derivatives returned {len(ds)} values for {arity} operand(s); "
                f"it must return one d(out)/d(x) per operand"
            )
        return (out, *(to_float(d, f"{name} (derivatives)") for d in ds))

    if name in ops.REGISTRY:
        raise ValueError(f"define_op: {name!r} is a built-in op; choose another name")
    # Not registered by name: each node keeps this Op itself, so defining another op of
    # the same name (a notebook cell run again) changes no node built before.
    op = Op(name, arity, numeric, differentiable, user_defined=True)
    if formula is not None:
        formulas = (formula,) if isinstance(formula, str) else tuple(formula)
        if len(formulas) != arity or not all(isinstance(f, str) for f in formulas):
            raise TypeError(
                f"define_op: {name!r}'s formula must be {arity} str(s), one per operand, "
                f"got {formula!r}"
            )
        op.formula = formulas

    def apply(*operands: Scalar) -> Value:
        if len(operands) != arity:
            raise TypeError(f"{name}: takes {arity} operand(s), got {len(operands)}")
        values = tuple(x if isinstance(x, Value) else Value(to_float(x, name)) for x in operands)
        try:
            result = op.numeric(*(v._data for v in values))
        except Exception as error:
            _failed(op, values, error)
            raise
        out = result[0]
        if arity == 1:
            return _node(op, out, values[0], result[1])
        if arity == 2:
            return _node(op, out, values[0], result[1], values[1], result[2])
        return _node(op, out, values, result[1:], _MANY)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"The user-defined op {name!r} ({arity} operand(s))."
    user_op = cast(UserOpFunction, apply)  # a plain function, given the attribute next
    user_op.op = op
    return user_op


def _positional_count(signature: Any) -> int:
    """How many operands a forward function takes: its required positional parameters."""
    count = 0
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            if parameter.default is parameter.empty:
                count += 1
        elif parameter.kind is parameter.VAR_POSITIONAL:
            raise ValueError  # a variadic forward has no arity: define_op says so
    return count


def weighted_sum(weights: Sequence[Value], inputs: Sequence[Scalar], bias: Value) -> Value:
    """z = w·x + b as one node: parents (weights, inputs, bias), derivatives (x, w, 1).

    This is the `z` of a neuron in the usual diagrams, and far cheaper than 2n nodes of
    `*` and `+`. Inputs are all Values, or all plain numbers (then constants, not parents).
    """
    return weighted_sums([weights], inputs, [bias])[0]


def weighted_sums(
    weight_rows: Sequence[Sequence[Value]], inputs: Sequence[Scalar], biases: Sequence[Value]
) -> list[Value]:
    """A layer's z = W·x + b: one `w·x+b` node per row (`ops.WEIGHTED_SUM`), reading the
    inputs once. A specialised form of that op's numeric rule, for speed."""
    name = ops.WEIGHTED_SUM.name
    if len(weight_rows) != len(biases):
        raise ValueError(f"{name}: {len(weight_rows)} rows of weights for {len(biases)} biases")
    parents: tuple
    if inputs and isinstance(inputs[0], Value):
        try:
            xs = [x._data for x in inputs]  # type: ignore[union-attr]  # a mix raises below
        except AttributeError:
            raise TypeError(
                f"{name}: inputs must be all Values or all numbers, not a mix"
            ) from None
        parents = tuple(inputs)
    else:
        if any(isinstance(x, Value) for x in inputs):
            raise TypeError(f"{name}: inputs must be all Values or all numbers, not a mix")
        xs = [_constant(x, name) for x in inputs]
        parents = ()  # constants: not parents
    nodes = []
    for weights, bias in zip(weight_rows, biases):
        try:
            ws = [w._data for w in weights]
            b = bias._data
        except AttributeError:
            raise TypeError(
                f"{name}: weights and bias must be Values, got {weights!r}, {bias!r}"
            ) from None
        if len(ws) != len(xs):
            raise ValueError(f"{name}: {len(ws)} weights for {len(xs)} inputs; they must match")
        # b + w0*x0 + w1*x1 + ...: left to right as the expanded graph adds, up to
        # Python 3.11; from 3.12 sum() compensates, and the last bit may differ.
        z = sum(map(operator.mul, ws, xs), b)
        grads = (*xs, *ws, _ONE) if parents else (*xs, _ONE)
        nodes.append(_node(ops.WEIGHTED_SUM, z, (*weights, *parents, bias), grads, _MANY, len(ws)))
    return nodes
