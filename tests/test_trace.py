"""autograd.trace: the traced code against the engine, guards, refusals, and the source."""

from __future__ import annotations

import ast
import copy
import math
import numbers
import re
import traceback

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, define_op, engine, grad, no_grad, ops, recording, topological_order
from autograd import value as value_module
from autograd.engine import weighted_sum
from autograd.testing import Expression, Step, expressions
from autograd.trace import ConcretizationError, GuardFailure, TraceError, trace
from nn.losses import cross_entropy, log_softmax, softmax


def engine_result(f, xs):
    """The engine's output and input gradients for f at xs."""
    inputs = [Value(x) for x in xs]
    out = f(*inputs)
    out.backward()
    return out.data, tuple(v.grad for v in inputs)


def same(a: float, b: float) -> bool:
    """Equal, both nan, or equal to float rounding."""
    return a == b or (a != a and b != b) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


def assert_matches_engine(traced, f, xs):
    out, grads = traced(*xs)
    expected_out, expected_grads = engine_result(f, xs)
    assert same(out, expected_out), (out, expected_out)
    assert len(grads) == len(expected_grads)
    for g, e in zip(grads, expected_grads):
        assert same(g, e), (grads, expected_grads)


# --- random programs ------------------------------------------------------------------------


def live(expr: Expression) -> Expression:
    """`expr` without the steps that its output does not depend on. The traced code leaves
    them out, so it does not raise where only they would (log of a negative)."""
    n = len(expr.inputs)
    needed = {n + len(expr.steps) - 1}
    for k in range(len(expr.steps) - 1, -1, -1):
        if n + k in needed:
            needed.update(expr.steps[k].operands)
    index = {i: i for i in range(n)}
    steps = []
    for k, step in enumerate(expr.steps):
        if n + k in needed:
            index[n + k] = n + len(steps)
            steps.append(Step(step.op, tuple(index[i] for i in step.operands), step.constant))
    return Expression(expr.inputs, tuple(steps))


@settings(max_examples=200)
@given(expr=expressions(), data=st.data())
def test_traced_programs_match_the_engine_at_new_inputs(expr, data):
    traced = trace(expr, *expr.inputs)
    assert_matches_engine(traced, expr, expr.inputs)
    xs = [data.draw(st.floats(-3.0, 3.0), label=f"x{i}") for i in range(len(expr.inputs))]
    try:
        expected = engine_result(live(expr), xs)
    except (ArithmeticError, ValueError):  # outside an op's domain: the traced code raises too
        with pytest.raises((ArithmeticError, ValueError)):
            traced(*xs)
        return
    out, grads = traced(*xs)
    assert same(out, expected[0]), (out, expected[0])
    assert all(same(g, e) for g, e in zip(grads, expected[1])), (grads, expected[1])
    assert traced.traces == 1  # no control flow in these programs: never traced again


# --- every op -------------------------------------------------------------------------------

UNARY_ON = {  # where to apply each one-operand op so that both points are in its domain
    "acosh": lambda a: a + 1.0,
    "abs": lambda a: a - 0.5,
    "sign": lambda a: a - 0.5,
    "floor": lambda a: a * 10.0,
    "ceil": lambda a: a * 10.0,
    "trunc": lambda a: a * 10.0 - 4.0,
    "relu": lambda a: a - 0.5,
}


def _unary(name):
    shift = UNARY_ON.get(name, lambda a: a)
    return [lambda a, b: getattr(shift(a), name)(), lambda a, b: getattr(shift(a * b), name)()]


