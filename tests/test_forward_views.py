"""The views of forward mode: draw with tangents, the forward replay beside the backward
one, the sum over paths, and the cost view that counts passes."""

import math
import re

import pytest
from hypothesis import given, settings

from autograd import Value, grad, jacrev
from autograd.cost import cost
from autograd.forward import tangents
from autograd.forward_replay import ForwardAndBackward, ForwardReplay
from autograd.paths import sum_over_paths
from autograd.testing import expressions
from autograd.viz import draw


def colah():
    a, b = Value(2.0, "a"), Value(1.0, "b")
    c = a + b
    c.label = "c"
    d = b + 1
    d.label = "d"
    e = c * d
    e.label = "e"
    return a, b, c, d, e


def plain(source: str) -> str:
    """The dot source with table cells' attributes (ids, links, widths) dropped, so that a
    test reads the cells' texts: <TD>tangent 1</TD>."""
    return re.sub(r"<TD[^>]*>", "<TD>", source)


# --- draw(..., tangents=...) -------------------------------------------------------------------


def test_draw_shows_each_nodes_tangent_where_a_forward_pass_was_seeded():
    a, b, c, d, e = colah()
    source = plain(draw(e, tangents=tangents([e], {b: 1.0})).source)
    for name, tangent in (("a", 0), ("b", 1), ("c", 1), ("d", 1), ("e", 5)):
        assert f"<B>{name}</B></TD><TD>data" in source
        box = source[source.index(f"<B>{name}</B>") :].split("</TR>")[0]
        assert f"tangent {tangent}</TD>" in box, box
    assert "tangent" not in draw(e).source  # only when asked for
    partial = plain(draw(e, tangents={b: 1.0}).source)  # a node missing: a blank tangent line
    assert partial.count("<TD>tangent</TD>") == 4 and "tangent 1</TD>" in partial


# --- the forward replay, beside the backward one -----------------------------------------------


def test_forward_replay_of_colahs_example():
    a, b, c, d, e = colah()
    replay = ForwardReplay(e, b)
    assert len(replay) == 3
    assert replay.state(0).tangents == {b: 1.0, a: 0.0}
    assert replay.tangents == {a: 0.0, b: 1.0, c: 1.0, d: 1.0, e: 5.0}
    assert replay.caption(0) == "Start: ∂b/∂b = 1, the seed of the forward pass"
    assert replay.caption(3) == "Step 3 of 3: ∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5"
    states = list(replay.states())
    assert [s.step for s in states] == [0, 1, 2, 3] and states[-1].current is e
    for state in states:
        assert state.tangents == replay.state(state.step).tangents
    with pytest.raises(IndexError, match="step 4 is not in 0..3"):
        replay.state(4)
    with pytest.raises(TypeError, match="ForwardReplay: root must be a Value"):
        ForwardReplay(5.0, b)
    frame = plain(replay.draw(3).source)
    assert "tangent 5</TD>" in frame and "Step 3 of 3" in frame
    assert "#d62728" in frame  # the step's node marked
    assert len(list(replay.frames())) == 4


def test_forward_replay_from_several_seeds_names_tangents():
    a, b, c, d, e = colah()
    replay = ForwardReplay(e, {a: 1.0, b: 1.0})
    assert replay.tangents[e] == 2.0 + 5.0
    assert replay.caption(len(replay)).startswith("Step 3 of 3: tangent(e) = ")


@given(expressions(max_steps=10))
def test_the_forward_and_backward_replays_end_with_the_same_derivative(expr):
    xs = [Value(x, f"x{i}") for i, x in enumerate(expr.inputs)]
    out = expr(*xs)
    gradients = grad(out, xs)
    for x, g in zip(xs, gradients):
        both = ForwardAndBackward(out, x)
        assert both.forward_result == pytest.approx(g.data, rel=1e-9, abs=1e-12)
        assert both.backward_result == pytest.approx(g.data, rel=1e-9, abs=1e-12)
        # every tangent the replay shows is final: the steps' tangents are the sweep's
        assert both.forward.tangents == tangents([out], {x: 1.0})


def test_forward_and_backward_side_by_side_as_text_and_html():
    a, b, c, d, e = colah()
    both = ForwardAndBackward(e, b)
    text = str(both)
    assert text.startswith("∂e/∂b = 5 by the forward pass (3 steps, from b), 5 by the backward")
    assert "forward:  Step 1 of 3" in text and "backward: Step 3 of 3: ∂e/∂d = 3 is final" in text
    html = both._repr_html_()
    assert html.count("<tr>") == 5 and "forward (tangents)" in html
    with pytest.raises(TypeError, match="ForwardAndBackward: wrt must be a Value"):
        ForwardAndBackward(e, 1.0)


