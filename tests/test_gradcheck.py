"""gradcheck and numerical_grad: they pass good derivatives and catch bad ones."""

import math

import pytest

from autograd import Value
from autograd.gradcheck import GradcheckError, gradcheck, numerical_grad


def test_numerical_grad_is_a_central_difference():
    assert numerical_grad(lambda x, y: x * x * y, [3.0, 2.0]) == pytest.approx([12.0, 9.0], rel=1e-7)


@pytest.mark.parametrize(
    "f, xs",
    [
        (lambda x: x.tanh() * x.exp(), [0.3]),
        (lambda x, y: (x / y).log() + (x - y).sigmoid(), [2.0, 0.5]),
        (lambda x, y, z: (x * y + z).relu() ** 2, [1.0, 2.0, -0.5]),
    ],
)
def test_correct_derivatives_pass(f, xs):
    assert gradcheck(f, xs) is True


def test_an_unrecorded_op_is_caught_with_a_report_of_every_input():
    # The second input goes through an op that forgot to record itself: its analytic
    # derivative is 0 while the function clearly depends on it.
    def f(x, y):
        return x * 2 + Value(y.data**2)

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [1.0, 3.0])
    report = str(caught.value)
    assert isinstance(caught.value, AssertionError)
    assert "1 of 2 derivatives disagree" in report
    lines = report.splitlines()
    assert "disagrees" not in lines[2] and "2" in lines[2]  # input 0: analytic 2 = numeric 2
    assert "disagrees" in lines[3] and "6" in lines[3]  # input 1: analytic 0, numeric 6


def test_a_wrong_local_derivative_is_caught():
    x = Value(0.5)
    y = x.tanh()
    assert y.local_grads == pytest.approx((1 - math.tanh(0.5) ** 2,))

    def wrong_tanh(v):  # records tanh with the derivative of sigmoid
        out = v.tanh()
        out._da = v.sigmoid().data * (1 - v.sigmoid().data)
        return out

    with pytest.raises(GradcheckError, match="1 of 1"):
        gradcheck(wrong_tanh, [0.5])


def test_nan_derivatives_disagree():
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: x * math.nan, [1.0])


@pytest.mark.parametrize(
    "call, exception, words",
    [
        (lambda: gradcheck(lambda x: x, []), ValueError, "no inputs"),
        (lambda: gradcheck(lambda x: x, ["1"]), TypeError, "'1'"),
        (lambda: gradcheck(lambda x: 3.0, [1.0]), TypeError, "3.0"),
        (lambda: numerical_grad(lambda x: x, [1.0], eps=0), ValueError, "eps"),
        (lambda: numerical_grad(lambda x: x, [1.0], eps="0.1"), TypeError, "gradcheck: eps: expected"),
        (lambda: gradcheck(lambda x: x, [True]), TypeError, "gradcheck: an input: expected .*True"),
    ],
)
def test_bad_arguments(call, exception, words):
    with pytest.raises(exception, match=words):
        call()


def test_gradcheck_of_a_function_that_calls_grad_checks_second_derivatives():
    from autograd import grad

    def slope(x):  # d/dx x**3 = 3x**2, whose derivative is 6x
        (g,) = grad(x**3, [x], create_graph=True)
        return g

    assert numerical_grad(slope, [2.0]) == pytest.approx([12.0], rel=1e-6)
    assert gradcheck(slope, [2.0])
