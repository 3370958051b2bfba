"""Function transforms, with PyTorch's (`torch.func`) and JAX's names: `jvp`, `vjp`,
`jacfwd`, `jacrev`, `jacobian`, `hessian`, `hvp`.

`jvp` and `vjp` mean what theirs mean. Three conventions differ from theirs:
- every argument is differentiated: `jacfwd`, `jacrev` and `hessian` have no `argnums`
  (theirs differentiate the first argument only unless given `argnums`);
- results are nested lists of floats, not arrays: a Jacobian is a list of rows, one per
  output (one row for a scalar `f`), one column per primal; a Hessian is n×n;
- `hvp(f, primals, v)` returns the product H·v only; `torch.autograd.functional.hvp`
  returns (output, H·v), and `torch.func` and JAX have no `hvp` (they compose jvp and grad).

`f` takes one `Value` per primal and returns a `Value` or a sequence of `Value`s; primals,
tangents and cotangents are numbers, and so are the results:

    >>> from autograd import jvp, jacfwd, jacrev, hessian
    >>> f = lambda a, b: (a + b) * (b + 1)
    >>> jvp(f, (2.0, 1.0), (0.0, 1.0))          # f and ∂f/∂b at (2, 1)
    (6.0, 5.0)
    >>> jacfwd(f)(2.0, 1.0), jacrev(f)(2.0, 1.0)
    ([[2.0, 5.0]], [[2.0, 5.0]])
    >>> hessian(f)(2.0, 1.0)
    [[0.0, 1.0], [1.0, 2.0]]

The two directions of the chain rule, on the one graph that `f` records:
- forward mode (`jvp`, `jacfwd`) pushes one tangent from the inputs to every node
  (`autograd.forward.push_tangents`): one pass per input direction;
- reverse mode (`vjp`, `jacrev`) pulls one cotangent from the outputs back to every
  node (the engine's `grad`): one pass per output.
So for n inputs and m outputs, `jacfwd` makes n passes and `jacrev` m: `count_passes()`
counts them. `hessian` and `hvp` are forward over reverse: the engine's
`grad(create_graph=True)` builds the gradient as a graph of engine ops, and a tangent
sweep over that graph differentiates it once more.

Every transform records `f` even inside `no_grad()`, as `torch.func` and `grad(...,
create_graph=True)` do: a transform that recorded nothing would silently return zeros.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Union

from autograd import engine
from autograd.engine import Value, grad, is_number, to_float, weighted_sums
from autograd.forward import graph_order, push_tangents

__all__ = [
    "PassCount",
    "count_passes",
    "hessian",
    "hvp",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "vjp",
]

Function = Callable[..., Union[Value, Sequence[Value]]]
Numbers = Union[float, tuple[float, ...]]
Matrix = list[list[float]]


# --- counting passes --------------------------------------------------------------------------


@dataclass
class PassCount:
    """The sweeps that transforms made over graphs, and the edges those sweeps walked."""

    forward: int = 0  # tangent sweeps, inputs to outputs
    reverse: int = 0  # gradient sweeps, outputs to inputs
    forward_edges: int = 0
    reverse_edges: int = 0


_counters: list[PassCount] = []  # the active `count_passes()` blocks, innermost last


@contextmanager
def count_passes() -> Iterator[PassCount]:
    """Count the forward and reverse passes the transforms make inside the block.

    >>> from autograd import jacfwd, jacrev
    >>> f = lambda x, y: [x * y, x + y, x.sin()]      # 2 inputs, 3 outputs
    >>> with count_passes() as fwd: _ = jacfwd(f)(1.0, 2.0)
    >>> with count_passes() as rev: _ = jacrev(f)(1.0, 2.0)
    >>> (fwd.forward, fwd.reverse), (rev.forward, rev.reverse)
    ((2, 0), (0, 3))
    """
    count = PassCount()
    _counters.append(count)
    try:
        yield count
    finally:
        _counters.remove(count)


def _counted(kind: str, order: list[Value]) -> None:
    if not _counters:
        return
    edges = sum(len(node.parents) for node in order)
    for count in _counters:
        if kind == "forward":
            count.forward += 1
            count.forward_edges += edges
        else:
            count.reverse += 1
            count.reverse_edges += edges


# --- the two sweeps, counted ----------------------------------------------------------------


def _forward_pass(order: list[Value], seeds: dict[Value, float]) -> dict[Value, float]:
    """One tangent sweep (forward mode) over `order`."""
    _counted("forward", order)
    return push_tangents(order, seeds)


def _reverse_pass(output: Value, inputs: list[Value], create_graph: bool = False) -> list[Value]:
    """One gradient sweep (reverse mode): the engine's own `grad`."""
    if _counters:
        _counted("reverse", graph_order([output]))
    return grad(output, inputs, create_graph=create_graph)


# --- checking and calling f --------------------------------------------------------------------