OP_GRAPHS = {
    "+": [lambda a, b: a + b, lambda a, b: a + 2, lambda a, b: 2 + a, lambda a, b: a + a],
    "-": [lambda a, b: a - b, lambda a, b: a - 2, lambda a, b: 2 - a],
    "*": [lambda a, b: a * b, lambda a, b: a * 3, lambda a, b: a * a],
    "neg": [lambda a, b: -(a * b)],
    "/": [lambda a, b: a / b, lambda a, b: a / 3, lambda a, b: 3 / a],
    "**": [lambda a, b: a**b, lambda a, b: a**3, lambda a, b: a**0.5, lambda a, b: 3**a],
    "%": [lambda a, b: a % b, lambda a, b: a % 0.25, lambda a, b: 2 % a],
    "//": [lambda a, b: (a * 5) // b, lambda a, b: (a * 5) // 2, lambda a, b: 2 // a],
    "leaky_relu": [lambda a, b: (a - 0.5).leaky_relu(0.1)],
    "elu": [lambda a, b: (a - 0.5).elu(0.7)],
    "round": [lambda a, b: (a * 10).round(), lambda a, b: (a * b).round(1)],
    "clamp": [lambda a, b: a.clamp(0.4, 0.6), lambda a, b: a.clamp(max=0.5), lambda a, b: b.clamp(min=0.5)],
    "maximum": [lambda a, b: a.maximum(b), lambda a, b: a.maximum(0.5)],
    "minimum": [lambda a, b: a.minimum(b), lambda a, b: (a * b).minimum(0.25)],
    "detach": [lambda a, b: (a * b).detach(), lambda a, b: a.detach()],
    "w·x+b": [
        lambda a, b: weighted_sum([a, b], [b, a], a),
        lambda a, b: weighted_sum([a, b], [2.0, -3.0], b),
        lambda a, b: weighted_sum([a, b], [a, b], Value(0.0)),  # l2 of (a, b)
    ],
}
# Every op of the table that is a method without arguments (`x.exp()`), read from the table.
for _op in ops.REGISTRY.values():
    if _op.arity == 1 and _op.symbol is None and _op.constant is None:
        OP_GRAPHS.setdefault(_op.name, _unary(_op.method))

TRACED_AT = (0.3, 0.8)
REPLAYED_AT = [(0.55, 0.35), (0.3, 0.8), (0.9, 0.95)]  # kinks go the other way between some


def test_every_op_of_the_registry_has_a_graph_here():
    missing = sorted(set(ops.REGISTRY) - set(OP_GRAPHS))
    assert not missing and set(OP_GRAPHS) <= set(ops.REGISTRY), f"OP_GRAPHS lacks {missing}"
    a, b = Value(TRACED_AT[0]), Value(TRACED_AT[1])
    reached = {engine.op_of(f(a, b)) for fs in OP_GRAPHS.values() for f in fs}
    unreached = [f"{op.name} ({op.method})" for op in ops.entries() if op not in reached]
    assert not unreached, f"OP_GRAPHS reaches no node of {unreached}"


@pytest.mark.parametrize("name", sorted(OP_GRAPHS))
def test_every_op_traces_like_the_engine(name):
    for f in OP_GRAPHS[name]:
        assert f(*map(Value, TRACED_AT)).op == name
        traced = trace(f, *TRACED_AT)
        for xs in REPLAYED_AT:
            assert_matches_engine(traced, f, xs)
        assert traced.traces == 1


def test_a_user_defined_op_of_any_arity_is_traced():
    sinc = define_op("trace_sinc", lambda x: math.sin(x) / x, lambda x, out: ((math.cos(x) - out) / x,))
    fma = define_op("trace fma", lambda x, y, z: x * y + z, lambda x, y, z, out: (y, x, 1.0))

    def f(a, b):
        return fma(sinc(a), b, a * b) + sinc(b * 2)

    traced = trace(f, 0.7, 1.3)
    assert "op_trace_sinc(" in traced.source and "op_trace_fma(" in traced.source
    for xs in [(0.7, 1.3), (-2.0, 0.4), (3.0, -1.5)]:
        assert_matches_engine(traced, f, xs)


def test_a_user_op_defined_again_under_its_name_keeps_its_numbers_in_each_trace():
    first = define_op("trace_twice", lambda x: 2 * x, lambda x, out: (2.0,))
    traced_first = trace(lambda x: first(x), 1.0)
    second = define_op("trace_twice", lambda x: 3 * x, lambda x, out: (3.0,))  # a cell run again
    traced_second = trace(lambda x: second(x), 1.0)
    both = trace(lambda x: first(x) + second(x), 1.0)  # two ops of one name in one trace
    assert traced_first(5.0) == (10.0, (2.0,))
    assert traced_second(5.0) == (15.0, (3.0,))
    assert both(5.0) == (25.0, (5.0,))
    assert "op_trace_twice(" in both.source and "op_trace_twice_2(" in both.source


def test_an_op_name_never_becomes_code():
    # define_op refuses such a name; an Op made by hand must still not write a line of code.
    name = "twice\nimport os; os.system('echo injected')  # \u2028 \r"
    evil = ops.Op(name, 1, lambda x: (2 * x, 2.0), None, user_defined=True)

    def f(x):
        return engine._node(evil, 2 * x._data, x, 2.0) * x

    traced = trace(f, 1.0)
    assert traced(3.0) == (18.0, (12.0,))
    source = traced.source
    assert source.splitlines() == source.split("\n")[:-1]  # no line break but the code's own
    assert not any(line.lstrip().startswith("import") for line in source.splitlines())
    tree = ast.parse(source)
    assert not any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.walk(tree))
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)}  # type: ignore[attr-defined]
    (rule,) = called  # a name made of the op's name's ASCII letters, digits and _ only
    assert rule.startswith("op_twice_import_os__os_system") and re.fullmatch(r"\w+", rule, re.ASCII)
    assert "\\n" in source and "\\u2028" in source  # the comments show the name escaped


