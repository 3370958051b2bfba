"""The methods of `Value` that apply the table's ops, and its habits: written here so that
`value.py` holds the node itself, the operators a network is made of, and grad mode.

`Functions`: every op of `ops.py` that `Value` does not build inline (`+`, `-`, `*`, neg,
relu are in `value.py`, for speed), one method each, named as in PyTorch. `Habits`:
micrograd's names and PyTorch's. `Value` inherits both (they have no slots
of their own, so a node's size is unchanged); nothing else does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from autograd import ops
from autograd.checks import _constant, _not_nan, to_int
from autograd.value import _NOT_RECORDED
from autograd.value import _binary as _binary_node
from autograd.value import _reflected as _reflected_node
from autograd.value import _unary as _unary_node

if TYPE_CHECKING:
    from autograd.value import Number, Scalar, Value

# The builders of `value.py`, which take a `Value`: typed loosely here, where `self` is one
# to the interpreter (only `Value` inherits these classes) but a mixin to mypy.
_unary: Callable[..., Value] = _unary_node
_binary: Callable[..., Value] = _binary_node
_reflected: Callable[..., Value] = _reflected_node


_Self = TypeVar("_Self", bound="Habits")


class Functions:
    """The ops of the table applied by name or by Python's operators."""

    __slots__ = ()

    # --- arithmetic through the table ------------------------------------------------------

    def __truediv__(self, other: Scalar) -> Value:
        return _binary(ops.DIV, self, other)

    # A number on the left (`2 / x`) is folded in as the node's constant, as on the right:
    # the node is one of the op's `reflected` entry, with `x` its one parent.

    def __rtruediv__(self, other: Number) -> Value:
        return _reflected(ops.RDIV, self, other)

    def __pow__(self, other: Scalar) -> Value:
        return _binary(ops.POW, self, other)

    def __rpow__(self, other: Number) -> Value:
        return _reflected(ops.RPOW, self, other)

    def __mod__(self, other: Scalar) -> Value:
        return _binary(ops.MOD, self, other)

    def __rmod__(self, other: Number) -> Value:
        return _reflected(ops.RMOD, self, other)

    def __floordiv__(self, other: Scalar) -> Value:
        return _binary(ops.FLOORDIV, self, other)

    def __rfloordiv__(self, other: Number) -> Value:
        return _reflected(ops.RFLOORDIV, self, other)

    def __abs__(self) -> Value:
        return _unary(ops.ABS, self)

    def __floor__(self) -> Value:
        return _unary(ops.FLOOR, self)

    def __ceil__(self) -> Value:
        return _unary(ops.CEIL, self)

    def __trunc__(self) -> Value:
        return _unary(ops.TRUNC, self)

    def __round__(self, ndigits: int | None = None) -> Value:
        return self.round(0 if ndigits is None else ndigits)

    # --- elementary functions, named as in PyTorch ----------------------------------------

    def exp(self) -> Value:
        return _unary(ops.EXP, self)

    def exp2(self) -> Value:
        return _unary(ops.EXP2, self)

    def expm1(self) -> Value:
        return _unary(ops.EXPM1, self)

    def log(self) -> Value:
        return _unary(ops.LOG, self)

    def log2(self) -> Value:
        return _unary(ops.LOG2, self)

    def log10(self) -> Value:
        return _unary(ops.LOG10, self)

    def log1p(self) -> Value:
        return _unary(ops.LOG1P, self)

    def sqrt(self) -> Value:
        return _unary(ops.SQRT, self)

    def sin(self) -> Value:
        return _unary(ops.SIN, self)

    def cos(self) -> Value:
        return _unary(ops.COS, self)

    def tan(self) -> Value:
        return _unary(ops.TAN, self)

    def asin(self) -> Value:
        return _unary(ops.ASIN, self)

    def acos(self) -> Value:
        return _unary(ops.ACOS, self)

    def atan(self) -> Value:
        return _unary(ops.ATAN, self)

    def sinh(self) -> Value:
        return _unary(ops.SINH, self)

    def cosh(self) -> Value:
        return _unary(ops.COSH, self)

    def tanh(self) -> Value:
        return _unary(ops.TANH, self)

    def asinh(self) -> Value:
        return _unary(ops.ASINH, self)

    def acosh(self) -> Value:
        return _unary(ops.ACOSH, self)

    def atanh(self) -> Value:
        return _unary(ops.ATANH, self)

    def erf(self) -> Value:
        return _unary(ops.ERF, self)

    def abs(self) -> Value:
        return _unary(ops.ABS, self)

    def sign(self) -> Value:
        return _unary(ops.SIGN, self)

    def floor(self) -> Value:
        return _unary(ops.FLOOR, self)

    def ceil(self) -> Value:
        return _unary(ops.CEIL, self)

    def round(self, decimals: int = 0) -> Value:
        return _unary(ops.ROUND, self, to_int(decimals, "round: decimals"))

    def trunc(self) -> Value:
        return _unary(ops.TRUNC, self)

    def clamp(self, min: Number | None = None, max: Number | None = None) -> Value:
        low = None if min is None else _constant(min, "clamp")
        high = None if max is None else _constant(max, "clamp")
        if low is None and high is None:
            raise ValueError("clamp: give at least one of min and max")
        if low != low or high != high:  # a nan bound would silently clamp nothing
            raise ValueError(f"clamp: a bound is nan (min={min!r}, max={max!r})")
        return _unary(ops.CLAMP, self, (low, high))

    def minimum(self, other: Scalar) -> Value:
        return _binary(ops.MINIMUM, self, other)

    def maximum(self, other: Scalar) -> Value:
        return _binary(ops.MAXIMUM, self, other)

    def detach(self) -> Value:
        """The same number, with no gradient flowing back: a node whose local derivative is
        0, so that traces replay it; PyTorch's x.detach()."""
        return _unary(ops.DETACH, self)

    # --- activations (relu is inline, in `value.py`) -------------------------------------

    def sigmoid(self) -> Value:
        return _unary(ops.SIGMOID, self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        return _unary(ops.LEAKY_RELU, self, _not_nan(negative_slope, "leaky_relu", "slope"))

    def elu(self, alpha: float = 1.0) -> Value:
        return _unary(ops.ELU, self, _not_nan(alpha, "elu", "alpha"))

    def softplus(self) -> Value:
        return _unary(ops.SOFTPLUS, self)

    def silu(self) -> Value:
        return _unary(ops.SILU, self)

    def gelu(self) -> Value:
        return _unary(ops.GELU, self)


class Habits:
    """micrograd's names and PyTorch's: what a newcomer's code expects."""

    __slots__ = ()
    if TYPE_CHECKING:  # what these methods read of a Value (its slots and properties)
        _data: float
        _grad: float
        _a: Any
        _db: Any

        @property
        def op(self) -> str: ...
        @property
        def parents(self) -> tuple[Value, ...]: ...
        @property
        def local_grads(self) -> tuple[float, ...]: ...
        def __float__(self) -> float: ...

    # --- micrograd compatibility ---------------------------------------------------------
    # micrograd's names, so that code written for micrograd and its lecture runs unchanged.
    # The engine's own API is `parents`, `op` and `backward()`.

    @property
    def _prev(self) -> set[Value]:
        """micrograd's set of parents."""
        return set(self.parents)

    @property
    def _op(self) -> str:
        """micrograd's op string (`op`)."""
        return self.op

    def _backward(self) -> None:
        """micrograd's per-node step of the chain rule: each parent's grad += local * grad."""
        g = self._grad
        for parent, local in zip(self.parents, self.local_grads):
            parent._grad += local * g

    # --- habits from PyTorch and micrograd's lecture ----------------------------------------
    # PyTorch's names where they mean something here, and micrograd's constructor pointed
    # to define_op, so that a newcomer's first lines work or say what to write instead.

    def item(self) -> float:
        """The number, as PyTorch's `tensor.item()`: `v.data`, a float."""
        return float(self)

    @property
    def is_leaf(self) -> bool:
        """No parents: an input, a parameter, a constant, or a result made in `no_grad()`
        (as PyTorch's `is_leaf`). A leaf's grad accumulates across `backward()` calls."""
        return self._a is None

    @property
    def requires_grad(self) -> bool:
        """Read-only. True for every `Value` but a result computed inside `no_grad()`
        (as PyTorch's): a leaf collects its gradient, a recorded node passes it on. A
        number that should get no gradient is a plain float (an op folds it in as a
        constant), or `v.detach()`."""
        return self._db is not _NOT_RECORDED

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag is not True:
            raise AttributeError(
                f"Value.requires_grad is read-only and always True, got {flag!r}: for a "
                "number without a gradient use a plain float or v.detach(); to record nothing, "
                "with no_grad(): (docs/api.md, section Habits from PyTorch and micrograd)"
            )

    def requires_grad_(self: _Self, flag: bool = True) -> _Self:
        """PyTorch's in-place switch: True is already so (returns the value); False raises."""
        self.requires_grad = flag
        return self

    @staticmethod
    def _refuse_micrograd_constructor(data: Any, label: Any, more: tuple) -> None:
        """`Value(data, label="")` got micrograd's `Value(data, (a, b), '*')`, how its
        lecture adds an op by hand. Returns for a plain wrong label, which the label's own
        check reports."""
        if more or isinstance(label, (tuple, list, set)):
            given = [repr(data), repr(label), *map(repr, more)]
            raise TypeError(
                f"Value({', '.join(given)}): that is micrograd's constructor, Value(data, "
                "_children, _op); here it is Value(data, label=''), and only an op makes a "
                "node with parents: use the operators and methods (a * b records '*'), or "
                "make your own op with autograd.define_op(name, forward, derivatives) "
                "(docs/api.md, section define_op)"
            )
