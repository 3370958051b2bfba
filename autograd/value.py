"""The value type: a scalar `Value`, the nodes its ops build, and grad mode.

Every op computes its output *and* its local derivatives, d(output)/d(operand), at the
forward values, and records both on the new node. `Value.backward()` is then one generic
loop that multiplies and adds those numbers in reverse topological order; it knows nothing
about any particular op. The ops themselves, each one's numeric rule beside its
differentiable form, are the table in `ops.py`; `Value`'s methods apply them (the ops a
network is made of, `+ - *` neg relu, inline here; the rest in `value_methods.py`). The
loop of `backward()` is in `backprop.py`, `grad()` and the reference chain rule in
`chain_rule.py`, user ops and weighted sums in `define.py`, `no_grad()` in `grad_mode.py`;
`engine.py` gathers them all.

The ops' hot path reads this module's globals (`_recording`, `_grad_mode`, `_writes`,
`_INSTALLED`, ...): they live here, beside the code that reads them, because a global is
faster to read than another module's attribute; `set_grad_enabled` and the `.data` setter,
which write them, are here too.

A node's layout, chosen for speed and memory, since a graph is one object per op:
- One class for every node, so that attribute caches stay monomorphic.
- Eight slots: `_data`, `_grad` (the public `grad`), `_stamp` (when its data was last set:
  see `_check_unchanged`), `_tag` (what made the node: its `Op`, an entry of `ops.py` or a
  user op, or a `(that, label)` pair: almost no node has a label), and the operands
  with their local derivatives:

  | node | `_a` | `_da` | `_b` | `_db` |
  |---|---|---|---|---|
  | leaf | None | None | None | None |
  | one operand: `x.exp()`, `x * 2`, `2 - x` | x | d/dx | None | the op's constant (2), or None |
  | two operands: `x * y` | x | d/dx | y | d/dy |
  | n operands: `w·x+b` | the parents | their derivatives | `_MANY` | the weight count |

  `parents`, `local_grads` and `constant` read them back in public form.
- A local derivative is, where it can be, a reference to a float that already exists: the
  other operand's data for `*`, a shared 1.0 for `+`, the output itself for `exp`. A node
  and its float then cost 120 bytes (CPython 3.11).
- No closures and no reference cycles. On CPython a dropped graph is therefore freed at
  once by reference counting instead of waiting for the cyclic garbage collector (other
  interpreters free it at their next collection; nothing here depends on when).
"""

from __future__ import annotations

import threading
from typing import Any, Union

from autograd import ops, recording
from autograd.backprop import _MANY, _check_unchanged, _intermediates_in_order, _propagate
from autograd.checks import _constant, is_number, to_float
from autograd.ops import Op
from autograd.recording import Escape

Number = Union[int, float]
Scalar = Union["Value", int, float]  # what an op accepts as an operand

_ONE = 1.0
_MINUS_ONE = -1.0
# The entries the operators build inline (a global is faster to read than `ops.ADD`).
_ADD, _SUB, _RSUB, _MUL, _NEG, _RELU = ops.ADD, ops.SUB, ops.RSUB, ops.MUL, ops.NEG, ops.RELU
_LEAF = (ops.LEAF, None, None, None, None)  # a leaf: what `Value(...)` makes
# In `_db` of a result computed inside `no_grad()`: a leaf too, but one that `backward()`
# and `grad()` refuse as a root (PyTorch: "does not require grad"), instead of leaving
# every gradient silently 0.
_NOT_RECORDED = object()
_UNRECORDED = (ops.LEAF, None, None, None, _NOT_RECORDED)  # what an op makes inside `no_grad()`

# Grad mode is per thread, as PyTorch's: `no_grad()` in one thread records nothing there and
# leaves every other thread recording. The ops read one global, `_recording`, which is True
# while no thread at all is inside `no_grad()` (the usual case: one test, nothing else);
# only while some thread is, do they ask the calling thread's own mode, `_grad_mode.enabled`.
# `set_grad_enabled` keeps the two in step; nothing else writes them.
_recording = True


class _GradMode(threading.local):
    enabled = True  # this thread's grad mode (a class default: every new thread records)


_grad_mode = _GradMode()
_threads_not_recording = 0  # how many threads have grad mode off
_grad_mode_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """Whether ops in the calling thread record the graph (False inside `no_grad()`)."""
    return _grad_mode.enabled


def set_grad_enabled(mode: bool) -> bool:
    """Turn recording on or off in the calling thread only; returns the previous mode."""
    global _recording, _threads_not_recording
    if not isinstance(mode, bool):
        raise TypeError(f"set_grad_enabled: expected True or False, got {mode!r}")
    with _grad_mode_lock:
        previous = _grad_mode.enabled
        if mode != previous:
            _grad_mode.enabled = mode
            _threads_not_recording += -1 if mode else 1
            _recording = _threads_not_recording == 0
    return previous


