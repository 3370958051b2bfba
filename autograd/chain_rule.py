"""The chain rule, once, for any kind of local derivative: `grad()` and `backward_steps()`.

`_chain_rule` is the reference: it reads each node through its public view (`parents`,
`local_grads`) and keeps its sums in a dict, so it leaves `.grad` alone, carries Values as
well as floats (`grad(..., create_graph=True)` builds the derivatives from the engine's own
ops) and can record each step for the explanations. `Value.backward()` runs a copy of it
specialised for floats in slots, for speed (`backprop._propagate`); both apply `_product`'s
rule that a zero factor wins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable

import autograd.value as value_module
from autograd import ops
from autograd.backprop import _check_unchanged, _product, topological_order
from autograd.grad_mode import enable_grad
from autograd.ops import Op
from autograd.value import Value, _check_recorded


@dataclass(frozen=True)
class BackwardStep:
    """One node's turn in the backward pass."""

    __slots__ = ("contributions", "node", "upstream")  # one per node of a graph

    node: Value  # its gradient is final at this step
    upstream: float  # d(root)/d(node), the gradient flowing in
    contributions: tuple[tuple[Value, float, float], ...]  # (parent, local grad, product)


def backward_steps(root: Value) -> list[BackwardStep]:
    """The chain rule as `backward()` applies it, one node at a time, in the same order.

    Nothing's `.grad` is touched. Adding up each parent's contributions in step order
    gives exactly the grads that `backward()` leaves (on leaves that started at 0).
    """
    steps: list[BackwardStep] = []
    _chain_rule(root, _numeric_local_grads, steps)
    return steps


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Value]:
    """d(output)/d(input) for each input, as new Values; no `.grad` attribute changes.

    With `create_graph=True` the results are built from the engine's own ops, out of each
    op's differentiable local derivatives, so `grad` applies to them again:

    >>> x = Value(3.0)
    >>> (dy,) = grad(x ** 3, [x], create_graph=True)   # 3x**2 = 27
    >>> (d2y,) = grad(dy, [x])                         # 6x = 18
    >>> dy.data, d2y.data
    (27.0, 18.0)
    """
    if not isinstance(inputs, Sequence):  # a lone Value, a set, a generator
        raise TypeError(f"grad: inputs must be a sequence of Values (a list), got {inputs!r}")
    for x in (output, *inputs):
        if not isinstance(x, Value):
            raise TypeError(
                f"grad: output and inputs must be Values, got {x!r} ({type(x).__name__})"
            )
    if not isinstance(create_graph, bool):
        raise TypeError(f"grad: create_graph must be True or False, got {create_graph!r}")
    _check_recorded(output, "grad")
    if create_graph:
        # The derivatives are recorded, even inside no_grad() (as PyTorch's engine runs a
        # create_graph backward with grad mode on): else they would be leaves, and every
        # higher derivative 0.
        with enable_grad():
            grads = _chain_rule(output, _differentiable_local_grads)
    else:
        grads = _chain_rule(output, _numeric_local_grads)
    result = []
    for x in inputs:
        g = grads.get(x, 0.0)  # 0 for an input the output does not depend on
        result.append(g if isinstance(g, Value) else Value(g))
    return result


def _chain_rule(
    root: Value, local_grads: Callable[[Value], tuple], steps: list | None = None
) -> dict:
    """The chain rule, once, for any kind of local derivative: into a dict, not `.grad`.

    The reference loop: `backward()` keeps a copy specialised for floats and slots, for
    speed; this one also carries Values (create_graph) and records the steps for the
    explanations.
    """
    grads: dict[Value, Any] = {root: 1.0}
    order = topological_order(root)
    recorded = [node for node in order if node._a is not None]
    _check_unchanged(recorded, "grad", value_module._writes)
    for node in reversed(order):
        if node._a is None:
            continue
        upstream = grads[node]
        contributions = []
        for parent, local in zip(node.parents, local_grads(node)):
            product = _chain_term(local, upstream)
            previous = grads.get(parent)
            grads[parent] = product if previous is None else previous + product
            if steps is not None:
                contributions.append((parent, local, product))
        if steps is not None:
            steps.append(BackwardStep(node, upstream, tuple(contributions)))
    return grads


def _chain_term(local: Any, upstream: Any) -> Any:
    """`_product` for floats or Values (create_graph): a zero factor wins over an inf or
    nan one. A Value 0 times a finite Value stays a product: its derivatives count."""
    if type(local) is float and type(upstream) is float:
        return _product(local, upstream)
    l_data, u_data = _data_of(local), _data_of(upstream)
    if (l_data == 0.0 and u_data - u_data != 0.0) or (u_data == 0.0 and l_data - l_data != 0.0):
        return 0.0
    return local * upstream


def _data_of(x: Any) -> float:
    return x._data if isinstance(x, Value) else float(x)


def _numeric_local_grads(node: Value) -> tuple[float, ...]:
    return node.local_grads


def op_of(node: Value) -> Op:
    """The `Op` that made a node: an entry of `ops.py`, a user op, or `ops.LEAF`."""
    return node._kind()


def _differentiable_local_grads(node: Value) -> tuple[Any, ...]:
    op = op_of(node)
    if op.differentiable is None:
        raise NotImplementedError(
            f"grad(create_graph=True): the op {op.name!r} was defined without a differentiable "
            "form, so its derivative cannot be differentiated again; give define_op a "
            "`differentiable=` rule"
        )
    numeric = node.local_grads
    forms = tuple(op.differentiable(*node.parents, node))
    _check_forms(op, numeric, forms)
    if op.user_defined and op.differentiable is not ops.constant_derivatives:
        for i, form in enumerate(forms):
            if not isinstance(form, Value):
                raise TypeError(
                    f"grad(create_graph=True): the differentiable form of {op.name!r} returned "
                    f"{form!r} ({type(form).__name__}) for operand {i}: a number has no "
                    "derivative, so every higher derivative through it would be 0 silently. "
                    "Build it from the parents with Value ops, or, if the op's derivatives "
                    "are constants, pass differentiable=autograd.ops.constant_derivatives"
                )
    return forms


def _check_forms(op: Op, numeric: tuple[float, ...], forms: tuple) -> None:
    """The differentiable forms must give the numbers `backward()` uses. They differ when a
    user's form is wrong, or when a parent's `data` changed since the node was built (the
    forms read the parents anew): either way the derivatives would be silently wrong."""
    if len(forms) != len(numeric):
        raise ValueError(
            f"grad(create_graph=True): the differentiable form of {op.name!r} returned "
            f"{len(forms)} derivatives for {len(numeric)} operand(s)"
        )
    for i, (recorded, form) in enumerate(zip(numeric, forms)):
        value = _data_of(form)  # not float(): a recorder would see it as an escape
        same = value == recorded or (value != value and recorded != recorded)
        # isclose's own rel_tol, 1e-9: a form may round differently from the numeric rule
        if not same and not math.isclose(value, recorded, abs_tol=1e-300):
            raise ValueError(
                f"grad(create_graph=True): the differentiable form of {op.name!r} gives "
                f"{value!r} for operand {i} where its recorded derivative is {recorded!r}: "
                "a parent's data changed after the graph was built (build it again), or "
                "the form is wrong"
            )