def test_nan_and_inf_propagate_as_in_the_engine():
    def f(x, y):
        return (x * y).relu() + (x * 0.0).relu() * y

    traced = trace(f, 1.0, 2.0)
    for xs in [(math.inf, 2.0), (math.nan, 1.0), (-math.inf, 0.0), (1.0, math.inf), (0.0, -math.inf)]:
        assert_matches_engine(traced, f, xs)


# --- guards ---------------------------------------------------------------------------------


def branchy(x):
    return x.log() * 2 if x > 0 else (-x).log() * 3


def test_a_branch_that_flips_traces_again_and_each_path_is_kept():
    traced = trace(branchy, 2.0)
    assert traced.guards == ["x > 0.0 was True when traced"]
    assert_matches_engine(traced, branchy, [5.0])
    assert traced.traces == 1
    assert_matches_engine(traced, branchy, [-5.0])  # log(-5) would raise without the guard
    assert traced.traces == 2 and traced.variants == 2
    assert traced.guards == ["x > 0.0 was False when traced"]
    assert_matches_engine(traced, branchy, [4.0])  # back to the first path: no new trace
    assert_matches_engine(traced, branchy, [-0.5])
    assert traced.traces == 2


def test_raise_mode_says_which_guard_fails():
    traced = trace(branchy, 2.0, on_guard_failure="raise")
    assert_matches_engine(traced, branchy, [0.25])
    with pytest.raises(GuardFailure, match=r"guard 0, x > 0.0 was True when traced"):
        traced(-1.0)
    assert traced.traces == 1


@pytest.mark.parametrize(
    "f, xs, other",
    [
        (lambda a, b: max(a, b) * 2, (1.0, 2.0), (3.0, 1.0)),
        (lambda a, b, c: sorted([a, b, c])[0] * a, (1.0, 2.0, 3.0), (3.0, 2.0, 1.0)),
        (lambda a: a * 2 if a.data > 0 else a * 3, (1.0,), (-1.0,)),
        (lambda a: a * 2 if 0.5 < a.data <= 2 else a * 3, (1.0,), (3.0,)),
        (lambda a, b: a * b if (a * b).data == 6.0 else a, (2.0, 3.0), (1.0, 1.0)),
        (lambda a, b: a * b if bool((a - b).data) else a, (2.0, 3.0), (1.0, 1.0)),
        (lambda a, b: a * 2 if a < b.data else a * 3, (1.0, 2.0), (3.0, 2.0)),
        (lambda a, b: a * 2 if b.data >= a else a * 3, (1.0, 2.0), (3.0, 2.0)),
        (lambda a, b: a * 2 if a.data in (b.data, 7.0) else a * 3, (2.0, 2.0), (1.0, 2.0)),
    ],
)
def test_comparisons_of_values_and_of_their_data_are_guarded(f, xs, other):
    traced = trace(f, *xs, on_guard_failure="raise")
    assert traced.guards
    assert_matches_engine(traced, f, xs)
    with pytest.raises(GuardFailure):
        traced(*other)
    retracing = trace(f, *xs)
    assert_matches_engine(retracing, f, other)
    assert retracing.traces == 2


def test_a_value_compared_with_data_is_guarded_as_two_values():
    traced = trace(lambda a, b: a * 2 if a < b.data else a * 3, 1.0, 2.0)
    assert traced.guards == ["a < b was True when traced"]


def test_comparisons_of_constants_need_no_guard():
    def f(x):
        c = Value(2.0) * 3
        return x * c if c > 5 else x

    traced = trace(f, 1.0)
    assert traced.guards == [] and "GuardFailed" not in traced.source


def test_the_oldest_variant_is_dropped_past_max_variants():
    f = lambda x: x * 2 if x > 0 else x * 3  # noqa: E731
    traced = trace(f, 1.0, max_variants=1)
    traced(-1.0)
    traced(1.0)
    assert traced.traces == 3 and traced.variants == 1


# --- what tracing refuses -------------------------------------------------------------------


def test_a_captured_value_is_refused_and_its_number_is_allowed():
    w = Value(2.0, label="w")
    with pytest.raises(TraceError, match="'w'.*captured from outside"):
        trace(lambda x: x * w, 1.0)
    traced = trace(lambda x: x * w.data + Value(w.data), 1.0)
    assert traced(3.0) == (8.0, (2.0,))


