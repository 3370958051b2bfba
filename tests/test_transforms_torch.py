"""PyTorch's `torch.func` as the oracle of every transform: jvp, vjp, jacfwd, jacrev,
hessian and hvp on random programs (`autograd.testing.expressions()`) and on each op.

Skipped, saying so, when PyTorch is not installed (it is only ever a test oracle).
"""

import pytest
from hypothesis import given, settings

from autograd import hessian, hvp, jacfwd, jacrev, jvp, vjp
from autograd.testing import OPS, expressions, forms

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed: skipping the transforms' cross-checks against it"
)
from test_torch_crosscheck import TORCH_FORMS  # noqa: E402  (the same programs on tensors)
from torch import func  # noqa: E402

OUTPUTS = 3  # the multi-output functions return a program's last three values


def ours(expr, several):
    """The program as a function of Values: its last value, or its last values."""
    n = len(expr.inputs)

    def f(*xs):
        values = list(xs)
        for step in expr.steps:
            args = [values[i] for i in step.operands]
            values.append(forms()[step.op].build(step.constant, *args))
        return values[max(n, len(values) - OUTPUTS) :] if several else values[-1]

    return f


def theirs(expr, several):
    """The same program as a function of float64 tensors, for torch.func."""
    n = len(expr.inputs)

    def f(*xs):
        values = list(xs)
        for step in expr.steps:
            args = [values[i] for i in step.operands]
            build = TORCH_FORMS.get(step.op, forms()[step.op].build)
            values.append(build(step.constant, *args))
        if several:
            # torch.func wants tensors out: an input returned as it is, or a number, too
            return tuple(torch.as_tensor(v, dtype=torch.float64) for v in values[max(n, len(values) - OUTPUTS) :])
        return torch.as_tensor(values[-1], dtype=torch.float64)

    return f


def tensors(xs):
    return tuple(torch.tensor(x, dtype=torch.float64) for x in xs)


def floats(nested):
    """torch.func's nested tuples of 0-d tensors as nested lists of floats."""
    if isinstance(nested, torch.Tensor):
        return nested.item()
    return [floats(x) for x in nested]


def direction(n):
    return [0.5 + 0.25 * i * (-1) ** i for i in range(n)]


def flat(nested):
    if isinstance(nested, (list, tuple)):
        return [x for item in nested for x in flat(item)]
    return [nested]


def agree(a, b, rtol=1e-9, atol=1e-10):
    assert flat(a) == pytest.approx(flat(b), rel=rtol, abs=atol, nan_ok=True)


def check_all_transforms(expr):
    n = len(expr.inputs)
    argnums = tuple(range(n))
    xs = tensors(expr.inputs)
    t = direction(n)

    # jvp, scalar and several outputs
    out, tangent = jvp(ours(expr, False), expr.inputs, t)
    their_out, their_tangent = func.jvp(theirs(expr, False), xs, tensors(t))
    agree(out, their_out.item(), rtol=1e-12, atol=1e-12)
    agree(tangent, their_tangent.item())
    outs, tangents = jvp(ours(expr, True), expr.inputs, t)
    their_outs, their_tangents = func.jvp(theirs(expr, True), xs, tensors(t))
    agree(list(outs), floats(their_outs), rtol=1e-12, atol=1e-12)
    agree(list(tangents), floats(their_tangents))

    # vjp with a cotangent per output
    outs, vjp_fn = vjp(ours(expr, True), *expr.inputs)
    u = direction(len(outs))
    their_outs, their_vjp_fn = func.vjp(theirs(expr, True), *xs)
    agree(list(vjp_fn(u)), floats(their_vjp_fn(tensors(u))))

    # Jacobians both ways, scalar and several outputs (ours: a row per output)
    for several in (False, True):
        their_rev = floats(func.jacrev(theirs(expr, several), argnums=argnums)(*xs))
        their_fwd = floats(func.jacfwd(theirs(expr, several), argnums=argnums)(*xs))
        if not several:  # torch: a scalar f's Jacobian is one row, unnested
            their_rev, their_fwd = [their_rev], [their_fwd]
        agree(jacrev(ours(expr, several))(*expr.inputs), their_rev)
        agree(jacfwd(ours(expr, several))(*expr.inputs), their_fwd)

    # the Hessian (theirs: forward over reverse too) and H·v
    H = hessian(ours(expr, False))(*expr.inputs)
    their_H = floats(func.hessian(theirs(expr, False), argnums=argnums)(*xs))
    for row, their_row in zip(H, their_H):
        agree(row, their_row)
    _, their_hvp = func.jvp(
        lambda *a: func.grad(theirs(expr, False), argnums=argnums)(*a), xs, tensors(t)
    )
    agree(hvp(ours(expr, False), expr.inputs, t), floats(their_hvp))


@given(expressions(max_steps=10))
def test_every_transform_matches_torch_func_on_random_programs(expr):
    check_all_transforms(expr)


@pytest.mark.parametrize("op", OPS)
def test_every_transform_matches_torch_func_through_each_op(op):
    @settings(max_examples=8)
    @given(expressions(max_inputs=2, max_steps=4, ops=[op]))
    def check(expr):
        check_all_transforms(expr)

    check()
