"""A scalar autograd engine for learning, teaching and checking backpropagation."""

from autograd.engine import Value, define_op, grad, no_grad, topological_order
from autograd.transforms import hessian, hvp, jacfwd, jacobian, jacrev, jvp, vjp

__all__ = [
    "Value",
    "define_op",
    "grad",
    "hessian",
    "hvp",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "no_grad",
    "topological_order",
    "vjp",
]