def test_a_captured_value_is_refused_wherever_the_graph_reaches_it():
    """Through the output, an aux value alone, a guard alone, or an intermediate Value
    computed outside (whose leaf is the captured one); and refusing it changes no grad of
    the captured graph's leaves."""
    w = Value(2.0, label="w")
    h = w * 3.0
    h.label = "h"
    h.backward()
    assert w.grad == 3.0
    cases = [
        (lambda x: x * w, False),
        (lambda x: (x * 2, [x + w]), True),
        (lambda x: x * 2 if (x * w).data > 0 else x * 3, False),
        (lambda x: x * h, False),
    ]
    for f, has_aux in cases:
        with pytest.raises(TraceError, match="'w'.*captured from outside"):
            trace(f, 1.0, has_aux=has_aux)
    assert w.grad == 3.0


def test_a_refused_trace_leaves_a_captured_intermediate_grad_as_it_was():
    """A failed trace changes nothing the user holds: reading f's graph in backward()'s
    order must not reset the grads of intermediate Values computed outside (as backward()
    itself would), here one that f captured and one behind it."""
    w = Value(2.0, label="w")
    h = w * 3.0
    u = h.tanh()
    loss = u * u
    loss.backward()
    before = (w.grad, h.grad, u.grad, loss.grad)
    assert h.grad != 0.0 and u.grad != 0.0
    for f, has_aux in [(lambda x: x * u, False), (lambda x: (x * 2, [x + u]), True)]:
        with pytest.raises(TraceError, match="'w'.*captured from outside"):
            trace(f, 1.0, has_aux=has_aux)
        assert (w.grad, h.grad, u.grad, loss.grad) == before


def test_the_trace_reads_the_graph_in_backwards_order_without_touching_grads():
    """The tracer's walk is a copy of backward()'s (which resets the grads it passes): the
    same nodes in the same order, every grad left as it was."""
    from autograd.backprop import _intermediates_in_order, _intermediates_in_order_keeping_grads

    x, y = Value(0.5), Value(-1.5)
    a = x * y
    b = (a + x).relu() * (a - y).exp()
    root = weighted_sum([b, a], [x * x, y], x) + b
    root.backward()
    grads = [node.grad for node in topological_order(root)]
    kept = _intermediates_in_order_keeping_grads(root)
    assert [node.grad for node in topological_order(root)] == grads
    assert kept == _intermediates_in_order(root)


def test_nodes_of_constants_only_between_the_items_of_a_batch():
    """Each sample's number goes through an op of its own before meeting the parameters:
    nodes that depend on no input, inside every item; the numbers are the engine's."""
    data = [0.1 * k - 3.0 for k in range(80)]

    def batch(w, b):
        return sum(((w * (Value(a) * 2.0 + 1.0)) + b).relu() * (Value(a) * 0.5) for a in data)

    traced = trace(batch, 0.5, 0.25)
    assert traced.layout.startswith("loops"), traced.layout
    for w, b in [(0.5, 0.25), (-1.5, 2.0), (3.0, -4.0)]:
        inputs = [Value(w), Value(b)]
        out = batch(*inputs)
        out.backward()
        assert traced(w, b) == (out.data, (inputs[0].grad, inputs[1].grad))


@pytest.mark.parametrize(
    "f, error, message",
    [
        (lambda x: x * float(x), ConcretizationError, r"float\(\) of the Value 'x'"),
        (lambda x: x * math.exp(x.data), ConcretizationError, "computing with .data"),
        (lambda x: x * (x.data * 2), ConcretizationError, "computing with .data"),
        (lambda x: x * x.data, TypeError, "can be compared, not computed with"),
        (lambda x: {x.data: 1} and x, ConcretizationError, "computing with .data"),
        (lambda x: (x * x).backward() or x, ConcretizationError, r"backward\(\) of"),
        (lambda x: grad(x * x, [x])[0] * x, ConcretizationError, "local_grads of"),
        (lambda x: x * (x * 2).local_grads[0], ConcretizationError, "local_grads of"),
    ],
)
def test_numbers_of_traced_values_do_not_escape(f, error, message):
    with pytest.raises(error, match=message):
        trace(f, 1.5)


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x * 2 if isinstance(x.data, float) else x * 3,
        lambda x: x * 2 if isinstance(x.data, numbers.Real) else x * 3,
        lambda x: x * 3 if isinstance(x.data, (int, Value)) else x * 2,
        lambda x: x * 2 if x.data is x.data and copy.copy(x.data) is x.data else x * 3,
        lambda x: x * 2 if x.data else x * 3,  # bool(): a guard
    ],
)
def test_data_passes_for_a_float_as_in_the_engine(f):
    traced = trace(f, 1.0)
    for xs in ([1.0], [100.0], [0.0]):
        assert_matches_engine(traced, f, xs)


