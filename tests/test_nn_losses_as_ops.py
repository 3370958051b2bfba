"""The losses are made of ops, never of a branch on a number: a trace of a training step has
no guards, and the values and gradients are PyTorch's, at ordinary and extreme points."""

import math

import pytest

from autograd import Value, grad
from autograd.trace import trace
from nn import MLP
from nn.losses import bce, bce_with_logits, cross_entropy, log_softmax, softmax

TORCH_MISSING = "PyTorch is not installed: skipping the cross-check against it"
XS = [[0.5, -1.0], [1.5, 2.0], [-0.3, 0.2], [0.0, 0.7]]


# --- a traced training step records no guard -------------------------------------------------


def traced_step(model, loss, ys):
    """The batch loss as a function of the model's parameters, traced once."""
    return trace(lambda *params: loss([model(x) for x in XS], ys), *model.parameters())


def engine_step(model, loss, ys):
    model.zero_grad()
    value = loss([model(x) for x in XS], ys)
    value.backward()
    return value.data, [p.grad for p in model.parameters()]


@pytest.mark.parametrize(
    "sizes, output, loss, ys",
    [
        ([4, 1], "sigmoid", bce, [1, 0, 1, 0]),
        ([4, 1], "sigmoid", bce, [1.0, 0.25, 0.0, 0.5]),
        ([4, 1], "linear", bce_with_logits, [1, 0, 1, 0]),
        ([4, 3], "linear", cross_entropy, [0, 2, 1, 2]),
    ],
)
def test_a_traced_step_records_no_guard_and_keeps_one_variant(sizes, output, loss, ys):
    model = MLP(2, sizes, output_activation=output, rng=3)
    traced = traced_step(model, loss, ys)
    assert traced.guards == []
    assert "GuardFailed(" not in traced.source
    # Move the last layer's biases so that signs and largest logits change: the same code.
    for scale in (30.0, -30.0, 0.0):
        for neuron in model.layers[-1].neurons:
            neuron.b.data = scale * (1 if neuron is model.layers[-1].neurons[0] else -1)
        value, grads = traced(*[p.data for p in model.parameters()])
        expected_value, expected_grads = engine_step(model, loss, ys)
        assert value == pytest.approx(expected_value, rel=1e-14, abs=1e-300)
        assert list(grads) == pytest.approx(expected_grads, rel=1e-12, abs=1e-300)
    assert traced.variants == 1


def test_softmax_and_log_softmax_trace_without_guards():
    for f in (lambda a, b, c: softmax([a, b, c])[1], lambda a, b, c: log_softmax([a, b, c])[2]):
        traced = trace(f, 0.3, -1.2, 2.0)
        assert traced.guards == []
        for xs in [(5.0, -1.0, 0.0), (0.0, 4.0, 4.0), (1000.0, 0.0, -1000.0)]:
            inputs = [Value(x) for x in xs]
            out = f(*inputs)
            out.backward()
            assert traced(*xs) == (out.data, tuple(v.grad for v in inputs))
        assert traced.variants == 1


@pytest.mark.parametrize(
    "p, y", [(1.5, 1.0), (-0.25, 0.0), (math.nan, 1.0), (0.5, 2.0), (0.5, math.nan)]
)
def test_a_traced_bce_still_refuses_a_prediction_or_label_outside_0_1(p, y):
    traced = trace(lambda p, y: bce(p, y), 0.3, 1.0)  # the range check is an op: it replays
    assert traced.guards == []
    with pytest.raises(ValueError, match=r"bce: .* is outside \[0, 1\]"):
        traced(p, y)


def test_an_error_in_the_engine_still_names_the_sample():
    with pytest.raises(ValueError, match=r"^bce: prediction 1\.5 at index 2 is outside \[0, 1\]$"):
        bce([Value(0.5), Value(0.5), Value(1.5)], [1, 0, 1])
    with pytest.raises(ValueError, match=r"^bce: label 1\.5 at index 1 is outside \[0, 1\]$"):
        bce([Value(0.5), Value(0.5)], [Value(1.0), Value(1.5)])


# --- the clamped log, the stable logits form, the detached maximum: today's numbers ----------


@pytest.mark.parametrize(
    "p", [0.0, 1e-50, math.exp(-100.0), math.nextafter(math.exp(-100.0), 0.0), 0.3, 1.0]
)
@pytest.mark.parametrize("y", [0.0, 1.0, 0.25])
def test_bce_gradient_is_the_derivative_of_the_clamped_log(p, y):
    # d/dp -[y max(log p, -100) + (1 - y) max(log(1 - p), -100)], 0 where a log is clamped
    prediction = Value(p)
    loss = bce(prediction, y)
    loss.backward()
    floor = math.exp(-100.0)
    expected = (-y / p if p >= floor else 0.0) + ((1 - y) / (1 - p) if 1 - p >= floor else 0.0)
    assert prediction.grad == expected
    clamped = [max(math.log(q), -100.0) if q > 0 else -100.0 for q in (p, 1 - p)]
    assert loss.data == -(y * clamped[0] + (1 - y) * clamped[1])


