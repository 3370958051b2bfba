"""nn.live without a server: the Session, its config checks, the URL state, the runner's
messages and frames (no browser, no Starlette: these run on PyPy too)."""

from __future__ import annotations

import math
import threading
import time

import pytest

from autograd import Value
from nn.live import ConfigError, Session, check_config
from nn.live import frames as frames_module
from nn.live.runner import QUEUE_SIZE, Runner
from nn.live.session import DEFAULTS, config_from_query, config_to_query


def test_default_session_is_the_moons_network():
    session = Session()
    assert session.config["dataset"] == "moons"
    assert repr(session.model).startswith("MLP(2-16-16-1")
    assert len(session.params) == 337
    assert len(session.train_xs) == 80 and len(session.test_xs) == 20
    assert session.step_mode == "traced"


def test_step_returns_the_loss_and_training_lowers_it():
    session = Session({"dataset": "xor", "layers": [8], "lr": 0.05, "seed": 2})
    losses = [session.step() for _ in range(60)]
    assert all(isinstance(v, float) for v in losses)
    assert session.steps == 60 and session.last_loss == losses[-1]
    assert losses[-1] < 0.7 * losses[0]


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"loss": "bce", "optimizer": "adam", "lr": 0.02, "layers": [5, 3]},
        {"dataset": "circles", "activation": "tanh", "l2": 0.0},
    ],
)
def test_traced_step_gives_the_engine_steps_numbers(config):
    """The traced step (a generated program) against the plain engine step: same floats."""
    traced = Session(config)
    engine = Session(config)
    engine.step_mode = "engine"
    assert traced.step_mode == "traced"
    for _ in range(5):
        a, b = traced.step(), engine.step()
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)
    for p, q in zip(traced.params, engine.params):
        assert p.data == pytest.approx(q.data, rel=1e-12, abs=1e-15)


def test_minibatches_and_cross_entropy_use_the_engine_step_and_are_reproducible():
    config = {"dataset": "spiral", "loss": "cross_entropy", "batch": 16, "layers": [6]}
    a, b = Session(config), Session(config)
    assert a.step_mode == "engine"
    assert [a.step() for _ in range(4)] == [b.step() for _ in range(4)]


def test_the_sample_graph_leaves_training_untouched():
    plain, looked_at = Session(), Session()
    for _ in range(3):
        plain.step()
        looked_at.sample_loss(5)
        frames_module.heavy(looked_at)
        looked_at.step()
    assert [p.data for p in plain.params] == [p.data for p in looked_at.params]


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"lr": -1.0}, "lr"),
        ({"lr": 1e9}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"lr": "0.1"}, "lr"),
        ({"layers": [4] * 1000}, "at most 6"),
        ({"layers": [100]}, "1 to 32"),
        ({"dataset": "mnist"}, "dataset"),
        ({"samples": 10**9}, "samples"),
        ({"dataset": "spiral", "loss": "hinge"}, "cross_entropy"),
        ({"nonsense": 1}, "unknown config key"),
        ({"points": [[0, 0, 7]]}, "class"),
        ({"batch": True}, "batch"),
    ],
)
def test_bad_configs_are_refused_by_name(config, words):
    with pytest.raises(ConfigError, match=words):
        Session(config)


def test_url_state_round_trip():
    config = check_config(
        {"dataset": "xor", "layers": [3, 2], "lr": 0.25, "points": [[0.5, -1.0, 1]], "removed": [4]}
    )
    query = config_to_query(config)
    assert query["layers"] == "3,2"
    assert check_config(config_from_query({**query, "token": "secret"})) == config


def test_points_added_by_hand_train():
    session = Session({"points": [[3.0, 3.0, 1]], "removed": [0, 1]})
    assert session.train_xs[-1] == [3.0, 3.0] and session.train_ys[-1] == 1
    assert len(session.train_xs) + len(session.test_xs) == 100 - 2 + 1


# --- the runner ---------------------------------------------------------------------------