@pytest.mark.parametrize(
    "f, message",
    [
        (lambda x: x * len(str(x.data)), "printing or formatting .data of the Value 'x'"),
        (lambda x: x * len(repr(x.data)), "printing or formatting"),
        (lambda x: x * len(f"{x.data:.3f}"), "printing or formatting"),
        (lambda x: x * len(f"{x.data}"), "printing or formatting"),
        (lambda x: print(x.data) or x, "printing or formatting"),
        (lambda x: x * len("%.3f" % x.data), "computing with .data of the Value 'x'"),
        (lambda x: x * x.data.is_integer(), "computing with .data"),
        (lambda x: x * x.data.real, "computing with .data"),
        (lambda x: x * int(x.data), "computing with .data"),
        (lambda x: x * round(x.data, 2), "computing with .data"),
        (lambda x: x * math.floor(x.data), "computing with .data"),
        (lambda x: x * math.isfinite(x.data), "computing with .data"),
        (lambda x: x - x.data, "computing with .data"),
        (lambda x: x.data + x, "computing with .data"),
        (lambda x: Value(x.data) * x, "computing with .data"),
        (lambda x: x.clamp(max=x.data), "computing with .data"),
        (lambda x: weighted_sum([x], [x.data], x), "computing with .data"),
        (lambda x: copy.deepcopy([x.data]) and __import__("pickle").dumps(x.data) and x, "computing"),
    ],
)
def test_every_other_use_of_data_is_refused_at_trace_time(f, message):
    with pytest.raises(ConcretizationError, match=message):
        trace(f, 100.0)


def test_no_grad_and_setting_data_inside_are_refused():
    def under_no_grad(x):
        with no_grad():
            y = x * 2
        return x * y

    def sets_data(x):
        y = x * 2
        y.data = 5.0
        return y

    with pytest.raises(TraceError, match=r"no_grad\(\) inside a traced function"):
        trace(under_no_grad, 1.0)
    with pytest.raises(TraceError, match="setting .data inside"):
        trace(sets_data, 1.0)
    assert recording.current() is None and value_module._recording  # left as they were


def test_a_traced_function_called_inside_no_grad_traces_again_when_it_must():
    traced = trace(branchy, 2.0)
    with no_grad():
        out, grads = traced(-5.0)  # the guard fails: traced again, recording for that
        assert not value_module._recording
    assert traced.traces == 2
    assert (out, grads) == engine_result(branchy, [-5.0])

    def careless(x):
        if x > 0:
            return x * 2
        with no_grad():
            y = x * 2
        return x * y

    traced = trace(careless, 1.0)
    with no_grad():
        with pytest.raises(TraceError, match=r"no_grad\(\) inside a traced function"):
            traced(-1.0)  # no_grad() inside f stays refused
        assert not value_module._recording
    assert value_module._recording and recording.current() is None


def test_a_copied_input_is_refused_saying_so_and_a_copied_node_is_traced():
    for copying in (copy.copy, copy.deepcopy):
        with pytest.raises(TraceError, match=r"a copy \(copy.copy or copy.deepcopy\) of the input Value 'x'"):
            trace(lambda x, copying=copying: copying(x) * x, 1.0)
    f = lambda x: copy.copy(x * 2) * x  # noqa: E731 - the same op on the same parents
    assert_matches_engine(trace(f, 1.5), f, [2.5])


def test_what_is_not_traceable_at_all():
    with pytest.raises(TypeError, match="must return a Value"):
        trace(lambda x: 3.0, 1.0)
    with pytest.raises(TypeError, match="not a leaf"):
        trace(lambda x: x, Value(1.0) * 2)
    with pytest.raises(TraceError, match="inside no_grad"):
        with no_grad():
            trace(lambda x: x * 2, 1.0)
    with pytest.raises(TraceError, match="inside a traced function"):
        trace(lambda x: trace(lambda y: y * 2, 1.0)(2.0) and x, 1.0)
    with pytest.raises(TraceError, match="'mystery'.*not an Op"):
        trace(lambda x: engine._node("mystery", 0.0, x * 2, 0.0), 1.0)


# --- detach, and the multi-class losses that use it ------------------------------------------


def test_detach_is_a_copy_of_the_number_and_passes_back_what_the_engine_passes():
    def f(x, y):
        return x * (x * y).detach() + y.detach()

    traced = trace(f, 1.5, 2.0)
    assert traced(2.0, 3.0) == (15.0, (6.0, 0.0))
    for xs in [(1.5, 2.0), (-0.5, 3.0), (0.0, -1.0)]:
        assert_matches_engine(traced, f, xs)
    forward, _ = traced.source.split("# backward")
    assert "v3 = v2  # detach(x * y)" in forward
    assert "op_detach" not in traced.source