@pytest.mark.parametrize(
    "z", [-1000.0, -40.0, -36.0, -2.5, -1e-300, 0.0, 1e-300, 0.7, 36.0, 40.0, 1000.0]
)
@pytest.mark.parametrize("y", [0.0, 1.0, 0.25, 0.5])
def test_bce_with_logits_gradient_is_sigmoid_minus_label_without_cancelling(z, y):
    # sigmoid(z) - y, as (1 - y) - sigmoid(-z) above 0: a sigmoid of 1e-18 survives beside 1
    # (PyTorch's sigmoid(40) - 1 is 0.0), as it did when the formula was chosen by z's sign
    logit = Value(z)
    bce_with_logits(logit, y).backward()
    tail = math.exp(-abs(z)) / (1 + math.exp(-abs(z)))  # sigmoid(-|z|), never cancelled
    if z > 0:
        expected = (1 - y) - tail
    elif z < 0:
        expected = tail - y
    else:
        expected = 0.5 - y  # maximum's tie gives each side half
    assert logit.grad == pytest.approx(expected, rel=3e-16, abs=0.0)


@pytest.mark.parametrize("z", [-40.0, -2.5, -0.0, 0.0, 1e-300, 0.7, 40.0])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.25])
def test_bce_with_logits_second_derivative_is_sigmoids_even_at_zero(z, y):
    # Kinks written as maximum or abs would give the right gradient at 0 and a second
    # derivative of 0 there: a Hessian of 0 for a logistic regression started at w = 0.
    logit = Value(z)
    (first,) = grad(bce_with_logits(logit, y), [logit], create_graph=True)
    (second,) = grad(first, [logit])
    tail = math.exp(-abs(z)) / (1 + math.exp(-abs(z)))  # sigmoid(-|z|)
    assert second.data == pytest.approx(tail * (1 - tail), rel=1e-15, abs=0.0)


def test_nan_gives_nan_through_every_loss_of_logits():
    for loss, logits in [
        (lambda zs: bce_with_logits(zs[0], 1), [math.nan]),
        (lambda zs: cross_entropy(zs, 0), [1.0, math.nan, 0.0]),
        (lambda zs: softmax(zs)[0] + log_softmax(zs)[2], [math.nan, 1.0, 0.0]),
    ]:
        values = [Value(z) for z in logits]
        out = loss(values)
        out.backward()
        assert math.isnan(out.data)
        assert all(math.isnan(v.grad) for v in values)


# --- against PyTorch, float64 -------------------------------------------------------------


def torch_or_skip():
    return pytest.importorskip("torch", reason=TORCH_MISSING)


def test_bce_values_and_gradients_match_pytorch():
    torch = torch_or_skip()
    F = torch.nn.functional
    ps = [0.3, 0.5, 0.999, 1e-6, 1 - 1e-6, 0.0, 1.0, 1e-50, 1 - 1e-17, math.exp(-100.0)]
    for y in (0.0, 1.0, 0.25):
        for p in ps:
            pt = torch.tensor([p], dtype=torch.float64, requires_grad=True)
            theirs = F.binary_cross_entropy(pt, torch.tensor([y], dtype=torch.float64))
            theirs.backward()
            prediction = Value(p)
            ours = bce(prediction, y)
            ours.backward()
            # abs: ours is log(1 - p), PyTorch's log1p(-p): 1 - p is rounded, by < 1.2e-16
            assert ours.data == pytest.approx(theirs.item(), rel=1e-13, abs=1.2e-16), (p, y)
            if p * (1 - p) >= 1e-12:
                # PyTorch's backward divides by max(p (1 - p), 1e-12): the derivative, except
                # near 0 and 1, where ours is the derivative of the clamped log (0 if clamped)
                assert prediction.grad == pytest.approx(pt.grad.item(), rel=1e-12), (p, y)
    for bad in (1.5, -0.5, math.nan):  # both refuse what is not a probability
        with pytest.raises(RuntimeError, match="between 0 and 1"):
            F.binary_cross_entropy(
                torch.tensor([bad], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64)
            )
        with pytest.raises(ValueError, match="outside"):
            bce(Value(bad), 1.0)


def test_bce_with_logits_values_and_gradients_match_pytorch():
    torch = torch_or_skip()
    F = torch.nn.functional
    zs = [
        -1000.0,
        -700.0,
        -50.0,
        -36.0,
        -2.5,
        -1e-8,
        0.0,
        1e-8,
        0.7,
        3.0,
        36.0,
        50.0,
        700.0,
        1000.0,
        math.nan,
    ]
    for y in (0.0, 1.0, 0.25, 0.7):
        zt = torch.tensor(zs, dtype=torch.float64, requires_grad=True)
        theirs = F.binary_cross_entropy_with_logits(
            zt, torch.full((len(zs),), y, dtype=torch.float64), reduction="none"
        )
        theirs.sum().backward()
        for k, z in enumerate(zs):
            logit = Value(z)
            ours = bce_with_logits(logit, y)
            ours.backward()
            if math.isnan(z):
                assert (
                    math.isnan(ours.data)
                    and math.isnan(logit.grad)
                    and math.isnan(zt.grad[k].item())
                )
                continue
            # abs: PyTorch's -y*z + z round differently from ours by an ulp of |z|
            assert ours.data == pytest.approx(
                theirs[k].item(), rel=1e-13, abs=2e-16 * max(1.0, abs(z))
            ), (z, y)
            # abs: PyTorch rounds sigmoid(z) to 1 before subtracting y; ours keeps 1 - y exact
            assert logit.grad == pytest.approx(zt.grad[k].item(), rel=1e-13, abs=1.2e-16), (z, y)


