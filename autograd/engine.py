"""The engine: one place to import the scalar autograd engine from.

The engine is split by job, each module read in a sitting:
- `autograd/value.py`: the `Value` type, the nodes its ops build, grad mode's flags;
- `autograd/value_methods.py`: the methods that apply the rest of the table, and habits;
- `autograd/grad_mode.py`: `no_grad()`, `enable_grad()`, `traced_by()`;
- `autograd/ops.py`: the op table (`op_type.py`: what an entry is; `edges.py`: its edge cases);
- `autograd/backprop.py`: `backward()`'s ordering of the graph and its float loop;
- `autograd/chain_rule.py`: the reference chain rule, `grad()` and `backward_steps()`;
- `autograd/define.py`: `define_op` and the weighted sums;
- `autograd/checks.py`: the argument checks (`to_float`, `to_int`, ...).

This module re-exports their names, private ones too, so that code written against
`autograd.engine` keeps working. Grad mode's flags (`_recording`, ...) and the write
counter (`_writes`) are rebound as they change: read them from `autograd.value`, where the
ops read them; a copy here would go stale.
"""

from __future__ import annotations

from autograd.backprop import (
    _MANY,
    _check_unchanged,
    _intermediates_in_order,
    _Mark,
    _product,
    _propagate,
    _propagate_nonfinite,
    topological_order,
)
from autograd.chain_rule import (
    BackwardStep,
    _chain_rule,
    _chain_term,
    _check_forms,
    _data_of,
    _differentiable_local_grads,
    _numeric_local_grads,
    backward_steps,
    grad,
    op_of,
)
from autograd.checks import (
    _constant,
    _not_nan,
    is_int,
    is_number,
    to_float,
    to_int,
)
from autograd.define import (
    _positional_count,
    define_op,
    weighted_sum,
    weighted_sums,
)
from autograd.grad_mode import enable_grad, no_grad, traced_by
from autograd.value import (
    _INSTALLED,
    _LEAF,
    _MINUS_ONE,
    _NOT_RECORDED,
    _ONE,
    _UNRECORDED,
    Number,
    Scalar,
    Value,
    _backward_lock,
    _binary,
    _check_recorded,
    _compared,
    _failed,
    _grad_mode_lock,
    _GradMode,
    _new,
    _node,
    _recorder,
    _unary,
    is_grad_enabled,
    set_grad_enabled,
)

__all__ = [  # every name importable from here, the private ones too
    "_INSTALLED",
    "_LEAF",
    "_MANY",
    "_MINUS_ONE",
    "_NOT_RECORDED",
    "_ONE",
    "_UNRECORDED",
    "BackwardStep",
    "Number",
    "Scalar",
    "Value",
    "_GradMode",
    "_Mark",
    "_backward_lock",
    "_binary",
    "_chain_rule",
    "_chain_term",
    "_check_forms",
    "_check_recorded",
    "_check_unchanged",
    "_compared",
    "_constant",
    "_data_of",
    "_differentiable_local_grads",
    "_failed",
    "_grad_mode_lock",
    "_intermediates_in_order",
    "_new",
    "_node",
    "_not_nan",
    "_numeric_local_grads",
    "_positional_count",
    "_product",
    "_propagate",
    "_propagate_nonfinite",
    "_recorder",
    "_unary",
    "backward_steps",
    "define_op",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "is_int",
    "is_number",
    "no_grad",
    "op_of",
    "set_grad_enabled",
    "to_float",
    "to_int",
    "topological_order",
    "traced_by",
    "weighted_sum",
    "weighted_sums",
]