@pytest.mark.requires_dot
def test_side_by_side_page_is_self_contained(tmp_path):
    a, b, c, d, e = colah()
    page = ForwardAndBackward(e, b).to_html(tmp_path / "both.html")
    assert (tmp_path / "both.html").read_text(encoding="utf-8") == page
    assert page.count("<section") == 4 and page.count("<svg") == 8
    assert "http" not in page and "tangent 5" in page


# --- the sum over paths ------------------------------------------------------------------------


def test_colahs_sum_over_paths():
    a, b, c, d, e = colah()
    paths = sum_over_paths(e, b)
    assert [[n.label for n in p.nodes] for p in paths.paths] == [["b", "c", "e"], ["b", "d", "e"]]
    assert [p.factors for p in paths.paths] == [(1.0, 2.0), (1.0, 3.0)]
    assert paths.total == 5.0 and paths.formula() == "∂e/∂b = 1·2 + 1·3 = 5"
    assert sum_over_paths(e, a).formula() == "∂e/∂a = 1·2 = 2"
    other = Value(3.0, "z")
    nothing = sum_over_paths(e, other)
    assert nothing.paths == () and nothing.total == 0.0 and "no path" in str(nothing)
    assert "<table>" in paths._repr_html_()


def test_each_operand_occurrence_is_an_edge_of_its_own():
    x = Value(3.0, "x")
    y = x * x
    paths = sum_over_paths(y, x)
    assert len(paths.paths) == 2 and paths.total == 6.0 == grad(y, [x])[0].data


def test_too_many_paths_are_counted_not_listed():
    x = Value(1.0, "x")
    y = x
    for _ in range(40):  # 2**40 paths, counted in 40 steps
        y = y * y
    with pytest.raises(ValueError, match=r"1099511627776 paths from x to .*max_paths=1000"):
        sum_over_paths(y, x)
    with pytest.raises(TypeError, match="sum_over_paths: wrt must be a Value"):
        sum_over_paths(y, 1.0)


@settings(max_examples=50)
@given(expressions(max_steps=8))
def test_the_sum_over_paths_is_the_gradient(expr):
    xs = [Value(x) for x in expr.inputs]
    out = expr(*xs)
    for x, g in zip(xs, grad(out, xs)):
        paths = sum_over_paths(out, x, max_paths=100_000)
        for path in paths.paths:
            assert path.nodes[0] is x and path.nodes[-1] is out
            assert len(path.factors) == len(path.nodes) - 1
            for parent, child, factor in zip(path.nodes, path.nodes[1:], path.factors):
                assert factor in [d for p, d in zip(child.parents, child.local_grads) if p is parent]
        assert paths.total == pytest.approx(g.data, rel=1e-9, abs=1e-12) or (
            math.isnan(paths.total) and math.isnan(g.data)
        )


def test_the_paths_figure():
    a, b, c, d, e = colah()
    source = sum_over_paths(e, b).draw().source
    assert "∂e/∂b = 1·2 + 1·3 = 5" in source
    assert source.count("->") == 5 and source.count("penwidth=2.5") == 4  # 4 edges on paths
    with pytest.raises(ValueError, match="rankdir"):
        sum_over_paths(e, b).draw(rankdir="RL")


# --- the cost view -----------------------------------------------------------------------------


def test_cost_counts_a_pass_per_input_forward_and_per_output_reverse():
    wide = cost(lambda x, y, z: x * y + z, 1.0, 2.0, 3.0)  # 3 inputs, 1 output
    assert (wide.forward.forward, wide.reverse.reverse) == (3, 1)
    assert wide.cheaper == "reverse mode" and wide.agree
    assert wide.jacobian_reverse == jacrev(lambda x, y, z: x * y + z)(1.0, 2.0, 3.0)
    tall = cost(lambda x: [x * 2, x.sin(), x.exp()], 1.0)  # 1 input, 3 outputs
    assert (tall.forward.forward, tall.reverse.reverse) == (1, 3)
    assert tall.cheaper == "forward mode"
    assert "1 input -> 3 outputs" in str(tall) and "<pre>" in tall._repr_html_()
    square = cost(lambda x, y: [x * y, x + y], 1.0, 2.0)
    assert square.cheaper == "as many either way"
