"""The engine at the edges of its rules, and what it says when it refuses, word for word.

Each number below is PyTorch's (float64), or follows from the rule stated beside it; each
message is the one a user reads, whole: the op, the value, and what to do instead.
"""

from __future__ import annotations

import math
import re

import pytest

from autograd import Value, define_op, grad, no_grad, ops, recording
from autograd.recording import Escape

INF, NAN = math.inf, math.nan


def exactly(message: str) -> str:
    """A `match=` pattern for the whole message."""
    return "^" + re.escape(message) + "$"


# --- numbers at the edges -------------------------------------------------------------------


def test_sigmoid_of_a_non_negative_input_is_pytorchs_formula_to_the_last_bit():
    # 1 / (1 + exp(-x)) for x >= 0, as torch.sigmoid; e / (1 + e) differs in the last
    # place at this point (0.6036200160440397).
    assert Value(0.420571580830845).sigmoid().data == 0.6036200160440396
    assert Value(0.0).sigmoid().data == 0.5


def test_softplus_at_its_threshold_is_still_the_logarithm():
    # PyTorch switches to x only above the threshold (x > 20), not at it.
    x = Value(20.0)
    y = x.softplus()
    assert y.data == 20.000000002061153 == math.log1p(math.exp(20.0))
    y.backward()
    assert x.grad == Value(20.0).sigmoid().data
    z = Value(20.5)
    assert z.softplus().data == 20.5


@pytest.mark.parametrize(
    ("x", "rounded"),
    [(-0.5, -0.0), (-0.4, -0.0), (0.5, 0.0), (2.5, 2.0), (-2.5, -2.0), (1.5, 2.0)],
)
def test_round_is_half_to_even_and_keeps_a_zeros_sign_as_torch_round(x, rounded):
    out = Value(x).round()
    assert out.data == rounded
    assert math.copysign(1.0, out.data) == math.copysign(1.0, rounded)


@pytest.mark.parametrize(
    ("method", "x", "whole"),
    [
        ("floor", -0.0, -0.0),
        ("floor", 0.5, 0.0),
        ("floor", -0.5, -1.0),
        ("ceil", -0.5, -0.0),
        ("ceil", -0.0, -0.0),
        ("ceil", 0.5, 1.0),
        ("trunc", -0.7, -0.0),
        ("trunc", 0.7, 0.0),
        ("trunc", -1.7, -1.0),
    ],
)
def test_floor_ceil_trunc_keep_a_zeros_sign_as_torch(method, x, whole):
    # torch.floor(-0.), torch.ceil(-0.5), torch.trunc(-0.7) are all -0.
    out = getattr(Value(x), method)()
    assert out.data == whole
    assert math.copysign(1.0, out.data) == math.copysign(1.0, whole)


@pytest.mark.parametrize("x", [INF, -INF])
def test_round_of_an_infinity_is_itself_with_derivative_zero(x):
    v = Value(x)
    out = v.round()
    assert out.data == x
    assert out.local_grads == (0.0,)


def test_clamp_at_a_zero_bound_keeps_the_inputs_zero_as_torch_clamp():
    low = Value(-0.0).clamp(min=0.0)  # torch.clamp(-0., min=0.) is -0.
    high = Value(0.0).clamp(max=-0.0)  # torch.clamp(0., max=-0.) is 0.
    assert math.copysign(1.0, low.data) == -1.0
    assert math.copysign(1.0, high.data) == 1.0
    assert low.local_grads == high.local_grads == (1.0,)  # on the bound: inside


@pytest.mark.parametrize(
    ("exponent", "d_base"), [(1.0, 1.0), (2.0, 0.0), (3.0, 0.0), (0.5, INF), (0.0, 0.0)]
)
def test_pow_base_derivative_at_a_zero_base(exponent, d_base):
    x = Value(0.0)
    (x**exponent).backward()
    assert x.grad == d_base


@pytest.mark.parametrize(
    ("base", "exponent", "d_base"),
    [(-1e-300, -1.0, -INF), (-1e-150, -2.0, INF), (1e-150, -2.0, -INF)],
)
def test_pow_base_derivative_of_a_negative_base_overflows_with_the_true_sign(
    base, exponent, d_base
):
    # y * x ** (y-1): x ** (y-1) overflows; its sign is x's when y - 1 is odd.
    x = Value(base)
    (x**exponent).backward()
    assert x.grad == d_base