# One backward() at a time: it marks nodes in their own grad slots while it orders them,
# so two at once on one graph would read each other's marks. (`grad()` keeps its sums in
# a dict of its own and needs no lock.)
_backward_lock = threading.Lock()
# While a recorder (`autograd.trace`'s) is installed in this thread, the few places where a
# value's number could leave the graph unseen (a comparison, `.data`, `float()`, ...) report
# to it through `autograd.recording`, so that the traced code guards them or tracing refuses
# them. Each costs one attribute test while no thread traces.
_INSTALLED = recording.INSTALLED
_recorder = recording.current

# PyTorch's version counter, made cheap: `_writes` counts every `.data = ...` so far; a node
# stamps itself with it when made, and again when its data is written. A node's local
# derivatives were computed from its parents' data when it was made, so a parent whose
# stamp is above the node's was written since, and the derivatives are stale: `backward()`
# and `grad()` refuse the graph (`_check_unchanged`). One int per node, no list of versions.
_writes = 0


# --- building nodes -------------------------------------------------------------------------

_new = object.__new__


def _node(op: Op, data: float, a: Any, da: Any, b: Any = None, db: Any = None) -> Value:
    """A new node made by `op` (an entry of `ops.py`, or a user's `Op`); inside
    `no_grad()`, a plain leaf instead."""
    node = _new(Value)
    node._data = data
    node._stamp = _writes
    node._grad = 0.0
    if _recording or _grad_mode.enabled:
        node._tag = op
        node._a = a
        node._da = da
        node._b = b
        node._db = db
    else:
        node._tag, node._a, node._da, node._b, node._db = _UNRECORDED
    return node


def _unary(op: Op, x: Value, constant: Any = None) -> Value:
    """Apply a one-operand op of the table (with its constant argument, if it takes one)."""
    try:
        if op.has_constant:
            out, d = op.numeric(x._data, constant)
        else:
            out, d = op.numeric(x._data)
    except OverflowError:
        error = ops.overflow_error(op.name, x._data)
        _failed(op, (x,), error)
        raise error from None
    except Exception as error:
        _failed(op, (x,), error)
        raise
    return _node(op, out, x, d, None, constant)


def _binary(op: Op, x: Value, y: Scalar) -> Value:
    """Apply a two-operand op of the table; a number `y` is folded in as the constant."""
    if type(y) is Value or isinstance(y, Value):
        try:
            out, dx, dy = op.numeric(x._data, y._data)
        except Exception as error:
            _failed(op, (x, y), error)
            raise
        return _node(op, out, x, dx, y, dy)
    c = _constant(y, op.name)
    try:
        out, dx, _ = op.numeric(x._data, c)
    except Exception as error:
        _failed(op, (x, c), error)
        raise
    return _node(op, out, x, dx, None, c)


def _reflected(op: Op, x: Value, number: Number) -> Value:
    """Apply the reflected entry of an operator (`ops.RDIV`: `2 / x`) to `x`, the number on
    the left folded in as the constant. Errors are the operator's own (`'/': 2.0 / 0.0`)."""
    c = _constant(number, op.name)
    try:
        out, dx = op.numeric(x._data, c)
    except Exception as error:
        _failed(op, (c, x), error)
        raise
    return _node(op, out, x, dx, None, c)


def _failed(op: Op, operands: tuple, error: Exception) -> None:
    """Tell this thread's recorder, if any, that `op` raises `error` at `operands` (Values,
    or a folded number): a traced function that caught it would take a path that the
    traced code could not tell."""
    if _INSTALLED.count and (r := _recorder()) is not None:
        r.failed(op, operands, error)


def _check_recorded(root: Value, where: str) -> None:
    if root._db is _NOT_RECORDED:
        raise RuntimeError(
            f"{where}: {root!r} was computed inside no_grad(), so no graph was recorded and "
            "it has no gradient to pass back; compute it outside no_grad()"
        )


# The methods that apply the rest of the table, and the habits (comparisons, micrograd's and
# PyTorch's names), are written in `value_methods.py`, which calls the builders above: it
# is imported here, after them, and `Value` takes its methods from its two classes.
from autograd.value_methods import Functions, Habits  # noqa: E402


