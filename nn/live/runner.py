"""The runner: drives a `Session` in a training thread and sends what the page draws.

The page (or the notebook widget) and the runner talk in JSON messages, whatever carries
them (a WebSocket for the app, a widget's model in a notebook): `nn.live.messages`
documents them. `Runner.submit(message)` takes one from the page; `emit(message)`, given
to the runner, sends one to it.

Threads: the training thread runs the steps, the sample's graph and tracing, and makes
every frame between two steps, so the page never sees a half-updated step. The heavy part
(metrics, boundary, neuron maps, 20-40 ms) is computed in a second thread from a
`Session.snapshot()` taken at a step boundary, under `no_grad()` (the engine's grad mode
is per thread), while training goes on; its result comes back to the training thread as a
message and goes out with the next frame (a stale one, older than what the page has, is
dropped). Pause and Step answer with one frame that has everything, maps included, made
at once (the training thread is not training then): the page's last update.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import deque
from collections.abc import Mapping
from typing import Any, Callable

from autograd import no_grad
from nn.live import frames
from nn.live.config import changed
from nn.live.maps import Curve, MapsThread, Rate
from nn.live.messages import MessageError, check_message
from nn.live.sample_graph import Relayout, SampleGraph, replay
from nn.live.session import Session, check_config

FRAME_INTERVAL = 1 / 48  # a light frame at most this often (the page draws 30 or more)
HEAVY_INTERVAL = 0.4  # boundary, maps, table, metrics at most this often (they cost ~40 ms)
QUEUE_SIZE = 256  # messages waiting for the training thread; beyond, refused
# A run of set-up changes is built once (Runner._change_setup): the messages that make a
# new session from the config alone, those whose effect a new session replaces (but for
# the pause in it), and those handled in order between them.
SETUP_CHANGES = frozenset({"config", "add_point"})
SUPERSEDED = frozenset({"step", "reset", "pause"})
PASSING = frozenset({"play", "speed", "_heavy"})

Emit = Callable[[dict], None]


class Runner:
    """A `Session` trained in a thread, steered by messages, reporting in frames.

    `Runner(emit, config)`; `start()`, `submit(message)`, `stop()`. Play/Pause/Step/Reset
    and speed also as methods. `session` is the session being trained (read it only while
    paused: the training thread owns it).
    """

    def __init__(self, emit: Emit, config: Mapping[str, Any] | None = None) -> None:
        self.emit = emit
        self.session = Session(config)
        self.playing = False
        self.speed = 0.0  # steps per second; 0: as fast as it goes
        self._commands: queue.Queue = queue.Queue(QUEUE_SIZE)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nn.live training", daemon=True)
        self._curve = Curve()
        self._graph: SampleGraph | None = None
        self._explained: tuple[str, Any] | None = None
        self._last_light = 0.0
        self._last_heavy = 0.0
        self._dirty = True
        self._rate = Rate()
        self.frames_sent = 0
        self._generation = 0  # bumped by each new session: a late map of the old one is dropped
        self._maps = MapsThread(self._deliver_heavy, self._stop)
        self._heavy_steps = -1  # the step of the last maps sent: an older result is stale
        self._marks: list[threading.Event] = []  # wait_idle's, answered once the maps are out
        self._heavy_wanted = False  # asked for while busy: another once this one is back

    # --- from any thread ---------------------------------------------------------------

    def start(self) -> Runner:
        self._maps.start()
        self._thread.start()
        self.submit({"type": "hello"})
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._maps.join(timeout)

    def submit(self, message: object, reply: Emit | None = None) -> None:
        """Queue a page's message for the training thread; a malformed one, or one over
        the queue's bound (a flood), gets an "error" reply and changes nothing.

        `reply` (from any thread) sends to the page that sent it alone: a refusal of its
        message and a download go there, not to every page open (`emit`); what changes
        the state (a new set-up, a frame) goes to all."""
        answer = self.emit if reply is None else reply
        try:
            checked = check_message(message)
        except MessageError as e:
            answer({"type": "error", "message": str(e)})
            return
        checked["_reply"] = answer  # (a page's own "_reply" key is overwritten)
        try:
            self._commands.put_nowait(checked)
        except queue.Full:
            answer({"type": "error", "message": "too many messages at once: this one was dropped"})

    def play(self) -> None:
        self.submit({"type": "play"})

    def pause(self) -> None:
        self.submit({"type": "pause"})

    def step(self) -> None:
        self.submit({"type": "step"})

    def reset(self) -> None:
        self.submit({"type": "reset"})

    def use_session(self, session: Session, timeout: float = 120.0) -> None:
        """Train `session` from now on, swapped in by the training thread between two steps
        (the notebook widget shows a user's own training loop this way)."""
        done = threading.Event()
        self._commands.put({"type": "_use", "session": session, "event": done}, timeout=timeout)
        if not done.wait(timeout):
            raise TimeoutError("the training thread did not answer")

    def wait_idle(self, timeout: float = 120.0) -> None:
        """Until every message submitted so far is handled (for tests and scripts)."""
        done = threading.Event()
        self._commands.put({"type": "_mark", "event": done}, timeout=timeout)
        if not done.wait(timeout):
            raise TimeoutError("the training thread did not answer")

    # --- the training thread -------------------------------------------------------------

    def _run(self) -> None:
        next_step = time.monotonic()
        while not self._stop.is_set():
            timeout = 0.0 if self.playing else 0.05
            if self.playing and self.speed > 0:
                timeout = max(0.0, min(0.05, next_step - time.monotonic()))
            try:
                first = (self._commands.get(timeout=timeout) if timeout else
                         self._commands.get_nowait())  # fmt: skip
            except queue.Empty:
                pass
            else:
                waiting = deque([first])
                while waiting:  # the rest of the queue, before the next step
                    self._take_queued(waiting)
                    m = waiting.popleft()
                    if m["type"] in SETUP_CHANGES:
                        self._change_setup(m, waiting)
                    else:
                        self._handle(m)
            if self.playing and time.monotonic() >= next_step:
                self._step()
                if self.speed > 0:
                    next_step = max(next_step + 1 / self.speed, time.monotonic() - 0.1)
            elif not self.playing:
                next_step = time.monotonic()
            self._maybe_frame()

    def _take_queued(self, waiting: deque) -> None:
        """The queue's messages onto `waiting`, up to the queue's size (the bound holds)."""
        while len(waiting) < QUEUE_SIZE:
            try:
                waiting.append(self._commands.get_nowait())
            except queue.Empty:
                return

    def _change_setup(self, first: dict[str, Any], waiting: deque) -> None:
        """A new set-up (`config` or `add_point`), built once for a run of them.

        Building a session traces its step (up to seconds at the work limit): a page that
        changes its set-up many times in a row (or a crafted flood) would keep the thread
        busy for each. So a set-up change supersedes the earlier ones waiting unapplied:
        each is checked in order, as if applied (a refused one gets its error and changes
        nothing), and only the last accepted set-up is built (one that passes the check
        and still cannot be built, with no training points, is refused then, and the one
        accepted before it is built, at step 0). Between two of them, a
        `step`, `reset` or `pause` would act on a session replaced at once: what remains
        of it is a pause; `play`, `speed` and the maps' results are handled in order. Any
        other message ends the run (it is handled after the new session is built)."""
        config = self.session.config
        accepted: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (set-up, its change)
        between: list[dict[str, Any]] = []
        m = first
        while True:
            try:
                candidate = check_config(changed(config, m))
            except Exception as e:
                m.get("_reply", self.emit)({"type": "error", "message": f"{m['type']}: {e}"})
            else:
                for earlier in between:  # superseded: only their lasting part
                    if earlier["type"] in SUPERSEDED:
                        self.playing = False
                    else:
                        self._handle(earlier)
                between = []
                config = candidate
                accepted.append((candidate, m))
            self._take_queued(waiting)
            while waiting and waiting[0]["type"] in SUPERSEDED | PASSING:
                between.append(waiting.popleft())
                self._take_queued(waiting)
            if not waiting or waiting[0]["type"] not in SETUP_CHANGES:
                break
            m = waiting.popleft()
        waiting.extendleft(reversed(between))  # after the last set-up: handled as they are
        while accepted:  # the last accepted set-up; if it cannot be built, the one before
            config, m = accepted.pop()
            try:
                session = Session(config)
            except Exception as e:  # checked, yet not built: as if it had been refused
                m.get("_reply", self.emit)({"type": "error", "message": f"{m['type']}: {e}"})
                continue
            self._use(session)
            return

    def _deliver_heavy(self, result: dict[str, Any]) -> None:
        """From the maps' thread: its result, into the training thread's queue."""
        while not self._stop.is_set():
            try:
                self._commands.put(result, timeout=0.1)
                return
            except queue.Full:
                continue

    def _handle(self, m: dict[str, Any]) -> None:
        kind = m["type"]
        try:
            getattr(self, "_on_" + kind.lstrip("_"))(m)
        except Exception as e:  # the thread lives on, whatever a message did
            # Commands check before they change anything: the state is as it was.
            m.get("_reply", self.emit)({"type": "error", "message": f"{kind}: {e}"})

    def _on_heavy(self, m: dict[str, Any]) -> None:
        self._maps.busy = False
        try:
            self._on_heavy_part(m)
        finally:
            if not self._maps.busy:
                for event in self._marks:
                    event.set()
                self._marks = []

    def _on_heavy_part(self, m: dict[str, Any]) -> None:
        if m["generation"] != self._generation or m.get("cancelled"):
            return  # a map of a session since replaced, or stopped for Pause
        if "error" in m:
            self.emit({"type": "error", "message": "maps: " + m["error"]})
            return
        stale = m["steps"] <= self._heavy_steps or (
            not self.playing and m["steps"] != self.session.steps
        )  # older than what the page has, or not the step it stopped on: no motion for it
        if not stale:
            self._curve.add(m["steps"], m["part"]["metrics"])
            self._heavy_steps = m["steps"]
            self._frame(heavy=False, part=m["part"])
        if self._heavy_wanted:
            self._heavy_wanted = False
            if m["steps"] != self.session.steps:
                self._request_heavy()

    def _request_heavy(self) -> None:
        """Snapshot the parameters now (a step boundary) for the maps' thread."""
        self._last_heavy = time.monotonic()
        if self._maps.busy:
            self._heavy_wanted = True
            return
        self._maps.request(self._generation, self.session.snapshot())

    def _heavy_now(self) -> dict[str, Any]:
        """The maps of the session as it is, made here (paused: nothing else to do); the
        maps' thread, if busy with an older step, stops (it would halve our speed)."""
        self._maps.cancel()
        self._last_heavy = time.monotonic()
        self._heavy_wanted = False
        with no_grad():
            part = frames.heavy(self.session)
        self._curve.add(self.session.steps, part["metrics"])
        self._heavy_steps = self.session.steps
        return part

    def _on_mark(self, m: dict[str, Any]) -> None:
        if self._maps.busy:  # idle means the maps asked for so far have gone out too
            self._marks.append(m["event"])
        else:
            m["event"].set()

    def _on_hello(self, m: dict[str, Any]) -> None:
        self.emit(frames.setup(self.session))
        if self._graph is not None:
            self._send_graph()
        self._curve.start = 0
        self._frame(heavy=True)

    def _on_play(self, m: dict[str, Any]) -> None:
        self.playing = True
        self._dirty = True

    def _on_pause(self, m: dict[str, Any]) -> None:
        self.playing = False
        # The last update, whole (maps included): then the page is still.
        self._frame(heavy=False, part=self._heavy_now())

    def _on_step(self, m: dict[str, Any]) -> None:
        self.playing = False
        self._step()
        self._frame(heavy=False, part=self._heavy_now())

    def _on_reset(self, m: dict[str, Any]) -> None:
        self._new_session(self.session.config)
        self.playing = False  # a set-up changed by a control keeps playing; Reset stops
        self._frame(heavy=True)

    def _on_speed(self, m: dict[str, Any]) -> None:
        self.speed = float(m["value"])
        self._dirty = True

    def _on_config(self, m: dict[str, Any]) -> None:  # (the loop runs them: _change_setup)
        self._new_session(changed(self.session.config, m))

    def _on_add_point(self, m: dict[str, Any]) -> None:
        self._new_session(changed(self.session.config, m))

    def _on_remove_point(self, m: dict[str, Any]) -> None:
        self._new_session(self.session.config_without_point_near(m["x"], m["y"]))

    def _on_use(self, m: dict[str, Any]) -> None:
        try:
            self._use(m["session"])
        finally:
            m["event"].set()

    def _new_session(self, config: dict[str, Any]) -> None:
        self._use(Session(check_config(config)))  # raises before anything changes

    def _use(self, session: Session) -> None:
        self.session = session
        self._generation += 1
        self._heavy_wanted = False
        self._heavy_steps = -1
        self._curve = Curve()
        self._explained = None
        sample = None if self._graph is None else self._graph.sample
        self._graph = None
        self.emit(frames.setup(session))
        if sample is not None and sample < len(session.train_xs):
            self._select(sample)
        self._frame(heavy=True)

    def _on_select(self, m: dict[str, Any]) -> None:
        sample = m["sample"]
        if sample is None:
            self._graph = None
            self._explained = None
            self.emit({"type": "graph", "sample": None})
            return
        if sample >= len(self.session.train_xs):
            raise IndexError(f"no training sample {sample}")
        self._select(sample)
        self._frame(heavy=False)

    def _select(self, sample: int) -> None:
        self._graph = SampleGraph(self.session, sample)
        self._explained = None
        self._send_graph()

    def _send_graph(self) -> None:
        assert self._graph is not None
        self.emit(self._graph.message())

    def _on_unfold(self, m: dict[str, Any]) -> None:
        if self._graph is None:
            raise ValueError("no sample is selected")
        self._graph = self._graph.toggled(self.session, m["node"])  # raises: nothing kept
        self._send_graph()
        self._frame(heavy=False)

    def _on_explain(self, m: dict[str, Any]) -> None:
        if self._graph is None:
            self._select(0)
            self._frame(heavy=False)
        key = ("node", m["node"]) if m.get("node") is not None else ("neuron", m["neuron"])
        self._send_explain(key)  # raises (nothing kept) when there is no such node
        self._explained = key

    def _send_explain(self, key: tuple[str, Any]) -> None:
        assert self._graph is not None
        self.emit(self._graph.explained(self.session, key))

    def _on_replay(self, m: dict[str, Any]) -> None:
        self.playing = False
        if self._graph is None:
            self._select(0)
        assert self._graph is not None
        self._frame(heavy=True)
        _, loss, order, _ = self._graph.values(self.session)
        self.emit(replay(loss, order, self._graph.nodes))

    def _on_download(self, m: dict[str, Any]) -> None:
        reply = m["_reply"]  # a file for the page that asked, not one in every page open
        if m["what"] == "model":
            reply(
                {"type": "download", "name": "model.json", "text": frames.model_json(self.session)}
            )
        else:
            note = "" if self.session.step_mode == "traced" else (
                "# This run trains with the engine's step (minibatches or cross-entropy);\n"
                "# here is the full-batch loss's traced step.\n"
            )  # fmt: skip
            text = note + self.session.traced_source
            reply({"type": "download", "name": "traced_step.py", "text": text})

    # --- stepping and frames ---------------------------------------------------------------

    def _step(self) -> None:
        try:
            loss = self.session.step()
        except Exception as e:  # e.g. an lr so large that a number overflows
            self.playing = False
            why = f"training stopped at step {self.session.steps}: {e}."
            self.emit({"type": "error", "message": why + " Reset, or lower the learning rate."})
            return
        self._rate.tick()
        self._dirty = True
        if not math.isfinite(loss):
            self.playing = False
            self.emit({"type": "error", "message": "the loss is not finite: training paused"})

    def _maybe_frame(self) -> None:
        now = time.monotonic()
        if self._dirty and now - self._last_light >= FRAME_INTERVAL:
            self._frame(heavy=now - self._last_heavy >= HEAVY_INTERVAL)

    def _frame(self, heavy: bool, part: dict[str, Any] | None = None) -> None:
        """A frame of the session as it is now; `heavy` asks the maps' thread for the heavy
        part, which comes with a later frame; `part` is one that came back."""
        self._last_light = time.monotonic()  # the frame clock counts from a frame's start
        session = self.session
        frame: dict[str, Any] = {"type": "frame", **frames.light(session)}
        frame["playing"] = self.playing
        frame["speed"] = self.speed
        frame["steps_per_s"] = round(self._rate.per_second(), 1)
        if heavy:
            self._request_heavy()
        if part is not None:
            frame.update(part)
        frame["curve"] = self._curve.pending()
        if self._graph is not None:
            try:
                frame["graph"], *_ = self._graph.values(session)
            except Relayout:
                self._select(self._graph.sample)
                frame["graph"], *_ = self._graph.values(session)
            if self._explained is not None and part is not None:
                self._send_explain(self._explained)
        self.emit(frame)
        self.frames_sent += 1
        self._dirty = False
        if self.playing:
            # Let the server's thread take the GIL and send it before the next steps.
            time.sleep(0.002)