@pytest.mark.parametrize(
    "f, xs",
    [
        (lambda x: (x.detach() * 0 + x).sqrt(), [0.0, 4.0, 1e-300]),  # inf reaches the detach
        (lambda x: (x.detach() * x).sqrt() + x.detach().exp(), [0.0, 2.0]),
        (lambda x: x.detach() * math.inf + x, [1.0, 0.0]),
        (lambda x: (x.detach() + x).log(), [1e-320, 2.0]),  # 1/x overflows
    ],
)
def test_the_engine_and_its_trace_agree_through_a_detach_at_infinite_gradients(f, xs):
    for x in xs:  # traced at each point, and replayed at the others
        traced = trace(f, x)
        for other in xs:
            out, grads = traced(other)
            expected_out, expected_grads = engine_result(f, [other])
            assert same(out, expected_out) and same(grads[0], expected_grads[0]), (x, other)


@pytest.mark.parametrize(
    "f",
    [
        lambda a, b, c: softmax([a, b, c])[1] * 2,
        lambda a, b, c: log_softmax([a, b, 0.5])[0],
        lambda a, b, c: cross_entropy([a, b, c], 2),
        lambda a, b, c: cross_entropy([[a, b], [c, 1.0]], [0, 1]),
    ],
)
def test_softmax_log_softmax_and_cross_entropy_trace(f):
    traced = trace(f, 0.3, -1.2, 2.0)
    for xs in [(0.3, -1.2, 2.0), (2.5, -1.0, 0.0), (0.0, 4.0, 1.0), (1000.0, 0.0, -1000.0)]:
        assert_matches_engine(traced, f, xs)
    assert (traced.traces, traced.guards) == (1, [])  # the largest logit is an op's: no guard


# --- overflow --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f, x, message",
    [
        (lambda x: x.exp(), 1000.0, "exp: exp(1000.0) overflows a float"),
        (lambda x: (x * 2).sinh(), 400.0, "sinh: sinh(800.0) overflows a float"),
        (lambda x: x.exp2() + x, 2000.0, "exp2: exp2(2000.0) overflows a float"),
    ],
)
def test_an_overflow_reads_as_the_engines(f, x, message):
    with pytest.raises(OverflowError) as in_engine:
        f(Value(x))
    traced = trace(f, 1.0)
    with pytest.raises(OverflowError) as in_trace:
        traced(x)
    assert str(in_trace.value) == str(in_engine.value) == message


def test_value_inputs_are_the_values_f_receives_and_keep_their_numbers():
    w = Value(0.5, label="w")
    b = Value(-1.0, label="b")

    def f(*_):
        return (w * 3 + b).tanh() if w > 0 else (b - w).exp()

    traced = trace(f, w, b)
    assert traced.labels == ("w", "b")
    assert "# inputs: v0 = w, v1 = b" in traced.source
    out, grads = traced(-0.25, 2.0)  # traces again, w and b holding these numbers
    assert traced.traces == 2 and (w.data, b.data) == (0.5, -1.0)
    w.data, b.data = -0.25, 2.0
    expected = f()
    expected.backward()
    assert (out, grads) == (expected.data, (w.grad, b.grad))


def test_aux_values_are_returned_beside_the_output():
    traced = trace(lambda x, y: (x * y, [x + y, (x * y).exp()]), 1.0, 2.0, has_aux=True)
    out, grads, aux = traced(3.0, 4.0)
    assert out == 12.0 and grads == (4.0, 3.0) and aux == (7.0, math.exp(12.0))


# --- the code -------------------------------------------------------------------------------


def counts(f, xs):
    """(nodes that depend on the inputs, their contributions to parents that do)."""
    inputs = [Value(x) for x in xs]
    depends = {}
    nodes = contributions = 0
    for node in topological_order(f(*inputs)):
        if not node.parents:
            depends[node] = any(node is x for x in inputs)
            continue
        depends[node] = any(depends[p] for p in node.parents)
        if depends[node]:
            nodes += 1
            contributions += sum(depends[p] for p in node.parents)
    return nodes, contributions


def network(*p):
    x = [0.5, -1.0]
    h = [weighted_sum(p[0:2], x, p[2]).relu(), (p[3] * x[0] + p[4] * x[1] + p[5]).tanh()]
    z = weighted_sum(p[6:8], h, p[8])
    z.label = "z"
    return (z - 1) ** 2 + (z / 2).sigmoid() - 3 / (h[1] + 2)


