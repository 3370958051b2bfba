"""A scalar autograd engine for learning, teaching and checking backpropagation."""

from autograd.engine import Value, grad, no_grad, topological_order

__all__ = ["Value", "grad", "no_grad", "topological_order"]