def test_pow_base_derivative_past_an_overflow_keeps_its_magnitude():
    # x ** (y-1) is beyond a float, y * x ** (y-1) = y * x**y / x is not: about -2.02e23.
    x, y = 5e-324, -1e-300
    base = Value(x)
    (base ** Value(y)).backward()
    assert base.grad == pytest.approx(y * (x**y) / x, rel=1e-12)
    assert base.grad < -1e23


def test_pow_exponent_derivative_form_near_a_base_of_one_is_exact():
    # log(x) * x**y with x just below 1, where log(x) is tiny: no cancellation in the form.
    x, y = Value(1.0 - 1e-10), Value(2.0)
    (d,) = grad(x**y, [y], create_graph=True)
    assert d.data == pytest.approx(math.log(1.0 - 1e-10) * (1.0 - 1e-10) ** 2, rel=1e-12)
    (d2,) = grad(d, [y])  # log(x)² x**y
    assert d2.data == pytest.approx(math.log(1.0 - 1e-10) ** 2 * (1.0 - 1e-10) ** 2, rel=1e-9)


def test_a_zero_local_derivative_stops_an_infinite_gradient_with_create_graph():
    # sqrt(a * b) at a = 0: inf flows into the product; d(ab)/db = a = 0 stops it (zero
    # wins), d(ab)/da = b = 2 passes it. The same with a Value derivative (create_graph).
    a, b = Value(0.0), Value(2.0)
    out = (a * b).sqrt()
    numeric = [g.data for g in grad(out, [a, b])]
    built = [g.data for g in grad(out, [a, b], create_graph=True)]
    assert numeric == built == [INF, 0.0]


def test_a_zero_gradient_from_above_keeps_the_derivatives_of_the_product():
    # d/dx (w x²) = 2 w x is 0 at w = 0, yet its derivative in w is 2x = 6.
    w, x = Value(0.0), Value(3.0)
    (dx,) = grad(w * (x * x), [x], create_graph=True)  # x*x gets the gradient w = 0
    assert dx.data == 0.0
    (dxdw,) = grad(dx, [w])
    assert dxdw.data == 6.0


def test_a_zero_gradient_from_above_stops_an_infinite_local_derivative_with_create_graph():
    w, a = Value(0.0), Value(0.0)
    out = w * a.sqrt()  # d/da = w * inf: w = 0 wins
    (da,) = grad(out, [a], create_graph=True)
    assert da.data == 0.0


# --- the op table's own helpers --------------------------------------------------------------


def test_a_user_op_takes_no_constant_and_is_marked_user_defined():
    cube = define_op("cube-edges", lambda x: x**3, lambda x, out: (3 * x * x,))
    op = cube.op  # type: ignore[attr-defined]
    assert op.has_constant is False and op.user_defined is True
    assert op.formula is None and op.arity == 1 and op.name == "cube-edges"
    # The table's fields a user op does not set: no symbol, method or constant kind, no
    # reflected entry, and the defaults a drawing or a strategy reads.
    fields = (op.symbol, op.method, op.constant, op.reflected, op.left)
    assert fields == (None, None, None, None, False)
    assert (op.domain, op.kinks, op.trouble, op.samples) == ("every real", "", None, ())


def test_the_table_makes_a_rounding_op_and_refuses_a_name_twice():
    op = ops._rounding("floor-edges", math.floor)
    try:
        assert ops.REGISTRY["floor-edges"] is op
        assert (op.name, op.arity, op.has_constant, op.user_defined) == (
            "floor-edges",
            1,
            False,
            False,
        )
        assert op.differentiable is ops.constant_derivatives and op.formula == ("0",)
        assert op.numeric(2.5) == (2.0, 0.0) and op.numeric(-2.5) == (-3.0, 0.0)
        assert op.numeric(INF) == (INF, 0.0)
        out, d = op.numeric(NAN)
        assert out != out and d == 0.0
        with pytest.raises(ValueError, match=exactly("ops: 'floor-edges' is defined twice")):
            ops._rounding("floor-edges", math.ceil)
        assert ops.REGISTRY["floor-edges"] is op
    finally:
        del ops.REGISTRY["floor-edges"]


@pytest.mark.parametrize(("kind", "has_constant"), [("argument", True), ("operand", False)])
def test_the_table_keeps_an_ops_constant_argument(kind, has_constant):
    op = ops._builtin(
        "scale-edges",
        1,
        lambda x, c: (c * x, c),
        ops.constant_derivatives,
        formula=("{c}",),
        constant=kind,
    )
    try:
        assert ops.REGISTRY["scale-edges"] is op and op.has_constant is has_constant
        assert op.numeric(2.0, 3.0) == (6.0, 3.0)
    finally:
        del ops.REGISTRY["scale-edges"]


