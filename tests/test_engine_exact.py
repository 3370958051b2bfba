"""No wrong number, anywhere: each way a silently wrong number was once found, pinned.

Threads, exact comparisons, `**` at its edges, 0 × inf in the chain rule, second
derivatives at singular points, `.data` written after use, `backward()` on a result of
`no_grad()`, Adam with a huge gradient, `load()` of a hostile file, and the smaller rules.
"""

from __future__ import annotations

import json
import math
import sys
import threading
from fractions import Fraction

import pytest

from autograd import Value, define_op, grad, no_grad
from autograd import value as value_module  # where the ops read grad mode's flags
from autograd.engine import is_grad_enabled, set_grad_enabled
from autograd.ops import constant_derivatives
from nn import MLP
from nn.losses import mse
from nn.optim import SGD, Adam
from nn.serialize import MAX_FILE_BYTES, load, save

INF, NAN = math.inf, math.nan


def second(f, x0):
    """(f(x0), f'(x0), f''(x0)) through grad(create_graph=True)."""
    x = Value(x0)
    y = f(x)
    (d,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d, [x])
    return y.data, d.data, d2.data


# --- threads ---------------------------------------------------------------------------------


def test_no_grad_in_one_thread_leaves_another_thread_recording():
    inside, done = threading.Event(), threading.Event()

    def holds_no_grad():
        with no_grad():
            assert not is_grad_enabled()
            inside.set()
            done.wait(10)

    other = threading.Thread(target=holds_no_grad)
    other.start()
    try:
        assert inside.wait(10)
        assert is_grad_enabled()
        x = Value(3.0)
        y = x * x + x.exp()
        y.backward()
        assert x.grad == 6.0 + math.exp(3.0)  # 26.09
        with no_grad():  # both threads inside at once: each its own
            z = x * x
        assert z.parents == () and is_grad_enabled()
    finally:
        done.set()
        other.join()
    w = Value(2.0)
    assert (w * w).parents == (w, w)
    # every thread out of no_grad(): the ops' fast path (one global) is back
    assert value_module._recording and value_module._threads_not_recording == 0


def test_set_grad_enabled_is_per_thread_and_returns_the_previous_mode():
    assert set_grad_enabled(False) is True
    try:
        seen = []
        worker = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        worker.start()
        worker.join()
        assert seen == [True] and not is_grad_enabled()
        assert not value_module._recording and value_module._threads_not_recording == 1
        x = Value(2.0)  # the flags the ops read were written: an op records nothing
        assert (x * x).parents == () and (x + x).parents == () and x.exp().parents == ()
        assert set_grad_enabled(False) is False  # already off: counted once
        assert value_module._threads_not_recording == 1
    finally:
        assert set_grad_enabled(True) is False
    assert value_module._recording and value_module._threads_not_recording == 0
    with pytest.raises(TypeError, match="set_grad_enabled"):
        set_grad_enabled(1)  # type: ignore[arg-type]


