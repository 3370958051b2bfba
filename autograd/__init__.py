"""A scalar autograd engine for learning, teaching and checking backpropagation."""

import os as _os

from autograd.engine import (
    Value,
    define_op,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    topological_order,
)
from autograd.transforms import hessian, hvp, jacfwd, jacobian, jacrev, jvp, vjp

__all__ = [
    "Value",
    "define_op",
    "enable_grad",
    "grad",
    "hessian",
    "hvp",
    "is_grad_enabled",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "no_grad",
    "set_grad_enabled",
    "topological_order",
    "vjp",
]

# HIPS autograd (PyPI's `autograd`) has the same import name. pip installs both into one
# folder, each overwriting the other's `__init__.py`: HIPS's code then finds this engine's
# names (its `grad(f)` is not ours). Say which is which once, at import.
if _os.path.exists(_os.path.join(_os.path.dirname(__file__), "differential_operators.py")):
    import warnings

    warnings.warn(
        f"{_os.path.dirname(__file__)} holds two packages with the import name 'autograd': "
        "backprop-lens's engine (this one: Value, grad(output, inputs)) and HIPS autograd "
        "(PyPI's 'autograd': grad(f)). Neither works reliably so: pip uninstall autograd "
        "backprop-lens, then install the one you want (or each in its own virtual environment).",
        stacklevel=2,
    )
