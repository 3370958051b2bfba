"""PyTorch as an oracle: first and second derivatives of random expression graphs.

Skipped, saying so, when PyTorch is not installed (it is only ever a test oracle).
"""

import pytest
from hypothesis import given

from autograd import Value, grad
from autograd.testing import expressions, forms

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed: skipping the cross-checks against it"
)


# The ops that torch spells otherwise than as a Tensor method named like ours.
F = torch.nn.functional
TORCH_FORMS = {
    "w·x+b": lambda c, w0, w1, x0, x1, b: w0 * x0 + w1 * x1 + b,
    "leaky_relu": lambda c, a: F.leaky_relu(a, c),
    "elu": lambda c, a: F.elu(a, c),
    "softplus": lambda c, a: F.softplus(a),
    "silu": lambda c, a: F.silu(a),
    "gelu": lambda c, a: F.gelu(a),
    # torch.floor_divide has no derivative; division rounded down has 0, as here
    "//": lambda c, a, b: torch.div(a, b, rounding_mode="floor"),
    "//c": lambda c, a: torch.div(a, c, rounding_mode="floor"),
    "c%": lambda c, a: torch.remainder(torch.full_like(a, c), a),  # (a number % a tensor: none)
    "c//": lambda c, a: torch.div(torch.full_like(a, c), a, rounding_mode="floor"),
    "maximum(c)": lambda c, a: torch.maximum(a, torch.full_like(a, c)),
    "minimum(c)": lambda c, a: torch.minimum(a, torch.full_like(a, c)),
    "round": lambda c, a: torch.round(a, decimals=int(c)),
}


def torch_expression(expr, xs):
    """The same program on torch tensors: torch has the same operators and methods."""
    values = list(xs)
    for step in expr.steps:
        args = [values[i] for i in step.operands]
        build = TORCH_FORMS.get(step.op, forms()[step.op].build)
        values.append(build(step.constant, *args))
    return values[-1]


@given(expressions(max_steps=10))
def test_value_gradient_and_hessian_match_pytorch(expr):
    ours_in = [Value(x) for x in expr.inputs]
    ours = expr(*ours_in)
    first = grad(ours, ours_in, create_graph=True)
    hessian = [[h.data for h in grad(g, ours_in)] for g in first]

    theirs_in = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in expr.inputs]
    theirs = torch_expression(expr, theirs_in)
    their_first = torch.autograd.grad(theirs, theirs_in, create_graph=True, allow_unused=True)
    their_hessian = []
    for g in their_first:
        if g is None or not g.requires_grad:  # torch drops constant derivatives
            their_hessian.append([0.0] * len(theirs_in))
            continue
        row = torch.autograd.grad(g, theirs_in, retain_graph=True, allow_unused=True)
        their_hessian.append([0.0 if h is None else h.item() for h in row])

    assert ours.data == pytest.approx(theirs.item(), rel=1e-12, abs=1e-12)
    assert [g.data for g in first] == pytest.approx(
        [0.0 if g is None else g.item() for g in their_first], rel=1e-9, abs=1e-12
    )
    for row, their_row in zip(hessian, their_hessian):
        assert row == pytest.approx(their_row, rel=1e-9, abs=1e-10)
