"""The engine: a scalar `Value`, its primitive ops, and the chain rule.

Every op computes its output *and* its local derivatives, d(output)/d(operand), at the
forward values, and records both on the new node. `Value.backward()` is then one generic
loop that multiplies and adds those numbers in reverse topological order; it knows nothing
about any particular op.

The layout is chosen for speed and memory, since a graph is one object per op:
- One class for every node, so that CPython's attribute caches stay monomorphic.
- Seven slots. A node has at most two operand slots, `_a` and `_b`, with their local
  derivatives in `_da` and `_db`. An n-ary node (`weighted_sum`) keeps a tuple of
  operands in `_a`, a tuple of derivatives in `_da` and the marker `_MANY` in `_b`.
  `parents` and `local_grads` build the public tuples on demand. Where `_db` has no
  derivative to hold, it keeps what the differentiable form needs: the exponent of
  `x ** c`, the weight count of `w·x+b`. The op name and the label share `_tag`, since
  almost no node has a label: it holds the op name, or an `(op, label)` pair.
- A local derivative is, where it can be, a reference to a float that already exists: the
  other operand's data for `*`, a shared 1.0 for `+`, the output itself for `exp`. A node
  and its float then cost 112 bytes.
- No closures and no reference cycles, so a dropped graph is freed at once by reference
  counting instead of waiting for the cyclic garbage collector.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from numbers import Real
from typing import Union

Number = Union[int, float]
Operand = Union["Value", int, float]

_ONE = 1.0
_MINUS_ONE = -1.0
_ZERO = 0.0
_MANY = object()  # in `_b`: this node's `_a` and `_da` are tuples (an n-ary node)

_recording = True  # False inside `no_grad()`


class Value:
    """One scalar node of a computation graph."""

    __slots__ = ("_data", "grad", "_tag", "_a", "_b", "_da", "_db")

    def __init__(self, data: Number, label: str = "") -> None:
        self._data = _as_float(data, "Value")
        self.grad = 0.0
        self._tag, self._a, self._da, self._b, self._db = _LEAF
        self.label = label

    # --- the public view of a node -------------------------------------------------------

    @property
    def data(self) -> float:
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        self._data = _as_float(value, "Value.data")

    @property
    def op(self) -> str:
        tag = self._tag
        return tag if type(tag) is str else tag[0]

    @property
    def label(self) -> str:
        tag = self._tag
        return "" if type(tag) is str else tag[1]

    @label.setter
    def label(self, label: str) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value.label: expected a str, got {label!r} ({type(label).__name__})")
        op = self.op
        self._tag = (op, label) if label else op

    @property
    def parents(self) -> tuple[Value, ...]:
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is _MANY:
            return a
        return (a,) if b is None else (a, b)

    @property
    def local_grads(self) -> tuple[float, ...]:
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is _MANY:
            return self._da
        return (self._da,) if b is None else (self._da, self._db)

    def __float__(self) -> float:
        return self._data

    def __repr__(self) -> str:
        label = self.label
        label = f", label={label!r}" if label else ""
        return f"Value(data={self._data!r}, grad={self.grad!r}{label})"

    # --- primitive ops -------------------------------------------------------------------
    # Each op computes its output and its local derivatives as floats, for backward().
    # Below it, `_diff_<op>` gives the same derivatives as Values built from the node and
    # its parents, so that they can be differentiated again: grad(..., create_graph=True).

    def __add__(self, other: Operand) -> Value:
        if type(other) is Value or isinstance(other, Value):
            # `+` and `*` of two nodes are nearly the whole graph of a network, so they
            # build their node inline: a call to `_node` costs as much as the node.
            out = _new(Value)
            out._data = self._data + other._data
            out.grad = 0.0
            if _recording:
                out._tag = "+"
                out._a = self
                out._da = _ONE
                out._b = other
                out._db = _ONE
            else:
                out._tag, out._a, out._da, out._b, out._db = _LEAF
            return out
        c = _constant(other, "+")
        return _node("+", self._data + c, self, _ONE)

    __radd__ = __add__

    def _diff_constant(self) -> tuple[float, ...]:
        # `+`, `-`, `neg`, `relu`: the derivatives are constants, which are their own
        # differentiable form (relu's step has derivative 0 wherever it has one).
        return self.local_grads

    def __sub__(self, other: Operand) -> Value:
        if type(other) is Value or isinstance(other, Value):
            return _node("-", self._data - other._data, self, _ONE, other, _MINUS_ONE)
        c = _constant(other, "-")
        return _node("-", self._data - c, self, _ONE)

    def __rsub__(self, other: Number) -> Value:
        c = _constant(other, "-")
        return _node("-", c - self._data, self, _MINUS_ONE)

    def __neg__(self) -> Value:
        return _node("neg", -self._data, self, _MINUS_ONE)

    def __mul__(self, other: Operand) -> Value:
        if type(other) is Value or isinstance(other, Value):
            a, b = self._data, other._data
            out = _new(Value)  # inline, as in `__add__`
            out._data = a * b
            out.grad = 0.0
            if _recording:  # d(a*b)/da = b and d(a*b)/db = a: the operands' own floats
                out._tag = "*"
                out._a = self
                out._da = b
                out._b = other
                out._db = a
            else:
                out._tag, out._a, out._da, out._b, out._db = _LEAF
            return out
        c = _constant(other, "*")
        return _node("*", self._data * c, self, c)

    __rmul__ = __mul__

    def _diff_mul(self) -> tuple[Operand, ...]:
        if self._b is None:  # x * c
            return (self._da,)
        return (self._b, self._a)

    def __truediv__(self, other: Operand) -> Value:
        if type(other) is Value or isinstance(other, Value):
            b = _nonzero_divisor(self._data, other._data)
            q = self._data / b
            return _node("/", q, self, 1.0 / b, other, -q / b)
        c = _nonzero_divisor(self._data, _constant(other, "/"))
        return _node("/", self._data / c, self, 1.0 / c)

    def __rtruediv__(self, other: Number) -> Value:
        # c / x: the constant becomes a leaf, so that the node is the usual a / b.
        return Value(_constant(other, "/")).__truediv__(self)

    def _diff_div(self) -> tuple[Operand, ...]:
        if self._b is None:  # x / c
            return (self._da,)
        b = self._b
        return (1.0 / b, -self / b)  # d(a/b)/db = -a/b**2 = -(a/b)/b

    def __pow__(self, other: Operand) -> Value:
        x = self._data
        if type(other) is Value or isinstance(other, Value):
            y = other._data
            out = _power(x, y)
            return _node("**", out, self, _d_base(x, y, out), other, _d_exponent(x, y, out))
        y = _constant(other, "**")
        out = _power(x, y)
        # `_db` is unused with one operand: it keeps the exponent for `_diff_pow`.
        return _node("**", out, self, _d_base(x, y, out), None, y)

    def __rpow__(self, other: Number) -> Value:
        # c ** x: the constant becomes a leaf, so that the node is the usual x ** y.
        return Value(_constant(other, "**")).__pow__(self)

    def _diff_pow(self) -> tuple[Operand, ...]:
        x, y = self._a, self._b
        exponent = self._db if y is None else y._data
        if x._data == 0.0 and exponent < 1.0:
            d_base: Operand = self._da  # 0 or inf at the kink: nothing to differentiate
        elif y is None:
            d_base = exponent * x ** (exponent - 1.0)
        else:
            d_base = y * x ** (y - 1.0)
        if y is None:
            return (d_base,)
        d_exponent = x.log() * self if x._data > 0.0 else self._db  # 0 or nan, as PyTorch
        return (d_base, d_exponent)

    def exp(self) -> Value:
        x = self._data
        try:
            e = math.exp(x)
        except OverflowError:
            raise OverflowError(
                f"exp: exp({x!r}) overflows a float (inputs above about 709.78 do)"
            ) from None
        return _node("exp", e, self, e)  # d exp(x)/dx = exp(x): the output itself

    def _diff_exp(self) -> tuple[Value]:
        return (self,)

    def log(self) -> Value:
        x = self._data
        if x <= 0.0:
            raise ValueError(f"log: log({x!r}) is undefined; log needs a positive input")
        return _node("log", math.log(x), self, 1.0 / x)

    def _diff_log(self) -> tuple[Value]:
        return (1.0 / self._a,)

    def tanh(self) -> Value:
        t = math.tanh(self._data)  # never overflows: saturates at +-1
        return _node("tanh", t, self, 1.0 - t * t)

    def _diff_tanh(self) -> tuple[Value]:
        return (1.0 - self * self,)

    def sigmoid(self) -> Value:
        x = self._data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:  # exp of a large positive number overflows; here exp(x) is in (0, 1)
            e = math.exp(x)
            s = e / (1.0 + e)
        return _node("sigmoid", s, self, s * (1.0 - s))

    def _diff_sigmoid(self) -> tuple[Value]:
        return (self * (1.0 - self),)

    def relu(self) -> Value:
        x = self._data
        if x > 0.0 or x != x:  # nan passes through, as in PyTorch
            return _node("relu", x, self, _ONE)
        return _node("relu", _ZERO, self, _ZERO)  # derivative 0 at exactly 0, as in PyTorch

    # --- the chain rule -------------------------------------------------------------------

    def backward(self) -> None:
        """Set every reachable node's `grad` to d(self)/d(node).

        Intermediate grads are reset first; leaf grads accumulate across calls, as in
        PyTorch, until `zero_grad()` or `grad = 0.0` clears them.
        """
        if self._a is None:  # a leaf is its own whole graph
            self.grad += 1.0
            return
        order = _intermediates_in_order(self)  # also resets their grads to 0.0
        self.grad = 1.0
        for node in reversed(order):
            g = node.grad
            a = node._a
            b = node._b
            if g == 0.0 and _all_finite(node._da, b, node._db):
                # Nothing to pass on: d * 0 is 0 for finite d (0 * inf is nan, and goes
                # through). Behind a dead ReLU, or a sample with no loss, whole subgraphs.
                continue
            if b is None:
                a.grad += node._da * g
            elif b is _MANY:
                for parent, d in zip(a, node._da):
                    parent.grad += d * g
            else:
                a.grad += node._da * g
                b.grad += node._db * g


@dataclass(frozen=True)
class BackwardStep:
    """One node's turn in the backward pass."""

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
    for x in (output, *inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad: output and inputs must be Values, got {x!r} ({type(x).__name__})")
    local_grads = _differentiable_local_grads if create_graph else _numeric_local_grads
    grads = _chain_rule(output, local_grads)
    result = []
    for x in inputs:
        g = grads.get(x, 0.0)  # 0 for an input the output does not depend on
        result.append(g if isinstance(g, Value) else Value(g))
    return result


def _chain_rule(root: Value, local_grads, steps: list[BackwardStep] | None = None) -> dict:
    """The same loop as `backward()`, over the same order, into a dict instead of `.grad`.

    `backward()` keeps its own copy, specialised for floats and slots, for speed; this one
    also carries Values (create_graph) and records the steps for explanations.
    """
    grads: dict[Value, Operand] = {root: 1.0}
    for node in reversed(topological_order(root)):
        if node._a is None:
            continue
        upstream = grads[node]
        contributions = []
        for parent, local in zip(node.parents, local_grads(node)):
            product = local * upstream
            previous = grads.get(parent)
            grads[parent] = product if previous is None else previous + product
            if steps is not None:
                contributions.append((parent, local, product))
        if steps is not None:
            steps.append(BackwardStep(node, upstream, tuple(contributions)))
    return grads


def _numeric_local_grads(node: Value) -> tuple[float, ...]:
    return node.local_grads


def _differentiable_local_grads(node: Value) -> tuple[Operand, ...]:
    return _DIFFERENTIABLE[node.op](node)


def weighted_sum(weights: Sequence[Value], inputs: Sequence[Operand], bias: Value) -> Value:
    """z = w·x + b as one node: parents (weights, inputs, bias), derivatives (x, w, 1).

    This is the `z` of a neuron in the usual diagrams, and far cheaper than 2n nodes of
    `*` and `+`. Inputs are all Values, or all plain numbers (then constants, not parents).
    """
    return weighted_sums([weights], inputs, [bias])[0]


def weighted_sums(
    weight_rows: Sequence[Sequence[Value]], inputs: Sequence[Operand], biases: Sequence[Value]
) -> list[Value]:
    """A layer's z = W·x + b: one `weighted_sum` node per row, reading the inputs once."""
    if len(weight_rows) != len(biases):
        raise ValueError(f"w·x+b: {len(weight_rows)} rows of weights for {len(biases)} biases")
    if inputs and isinstance(inputs[0], Value):
        try:
            xs = [x._data for x in inputs]
        except AttributeError:
            raise TypeError("w·x+b: inputs must be all Values or all numbers, not a mix") from None
        inputs = tuple(inputs)
    else:
        if any(isinstance(x, Value) for x in inputs):
            raise TypeError("w·x+b: inputs must be all Values or all numbers, not a mix")
        xs = [_constant(x, "w·x+b") for x in inputs]
        inputs = ()  # constants: not parents
    nodes = []
    for weights, bias in zip(weight_rows, biases):
        try:
            ws = [w._data for w in weights]
            b = bias._data
        except AttributeError:
            raise TypeError(f"w·x+b: weights and bias must be Values, got {weights!r}, {bias!r}") from None
        if len(ws) != len(xs):
            raise ValueError(f"w·x+b: {len(ws)} weights for {len(xs)} inputs; they must match")
        # b + w0*x0 + w1*x1 + ...: left to right as the expanded graph adds, up to
        # Python 3.11; from 3.12 sum() compensates, and the last bit may differ.
        z = sum(map(operator.mul, ws, xs), b)
        grads = (*xs, *ws, _ONE) if inputs else (*xs, _ONE)
        # `_db` is unused on an n-ary node: it keeps the weight count for `_diff_weighted_sum`.
        nodes.append(_node("w·x+b", z, (*weights, *inputs, bias), grads, _MANY, len(ws)))
    return nodes


def _diff_weighted_sum(node: Value) -> tuple[Operand, ...]:
    n = node._db
    parents = node._a
    if len(parents) == n + 1:  # constant inputs: derivatives (x, 1) are constants
        return node._da
    weights, inputs = parents[:n], parents[n : 2 * n]
    return (*inputs, *weights, _ONE)


_DIFFERENTIABLE = {
    "+": Value._diff_constant,
    "-": Value._diff_constant,
    "neg": Value._diff_constant,
    "relu": Value._diff_constant,
    "*": Value._diff_mul,
    "/": Value._diff_div,
    "**": Value._diff_pow,
    "exp": Value._diff_exp,
    "log": Value._diff_log,
    "tanh": Value._diff_tanh,
    "sigmoid": Value._diff_sigmoid,
    "w·x+b": _diff_weighted_sum,
}


_new = object.__new__
_LEAF = ("", None, None, None, None)  # what a node records inside `no_grad()`


def _node(op: str, data: float, a, da, b=None, db=None) -> Value:
    """A new node; inside `no_grad()`, a plain leaf instead."""
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    if _recording:
        node._tag = op
        node._a = a
        node._da = da
        node._b = b
        node._db = db
    else:
        node._tag, node._a, node._da, node._b, node._db = _LEAF
    return node


def _all_finite(da, b, db) -> bool:
    """Whether a node's local derivatives are all finite (none inf or nan)."""
    if b is None:
        return math.isfinite(da)
    if b is _MANY:
        return math.isfinite(sum(da))  # a finite sum has only finite terms
    return math.isfinite(da + db)


def _intermediates_in_order(root: Value) -> list[Value]:
    """The non-leaf nodes reachable from `root`, each after its non-leaf parents.

    The hot half of `backward()`, an iterative depth-first search that marks nodes in
    their own grad slots instead of a hashed set. A mark is one of this call's own 0.0
    objects, told apart from any other grad by identity, not value, so that a mark left
    by an earlier, interrupted call means nothing; and as its value is 0.0, marking a
    node also resets its grad before propagation. Leaves are never visited, so their
    grads keep accumulating.
    """
    opened = float("0")  # its parents are being placed
    placed = float("0")  # it is in `order`
    order: list[Value] = []
    stack = [root]
    push = stack.append
    while stack:
        node = stack[-1]
        mark = node.grad
        if mark is placed:  # a second copy: two consumers had pushed it
            stack.pop()
            continue
        if mark is not opened:
            waiting = False
            a = node._a
            b = node._b
            if b is _MANY:
                for parent in a:
                    if parent._a is not None and parent.grad is not placed:
                        push(parent)
                        waiting = True
            else:
                if a._a is not None and a.grad is not placed:
                    push(a)
                    waiting = True
                if b is not None and b._a is not None and b.grad is not placed:
                    push(b)
                    waiting = True
            if waiting:
                node.grad = opened
                continue
        stack.pop()
        node.grad = placed
        order.append(node)
    return order


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from `root` once, each after all of its parents, `root` last."""
    order: list[Value] = []
    placed: set[int] = set()
    stack = [root]
    while stack:
        node = stack[-1]
        pending = [p for p in node.parents if id(p) not in placed]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if id(node) not in placed:
            placed.add(id(node))
            order.append(node)
    return order


@contextmanager
def no_grad() -> Iterator[None]:
    """Ops inside return plain leaves: nothing is recorded (evaluation, optimizer steps)."""
    global _recording
    previous = _recording
    _recording = False
    try:
        yield
    finally:
        _recording = previous


# --- checks and numerics shared by the ops ------------------------------------------------


def _as_float(x: object, where: str) -> float:
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        hint = " (pass its .data)" if isinstance(x, Value) else ""
        raise TypeError(f"{where}: expected an int or a float, got {x!r} ({type(x).__name__}){hint}")
    try:
        return float(x)
    except OverflowError:
        raise OverflowError(f"{where}: {x!r} is too large for a float") from None


def _constant(c: object, op: str) -> float:
    if type(c) is float:
        return c
    if isinstance(c, bool) or not isinstance(c, Real):
        raise TypeError(
            f"'{op}': cannot combine a Value with {c!r} ({type(c).__name__}); "
            "use a Value, an int or a float"
        )
    return _as_float(c, f"'{op}'")


def _nonzero_divisor(numerator: float, divisor: float) -> float:
    if divisor == 0.0:
        raise ZeroDivisionError(f"'/': {numerator!r} / {divisor!r} divides by zero")
    return divisor


def _power(x: float, y: float) -> float:
    if x < 0.0 and math.isfinite(x) and math.isfinite(y) and not y.is_integer():
        raise ValueError(
            f"'**': {x!r} ** {y!r} has no real value (negative base, non-integer exponent)"
        )
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(f"'**': {x!r} ** {y!r} divides by zero (zero base, negative exponent)")
    try:
        return x**y
    except OverflowError:
        raise OverflowError(f"'**': {x!r} ** {y!r} overflows a float") from None


def _d_base(x: float, y: float, out: float) -> float:
    """d(x**y)/dx = y * x**(y-1), with x**(y-1) taken as out / x away from 0."""
    if y == 0.0:
        return 0.0  # x**0 is constant, even at x == 0 (PyTorch agrees)
    if x == 0.0:
        return 1.0 if y == 1.0 else (0.0 if y > 1.0 else math.inf)
    return y * (out / x)


def _d_exponent(x: float, y: float, out: float) -> float:
    """d(x**y)/dy = log(x) * x**y; 0 at x == 0 (y >= 0) and nan for x < 0, as PyTorch."""
    if x > 0.0:
        return math.log(x) * out
    if x == 0.0:
        return 0.0
    return math.nan