@pytest.fixture
def switch_often():
    """Make the interpreter switch threads every microsecond, so that they interleave."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def test_backward_from_many_threads_on_one_graph_adds_up_exactly(switch_often):
    x, w = Value(0.5), Value(-1.5)
    h = x
    for _ in range(200):  # long enough for the threads to overlap
        h = (h * w + x).tanh() * 1.0001 + h * 0.01
    root = h * h
    reference_x, reference_w = Value(0.5), Value(-1.5)
    hh = reference_x
    for _ in range(200):
        hh = (hh * reference_w + reference_x).tanh() * 1.0001 + hh * 0.01
    (hh * hh).backward()
    errors = []

    def run():
        try:
            for _ in range(20):
                root.backward()
        except Exception as e:  # any error: reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert x.grad == pytest.approx(80 * reference_x.grad, rel=1e-12)
    assert w.grad == pytest.approx(80 * reference_w.grad, rel=1e-12)
    assert isinstance(h.grad, float)  # no traversal mark left behind


# --- comparisons: exactly as Python compares the numbers -------------------------------------


@pytest.mark.parametrize(
    "left, right",
    [(2.0**53, 2**53 + 1), (1 / 3, Fraction(1, 3)), (1.0, 10**400), (0.1, Fraction(1, 10))],
)
def test_comparisons_with_ints_and_fractions_are_exact(left, right):
    v = Value(left)
    assert (v < right) is (left < right)
    assert (v <= right) is (left <= right)
    assert (v > right) is (left > right)
    assert (v >= right) is (left >= right)
    assert (v < right) != (v >= right)


def test_comparisons_at_equality():
    one = Value(1)
    assert (one <= 1) is True and (one >= 1) is True
    assert (one < 1) is False and (one > 1) is False
    assert (one <= Value(1.0)) and (one >= Value(1.0)) and not (one < Value(1.0))
    assert (one > 0.5) and not (one > 1.5) and (one < 1.5) and not (one < 0.5)


# --- x ** y at its edges ---------------------------------------------------------------------


def test_pow_exponent_derivative_with_create_graph_at_a_subnormal_base():
    x, y = Value(5e-324), Value(1e-300)
    out = x**y
    out.backward()
    (dy,) = grad(x**y, [y], create_graph=True)
    assert dy.data == y.grad == pytest.approx(math.log(5e-324), rel=1e-12)  # -744.44
    # d/dx = y * x**(y-1) = 1e-300 / 5e-324 = 2.02e23: finite, though x**(y-1) is not
    assert x.grad == pytest.approx(1e-300 / 5e-324, rel=1e-9)
    (dx,) = grad(x**y, [x], create_graph=True)
    assert dx.data == pytest.approx(1e-300 / 5e-324, rel=1e-9)


def test_pow_mixed_second_derivative_at_a_subnormal_base():
    # d²(x**y)/dydx = x**(y-1) (1 + y log x): -1.67e164 at (5e-324, 0.5), both ways round
    x, y = Value(5e-324), Value(0.5)
    dx, dy = grad(x**y, [x, y], create_graph=True)
    exact = 5e-324**-0.5 * (1 + 0.5 * math.log(5e-324))
    assert grad(dx, [y])[0].data == pytest.approx(exact, rel=1e-9)
    assert grad(dy, [x])[0].data == pytest.approx(exact, rel=1e-9)


def test_pow_of_a_tiny_constant_base_with_create_graph():
    y = Value(-1.0)
    (dy,) = grad(1e-200**y, [y], create_graph=True)
    assert dy.data == pytest.approx(math.log(1e-200) * 1e200, rel=1e-12)  # -4.6e202


@pytest.mark.parametrize(
    "base, exponent, sign",
    [(-1e-200, -1.0, -1.0), (-1e-154, -2.0, 1.0), (1e-200, -1.0, -1.0), (-1e-102, -3.0, -1.0)],
)
def test_an_overflowing_base_derivative_has_the_true_sign(base, exponent, sign):
    # d(x**c)/dx = c * x**(c-1): beyond a float, infinite with the sign of the true number
    x = Value(base)
    (x**exponent).backward()
    assert x.grad == sign * INF


def test_an_infinite_first_derivative_has_an_infinite_second():
    assert second(lambda x: x**1023, 2.0)[2] == INF  # 1023 * 1022 * 2**1021
    assert second(lambda x: x.exp(), INF)[2] == INF


def test_a_negative_base_has_nan_second_derivatives_in_the_exponent():
    x, y = Value(-2.0), Value(3.0)
    dx, dy = grad(x**y, [x, y], create_graph=True)
    assert dx.data == 12.0 and math.isnan(dy.data)
    assert all(math.isnan(d.data) for d in grad(dy, [x, y]))  # d²/dy², d²/dxdy
    assert math.isnan(grad(dx, [y])[0].data)  # through x**(y-1)'s own d/dy


def test_pow_forms_at_a_zero_exponent_and_a_zero_base():
    # x ** 0 is 1 everywhere: derivatives 0 and 0, at 0 too
    assert second(lambda x: x**0, 0.0)[1:] == (0.0, 0.0)
    assert second(lambda x: x**0, 3.0)[1:] == (0.0, 0.0)
    # x ** c at 0: c * 0**(c-1) and c(c-1) * 0**(c-2)
    assert second(lambda x: x**2, 0.0)[1:] == (0.0, 2.0)
    assert second(lambda x: x**1, 0.0)[1:] == (1.0, 0.0)
    assert second(lambda x: x**3, 0.0)[1:] == (0.0, 0.0)
    assert second(lambda x: x**1.5, 0.0)[1:] == (0.0, INF)
    # both Values, y = 0: d/dx = y x**(y-1) = 0, and d/dy of that is 1/x (x != 0)
    x, y = Value(2.0), Value(0.0)
    dx, dy = grad(x**y, [x, y], create_graph=True)
    assert (dx.data, dy.data) == (0.0, math.log(2.0))
    assert [d.data for d in grad(dx, [x, y])] == [0.0, 0.5]
    x0, y0 = Value(0.0), Value(0.0)
    dx0, dy0 = grad(x0**y0, [x0, y0], create_graph=True)
    assert (dx0.data, dy0.data) == (0.0, 0.0)
    assert [d.data for d in grad(dx0, [x0, y0])] == [0.0, 0.0]


def test_negative_infinity_to_a_fractional_power_is_a_value_error():
    with pytest.raises(ValueError, match=r"'\*\*'.*-inf.*0.5"):
        Value(-INF) ** 0.5
    assert (Value(-INF) ** 2).data == INF and (Value(-INF) ** 3).data == -INF


# --- 0 x inf: a zero factor wins --------------------------------------------------------------


def test_a_zero_exponent_masks_an_infinite_gradient():
    x, y = Value(3.0), Value(0.0)
    ((x**y) - 1).sqrt().backward()  # sqrt'(0) = inf above x**0, whose d/dx is 0
    assert x.grad == 0.0
    u, a = Value(0.7), Value(0.3)
    (u ** (a - a)).asin().backward()  # asin'(1) = inf
    assert u.grad == 0.0
    (d,) = grad(((x**y) - 1).sqrt(), [x])
    assert d.data == 0.0


def test_detach_passes_nothing_back_even_against_inf():
    x = Value(0.0)
    (x.detach() * 0 + x).sqrt().backward()
    assert x.grad == INF  # PyTorch: inf; the traced code: inf
    (d,) = grad((x.detach() * 0 + x).sqrt(), [x])
    assert d.data == INF


def test_nan_still_flows_through_a_nonzero_derivative():
    x = Value(NAN)
    (x * 2.0).backward()
    assert x.grad == 2.0
    y = Value(1.0)
    (y * Value(NAN)).backward()
    assert math.isnan(y.grad)


# --- second derivatives at singular points: PyTorch's infinities ------------------------------


@pytest.mark.parametrize(
    "f, x0, d1, d2",
    [
        (lambda x: x.sqrt(), 0.0, INF, -INF),
        (lambda x: x**0.5, 0.0, INF, -INF),
        (lambda x: x.asin(), 1.0, INF, INF),
        (lambda x: x.asin(), -1.0, INF, -INF),
        (lambda x: x.acos(), 1.0, -INF, -INF),
        (lambda x: x.acos(), -1.0, -INF, INF),
        (lambda x: x.acosh(), 1.0, INF, -INF),
    ],
)
def test_second_derivatives_at_singular_points_are_infinite(f, x0, d1, d2):
    assert second(f, x0)[1:] == (d1, d2)


def test_singular_second_derivatives_match_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: no cross-check")
    cases = [("sqrt", 0.0), ("asin", 1.0), ("asin", -1.0), ("acos", 1.0), ("acos", -1.0)]
    for name, x0 in cases:
        t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        (d,) = torch.autograd.grad(getattr(torch, name)(t), t, create_graph=True)
        (d2,) = torch.autograd.grad(d, t)
        assert second(lambda x, name=name: getattr(x, name)(), x0)[1:] == (d.item(), d2.item())


# --- elu of nan with create_graph ----------------------------------------------------------


def test_elu_of_nan_has_derivative_one_with_create_graph_too():
    x = Value(NAN)
    x.elu().backward()
    (d,) = grad(x.elu(), [x], create_graph=True)
    assert x.grad == 1.0 and d.data == 1.0


# --- .data written between forward and backward -------------------------------------------


def test_writing_data_after_use_is_refused_by_backward_and_grad_alike():
    x = Value(2.0)
    y = x * x
    x.data = 3.0
    with pytest.raises(ValueError, match=r"backward: .*'\*' node.*changed after the graph"):
        y.backward()
    assert x.grad == 0.0  # nothing was propagated
    with pytest.raises(ValueError, match="grad: .*changed after the graph"):
        grad(y, [x])
    with pytest.raises(ValueError, match="changed after the graph"):
        grad(y, [x], create_graph=True)
    z = x * x  # built again: fine
    z.backward()
    assert x.grad == 6.0


def test_writing_an_intermediate_data_is_refused_too():
    x = Value(2.0)
    h = x.exp()
    y = h * x
    h.data = 0.0
    with pytest.raises(ValueError, match="changed after the graph"):
        y.backward()


def test_a_training_loop_writes_data_before_each_graph_and_is_never_refused():
    model = MLP(2, [4, 1], rng=0)
    opt = SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        loss = mse(model([0.5, -1.0]), 1.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
    fresh = Value(1.0)
    fresh.data = 4.0  # written before it is used: fine
    (fresh * fresh).backward()
    assert fresh.grad == 8.0


# --- backward() of a result recorded inside no_grad() -------------------------------------


def test_backward_of_a_result_of_no_grad_raises():
    x = Value(2.0)
    with no_grad():
        y = x * x
        z = x.exp()
        u = x + 1.0
    for result in (y, z, u):
        with pytest.raises(RuntimeError, match=r"backward: .*inside no_grad\(\)"):
            result.backward()
        with pytest.raises(RuntimeError, match=r"grad: .*inside no_grad\(\)"):
            grad(result, [x])
    assert x.grad == 0.0
    leaf = Value(5.0)  # a leaf of one's own is a graph: d leaf / d leaf = 1
    leaf.backward()
    assert leaf.grad == 1.0
    with no_grad():
        made = Value(1.0)  # made, not computed: a leaf like any other
    made.backward()
    assert made.grad == 1.0 and y.op == "" and y.constant is None


# --- Adam with a huge gradient ------------------------------------------------------------


@pytest.mark.parametrize("g", [2e154, -2e154, 1e200, 1e300, -1.7e308])
def test_adam_moves_by_lr_on_its_first_step_whatever_the_gradient(g):
    p = Value(0.0)
    opt = Adam([p])
    p.grad = g
    opt.step()
    assert p.data == pytest.approx(-math.copysign(1e-3, g), rel=1e-12)
    opt.step()
    assert p.data == pytest.approx(-math.copysign(2e-3, g), rel=1e-12)


def test_adam_with_a_huge_gradient_matches_pytorch():
    # (From about 4e155 PyTorch's float64 v overflows too, and its step is 0.)
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: no cross-check")
    for g in (2e154, -3e155, 1.0, 1e-3):
        t = torch.tensor([0.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([t])
        t.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
        p = Value(0.0)
        ours = Adam([p])
        p.grad = g
        ours.step()
        assert p.data == pytest.approx(t.item(), rel=1e-12)


# --- load(): sizes checked before building; every malformed file a ValueError ---------------


def _write(tmp_path, content: bytes):
    path = tmp_path / "model.json"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "content, words",
    [
        (b'{"architecture": {"type": "MLP", "nin": 1000000000, "nouts": [1]}, '
         b'"parameters": {}}', ["parameters", "limit"]),
        (b'{"architecture": {"type": "Neuron", "nin": 1000000000, "activation": "relu"}, '
         b'"parameters": {}}', ["parameters", "limit"]),
        (b'{"architecture": {"type": "MLP", "nin": 3, "nouts": [4, 1]}, '
         b'"parameters": {"a": 1}}', ["21 parameters", "lists 1"]),
        (b"[" * 100_000, ["nested too deeply"]),
        (b'{"architecture": "\xff\xfe"}', ["not UTF-8"]),
        (b"{not json", ["not valid JSON"]),
        (b'{"architecture": {"type": "MLP", "nin": -2, "nouts": [1]}}', ["nin", "-2"]),
        (b'{"architecture": {"type": "MLP", "nin": 2, "nouts": "x"}}', ["nouts"]),
    ],
)
def test_load_refuses_a_malformed_file_with_an_error_naming_it(tmp_path, content, words):
    path = _write(tmp_path, content)
    with pytest.raises((ValueError, TypeError)) as caught:
        load(path)
    message = str(caught.value)
    assert str(path) in message and all(w in message for w in words), message


def test_load_refuses_a_file_above_the_size_limit_before_reading_it(tmp_path, monkeypatch):
    import nn.serialize

    model = MLP(2, [3, 1], rng=0)
    path = tmp_path / "m.json"
    save(model, path)
    monkeypatch.setattr(nn.serialize, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match=r"m.json is \d+ bytes, more than the limit of 100"):
        load(path)
    monkeypatch.setattr(nn.serialize, "MAX_FILE_BYTES", MAX_FILE_BYTES)
    assert load(path)([1.0, 2.0]).data == model([1.0, 2.0]).data
    assert json.loads(path.read_text())["architecture"]["nin"] == 2


# --- the smaller rules -----------------------------------------------------------------------


def test_mse_of_huge_values_is_inf_as_in_pytorch():
    assert mse(Value(1e200), -1e200).data == INF
    assert mse(Value(3.0), 1.0).data == 4.0 and mse(Value(3.0), 1.0).op == "**"


@pytest.mark.parametrize(
    "run, op",
    [
        (lambda: Value(-1.0).leaky_relu(NAN), "leaky_relu: the slope"),
        (lambda: Value(-1.0).elu(NAN), "elu: the alpha"),
    ],
)
def test_a_nan_slope_or_alpha_is_refused(run, op):
    with pytest.raises(ValueError, match=op + ".*nan"):
        run()


def test_a_grad_is_a_number():
    x = Value(1.0)
    with pytest.raises(TypeError, match="Value.grad"):
        x.grad = Value(0.0)  # type: ignore[assignment]
    x.grad = 3
    (x * 2.0).backward()
    assert x.grad == 5.0 and type(x.grad) is float


def test_a_user_form_that_returns_floats_is_refused_with_create_graph():
    sinc = define_op(
        "sinc_floats",
        lambda x: math.sin(x) / x,
        lambda x, out: ((math.cos(x) - out) / x,),
        lambda x, node: ((math.cos(x.data) - node.data) / x.data,),  # floats: no derivative
    )
    x = Value(2.0)
    with pytest.raises(TypeError, match="sinc_floats.*a number has no derivative"):
        grad(sinc(x), [x], create_graph=True)
    right = define_op(
        "sinc_values",
        lambda x: math.sin(x) / x,
        lambda x, out: ((math.cos(x) - out) / x,),
        lambda x, node: ((x.cos() - node) / x,),
    )
    s, c = math.sin(2.0), math.cos(2.0)
    assert second(right, 2.0)[2] == pytest.approx(-s / 2 - 2 * c / 4 + 2 * s / 8, rel=1e-12)
    linear = define_op("twice", lambda x: 2 * x, lambda x, out: (2.0,), constant_derivatives)
    assert second(linear, 2.0)[1:] == (2.0, 0.0)


@pytest.mark.parametrize("returned", [{"a": 1.0}, 1.0, "1"])
def test_derivatives_that_are_not_a_sequence_are_refused_naming_the_op(returned):
    bad = define_op("badder", lambda x: x, lambda x, out: returned)
    with pytest.raises(TypeError, match="badder: derivatives must return a tuple or list"):
        bad(Value(1.0))


def test_an_int_beyond_a_float_is_a_value_error():
    with pytest.raises(ValueError, match=r"Value: 1000.* is too large for a float"):
        Value(10**400)


def test_bool_of_a_value_is_whether_its_data_is_nonzero():
    assert not Value(0.0) and not Value(-0.0)
    assert Value(1e-300) and Value(-2.0) and Value(NAN)
    assert bool(Value(0.5) * 0.0) is False