def test_an_overflow_message_lists_every_operand():
    error = ops.overflow_error("**", 10.0, 400.0)
    assert str(error) == "**: **(10.0, 400.0) overflows a float"


# --- what a refusal says ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "x"), [("asin", -1.5), ("asin", 1.5), ("acos", -1.5), ("acos", 1.5)]
)
def test_asin_and_acos_refuse_both_sides_of_their_domain(op, x):
    with pytest.raises(
        ValueError, match=exactly(f"{op}: {op}({x!r}) is undefined; {op} needs an input in [-1, 1]")
    ):
        getattr(Value(x), op)()


MICROGRAD = (
    "that is micrograd's constructor, Value(data, _children, _op); here it is "
    "Value(data, label=''), and only an op makes a node with parents: use the operators "
    "and methods (a * b records '*'), or make your own op with "
    "autograd.define_op(name, forward, derivatives) (docs/api.md, section define_op)"
)


def test_micrograds_constructor_is_refused_with_what_to_write_instead():
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match=exactly(f"Value(3.0, ({a!r}, {b!r}), '*'): {MICROGRAD}")):
        Value(3.0, (a, b), "*")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=exactly(f"Value(3.0, [{a!r}]): {MICROGRAD}")):
        Value(3.0, [a])  # type: ignore[arg-type]  # children alone, without the op


def test_backward_of_a_result_of_no_grad_says_why_and_what_to_do():
    x = Value(2.0)
    with no_grad():
        y = x * x
    for where, call in (("backward", y.backward), ("grad", lambda: grad(y, [x]))):
        with pytest.raises(
            RuntimeError,
            match=exactly(
                f"{where}: {y!r} was computed inside no_grad(), so no graph was recorded and "
                "it has no gradient to pass back; compute it outside no_grad()"
            ),
        ):
            call()


def test_a_second_derivative_through_an_op_without_a_form_names_the_op():
    op = define_op("plain-edges", lambda x: 2.0 * x, lambda x, out: (2.0,))
    x = Value(1.0)
    with pytest.raises(
        NotImplementedError,
        match=exactly(
            "grad(create_graph=True): the op 'plain-edges' was defined without a differentiable "
            "form, so its derivative cannot be differentiated again; give define_op a "
            "`differentiable=` rule"
        ),
    ):
        grad(op(x), [x], create_graph=True)


def test_a_form_that_returns_a_number_names_the_op_operand_and_type():
    op = define_op(
        "numbers-edges", lambda x: x * x, lambda x, out: (2.0 * x,), lambda x, node: (2.0 * x.data,)
    )
    x = Value(1.5)
    with pytest.raises(
        TypeError,
        match=exactly(
            "grad(create_graph=True): the differentiable form of 'numbers-edges' returned 3.0 "
            "(float) for operand 0: a number has no derivative, so every higher derivative "
            "through it would be 0 silently. Build it from the parents with Value ops, or, if "
            "the op's derivatives are constants, pass "
            "differentiable=autograd.ops.constant_derivatives"
        ),
    ):
        grad(op(x), [x], create_graph=True)


def _user_op_with_form(name, numeric_d, form):
    return define_op(name, lambda x: x, lambda x, out: (numeric_d,), lambda x, node: (form(x),))


@pytest.mark.parametrize(
    ("numeric_d", "form", "shown"),
    [
        (1.0, lambda x: x * 0.0 + 1.5, "1.5"),  # off by 0.5
        (1.0, lambda x: x * 0.0 + NAN, "nan"),  # nan where the rule gives a number
        (NAN, lambda x: x * 0.0 + 1.0, "1.0"),  # a number where the rule gives nan
    ],
)
def test_a_form_that_disagrees_with_the_numeric_rule_is_refused(numeric_d, form, shown):
    op = _user_op_with_form("disagrees-edges", numeric_d, form)
    x = Value(1.0)
    with pytest.raises(
        ValueError,
        match=exactly(
            f"grad(create_graph=True): the differentiable form of 'disagrees-edges' gives "
            f"{shown} for operand 0 where its recorded derivative is {numeric_d!r}: a parent's "
            "data changed after the graph was built (build it again), or the form is wrong"
        ),
    ):
        grad(op(x), [x], create_graph=True)


