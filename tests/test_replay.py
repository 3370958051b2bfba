"""The backward pass step by step: states, frames, and the HTML and GIF exports."""

import doctest
import re
import sys

import pytest
from hypothesis import given, settings

import autograd.replay
from autograd import Value, topological_order
from autograd.replay import BackwardReplay
from autograd.testing import expressions


def fresh_backward(root: Value) -> None:
    for node in topological_order(root):
        node.grad = 0.0
    root.backward()


def small_graph() -> tuple[Value, Value, Value]:
    x, y = Value(2.0, "x"), Value(-3.0, "y")
    z = x * y
    z.label = "z"
    L = z.tanh() + x
    L.label = "L"
    return x, y, L


@settings(max_examples=60)
@given(expressions(max_steps=10))
def test_the_last_step_equals_the_full_backward(expression):
    inputs = [Value(x, f"x{i}") for i, x in enumerate(expression.inputs)]
    root = expression(*inputs)
    replay = BackwardReplay(root)
    last = replay.state(len(replay))
    fresh_backward(root)
    nodes = topological_order(root)
    assert set(last.grads) == set(nodes)
    for node in nodes:
        assert last.grads[node] == node.grad
    assert last.partial == frozenset()


def test_state_zero_knows_only_the_seed():
    x, y, L = small_graph()
    start = BackwardReplay(L).state(0)
    assert start.grads == {L: 1.0}
    assert start.current is None and start.is_final(L) and not start.is_final(x)


def test_each_steps_node_is_final_when_its_step_runs_and_known_grads_only_grow():
    x, y, L = small_graph()
    replay = BackwardReplay(L)
    previous = set()
    for state in replay.states():
        assert previous <= set(state.grads)
        previous = set(state.grads)
        if state.current is not None:
            assert state.is_final(state.current)
    # x feeds both * and +: after the + step only part of its gradient has arrived.
    after_plus = replay.state(1)
    assert replay.steps[0].node is L
    assert x in after_plus.partial and not after_plus.is_final(x)
    assert replay.state(len(replay)).is_final(x)


def test_state_out_of_range():
    _, _, L = small_graph()
    replay = BackwardReplay(L)
    with pytest.raises(IndexError):
        replay.state(len(replay) + 1)
    with pytest.raises(IndexError):
        replay.state(-1)


def box_of(source: str, label: str) -> str:
    """The statement of the box labelled `label`, its cells' attributes dropped."""
    line = re.search(rf"^.*<B>{label}</B>.*$", source, flags=re.MULTILINE)[0]
    return re.sub(r"<TD[^>]*>", "<TD>", line)


def test_a_frame_shows_known_grads_blanks_the_rest_and_marks_the_current_node():
    x, y, L = small_graph()
    replay = BackwardReplay(L)
    first = replay.draw(0).source
    assert "<TD>grad ?</TD>" in box_of(first, "x")  # unknown: a visible placeholder
    assert "<TD>grad 1</TD>" in box_of(first, "L")
    assert "Start" in first
    step_of_z = next(k for k, step in enumerate(replay.steps, 1) if step.node.label == "z")
    frame = replay.draw(step_of_z).source
    assert 'COLOR="#d62728"' in box_of(frame, "z")  # the current node is marked
    assert 'COLOR="#d62728"' not in box_of(frame, "L")
    assert f"Step {step_of_z} of {len(replay)}" in frame
    assert "grad -3" not in box_of(replay.draw(0).source, "x")


def test_frames_one_per_state():
    _, _, L = small_graph()
    replay = BackwardReplay(L)
    assert len(list(replay.frames())) == len(replay) + 1


@pytest.mark.requires_dot
def test_html_export_is_self_contained(tmp_path):
    x, y, L = small_graph()
    replay = BackwardReplay(L)
    path = tmp_path / "replay.html"
    page = replay.to_html(path, show_local_grads=True)
    assert path.read_text(encoding="utf-8") == page
    # The graph drawn once (its numbers change in place), and four button icons.
    assert page.count('<svg width="') == 1 and page.count('<svg class="icon"') == 4
    assert "http://" not in page and "https://" not in page  # no network, not even a DTD
    assert not re.search(r"\b(src|href)\s*=", page)
    assert '<script type="module">' in page and 'type="range"' in page
    assert "export function updateGraph" in page  # graph_view.js, pasted in


@pytest.mark.requires_dot
def test_gif_export(tmp_path):
    image = pytest.importorskip("PIL.Image")
    _, _, L = small_graph()
    replay = BackwardReplay(L)
    path = tmp_path / "replay.gif"
    replay.to_gif(path)
    with image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == len(replay) + 1


def test_gif_export_without_pillow_names_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL now fails
    _, _, L = small_graph()
    with pytest.raises(ModuleNotFoundError, match="pip install Pillow"):
        BackwardReplay(L).to_gif(tmp_path / "replay.gif")


def test_show_without_ipywidgets_displays_every_frame(monkeypatch):
    display_module = pytest.importorskip("IPython.display")
    shown = []
    monkeypatch.setattr(display_module, "display", shown.append)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    _, _, L = small_graph()
    replay = BackwardReplay(L)
    replay.show()
    assert len(shown) == len(replay) + 1
    assert all(hasattr(frame, "_repr_mimebundle_") for frame in shown)


def test_docstring_examples():
    result = doctest.testmod(autograd.replay)
    assert result.attempted > 0 and result.failed == 0


def test_state_k_is_the_kth_of_states():
    x, y, L = small_graph()
    replay = BackwardReplay(L)
    for k, state in enumerate(replay.states()):
        assert replay.state(k) == state
