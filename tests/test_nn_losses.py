"""Losses: values, gradients, PyTorch's conventions, and bad input."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.gradcheck import gradcheck
from nn.losses import bce, bce_with_logits, hinge, l2, mse


def values(xs):
    return [Value(x) for x in xs]


def test_bce_is_the_mean_of_the_formula():
    p, y = [0.9, 0.2, 0.6], [1, 0, 0]
    expected = -sum(t * math.log(q) + (1 - t) * math.log(1 - q) for q, t in zip(p, y)) / 3
    assert bce(values(p), y).data == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("p, y, expected", [(0.0, 1, 100.0), (1.0, 0, 100.0), (0.0, 0, 0.0), (1.0, 1, 0.0)])
def test_bce_clamps_each_log_at_minus_100(p, y, expected):
    loss = bce(Value(p), y)
    assert math.isfinite(loss.data)
    assert loss.data == pytest.approx(expected, abs=1e-12)


def test_bce_clamp_matches_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: skipping the cross-check against it")
    p, y = [0.0, 1.0, 0.0, 1.0, 0.3, 1e-50], [1.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    theirs = torch.nn.functional.binary_cross_entropy(
        torch.tensor(p, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    )
    assert bce(values(p), y).data == pytest.approx(theirs.item(), rel=1e-12)


@given(z=st.floats(-15, 15, allow_nan=False), y=st.floats(0, 1, allow_nan=False))
def test_bce_with_logits_equals_bce_of_sigmoid(z, y):
    # Beyond |z| ~ 15, bce(sigmoid(z)) loses digits in 1 - sigmoid(z): the reason for
    # the stable form; there the test below compares with the exact formula instead.
    stable, plain = bce_with_logits(Value(z), y), bce(Value(z).sigmoid(), y)
    assert stable.data == pytest.approx(plain.data, rel=1e-8, abs=1e-9)


@given(z=st.floats(-700, 700, allow_nan=False), y=st.floats(0, 1, allow_nan=False))
def test_bce_with_logits_value_and_gradient_are_exact(z, y):
    logit = Value(z)
    loss = bce_with_logits(logit, y)
    exact = max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z)))
    # z*(1 - y) and z - z*y round differently, by a few ulps of |z| (as when y ~ 1).
    assert loss.data == pytest.approx(exact, rel=1e-12, abs=4e-16 * max(1.0, abs(z)))
    loss.backward()
    sigmoid = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    assert logit.grad == pytest.approx(sigmoid - y, rel=1e-9, abs=1e-15)


def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_label():
    z = Value(0.0)
    bce_with_logits(z, 1).backward()
    assert z.grad == -0.5


@pytest.mark.parametrize("z, y, expected", [(1000.0, 1, 0.0), (1000.0, 0, 1000.0), (-1000.0, 0, 0.0), (-1000.0, 1, 1000.0)])
def test_bce_with_logits_is_finite_at_huge_logits(z, y, expected):
    logit = Value(z)
    loss = bce_with_logits(logit, y)
    assert loss.data == expected
    loss.backward()
    assert logit.grad == pytest.approx((1.0 if z > 0 else 0.0) - y)


def test_bce_with_logits_matches_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: skipping the cross-check against it")
    z, y = [-50.0, -2.5, 0.0, 0.7, 40.0], [1.0, 0.0, 1.0, 0.25, 0.0]
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(zt, torch.tensor(y, dtype=torch.float64))
    theirs.backward()
    logits = values(z)
    ours = bce_with_logits(logits, y)
    ours.backward()
    assert ours.data == pytest.approx(theirs.item(), rel=1e-12)
    assert [v.grad for v in logits] == pytest.approx(zt.grad.tolist(), rel=1e-12, abs=1e-18)


def test_mse_value_and_gradient():
    p = values([1.0, 3.0, -2.0])
    loss = mse(p, [0, 1, -2])
    assert loss.data == pytest.approx((1 + 4 + 0) / 3)
    loss.backward()
    assert [v.grad for v in p] == pytest.approx([2 * 1 / 3, 2 * 2 / 3, 0.0])


def test_hinge_and_l2():
    s = values([2.0, 0.5, -0.25])
    loss = hinge(s, [1, -1, 1])  # relu(1 - 2), relu(1 + 0.5), relu(1 - 0.25)
    assert loss.data == pytest.approx((0 + 1.5 + 1.25) / 3)
    loss.backward()
    assert [v.grad for v in s] == pytest.approx([0.0, 1 / 3, -1 / 3])
    w = values([3.0, -4.0])
    penalty = l2(w)
    assert penalty.data == 25.0
    penalty.backward()
    assert [v.grad for v in w] == [6.0, -8.0]


@pytest.mark.parametrize("loss", [bce, bce_with_logits, mse])
def test_gradients_against_finite_differences(loss):
    labels = [0.0, 1.0, 0.3]

    def f(a, b, c):
        predictions = [a, b, c] if loss is not bce else [a.sigmoid(), b.sigmoid(), c.sigmoid()]
        return loss(predictions, labels)

    assert gradcheck(f, [0.4, -1.3, 2.2])


def test_labels_may_be_values_and_get_gradients():
    p, y = Value(0.25), Value(1.0)
    mse(p, y).backward()
    assert (p.grad, y.grad) == (-1.5, 1.5)


def test_one_prediction_gives_a_one_sample_graph():
    p = Value(0.5)
    assert mse(p, 0).op == "**"  # no mean node for a single prediction


@pytest.mark.parametrize(
    "call, exception, message",
    [
        (lambda: bce(Value(1.2), 1), ValueError, r"bce: prediction 1.2 at index 0 is outside \[0, 1\]"),
        (lambda: bce([Value(0.5), Value(-0.1)], [1, 0]), ValueError, "prediction -0.1 at index 1"),
        (lambda: bce(Value(math.nan), 1), ValueError, "prediction nan"),
        (lambda: bce(Value(0.5), 2), ValueError, "label 2 at index 0 is outside"),
        (lambda: bce_with_logits(Value(0.5), -1), ValueError, "bce_with_logits: label -1"),
        (lambda: mse([Value(1.0)] * 3, [1, 2]), ValueError, "mse: 3 predictions but 2 labels"),
        (lambda: bce([], []), ValueError, "no predictions"),
        (lambda: mse(Value(1.0), [1, 2]), TypeError, "one prediction needs one label"),
        (lambda: mse([Value(1.0)], ["1"]), TypeError, "label at index 0 must be a number or a Value, got '1'"),
        (lambda: mse([Value(1.0)], [True]), TypeError, "got True"),
        (lambda: mse("ab", [1, 2]), TypeError, "predictions must be"),
        (lambda: hinge(Value(1.0), 0), ValueError, "hinge: label 0 at index 0 must be -1 or \\+1"),
        (lambda: l2([1.0]), TypeError, "l2: expected Values"),
    ],
)
def test_bad_input(call, exception, message):
    with pytest.raises(exception, match=message):
        call()