class Inbox:
    """What the runner emits, collected, with a way to wait for a kind of message."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, message: dict) -> None:
        with self.lock:
            self.messages.append(message)

    def of(self, kind: str) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if m["type"] == kind]


@pytest.fixture
def runner():
    inbox = Inbox()
    r = Runner(inbox, {"dataset": "xor", "layers": [4], "samples": 40}).start()
    r.inbox = inbox  # type: ignore[attr-defined]  # the test's handle on it
    r.wait_idle()
    yield r
    r.stop()


def test_step_is_exactly_one_step_and_matches_a_session(runner):
    for _ in range(3):
        runner.step()
    runner.wait_idle()
    frame = runner.inbox.of("frame")[-1]
    reference = Session(runner.session.config)
    expected = [reference.step() for _ in range(3)][-1]
    assert frame["step"] == 3 and frame["loss"] == expected
    assert runner.inbox.of("setup")[0]["sizes"] == [2, 4, 1]


def test_play_then_pause_stops_the_frames(runner):
    runner.play()
    deadline = time.monotonic() + 20
    while runner.session.steps < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    runner.pause()
    runner.wait_idle()
    steps = runner.session.steps
    last = runner.inbox.of("frame")[-1]
    assert steps >= 5 and last["step"] == steps and last["playing"] is False
    count = len(runner.inbox.of("frame"))
    time.sleep(0.3)
    assert runner.session.steps == steps and len(runner.inbox.of("frame")) == count


@pytest.mark.parametrize(
    "message",
    [
        "not an object",
        {"type": "launch_missiles"},
        {"type": "speed", "value": -5},
        {"type": "speed", "value": 1e12},
        {"type": "config", "config": {"lr": -0.1}},
        {"type": "config", "config": {"layers": [8] * 1000}},
        {"type": "config", "config": {"dataset": "unknown"}},
        {"type": "config", "config": "lr=5"},
        {"type": "add_point", "x": float("nan"), "y": 0, "class": 1},
        {"type": "select", "sample": 10**6},
        {"type": "explain", "node": 10**6},
        {"type": "download", "what": "/etc/passwd"},
    ],
)
def test_a_bad_message_is_refused_and_changes_nothing(runner, message):
    runner.step()
    runner.wait_idle()
    config, steps = runner.session.config, runner.session.steps
    values = [p.data for p in runner.session.params]
    session = runner.session
    runner.submit(message)
    runner.wait_idle()
    assert runner.inbox.of("error"), message
    assert runner.session is session and runner.session.config == config
    assert runner.session.steps == steps and [p.data for p in session.params] == values
    runner.step()  # and it still trains
    runner.wait_idle()
    assert runner.session.steps == steps + 1


def test_a_flood_is_bounded(runner):
    runner.pause()
    for _ in range(QUEUE_SIZE * 4):
        runner.submit({"type": "speed", "value": 10})
    runner.wait_idle()
    errors = runner.inbox.of("error")
    assert errors and "dropped" in errors[-1]["message"]
    runner.step()
    runner.wait_idle()
    assert runner.inbox.of("frame")[-1]["step"] == 1


@pytest.mark.requires_dot  # the sample's graph is laid out by Graphviz's dot
def test_sample_graph_explain_and_replay(runner):
    runner.submit({"type": "select", "sample": 2})
    runner.step()
    runner.wait_idle()
    graph = runner.inbox.of("graph")[-1]
    assert graph["sample"] == 2
    # Every node listed is in the drawing, as itself or as a folded box, and only those.
    for k in graph["nodes"]:
        kind = "fold" if k in graph["folded"] else "node"
        assert f'id="{kind}-{k}"' in graph["svg"]
    assert graph["svg"].count('class="node"') >= len(graph["nodes"])
    k = graph["count"] - 1  # the loss itself, last in topological order
    assert k in graph["nodes"] and f'id="node-{k}-grad"' in graph["svg"]
    values = runner.inbox.of("frame")[-1]["graph"]
    # The engine's own numbers: the sample's loss at the current parameters.
    loss, _, _ = runner.session.sample_loss(2)
    at = graph["nodes"].index(k)
    assert values["data"][at] == frames_module.num(loss.data) and values["grad"][at] == 1.0
    assert len(values["data"]) == len(graph["nodes"])
    # A weight's grad in the graph is this sample's ∂L/∂w, not the batch's (kept in .grad).
    params = runner.session.params
    _, _, _ = runner.session.sample_loss(2)
    own = runner.session.sample_param_grads
    shown_weights = [
        (i, params.index(p))
        for i, k in enumerate(graph["nodes"])
        for p in params
        if p.label == graph["names"][k]
    ]
    assert shown_weights
    for i, j in shown_weights:
        assert values["grad"][i] == frames_module.num(own[j])
    assert any(own[j] != params[j].grad for _, j in shown_weights)
    # A folded box unfolds on request: more nodes, laid out again; null folds back.
    runner.submit({"type": "unfold", "node": graph["folded"][0]})
    runner.wait_idle()
    unfolded = runner.inbox.of("graph")[-1]
    assert len(unfolded["nodes"]) > len(graph["nodes"])
    runner.submit({"type": "unfold", "node": k})  # not a folded box: refused
    runner.submit({"type": "unfold", "node": None})
    runner.wait_idle()
    assert "not a folded box" in runner.inbox.of("error")[-1]["message"]
    assert runner.inbox.of("graph")[-1]["nodes"] == graph["nodes"]
    runner.submit({"type": "explain", "neuron": [0, 1]})
    runner.submit({"type": "replay"})
    runner.wait_idle()
    explained = runner.inbox.of("explain")[-1]
    assert explained["lines"][0].startswith("∂L/∂h0.1") or explained["lines"][0].startswith(
        "∂L/∂z0.1"
    )
    assert math.isclose(
        sum(t["contribution"] for t in explained["terms"]), explained["total"], abs_tol=1e-4
    )
    replay = runner.inbox.of("replay")[-1]
    assert replay["steps"][0]["current"] is None and len(replay["steps"]) > 3


def test_downloads_are_nn_saves_json_and_the_traced_code(runner):
    import json

    from nn.serialize import load

    runner.submit({"type": "download", "what": "model"})
    runner.submit({"type": "download", "what": "code"})
    runner.wait_idle()
    model, code = runner.inbox.of("download")[-2:]
    state = json.loads(model["text"])
    assert state["architecture"]["nouts"] == [4, 1]
    assert code["name"] == "traced_step.py" and "def " in code["text"]
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.json")
        with open(path, "w") as f:
            f.write(model["text"])
        loaded = load(path)
    assert loaded([0.5, 0.5]).data == runner.session.model([0.5, 0.5]).data


def test_frames_are_json_without_nan():
    session = Session({"dataset": "students", "loss": "bce", "layers": [2]})
    session.step()
    text = frames_module.dumps({"type": "frame", **frames_module.light(session),
                                **frames_module.heavy(session)})  # fmt: skip
    assert "NaN" not in text
    assert frames_module.num(float("nan")) is None
    assert isinstance(Value(1.0), Value)


def test_defaults_are_documented_keys():
    assert set(check_config(None)) == set(DEFAULTS)


def test_click_to_add_and_shift_click_to_remove_points(runner):
    n = len(runner.session.train_xs)
    runner.submit({"type": "add_point", "x": 0.25, "y": -0.5, "class": 0})
    runner.wait_idle()
    assert runner.session.config["points"] == [[0.25, -0.5, 0]]
    assert len(runner.session.train_xs) == n + 1 and runner.session.train_ys[-1] == 0
    runner.submit({"type": "remove_point", "x": 0.25, "y": -0.5})  # the point just added
    runner.wait_idle()
    assert runner.session.config["points"] == [] and len(runner.session.train_xs) == n
    x, y = runner.session.generated[0][5]
    runner.submit({"type": "remove_point", "x": x, "y": y})  # a generated one
    runner.wait_idle()
    assert 5 in runner.session.config["removed"]
    errors = len(runner.inbox.of("error"))
    runner.submit({"type": "remove_point", "x": 1e5, "y": 1e5})  # nothing there
    runner.wait_idle()
    assert len(runner.inbox.of("error")) == errors + 1


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"activation": "tanh", "loss": "bce", "layers": [5, 3]},
        {"activation": "sigmoid", "layers": [4]},
        {"activation": "linear", "layers": [3, 3]},
        {"dataset": "spiral", "loss": "cross_entropy", "layers": [6]},
    ],
)
def test_the_maps_float_forward_is_the_engines_to_the_bit(config):
    """The maps' grid runs each op's numeric rule on floats (no nodes): the same floats as
    the model run by the engine."""
    import random

    session = Session(config)
    for _ in range(3):
        session.step()
    forward = frames_module.float_forward(session)
    rng = random.Random(0)
    for _ in range(50):
        point = [rng.uniform(-3, 3), rng.uniform(-3, 3)]
        assert forward(point) == session.activations(point)
    for xs, ys in [(session.train_xs, session.train_ys), (session.test_xs, session.test_ys)]:
        assert frames_module.evaluate(session, forward, xs, ys) == session.evaluate(xs, ys)


def test_pause_answers_with_one_whole_frame_and_nothing_after(runner):
    runner.play()
    deadline = time.monotonic() + 20
    while runner.session.steps < 20 and time.monotonic() < deadline:
        time.sleep(0.02)
    count = len(runner.inbox.of("frame"))
    runner.pause()
    runner.wait_idle()
    time.sleep(0.5)  # a map asked for before the pause would come back by now
    after = runner.inbox.of("frame")[count:]
    last = after[-1]
    assert last["playing"] is False and last["step"] == runner.session.steps
    assert "boundary" in last and "metrics" in last  # the maps of the step it stopped on
    assert not any(f["playing"] is False for f in after[:-1])
    assert runner.inbox.of("frame")[-1] is last


def _queued_then_started(messages, config):
    """A runner whose training thread starts with `messages` already queued (as a page's
    burst arrives while a set-up is being built)."""
    inbox = Inbox()
    r = Runner(inbox, config)
    for m in messages:
        r.submit(m)
    r.inbox = inbox  # type: ignore[attr-defined]  # the test's handle on it
    r.start().wait_idle()
    return r


def test_a_storm_of_set_up_changes_builds_the_last_one_once():
    # 50 config changes with a step after each: the steps between two changes acted on a
    # session replaced at once; only the last set-up is built (each build traces the
    # step: seconds at the work limit), and it is the one sequential handling gives.
    config = {"dataset": "xor", "layers": [3], "samples": 20}
    storm = []
    for i in range(50):
        change = {"lr": -1} if i == 10 else {"lr": 0.01 * (i + 1), "seed": i}
        storm += [{"type": "config", "config": change}, {"type": "step"}]
    r = _queued_then_started(storm, config)
    try:
        setups = r.inbox.of("setup")
        assert len(setups) == 2, len(setups)  # the last set-up, then hello's
        errors = r.inbox.of("error")
        assert len(errors) == 1 and "lr" in errors[0]["message"], errors
        expected = Session({**config, "lr": 0.5, "seed": 49})
        assert r.session.config == expected.config
        assert (r.session.steps, r.playing) == (1, False)  # the last step, on the last set-up
        assert r.inbox.of("frame")[-1]["loss"] == expected.step()
    finally:
        r.stop()


def test_points_added_in_a_burst_are_all_kept_and_built_once():
    config = {"dataset": "xor", "layers": [2], "samples": 20}
    clicks = [{"type": "add_point", "x": 0.1 * i, "y": 0.05 * i, "class": i % 2} for i in range(20)]
    r = _queued_then_started([{"type": "play"}, *clicks, {"type": "speed", "value": 5}], config)
    try:
        assert len(r.inbox.of("setup")) == 2
        points = r.session.config["points"]
        assert points == [[0.1 * i, 0.05 * i, i % 2] for i in range(20)]
        assert r.playing and r.speed == 5  # play before and speed after: still in effect
    finally:
        r.stop()


def test_a_set_up_that_passes_the_check_but_cannot_be_built_changes_nothing():
    # No training points passes check_config and fails in Session(): the error goes back,
    # the set-up before it is built, and the messages after it are handled.
    config = {"dataset": "xor", "layers": [2], "samples": 20}
    empty = {"type": "config", "config": {"dataset": "custom", "points": []}}
    r = _queued_then_started(
        [{"type": "config", "config": {"lr": 0.2}}, empty, {"type": "step"}], config
    )
    try:
        errors = r.inbox.of("error")
        assert len(errors) == 1 and "no training points" in errors[0]["message"], errors
        assert r.session.config == Session({**config, "lr": 0.2}).config  # the one before
        assert r.session.steps == 1
    finally:
        r.stop()