def _numbers(xs: object, what: str, where: str) -> list[float]:
    """A sequence of numbers, as floats; a TypeError naming `where` otherwise. A numpy
    array (anything with `tolist`) is read as its list."""
    tolist = getattr(xs, "tolist", None)
    if callable(tolist) and not isinstance(xs, Value):
        xs = tolist()
    if is_number(xs) or isinstance(xs, Value):
        raise TypeError(
            f"{where}: {what} must be a sequence of numbers (a tuple or a list), got {xs!r}; "
            f"for one input write ({xs!r},)"
        )
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Sequence):
        raise TypeError(
            f"{where}: {what} must be a sequence of numbers (a tuple or a list), "
            f"got {xs!r} ({type(xs).__name__})"
        )
    return [to_float(x, f"{where}: {what}[{i}]") for i, x in enumerate(xs)]


def _check_callable(f: object, where: str) -> None:
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of Values, got {f!r}")


def _check_arity(f: Callable[..., Any], count: int, where: str) -> None:
    """TypeError naming the transform when `f` cannot take `count` positional Values."""
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):
        return  # a builtin without a signature: the call itself will say
    try:
        signature.bind(*range(count))
    except TypeError:
        raise TypeError(
            f"{where}: f{signature} cannot take {count} input(s): it is called with one "
            f"Value per primal, and {count} primal(s) were given"
        ) from None


@dataclass(frozen=True)
class _Call:
    """`f` applied to fresh leaves, one per primal."""

    inputs: list[Value]
    outputs: list[Value]
    sequence: bool  # whether f returned a sequence (else a single Value)

    def shaped(self, numbers: Sequence[float]) -> Numbers:
        """One float per output, as f returned them: a float, or a tuple."""
        return tuple(numbers) if self.sequence else numbers[0]


def _call(f: Function, points: list[float], where: str) -> _Call:
    """Check `f` and call it on a leaf per primal (`points`, already checked numbers)."""
    _check_callable(f, where)
    if not points:
        raise ValueError(f"{where}: no primals: f needs at least one input")
    _check_arity(f, len(points), where)
    inputs = [Value(x) for x in points]
    with engine.enable_grad():
        result = f(*inputs)
    if isinstance(result, Value):
        return _Call(inputs, [result], sequence=False)
    if isinstance(result, (str, bytes)) or not isinstance(result, Sequence):
        raise TypeError(
            f"{where}: f must return a Value or a sequence of Values, got {result!r} "
            f"({type(result).__name__})"
        )
    if not result:
        raise ValueError(f"{where}: f returned an empty sequence: no output to differentiate")
    for i, output in enumerate(result):
        if not isinstance(output, Value):
            raise TypeError(
                f"{where}: f must return a Value or a sequence of Values, but output {i} is "
                f"{output!r} ({type(output).__name__})"
            )
    return _Call(inputs, list(result), sequence=True)


def _scalar(call: _Call, where: str) -> Value:
    if call.sequence:
        raise ValueError(
            f"{where}: f must return one Value (a scalar function), got a sequence of "
            f"{len(call.outputs)}"
        )
    return call.outputs[0]


# --- forward mode ------------------------------------------------------------------------------


def jvp(
    f: Function, primals: Sequence[float], tangents: Sequence[float]
) -> tuple[Numbers, Numbers]:
    """f at `primals`, and its directional derivative along `tangents`: J·t, in one
    forward pass. Floats, or tuples of floats when f returns a sequence.

    >>> jvp(lambda x, y: [x * y, x - y], (2.0, 3.0), (1.0, 0.0))
    ((6.0, -1.0), (3.0, 1.0))
    """
    points = _numbers(primals, "primals", "jvp")
    directions = _numbers(tangents, "tangents", "jvp")
    if len(directions) != len(points):
        raise ValueError(
            f"jvp: {len(directions)} tangent(s) for {len(points)} primal(s); give one "
            "tangent per primal"
        )
    call = _call(f, points, "jvp")
    order = graph_order(call.outputs)
    found = _forward_pass(order, dict(zip(call.inputs, directions)))
    values = [output.data for output in call.outputs]
    return call.shaped(values), call.shaped([found.get(out, 0.0) for out in call.outputs])


def jacfwd(f: Function) -> Callable[..., Matrix]:
    """The Jacobian by forward mode: `jacfwd(f)(*primals)` is a list of rows, one per
    output, one column per primal; one forward pass per primal (a column each)."""
    _check_callable(f, "jacfwd")

    def jacobian_forward(*primals: float) -> Matrix:
        call = _call(f, _numbers(primals, "primals", "jacfwd"), "jacfwd")
        order = graph_order(call.outputs)
        columns = []
        for x in call.inputs:
            found = _forward_pass(order, {x: 1.0})
            columns.append([found.get(out, 0.0) for out in call.outputs])
        return [list(row) for row in zip(*columns)]

    return jacobian_forward


# --- reverse mode ------------------------------------------------------------------------------