@pytest.mark.parametrize("f, xs", [(network, [0.1 * k - 0.4 for k in range(9)]), (branchy, [2.0])])
def test_source_is_python_with_a_line_per_node_and_per_contribution(f, xs):
    source = trace(f, *xs).source
    tree = ast.parse(source)
    assert [type(node).__name__ for node in tree.body] == ["FunctionDef"]
    lines = source.splitlines()
    forward = lines[lines.index("    # forward: one line per node") + 1 : next(
        i for i, line in enumerate(lines) if line.startswith("    # backward")
    )]
    forward = [line for line in forward if not line.lstrip().startswith("if ")]  # guards
    backward = [line for line in lines if re.match(r"    g\d+ [-+]?= ", line) and " = 1.0" not in line]
    nodes, contributions = counts(f, xs)
    assert len(forward) == nodes
    assert len(backward) == contributions
    assert all(re.search(r"\S  # \S", line) for line in forward + backward)
    if f is network:
        assert "# z = " in source  # a label names its node in the comments


def test_the_code_reads_as_the_chain_rule():
    traced = trace(lambda x, y: (x * y).relu() + x.exp() * 2, 1.0, 2.0)
    source = traced.source
    for line in [
        "v2 = v0 * v1  # x * y",
        "v3 = v2 if v2 > 0.0 or v2 != v2 else 0.0  # relu(x * y)",
        "v4, d4 = op_exp(v0)  # exp(x)",
        "v5 = v4 * 2.0  # exp(x) * 2.0",
        "g2 = g3 * (v2 > 0.0 or v2 != v2)  # x * y <- relu(x * y)",
        "g0 = g2 * v1  # x <- x * y",
        "g0 += g4 * d4  # x <- exp(x)",
    ]:
        assert line in source, (line, source)


def test_a_replay_error_points_at_the_generated_line():
    traced = trace(lambda x: (x - 1).log(), 3.0)
    with pytest.raises(ValueError, match="log") as info:
        traced(0.5)
    frames = traceback.extract_tb(info.value.__traceback__)
    assert any("op_log(" in (frame.line or "") for frame in frames)


def test_a_wide_weighted_sum_is_split_into_lines_the_compiler_takes():
    n = 3000

    def f(*p):
        return weighted_sum(p, p, Value(0.0))

    xs = [0.001 * k for k in range(n)]
    traced = trace(f, *xs)
    out, grads = traced(*xs)
    assert same(out, sum(x * x for x in xs)) and grads[7] == 2 * xs[7]


