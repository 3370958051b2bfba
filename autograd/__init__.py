"""A scalar autograd engine for learning, teaching and checking backpropagation."""

from autograd.engine import Value, define_op, grad, no_grad, topological_order

__all__ = ["Value", "define_op", "grad", "no_grad", "topological_order"]