@pytest.mark.parametrize(
    ("numeric_d", "form"),
    [
        (NAN, lambda x: x * 0.0 + NAN),  # nan and nan agree
        (1e-310, lambda x: x * 0.0),  # within 1e-300 of a subnormal
        (1.0 + 1e-12, lambda x: x * 0.0 + 1.0),  # a rounding apart
    ],
)
def test_a_form_that_agrees_with_the_numeric_rule_is_accepted(numeric_d, form):
    op = _user_op_with_form("agrees-edges", numeric_d, form)
    x = Value(1.0)
    (d,) = grad(op(x), [x], create_graph=True)
    assert d.data == form(Value(1.0)).data or (d.data != d.data and numeric_d != numeric_d)


def test_a_user_op_formula_is_one_str_per_operand():
    one = define_op("one-edges", lambda x: 2 * x, lambda x, out: (2.0,), formula="2·{x}")
    two = define_op(
        "two-edges", lambda x, y: x + y, lambda x, y, out: (1.0, 1.0), formula=["1", "1"]
    )
    assert one.op.formula == ("2·{x}",) and two.op.formula == ("1", "1")  # type: ignore[attr-defined]
    for formula in (["1"], ("1", 2), "1"):
        with pytest.raises(
            TypeError,
            match=exactly(
                "define_op: 'bad-edges''s formula must be 2 str(s), one per operand, "
                f"got {formula!r}"
            ),
        ):
            define_op("bad-edges", lambda x, y: x, lambda x, y, out: (1.0, 0.0), formula=formula)


def test_a_variadic_forward_is_refused_naming_the_op():
    with pytest.raises(
        TypeError,
        match=exactly("define_op: cannot read how many operands 'many-edges''s forward takes"),
    ):
        define_op("many-edges", lambda *xs: sum(xs), lambda *xs: xs)


# --- a user op under a recorder, and grad() while traced ------------------------------------


class Spy:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def created(self, value):
        self.calls.append(("created", value))

    def data(self, value):
        self.calls.append(("data", value))
        return value._data

    def operand(self, other):
        return None

    def compared(self, value, op, other, result):
        self.calls.append(("compared", value, op, other, result))

    def escaped(self, value, what):
        self.calls.append(("escaped", value, what))

    def failed(self, op, operands, error):
        self.calls.append(("failed", op, operands, error))


def test_a_user_op_that_raises_is_reported_with_its_operands():
    half_log = define_op("half-log-edges", lambda x: 0.5 * math.log(x), lambda x, out: (0.5 / x,))
    x = Value(-1.0)
    spy = Spy()
    with recording.installed(spy), pytest.raises(ValueError) as raised:
        half_log(x)
    op = half_log.op  # type: ignore[attr-defined]
    assert spy.calls == [("failed", op, (x,), raised.value)]


def test_a_three_operand_user_op_records_itself_on_its_node():
    fma = define_op("fma-edges", lambda x, y, z: x * y + z, lambda x, y, z, out: (y, x, 1.0))
    a, b, c = Value(2.0), Value(3.0), Value(4.0)
    out = fma(a, b, c)
    assert out.op == "fma-edges" and out.parents == (a, b, c)
    assert out.local_grads == (3.0, 2.0, 1.0)


def test_grad_with_create_graph_reads_no_number_out_of_the_graph():
    # While traced, a float() would be refused; grad's zero-factor test reads `_data`.
    x = Value(2.0)
    y = x * x * x
    spy = Spy()
    with recording.installed(spy):
        (d,) = grad(y, [x], create_graph=True)
    assert d.data == 12.0
    assert not [call for call in spy.calls if call[0] == "escaped" and call[2] is Escape.FLOAT]


# --- the traversal, interrupted; PyTorch's habits -----------------------------------------


class Interrupting(Value):
    """A leaf whose parents cannot be read while `armed`: a Ctrl-C in mid-traversal."""

    __slots__ = ()
    armed = False

    @property  # type: ignore[override]
    def _a(self):
        if Interrupting.armed:
            raise KeyboardInterrupt
        return None

    @_a.setter
    def _a(self, value):
        pass


