"""What an entry of the op table is (`Op`), and how the table adds one (`_builtin`,
`_reflect`). The entries themselves, one op after the other, are `autograd/ops.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Floats = tuple[float, ...]
# (output, local derivatives...): what a numeric rule returns.
Numeric = Callable[..., Floats]
# (*parents, node) -> local derivatives as Values or numbers.
Differentiable = Callable[..., tuple[Any, ...]]
# (operand values, folded constant or None, margin) -> near trouble: see `Op.trouble`.
Trouble = Callable[[list, Any, float], bool]


class Op:
    """One primitive: a name, an arity, a numeric rule and (optionally) a differentiable form,
    and what every view of the engine reads about it.

    `numeric(*operands[, constant]) -> (output, d_1, ..., d_arity)` on floats.
    `differentiable(*parents, node) -> (d_1, ..., d_arity)` as Values or numbers; None when
    the op has none (a user op defined without one): then a second derivative through it
    raises. `has_constant`: the op takes a folded constant argument, kept on the node.
    `formula`: the local derivatives as text, one template per operand, for people (the
    replay writes `tanh: 1 − o² = 1 − 0.7071² = 0.5`): `{x}`, `{y}` stand for the operands,
    `{o}` for the output, `{c}` for the folded constant; None when the op has none.

    What the views read (see docs/contributing-an-op.md):
    - `symbol`: the Python operator (`+`, `**`; `-` for neg), None for an op called by name;
    - `method`: the `Value` method that applies it (`exp`, `__truediv__`), and so the
      function of `autograd.functional` of that name when it is not an operator;
    - `constant`: the kind of folded constant its nodes keep (`CONSTANT_KINDS`);
    - `reflected`: for an operator, the op of a number on its left (`2 - x`: `RSUB`), whose
      node keeps the number as its constant and `x` as its one parent; `left` on that op;
    - `domain`, `kinks`: where it is defined and where its derivative jumps or is infinite,
      as text (the docs' table), and `trouble(operands, constant, margin)`: whether a point
      is outside the domain or within `margin` of a kink (`autograd.testing`'s strategies
      draw no such point; a folded constant is the last operand);
    - `samples`: a few constants the strategies fold in, for an op that takes one.
    """

    __slots__ = (
        "arity",
        "constant",
        "differentiable",
        "domain",
        "formula",
        "has_constant",
        "kinks",
        "left",
        "method",
        "name",
        "numeric",
        "reflected",
        "samples",
        "symbol",
        "trouble",
        "user_defined",
    )

    def __init__(
        self,
        name: str,
        arity: int,
        numeric: Numeric,
        differentiable: Differentiable | None,
        has_constant: bool = False,
        user_defined: bool = False,
    ) -> None:
        self.name = name
        self.arity = arity
        self.numeric = numeric
        self.differentiable = differentiable
        self.has_constant = has_constant
        self.user_defined = user_defined
        self.formula: tuple[str, ...] | None = None
        self.symbol: str | None = None
        self.method: str | None = None
        self.constant: str | None = None
        self.reflected: Op | None = None
        self.left = False
        self.domain = "every real"
        self.kinks = ""
        self.trouble: Trouble | None = None
        self.samples: tuple[float, ...] = ()

    def __repr__(self) -> str:
        return f"Op({self.name!r}, arity={self.arity})"


# The kinds of folded constant a node may keep instead of a parent (`Op.constant`):
CONSTANT_KINDS = {
    "operand": "the number on the other side of an operator: the 2 of `x * 2` or `2 - x`",
    "argument": "a number the op is called with: the slope of `leaky_relu`, `elu`'s alpha",
    "decimals": "an int: the decimals of `round`",
    "bounds": "(min, max), either one None: `clamp`'s bounds",
    "count": "the number of weights of a `w·x+b`",
}

REGISTRY: dict[str, Op] = {}  # built-in op name -> its Op (a reflected op: see `Op.reflected`)
LEAF = Op("", 0, lambda: (), None)  # what a leaf records: no op (`op == ""`)


def _builtin(
    name: str,
    arity: int,
    numeric: Numeric,
    differentiable: Differentiable,
    *,
    formula: tuple[str, ...],
    method: str | None = None,
    symbol: str | None = None,
    constant: str | None = None,
    domain: str = "every real",
    kinks: str = "",
    trouble: Trouble | None = None,
    samples: tuple = (),
    register: bool = True,
) -> Op:
    """One entry of the table (see `Op` for what each field is for)."""
    op = Op(name, arity, numeric, differentiable, has_constant=constant not in (None, "operand"))
    op.formula = formula
    op.method = method if method is not None else name
    op.symbol = symbol
    op.constant = constant
    op.domain = domain
    op.kinks = kinks
    op.trouble = trouble
    op.samples = samples
    if register:
        if name in REGISTRY:
            raise ValueError(f"ops: {name!r} is defined twice")
        REGISTRY[name] = op
    return op


def _reflect(
    op: Op,
    numeric: Numeric,
    differentiable: Differentiable,
    *,
    formula: str,
    trouble: Trouble | None = None,
    samples: tuple = (),
) -> Op:
    """The op of `c op x`, a number on the operator's left: its node keeps `x` as its one
    parent and `c` as its constant, as `x op c` does, and `numeric(x, c)` returns the
    output and d/dx. Same name and symbol as `op`; reached as `op.reflected`."""
    assert op.method is not None and op.method.startswith("__")
    reflected = _builtin(
        op.name,
        1,
        numeric,
        differentiable,
        formula=(formula,),
        method="__r" + op.method[2:],
        symbol=op.symbol,
        constant="argument",  # so its rule is called with the number (`has_constant`)
        domain=op.domain,
        kinks=op.kinks,
        trouble=trouble,
        samples=samples,
        register=False,
    )
    reflected.constant = "operand"  # though the number is the operator's other operand
    reflected.left = True
    op.reflected = reflected
    return reflected


def constant_derivatives(*parents_and_node: Any) -> tuple[Any, ...]:
    """The differentiable form of an op whose local derivatives are constants (0, 1, -1, a
    slope): they are their own form, read back off the node."""
    return parents_and_node[-1].local_grads


def entries() -> list[Op]:
    """Every entry of the table, the reflected ones too: what a node may record."""
    return [entry for op in REGISTRY.values() for entry in (op, op.reflected) if entry]
