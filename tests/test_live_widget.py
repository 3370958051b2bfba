"""The notebook widget's Python side, through its synced state (no browser, no kernel):
`nn.live.LiveView` steps the same numbers as `Session`, its traits mirror the page's step
and loss, the page's messages steer it as the buttons do, and `fit(..., live=view)` lets
Play, Pause and Step steer your own training loop.

Outside a kernel a widget's comm is a dummy; the messages the page would get are caught
by replacing the widget's `send`.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

INSTALL = "nn.live.LiveView needs anywidget: pip install 'backprop-lens[live]'"
pytest.importorskip("anywidget", reason=INSTALL)

from nn import MLP, fit  # noqa: E402
from nn.live import LiveView, Session  # noqa: E402
from nn.live import widget as widget_module  # noqa: E402
from nn.losses import hinge  # noqa: E402
from nn.optim import SGD  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def view():
    v = LiveView()
    sent: list[dict] = []
    v.send = sent.append  # what the page would receive
    v.sent = sent
    yield v
    v.close()


def test_a_new_view_steps_the_numbers_of_session(view):
    reference = Session()
    # Step 0: the loss at the initial parameters, as the page shows it.
    assert (view.steps, view.loss) == (0, reference.initial_loss())
    for k in range(1, 6):
        view.step()
        expected = reference.step()
        assert view.steps == k
        assert view.loss == expected  # exactly: the step's own float
    assert view.session.steps == 5
    frames = [m for m in view.sent if m["type"] == "frame"]
    assert frames[-1]["step"] == 5 and frames[-1]["loss"] == view.loss


def test_a_given_session_is_the_one_trained():
    session = Session({"dataset": "xor", "layers": [4], "seed": 3})
    v = LiveView(session)
    try:
        v.step()
        v.step()
        assert v.session is session and session.steps == 2
        reference = Session({"dataset": "xor", "layers": [4], "seed": 3})
        reference.step()
        assert v.loss == reference.step()
    finally:
        v.close()
    with pytest.raises(TypeError, match=r"LiveView: session must be an nn\.live\.Session"):
        LiveView({"dataset": "xor"})


def test_play_trains_and_pause_stops_it(view):
    view.play()
    deadline = time.monotonic() + 20
    while view.steps < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    view.pause()
    stopped = view.steps
    assert stopped >= 3 and view.playing is False
    time.sleep(0.3)
    assert view.steps == stopped == view.session.steps  # still: nothing after the pause
    assert view.loss == view.session.last_loss


def test_the_pages_messages_steer_it_as_its_buttons(view):
    # What the front end sends through the comm (model.send) arrives here.
    view._receive(view, {"type": "step"}, [])
    view._receive(view, {"type": "step"}, [])
    view.runner.wait_idle()
    assert view.steps == 2
    before = view.loss
    # A malformed message is refused with an error to the page; nothing changes.
    for bad in ({"type": "boom"}, {"type": "speed", "value": -1}, "not an object", None):
        view._receive(view, bad, [])
    view.runner.wait_idle()
    errors = [m for m in view.sent if m["type"] == "error"]
    assert len(errors) == 4
    assert (view.steps, view.loss) == (2, before)
    view._receive(view, {"type": "reset"}, [])
    view.runner.wait_idle()
    assert (view.steps, view.loss) == (0, Session().initial_loss())
    # hello: the page (re)opened: setup and a frame are sent again.
    n = len(view.sent)
    view._receive(view, {"type": "hello"}, [])
    view.runner.wait_idle()
    assert [m["type"] for m in view.sent[n:]][:1] == ["setup"]


def test_a_message_whose_type_is_not_text_is_refused_as_the_app_refuses_it(view):
    # A list or an object as `type` is unhashable: it must be a clear refusal, not a
    # TypeError out of the widget's comm handler.
    view.step()
    before = (view.steps, view.loss)
    for bad in ({"type": ["play"]}, {"type": {}}, {"type": {"a": [1]}}, {"type": 5}):
        view._receive(view, bad, [])
    view.runner.wait_idle()
    errors = [m["message"] for m in view.sent if m["type"] == "error"]
    assert len(errors) == 4 and all("unknown message type" in e for e in errors), errors
    assert (view.steps, view.loss) == before


def _moons_training():
    session = Session()
    model = MLP(2, [8, 1], rng=0)
    return session.train_xs, session.targets(session.train_ys), model


def test_fit_with_a_view_gives_the_numbers_of_fit_without(view):
    xs, ys, model = _moons_training()
    view.runner.wait_idle()  # its first frame made: the training thread is still
    alone = MLP(2, [8, 1], rng=0)
    expected = fit(alone, xs, ys, hinge, SGD(alone.parameters(), lr=0.05), steps=15, progress=False)
    history = fit(model, xs, ys, hinge, SGD(model.parameters(), lr=0.05), steps=15,
                  progress=False, live=view)  # fmt: skip
    assert history == expected  # and the view shows the last step when fit returns:
    assert view.session.model is model
    assert (view.steps, view.loss) == (15, expected[-1])
    assert view.playing is False  # the run ended: the view paused itself
    assert [p.data for p in model.parameters()] == [p.data for p in alone.parameters()]
    # No step at all: nothing to wait for.
    assert fit(model, xs, ys, hinge, SGD(model.parameters(), lr=0.05), steps=0, live=view) == []
    assert view.steps == 0 and view.session.model is model


def test_your_own_engine_code_beside_a_playing_view_gets_the_right_gradients(view):
    # The engine's grad mode is per thread: the view's no_grad() maps leave yours recording.
    from autograd import Value

    view.play()
    try:
        for _ in range(200):
            x = Value(1.5)
            y = x * x + x.exp()
            y.backward()
            assert x.grad == pytest.approx(2 * 1.5 + math.exp(1.5), rel=1e-12)
    finally:
        view.pause()
    assert view.steps > 0


def test_pause_and_step_steer_your_own_loop_beside_the_main_thread(view):
    xs, ys, model = _moons_training()
    optimizer = SGD(model.parameters(), lr=0.05)
    view.runner.speed = 20.0  # slow enough to pause in the middle
    job = view.run(fit, model, xs, ys, hinge, optimizer, steps=400, progress=False, live=view)
    deadline = time.monotonic() + 20
    while view.steps < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    view.pause()
    paused = view.steps
    time.sleep(0.4)
    assert 2 <= paused < 400 and view.steps == paused and not job.done()  # the loop waits
    view.step()
    assert view.steps == paused + 1  # exactly one step of your loop
    view.runner.speed = 0.0
    view.play()
    history = job.result(timeout=120)
    assert len(history) == 400
    assert view.steps == 400 and view.loss == history[-1]


def test_a_reset_in_the_page_stops_your_loop_with_a_clear_error(view):
    xs, ys, model = _moons_training()
    view.runner.speed = 20.0
    job = view.run(fit, model, xs, ys, hinge, SGD(model.parameters(), lr=0.05), steps=400,
                   progress=False, live=view)  # fmt: skip
    time.sleep(0.3)
    view.reset()
    with pytest.raises(RuntimeError, match="the live view left this training"):
        job.result(timeout=30)
    assert view.steps == 0  # the page's own network on your points, from step 0


def test_a_loop_that_raises_leaves_the_view_working(view):
    """Your loop raised (or you interrupted the cell): the view stops waiting for its next
    step, says so in the page, and its buttons work again."""
    xs, ys, model = _moons_training()

    def failing(step, value):  # fit's callback, in step `step` (from 0)
        if step == 3:
            raise KeyError("a bug in your loop")

    with pytest.raises(KeyError, match="a bug in your loop"):
        fit(model, xs, ys, hinge, SGD(model.parameters(), lr=0.05), steps=50, progress=False,
            callback=failing, live=view)  # fmt: skip
    start = time.monotonic()
    view.pause()  # answered: the runner is not stuck waiting for step 4
    assert time.monotonic() - start < 5.0
    assert view.steps == 3 and view.playing is False
    messages = [m["message"] for m in view.sent if m["type"] == "error"]
    assert any("your training loop stopped" in m for m in messages), messages
    view.reset()
    view.step()
    assert view.steps == 1


def test_attach_refuses_what_the_page_cannot_draw(view):
    model = MLP(3, [4, 1], rng=0)
    with pytest.raises(ValueError, match="2-D inputs"):
        view.attach(model, [[0.0, 1.0, 2.0]], [1], hinge, SGD(model.parameters(), lr=0.1))
    model = MLP(2, [4, 1], rng=0)
    with pytest.raises(ValueError, match="class labels"):
        view.attach(model, [[0.0, 1.0]], [0.25], hinge, SGD(model.parameters(), lr=0.1))


def test_the_front_end_is_the_pages_own_modules():
    esm = widget_module.front_end_module()
    modules = json.loads(esm.split("const MODULES = ", 1)[1].split(";\n", 1)[0])
    names = [name for name, _ in modules]
    # The entry last, each module after everything it imports.
    assert names[-1] == "widget.js"
    assert {"ui.js", "draw.js", "autograd/graph_view.js"} <= set(names)
    for k, (name, text) in enumerate(modules):
        for dependency in re.findall(r'"@nn-live:([^"]+)"', text):
            assert dependency in names[:k], (name, dependency)
        # The file's own text, but for its relative import specifiers.
        folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        restored = re.sub(r'"@nn-live:' + re.escape(folder) + r'([^"]+)"', r'"./\1"', text)
        assert restored == widget_module._module_path(name).read_text(encoding="utf-8")
    assert "export default entry.default" in esm
    css = widget_module.front_end_css()
    assert ".nn-live" in css and not re.search(r"(?m)^\s*body\b", css)


def test_without_anywidget_the_entry_point_says_what_to_install():
    code = (
        "import sys; sys.modules['anywidget'] = None\n"
        "import nn.live\n"
        "try:\n    nn.live.LiveView\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, check=True)  # fmt: skip
    assert out.stdout.strip() == INSTALL


def test_traced_fit_with_a_view_gives_the_numbers_of_fit(view):
    # One loop: the live hook is fit's, whichever step computes the gradients.
    from nn.traced import fit as traced_fit

    xs, ys, model = _moons_training()
    view.runner.wait_idle()
    alone = MLP(2, [8, 1], rng=0)
    expected = fit(alone, xs, ys, hinge, SGD(alone.parameters(), lr=0.05), steps=10, progress=False)
    history = traced_fit(model, xs, ys, hinge, SGD(model.parameters(), lr=0.05), steps=10,
                         progress=False, live=view)  # fmt: skip
    assert history == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert view.session.model is model
    assert (view.steps, view.loss) == (10, history[-1])
    assert view.playing is False