def test_the_compiled_code_is_reused_from_cache_dir(tmp_path, monkeypatch):
    import autograd.trace.traced as trace_module

    first = trace(network, *[0.1] * 9, cache_dir=str(tmp_path))
    assert len(list(tmp_path.iterdir())) == 1

    def no_compile(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(trace_module, "compile", no_compile, raising=False)
    second = trace(network, *[0.1] * 9, cache_dir=str(tmp_path))
    assert second(*[0.2] * 9) == first(*[0.2] * 9)


# --- memory: a replay builds no Value --------------------------------------------------------


def test_a_replayed_step_builds_no_value(monkeypatch):
    from nn import MLP
    from nn.losses import hinge

    model = MLP(2, [8, 8, 1], rng=0)
    xs = [(0.5, -1.0), (1.5, 0.25), (-0.5, 0.75)]
    ys = [1, -1, 1]
    params = model.parameters()
    traced = trace(lambda *_: hinge([model(x) for x in xs], ys), *params)
    numbers = [p.data for p in params]

    built = []
    real_new, real_init = value_module._new, Value.__init__

    def counting_new(cls):
        built.append(cls)
        return real_new(cls)

    def counting_init(self, *args, **kwargs):
        built.append(type(self))
        real_init(self, *args, **kwargs)

    # Every Value the engine makes goes through one of these two (nodes, leaves).
    monkeypatch.setattr(value_module, "_new", counting_new)  # what `_node` reads
    monkeypatch.setattr(Value, "__init__", counting_init)
    out, grads = traced(*numbers)
    assert built == []
    assert type(out) is float and all(type(g) is float for g in grads)
    hinge([model(x) for x in xs], ys)  # the control: the dynamic path is counted
    assert len(built) > 100


@pytest.mark.parametrize("module", ["autograd.trace", "nn.traced"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# --- exceptions: a path taken through a caught error is never recorded silently ------------


def test_an_op_error_that_f_catches_fails_the_trace():
    def f(x):
        try:
            return x.log()
        except ValueError:
            return x * 0.0

    def g(x):
        try:
            return x.exp()
        except OverflowError:
            return x * 0.0

    with pytest.raises(TraceError, match=r"caught an error of the op 'log'"):
        trace(f, -1.0)
    with pytest.raises(TraceError, match=r"caught an error of the op 'exp'"):
        trace(g, 1000.0)
    traced = trace(f, 2.0)  # no error while traced: the log's path, which raises elsewhere
    assert traced(3.0) == engine_result(f, [3.0])
    with pytest.raises(ValueError, match="log"):
        traced(-1.0)  # an error, never f's other branch silently
    # an error of constants only does not depend on the inputs: nothing to refuse
    def h(x):
        try:
            c = Value(-1.0).log()
        except ValueError:
            c = Value(2.0)
        return x * c

    assert_matches_engine(trace(h, 1.5), h, [4.0])


def test_the_tracers_refusal_caught_by_f_fails_the_trace():
    def g(x):
        try:
            c = float(x)
        except TypeError:
            c = 0.0
        return x * c + x

    def h(x):
        try:
            y = x * (x.data + 1)
        except Exception:
            y = x
        return y

    for f in (g, h):
        with pytest.raises(TraceError, match="caught the tracer's refusal"):
            trace(f, 3.0)
    assert recording.current() is None


# --- guards compare exactly, as Python compares numbers ------------------------------------


def test_a_guard_on_data_compares_with_big_ints_and_fractions_exactly():
    from fractions import Fraction

    big = 2**53

    def f(x):
        return x * 2 if x.data < big + 1 else x * 3

    traced = trace(f, float(big))
    assert traced(float(big)) == (2.0 * big, (2.0,))  # Python: 2**53 < 2**53 + 1
    assert traced.traces == 1
    assert traced(float(big + 2)) == (3.0 * (big + 2), (3.0,))  # the other path, traced
    third = Fraction(1, 3)

    def g(x):
        return x * 2 if x.data < third else x * 3

    traced = trace(g, 1 / 3)
    assert traced(1 / 3) == (2 / 3, (2.0,))  # float(1/3) < 1/3 exactly
    assert traced(0.5)[1] == (3.0,) and traced.traces == 2


@pytest.mark.parametrize("other", [2**53 + 1, "fraction"])
def test_a_guard_on_a_value_never_gives_a_wrong_number(other):
    from fractions import Fraction

    other = Fraction(1, 3) if other == "fraction" else other
    x0 = 1 / 3 if isinstance(other, Fraction) else 2.0**53

    def f(x):
        return x * 2 if x < other else x * 3

    python_says = x0 < other
    if (Value(x0) < other) == python_says:  # the engine compares exactly: so does the trace
        assert trace(f, x0)(x0) == engine_result(f, [x0])
    else:  # the engine rounds the number first: the trace refuses, never disagrees silently
        with pytest.raises(TraceError):
            trace(f, x0)(x0)


# --- the engine's interface to a recorder, per thread --------------------------------------


def test_a_trace_in_one_thread_changes_nothing_for_another():
    import threading

    inside, done = threading.Event(), threading.Event()
    seen = {}

    def slow(x):
        inside.set()
        done.wait(5)
        return x * 2

    def other_thread():
        inside.wait(5)
        v = Value(2.0)
        y = v * v
        seen["float"] = float(y)  # refused inside a trace; here an ordinary float
        seen["data"] = type(y.data)
        y.backward()
        seen["grad"] = v.grad
        with no_grad():
            seen["no_grad"] = (v * 3).parents
        done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    traced = trace(slow, 1.0)
    thread.join(5)
    assert seen == {"float": 4.0, "data": float, "grad": 4.0, "no_grad": ()}
    assert traced(3.0) == (6.0, (2.0,))


def test_a_recorder_hears_each_event_through_the_protocol():
    events = []

    class Listener:
        def created(self, value):
            events.append("created")

        def data(self, value):
            events.append("data")
            return value._data

        def operand(self, other):
            return None

        def compared(self, value, op, other, result):
            events.append(("compared", op, result))

        def escaped(self, value, what):
            events.append(what)

        def failed(self, op, operands, error):
            events.append(("failed", op))

    x = Value(2.0)
    with recording.installed(Listener()):
        y = x * x
        y.data
        y < 5
        float(y)
        with pytest.raises(ValueError):
            Value(-1.0).log()
        with pytest.raises(RuntimeError):
            with recording.installed(Listener()):
                pass
    assert events == [
        "data",
        ("compared", "<", True),
        recording.Escape.FLOAT,
        "created",
        ("failed", ops.LOG),  # the Op itself, not its name
    ]
    assert recording.current() is None