@pytest.mark.parametrize(
    "logits",
    [
        [2.0, 1.0, 0.1],
        [2.0, 2.0, 1.0],  # a tie for the largest: no gradient through the shift either way
        [1000.0, 0.0, -1000.0],
        [-3.5, 40.0, 0.0, 7.25],
        [0.3],
        [math.nan, 1.0, 0.0],
    ],
)
def test_softmax_log_softmax_and_cross_entropy_match_pytorch(logits):
    torch = torch_or_skip()
    F = torch.nn.functional
    weights = [1.3, -0.7, 0.25, 2.0][: len(logits)]  # a vector-Jacobian product of each map
    for ours_of, theirs_of in [
        (softmax, lambda z: F.softmax(z, dim=0)),
        (log_softmax, lambda z: F.log_softmax(z, dim=0)),
    ]:
        zt = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
        theirs = theirs_of(zt)
        (theirs * torch.tensor(weights, dtype=torch.float64)).sum().backward()
        values = [Value(z) for z in logits]
        ours = ours_of(values)
        total = ours[0] * weights[0]
        for o, w in zip(ours[1:], weights[1:]):
            total = total + o * w
        total.backward()
        assert [o.data for o in ours] == pytest.approx(
            theirs.tolist(), rel=1e-13, abs=1e-300, nan_ok=True
        )
        assert [v.grad for v in values] == pytest.approx(
            zt.grad.tolist(), rel=1e-12, abs=1e-15, nan_ok=True
        )
    for target in range(len(logits)):
        zt = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
        theirs = F.cross_entropy(zt[None], torch.tensor([target]))
        theirs.backward()
        values = [Value(z) for z in logits]
        ours = cross_entropy(values, target)
        ours.backward()
        assert ours.data == pytest.approx(theirs.item(), rel=1e-13, abs=1e-300, nan_ok=True)
        assert [v.grad for v in values] == pytest.approx(
            zt.grad.tolist(), rel=1e-12, abs=1e-15, nan_ok=True
        )


def test_second_derivatives_match_pytorch():
    torch = torch_or_skip()
    F = torch.nn.functional

    def theirs(loss_of, numbers):  # the Hessian, row by row, flattened
        xs = torch.tensor(numbers, dtype=torch.float64, requires_grad=True)
        (first,) = torch.autograd.grad(loss_of(xs), xs, create_graph=True)
        rows = [
            torch.autograd.grad(first[k], xs, retain_graph=True)[0] for k in range(len(numbers))
        ]
        return [d for row in rows for d in row.tolist()]

    def ours(loss_of, numbers):
        xs = [Value(x) for x in numbers]
        firsts = grad(loss_of(xs), xs, create_graph=True)
        return [d.data for first in firsts for d in grad(first, xs)]

    labels = torch.tensor([1.0, 0.0, 0.25, 1.0], dtype=torch.float64)
    zs = [0.0, -2.5, 0.7, 30.0]
    assert ours(lambda v: bce_with_logits(v, labels.tolist()), zs) == pytest.approx(
        theirs(lambda t: F.binary_cross_entropy_with_logits(t, labels), zs), rel=1e-12, abs=1e-15
    )
    # bce: PyTorch's double backward is off by up to 2e-10 (its 1e-12 guard in the
    # denominator); the exact Hessian is diagonal, (y/p^2 + (1-y)/(1-p)^2) / n.
    ps, ys = [0.3, 0.5, 0.9, 0.01], labels.tolist()
    exact = [0.0] * 16
    for k, (p, y) in enumerate(zip(ps, ys)):
        exact[5 * k] = (y / p**2 + (1 - y) / (1 - p) ** 2) / 4
    assert ours(lambda v: bce(v, ys), ps) == pytest.approx(exact, rel=1e-14)
    assert theirs(lambda t: F.binary_cross_entropy(t, labels), ps) == pytest.approx(exact, rel=1e-9)
    for logits in ([2.0, 1.0, 0.1], [2.0, 2.0, 1.0], [1000.0, 0.0, -1000.0]):
        hessian = theirs(lambda t: F.cross_entropy(t[None], torch.tensor([1])), logits)
        assert ours(lambda v: cross_entropy(v, 1), logits) == pytest.approx(
            hessian, rel=1e-12, abs=1e-15
        )
        hessian = theirs(lambda t: F.log_softmax(t, dim=0)[0] + 2 * F.softmax(t, dim=0)[2], logits)
        assert ours(lambda v: log_softmax(v)[0] + 2 * softmax(v)[2], logits) == pytest.approx(
            hessian, rel=1e-12, abs=1e-15
        )