class Value(Functions, Habits):
    """One scalar node of a computation graph.

    `==` and `hash` are identity (nodes are dictionary keys); `<`, `<=`, `>`, `>=` compare
    `data` and return a plain bool, so `max(a, b)`, `sorted(values)` and `if x > 0` work.
    """

    __slots__ = ("_a", "_b", "_da", "_data", "_db", "_grad", "_stamp", "_tag")
    # The slots' types; the layout is in the module's docstring.
    _data: float
    _grad: float  # `grad`; while backward() orders the graph, a traversal's mark
    _tag: Any  # the Op that made it (`ops.LEAF` for a leaf), or (that Op, label)
    _a: Any
    _b: Any
    _da: Any
    _db: Any
    _stamp: int  # `_writes` when its data was set: made, or written (see `_check_unchanged`)

    def __init__(self, data: Number, label: str = "", *micrograd: Any) -> None:
        if micrograd or type(label) is not str:
            Value._refuse_micrograd_constructor(data, label, micrograd)
        self._data = to_float(data, "Value")
        self._stamp = _writes
        self._grad = 0.0
        self._tag, self._a, self._da, self._b, self._db = _LEAF
        self.label = label
        if _INSTALLED.count and (r := _recorder()) is not None:  # a constant made while traced
            r.created(self)

    # --- the public view of a node -------------------------------------------------------

    @property
    def data(self) -> float:
        if _INSTALLED.count and (r := _recorder()) is not None:
            return r.data(self)
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        global _writes
        if _INSTALLED.count and (r := _recorder()) is not None:
            r.escaped(self, Escape.SET_DATA)
        self._data = to_float(value, "Value.data")
        _writes += 1
        self._stamp = _writes

    @property
    def grad(self) -> float:
        return self._grad

    @grad.setter
    def grad(self, value: Number) -> None:
        # A number only: a Value here would silently turn the next backward()'s sum into
        # a graph, and None (PyTorch's cleared grad) would break it.
        self._grad = to_float(value, "Value.grad (set 0.0 to clear it)")

    @property
    def op(self) -> str:
        """The name of the op that made the node (`"+"`, `"exp"`), `""` for a leaf."""
        return self._kind().name

    @property
    def label(self) -> str:
        tag = self._tag
        return tag[1] if type(tag) is tuple else ""

    @label.setter
    def label(self, label: str) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value.label: expected a str, got {label!r} ({type(label).__name__})")
        kind = self._kind()
        self._tag = (kind, label) if label else kind

    def _kind(self) -> Op:
        """The `Op` that made the node: an entry of `ops.py`, a user op, or `ops.LEAF`."""
        tag = self._tag
        return tag[0] if type(tag) is tuple else tag

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
        if _INSTALLED.count and (r := _recorder()) is not None:
            r.escaped(self, Escape.LOCAL_GRADS)
        if b is _MANY:
            return self._da
        return (self._da,) if b is None else (self._da, self._db)

    @property
    def constant(self) -> Any:
        """The constant an op folded in instead of a parent: the 2 of `x * 2` or `x ** 2`,
        the slope of `leaky_relu`, `(min, max)` of `clamp`; the weight count of `w·x+b`;
        else None. A number on the left is folded in too: `2 - x` keeps 2, as a node of
        `ops.RSUB` (its op, `-`, reflected: see `ops.Op.reflected`)."""
        if self._a is None:
            return None
        b = self._b
        return self._db if (b is None or b is _MANY) else None

    def __bool__(self) -> bool:
        """`data != 0`, as a Python number and PyTorch's one-element tensor: `Value(0.0)`
        is false, `Value(nan)` true. Traced, it is a branch on the value, which the tracer
        refuses: compare the Value instead (`if x != 0` is not a comparison here: `==` and
        `!=` are identity; write `if x > 0 or x < 0`)."""
        if _INSTALLED.count and (r := _recorder()) is not None:
            r.escaped(self, Escape.BOOL)
        return self._data != 0.0

    def __float__(self) -> float:
        if _INSTALLED.count and (r := _recorder()) is not None:
            r.escaped(self, Escape.FLOAT)
        return self._data

    def __repr__(self) -> str:
        label = self.label
        label = f", label={label!r}" if label else ""
        return f"Value(data={self._data!r}, grad={self._grad!r}{label})"

    # --- comparisons: on data, no gradient -----------------------------------------------

    def __lt__(self, other: Scalar) -> bool:
        result = self._data < _compared(other, "<")
        if _INSTALLED.count and (r := _recorder()) is not None:
            r.compared(self, "<", other, result)
        return result

    def __le__(self, other: Scalar) -> bool:
        result = self._data <= _compared(other, "<=")
        if _INSTALLED.count and (r := _recorder()) is not None:
            r.compared(self, "<=", other, result)
        return result

    def __gt__(self, other: Scalar) -> bool:
        result = self._data > _compared(other, ">")
        if _INSTALLED.count and (r := _recorder()) is not None:
            r.compared(self, ">", other, result)
        return result

    def __ge__(self, other: Scalar) -> bool:
        result = self._data >= _compared(other, ">=")
        if _INSTALLED.count and (r := _recorder()) is not None:
            r.compared(self, ">=", other, result)
        return result

    # --- arithmetic ----------------------------------------------------------------------
    # The numeric rules and differentiable forms are in `ops.py`. `+` and `*` of two nodes
    # are nearly the whole graph of a network, so they build their node inline here (a
    # specialised copy of `ops.ADD` and `ops.MUL`): a call to `_node` costs as much as the
    # node. A number operand is folded into the node as its constant, not made a parent.

    def __add__(self, other: Scalar) -> Value:
        if type(other) is Value or isinstance(other, Value):
            out = _new(Value)
            out._data = self._data + other._data
            out._stamp = _writes
            out._grad = 0.0
            if _recording or _grad_mode.enabled:
                out._tag = _ADD
                out._a = self
                out._da = _ONE
                out._b = other
                out._db = _ONE
            else:
                out._tag, out._a, out._da, out._b, out._db = _UNRECORDED
            return out
        c = _constant(other, "+")
        return _node(_ADD, self._data + c, self, _ONE, None, c)

    __radd__ = __add__

    # The other arithmetic builds its node through `_node`, with the numbers of `ops.SUB`,
    # `ops.NEG` and the folded-constant forms of `ops.ADD` and `ops.MUL` written out here:
    # a call into the table would cost as much as the subtraction.

    def __sub__(self, other: Scalar) -> Value:
        if type(other) is Value or isinstance(other, Value):
            return _node(_SUB, self._data - other._data, self, _ONE, other, _MINUS_ONE)
        c = _constant(other, "-")
        return _node(_SUB, self._data - c, self, _ONE, None, c)

    def __rsub__(self, other: Number) -> Value:
        c = _constant(other, "-")
        return _node(_RSUB, c - self._data, self, _MINUS_ONE, None, c)  # c - x

    def __neg__(self) -> Value:
        return _node(_NEG, -self._data, self, _MINUS_ONE)

    def __mul__(self, other: Scalar) -> Value:
        if type(other) is Value or isinstance(other, Value):
            a, b = self._data, other._data
            out = _new(Value)  # inline, as in `__add__`
            out._data = a * b
            out._stamp = _writes
            out._grad = 0.0
            if _recording or _grad_mode.enabled:  # d(a*b)/da = b, d(a*b)/db = a: their floats
                out._tag = _MUL
                out._a = self
                out._da = b
                out._b = other
                out._db = a
            else:
                out._tag, out._a, out._da, out._b, out._db = _UNRECORDED
            return out
        c = _constant(other, "*")
        return _node(_MUL, self._data * c, self, c, None, c)

    __rmul__ = __mul__

    # --- activations ---------------------------------------------------------------------

    def relu(self) -> Value:
        x = self._data
        if x > 0.0 or x != x:  # as `ops.RELU`, inline: one per neuron of every network
            return _node(_RELU, x, self, _ONE)
        return _node(_RELU, 0.0, self, 0.0)

    # backward(retain_graph=...) is accepted for PyTorch's code and means nothing more here:
    # backward() never frees the graph (each node keeps its local derivatives), so it can
    # always be called again, whatever retain_graph says; leaf grads then accumulate.

    # --- the chain rule -------------------------------------------------------------------

    def backward(self, gradient: Number = 1.0, retain_graph: bool | None = None) -> None:
        """Set every reachable node's `grad` to d(self)/d(node), scaled by `gradient`.

        `gradient` seeds the root, as in PyTorch: d(self)/d(self) = 1 by default. The grads
        of intermediate nodes are reset first; leaf grads accumulate across calls, as in
        PyTorch, until `zero_grad()` or `grad = 0.0` clears them. `retain_graph`: see
        the habits from PyTorch above (the graph is always kept).
        """
        if _INSTALLED.count and (r := _recorder()) is not None:
            r.escaped(self, Escape.BACKWARD)
        seed = to_float(gradient, "backward")
        if self._a is None:  # a leaf is its own whole graph
            _check_recorded(self, "backward")
            self._grad += seed
            return
        with _backward_lock:
            order = _intermediates_in_order(self)  # their grads are reset to 0.0
            _check_unchanged(order, "backward", _writes)
            self._grad = seed
            _propagate(order)


def _compared(other: object, op: str) -> Any:  # a float, an int, a Fraction...
    """What a Value's data is compared with: the other Value's data, or the number itself,
    unconverted. Python compares a float with an int or a Fraction exactly (2.0**53 <
    2**53 + 1 is True), which a float() first would round away."""
    if type(other) is Value or isinstance(other, Value):
        return other._data
    if _INSTALLED.count and (r := _recorder()) is not None:
        node = r.operand(other)  # `x < y.data` while traced: guarded as `x < y`
        if node is not None:
            return node._data
    if not is_number(other):
        raise TypeError(f"'{op}': cannot compare a Value with {other!r} ({type(other).__name__})")
    return other