def vjp(f: Function, *primals: float) -> tuple[Numbers, Callable[..., tuple[float, ...]]]:
    """f at `primals`, and `vjp_fn(cotangent)`: the cotangent times the Jacobian (uᵀJ), one
    float per primal, in one reverse pass. A scalar f's `vjp_fn` takes one number; for m
    outputs it takes m numbers, or one sequence of m.

    >>> out, vjp_fn = vjp(lambda x, y: [x * y, x - y], 2.0, 3.0)
    >>> out, vjp_fn(1.0, 0.0), vjp_fn([0.0, 1.0])
    ((6.0, -1.0), (3.0, 2.0), (1.0, -1.0))
    """
    call = _call(f, _numbers(primals, "primals", "vjp"), "vjp")

    def vjp_fn(*cotangent: Any) -> tuple[float, ...]:
        if len(cotangent) == 1 and not is_number(cotangent[0]):
            cotangent = tuple(_numbers(cotangent[0], "the cotangent", "vjp_fn"))
        weights = [to_float(c, "vjp_fn: a cotangent") for c in cotangent]
        if len(weights) != len(call.outputs):
            raise ValueError(
                f"vjp_fn: {len(weights)} cotangent number(s) for {len(call.outputs)} "
                "output(s) of f; give one per output"
            )
        if not call.sequence:
            root = call.outputs[0]
            grads = _reverse_pass(root, call.inputs)
            return tuple(weights[0] * g.data for g in grads)
        # Σ_i u_i·out_i as one node (an engine w·x+b with constant weights u and bias 0),
        # so that one reverse pass over all outputs gives uᵀJ.
        with engine.enable_grad():
            (root,) = weighted_sums([call.outputs], weights, [Value(0.0)])
        return tuple(g.data for g in _reverse_pass(root, call.inputs))

    return call.shaped([output.data for output in call.outputs]), vjp_fn


def jacrev(f: Function) -> Callable[..., Matrix]:
    """The Jacobian by reverse mode: `jacrev(f)(*primals)` is a list of rows, one per
    output, one column per primal; one reverse pass per output (a row each)."""
    _check_callable(f, "jacrev")

    def jacobian_reverse(*primals: float) -> Matrix:
        call = _call(f, _numbers(primals, "primals", "jacrev"), "jacrev")
        return [[g.data for g in _reverse_pass(out, call.inputs)] for out in call.outputs]

    return jacobian_reverse


def jacobian(f: Function, primals: Sequence[float], mode: str = "reverse") -> Matrix:
    """`jacrev(f)(*primals)` with mode="reverse" (the default), `jacfwd(f)(*primals)` with
    mode="forward"."""
    if mode not in ("reverse", "forward"):
        raise ValueError(f"jacobian: mode must be 'reverse' or 'forward', got {mode!r}")
    points = _numbers(primals, "primals", "jacobian")
    _check_callable(f, "jacobian")
    transform = jacrev if mode == "reverse" else jacfwd
    return transform(f)(*points)


# --- second derivatives: forward over reverse ---------------------------------------------------


def hessian(f: Function) -> Callable[..., Matrix]:
    """The Hessian of a scalar f, forward over reverse: `hessian(f)(*primals)` is an n×n
    list of rows. One reverse pass builds the gradient as a graph (`grad(...,
    create_graph=True)`); then one forward pass over it per primal gives a column."""
    _check_callable(f, "hessian")

    def hessian_forward_over_reverse(*primals: float) -> Matrix:
        call = _call(f, _numbers(primals, "primals", "hessian"), "hessian")
        gradient = _gradient_graph(_scalar(call, "hessian"), call.inputs, "hessian")
        order = graph_order(gradient)
        columns = []
        for x in call.inputs:
            found = _forward_pass(order, {x: 1.0})
            columns.append([found.get(g, 0.0) for g in gradient])
        return [list(row) for row in zip(*columns)]

    return hessian_forward_over_reverse


def hvp(f: Function, primals: Sequence[float], v: Sequence[float]) -> list[float]:
    """H·v for a scalar f, without forming H: one reverse pass that builds the gradient
    as a graph, then one forward pass over it along `v` (forward over reverse).

    >>> hvp(lambda x, y: x * x * y, (1.0, 2.0), (1.0, 0.0))    # H = [[2y, 2x], [2x, 0]]
    [4.0, 2.0]
    """
    points = _numbers(primals, "primals", "hvp")
    direction = _numbers(v, "v", "hvp")
    if len(direction) != len(points):
        raise ValueError(
            f"hvp: v has {len(direction)} number(s) for {len(points)} primal(s); give "
            "one per primal"
        )
    call = _call(f, points, "hvp")
    gradient = _gradient_graph(_scalar(call, "hvp"), call.inputs, "hvp")
    found = _forward_pass(graph_order(gradient), dict(zip(call.inputs, direction)))
    return [found.get(g, 0.0) for g in gradient]


def _gradient_graph(output: Value, inputs: list[Value], where: str) -> list[Value]:
    """∇f as Values built from engine ops, differentiable once more."""
    try:
        return _reverse_pass(output, inputs, create_graph=True)
    except NotImplementedError as error:  # a user op without a differentiable form
        raise NotImplementedError(f"{where}: {error}") from None
