"""What the value type reports to a recorder (`autograd.recording`), argument by argument.

A tracer sees the engine only through this protocol: a leaf made, `.data` read or written,
a comparison, `float()`, `bool()`, `local_grads`, `backward()`, `no_grad()`, an op that
raised. A hook that passed the wrong value, the wrong op or nothing would make a trace
guard the wrong thing, or miss a path, silently; so each test installs a spy recorder that
writes down every call, and compares the whole list.
"""

from __future__ import annotations

import pytest

from autograd import Value, no_grad, ops, recording
from autograd.engine import is_grad_enabled, traced_by
from autograd.recording import Escape


class Spy:
    """A recorder that writes down every call. `.data` reads as `data_reads_as` (a stand-in
    when set); `operand(x)` gives the Value that `stands_for` maps `id(x)` to."""

    def __init__(self, data_reads_as: object = None) -> None:
        self.calls: list[tuple] = []
        self.data_reads_as = data_reads_as
        self.stands_for: dict[int, Value] = {}

    def created(self, value):
        self.calls.append(("created", value))

    def data(self, value):
        self.calls.append(("data", value))
        return value._data if self.data_reads_as is None else self.data_reads_as

    def operand(self, other):
        self.calls.append(("operand", other))
        return self.stands_for.get(id(other))

    def compared(self, value, op, other, result):
        self.calls.append(("compared", value, op, other, result))

    def escaped(self, value, what):
        self.calls.append(("escaped", value, what))

    def failed(self, op, operands, error):
        self.calls.append(("failed", op, operands, error))


def test_a_leaf_made_while_recording_is_reported_as_itself():
    spy = Spy()
    with recording.installed(spy):
        x = Value(2.0)
        y = x * x  # an op's node is not a `created` leaf
    assert spy.calls == [("created", x)]
    assert y.parents == (x, x)


def test_reading_data_asks_the_recorder_and_returns_what_it_gives():
    x = Value(2.0)
    spy = Spy(data_reads_as="stand-in for x")
    with recording.installed(spy):
        read = x.data
    assert read == "stand-in for x"
    assert spy.calls == [("data", x)]
    assert x.data == 2.0  # uninstalled: the number again


@pytest.mark.parametrize(
    ("escape", "action"),
    [
        (Escape.FLOAT, float),
        (Escape.BOOL, bool),
        (Escape.LOCAL_GRADS, lambda v: v.local_grads),
        (Escape.BACKWARD, lambda v: v.backward()),
        (Escape.SET_DATA, lambda v: setattr(v, "data", 5.0)),
    ],
    ids=lambda p: p.name if isinstance(p, Escape) else "",
)
def test_each_escape_is_reported_with_its_value_and_kind(escape, action):
    x = Value(3.0)
    y = x * x
    spy = Spy()
    with recording.installed(spy):
        action(y)
    assert spy.calls == [("escaped", y, escape)]


def test_an_escape_the_recorder_refuses_stops_before_it_happens():
    class Refuses(Spy):
        def escaped(self, value, what):
            super().escaped(value, what)
            raise RuntimeError(f"refused: {what.value}")

    x = Value(3.0)
    y = x * x
    spy = Refuses()
    with recording.installed(spy):
        with pytest.raises(RuntimeError, match=r"refused: backward\(\)"):
            y.backward()
        with pytest.raises(RuntimeError, match=r"refused: setting \.data"):
            x.data = 4.0
        with pytest.raises(RuntimeError, match=r"refused: float\(\)"):
            float(y)
    assert x.grad == 0.0 and x.data == 3.0  # neither happened
    assert [call[2] for call in spy.calls] == [Escape.BACKWARD, Escape.SET_DATA, Escape.FLOAT]


def test_no_grad_is_reported_once_about_no_value():
    spy = Spy()
    with recording.installed(spy), no_grad():
        pass
    assert spy.calls == [("escaped", None, Escape.NO_GRAD)]


def test_a_leaf_has_no_local_grads_to_escape():
    spy = Spy()
    x = Value(1.0)
    with recording.installed(spy):
        assert x.local_grads == ()
    assert spy.calls == []


@pytest.mark.parametrize(
    ("op", "compare", "expected"),
    [
        ("<", lambda a, b: a < b, False),
        ("<=", lambda a, b: a <= b, True),
        (">", lambda a, b: a > b, False),
        (">=", lambda a, b: a >= b, True),
    ],
)
def test_a_comparison_with_a_number_reports_the_value_op_number_and_result(op, compare, expected):
    x = Value(2.0)
    spy = Spy()
    with recording.installed(spy):
        result = compare(x, 2)
    assert result is expected
    assert spy.calls == [("operand", 2), ("compared", x, op, 2, expected)]


@pytest.mark.parametrize(
    ("op", "compare", "expected"),
    [("<", lambda a, b: a < b, True), (">=", lambda a, b: a >= b, False)],
)
def test_a_comparison_of_two_values_reports_the_other_value(op, compare, expected):
    x, y = Value(1.0), Value(4.0)
    spy = Spy()
    with recording.installed(spy):
        result = compare(x, y)
    assert result is expected
    assert spy.calls == [("compared", x, op, y, expected)]  # no `operand`: y is a Value


def test_a_stand_in_for_data_compares_as_the_value_it_stands_for():
    x, y = Value(1.0), Value(4.0)
    stand_in = object()  # what the recorder gave for `y.data`
    spy = Spy()
    spy.stands_for[id(stand_in)] = y
    with recording.installed(spy):
        assert x < stand_in
        assert not x > stand_in
    assert spy.calls == [
        ("operand", stand_in),
        ("compared", x, "<", stand_in, True),
        ("operand", stand_in),
        ("compared", x, ">", stand_in, False),
    ]


def test_a_comparison_with_what_is_no_number_names_the_op_and_the_thing():
    spy = Spy()
    pattern = r"^'<=': cannot compare a Value with 'a' \(str\)$"
    with recording.installed(spy), pytest.raises(TypeError, match=pattern):
        Value(1.0) <= "a"


def test_an_op_that_raises_reports_its_name_operands_and_error():
    x = Value(-1.0)
    spy = Spy()
    with recording.installed(spy), pytest.raises(ValueError) as raised:
        x.log()
    assert spy.calls == [("failed", ops.LOG, (x,), raised.value)]


def test_an_overflow_is_reported_as_the_error_the_engine_raises():
    x = Value(1000.0)
    spy = Spy()
    pattern = r"^exp: exp\(1000\.0\) overflows a float$"
    with recording.installed(spy), pytest.raises(OverflowError, match=pattern) as raised:
        x.exp()
    assert spy.calls == [("failed", ops.EXP, (x,), raised.value)]


def test_a_two_operand_op_reports_both_operands_or_the_folded_number():
    x, y = Value(1.0), Value(0.0)
    spy = Spy()
    with recording.installed(spy):
        with pytest.raises(ZeroDivisionError) as with_value:
            x / y
        with pytest.raises(ZeroDivisionError) as with_number:
            x / 0
    assert spy.calls == [
        ("failed", ops.DIV, (x, y), with_value.value),
        ("failed", ops.DIV, (x, 0.0), with_number.value),
    ]


def test_traced_by_records_even_inside_no_grad_and_restores_both():
    spy = Spy()
    x = Value(2.0)
    with no_grad():
        with traced_by(spy):
            assert recording.current() is spy and is_grad_enabled()
            y = x * x
        assert recording.current() is None and not is_grad_enabled()
        z = x * x
    assert y.parents == (x, x) and z.parents == ()