def test_a_backward_interrupted_in_its_traversal_leaves_every_grad_a_number():
    x = Value(2.0)
    y = x * x
    leaf = Interrupting(3.0)
    z = y * leaf
    Interrupting.armed = True
    try:
        with pytest.raises(KeyboardInterrupt):
            z.backward()
    finally:
        Interrupting.armed = False
    assert (z.grad, y.grad) == (0.0, 0.0)  # no traversal mark left behind
    z.backward()
    assert (x.grad, leaf.grad, y.grad) == (12.0, 4.0, 3.0)


def test_item_is_the_number_and_requires_grad_true_is_already_so():
    x = Value(2.5)
    assert x.item() == 2.5 and type(x.item()) is float
    assert x.requires_grad_() is x and x.requires_grad_(True) is x
    with pytest.raises(
        AttributeError, match=r"^Value\.requires_grad is read-only and always True, got False"
    ):
        x.requires_grad_(False)


def test_a_write_after_use_names_the_operand_the_op_and_the_remedy():
    x = Value(2.0)
    y = x * x
    x.data = 3.0
    with pytest.raises(
        ValueError,
        match=exactly(
            "backward: Value(data=3.0, grad=0.0), an operand of a '*' node, had its .data "
            "changed after the graph was built, so that node's local derivatives are out of "
            "date: build the graph again after changing .data"
        ),
    ):
        y.backward()


def test_a_value_where_a_number_belongs_says_to_pass_its_data():
    inner = Value(1.0)
    with pytest.raises(
        TypeError,
        match=exactly(f"Value: expected an int or a float, got {inner!r} (Value) (pass its .data)"),
    ):
        Value(inner)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError,
        match=exactly(
            "Value.grad (set 0.0 to clear it): expected an int or a float, got 'a' (str)"
        ),
    ):
        inner.grad = "a"  # type: ignore[assignment]


def test_an_int_beyond_a_float_as_an_operand_names_the_op():
    with pytest.raises(ValueError, match=r"^'\*': 10{400} is too large for a float$"):
        Value(1.0) * 10**400


def test_a_table_entry_and_its_reflected_entry_carry_every_field():
    # Run here, not only at import, so that each field the table helpers set is checked.
    from autograd import op_type

    def numeric(x, y):
        return x - y, 1.0, -1.0

    def reflected_numeric(x, c):
        return c - x, -1.0

    def trouble(a, c, m):
        return False

    op = op_type._builtin(
        "minus-edges",
        2,
        numeric,
        ops.constant_derivatives,
        formula=("1", "−1"),
        method="__sub__",
        symbol="-",
        constant="operand",
        domain="all reals",
        kinks="none",
        trouble=trouble,
        samples=(1.0, 2.0),
        register=False,
    )
    assert "minus-edges" not in ops.REGISTRY
    assert (op.name, op.arity, op.numeric, op.differentiable) == (
        "minus-edges",
        2,
        numeric,
        ops.constant_derivatives,
    )
    assert (op.formula, op.method, op.symbol, op.constant) == (
        ("1", "−1"),
        "__sub__",
        "-",
        "operand",
    )
    assert (op.domain, op.kinks, op.trouble, op.samples) == (
        "all reals",
        "none",
        trouble,
        (1.0, 2.0),
    )
    assert op.has_constant is False and op.user_defined is False and op.left is False
    assert op.reflected is None

    rtrouble = lambda a, c, m: True  # noqa: E731
    reflected = op_type._reflect(
        op,
        reflected_numeric,
        ops.constant_derivatives,
        formula="−1",
        trouble=rtrouble,
        samples=(3.0,),
    )
    assert op.reflected is reflected and "minus-edges" not in ops.REGISTRY
    assert (reflected.name, reflected.arity, reflected.numeric) == (
        "minus-edges",
        1,
        reflected_numeric,
    )
    assert reflected.differentiable is ops.constant_derivatives
    assert (reflected.formula, reflected.method, reflected.symbol) == (("−1",), "__rsub__", "-")
    assert (reflected.constant, reflected.left, reflected.has_constant) == ("operand", True, True)
    assert (reflected.domain, reflected.kinks) == ("all reals", "none")
    assert (reflected.trouble, reflected.samples) == (rtrouble, (3.0,))
    assert reflected.reflected is None and reflected.user_defined is False

    plain = op_type._builtin("plain-edges", 1, numeric, None, formula=("1",), register=False)
    assert (plain.method, plain.symbol, plain.constant) == ("plain-edges", None, None)
    assert (plain.domain, plain.kinks, plain.trouble, plain.samples) == ("every real", "", None, ())
    assert plain.has_constant is False and "plain-edges" not in ops.REGISTRY
