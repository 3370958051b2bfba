"""The live page inside a notebook: `LiveView`, an anywidget showing a `Session`.

    >>> from nn.live import LiveView
    >>> view = LiveView()          # a new Session(): the moons demo
    >>> view                       # the page's views and controls, in the notebook
    >>> view.step(); view.steps, view.loss

Nothing here draws or trains: the front end is the page's own (`static/ui.js`, mounted by
`static/widget.js` with a transport made from the widget's model) and the training is the
page's own runner (`nn.live.runner.Runner`), whose training thread steps the session and
makes the frames. This module only connects the two through the widget's comm: the
runner's messages go out as custom messages, the page's come back into `Runner.submit`, and
each frame's step and loss are mirrored into the synced traits `steps` and `loss`.

Training beside the kernel's main thread is what lets Play, Pause and Step work while it
trains: a cell that is still running keeps the kernel from reading any click.

Your own training (`nn.fit(..., live=view)`, or `view.attach(...)` as a callback in your
own loop) is driven by the page the same way: each of your steps waits for the runner's
permission, so Play, Pause and Step steer your loop, and frames are made while it waits.
Run it beside the main thread (`view.run(fit, ...)`) so that the clicks reach the kernel.
"""

from __future__ import annotations

import concurrent.futures
import json
import math
import re
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable

try:
    import anywidget
    import traitlets
except ImportError as e:  # pragma: no cover - said in one line, as the app does
    raise ImportError("nn.live.LiveView needs anywidget: pip install 'backprop-lens[live]'") from e

from nn.live import frames
from nn.live.runner import Runner
from nn.live.session import Session, check_config

STATIC = Path(__file__).parent / "static"
ENGINE_STATIC = Path(__file__).parent.parent.parent / "autograd" / "static"
ENTRY = "widget.js"
WAIT = 120.0  # seconds a Python call waits for the training thread (a re-trace at the
# work limit takes seconds, several times that under a tracer such as coverage)


# --- the front end as one module ------------------------------------------------------------

_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*)(["'])(\./[^"']+)\2""")


def _module_path(name: str) -> Path:
    """A module's file: `autograd/...` is the engine's static folder (as the app serves it)."""
    if name.startswith("autograd/"):
        return ENGINE_STATIC / name[len("autograd/") :]
    return STATIC / name


def front_end_module(entry: str = ENTRY) -> str:
    """The widget's ES module: the page's own modules, unchanged but for their relative
    import specifiers, each loaded from a blob URL made in the browser (anywidget takes one
    module; these are several). No bundler, no build step: a relative import `./x.js` becomes
    a placeholder that the loader replaces with x.js's blob URL, dependencies first."""
    order: list[tuple[str, str]] = []
    seen: set[str] = set()

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in chain:
            raise ValueError(f"front end: import cycle through {name}")
        text = _module_path(name).read_text(encoding="utf-8")
        folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""

        def rewrite(match: re.Match) -> str:
            dependency = folder + match.group(3)[2:]
            visit(dependency, (*chain, name))
            return f'{match.group(1)}"@nn-live:{dependency}"'

        # Line by line: an import written in a comment (an example) is left as it is.
        lines = text.splitlines(keepends=True)
        text = "".join(
            line if line.lstrip().startswith(("//", "*", "/*")) else _IMPORT.sub(rewrite, line)
            for line in lines
        )
        seen.add(name)
        order.append((name, text))

    visit(entry, ())

    modules = json.dumps(order)
    return (
        "// backprop-lens live widget: nn/live/static's modules, each from a blob URL.\n"
        f"const MODULES = {modules};\n"
        "const urls = {};\n"
        "for (const [name, code] of MODULES) {\n"
        "  const linked = code.replace(\n"
        '    /"@nn-live:([^"]+)"/g, (_, dep) => JSON.stringify(urls[dep]));\n'
        '  urls[name] = URL.createObjectURL(new Blob([linked], { type: "text/javascript" }));\n'
        "}\n"
        f"const entry = await import(urls[{json.dumps(entry)}]);\n"
        "export default entry.default;\n"
    )


def front_end_css() -> str:
    """The page's style sheet, only its rules scoped to `.nn-live` (a notebook's own
    `body` is not the widget's to restyle)."""
    css = (STATIC / "live.css").read_text(encoding="utf-8")
    return re.sub(r"(?m)^\s*(html|body)\b[^{]*\{[^}]*\}\s*$", "", css)


# --- the widget ---------------------------------------------------------------------------


def _finite_or_none(x: float, widget: Any) -> float | None:
    return x if math.isfinite(x) else None


def _float(x: float | None, widget: Any) -> float:
    return math.nan if x is None else float(x)


class LiveView(anywidget.AnyWidget):
    """The live page's views and controls for a `Session`, in a notebook.

    `LiveView(session=None)` (a new `Session()` when none is given). Synced traits:
    `steps` (int) and `loss` (float) mirror the page's step and loss (at step 0, the loss
    at the initial parameters, as the page shows it). `play()`, `pause()`, `step()`
    (exactly one optimizer step) and `reset()` act as the page's buttons and return once
    the training thread has done it; `session` is the session being trained (a Reset or
    a new set-up in the page makes a new one). `close()` stops the training thread.
    """

    _esm = traitlets.Unicode(front_end_module()).tag(sync=True)
    _css = traitlets.Unicode(front_end_css()).tag(sync=True)
    steps = traitlets.Int(0).tag(sync=True)
    # nan (a loss that was not finite) travels as JSON's null.
    loss = traitlets.Float(math.nan).tag(sync=True, to_json=_finite_or_none, from_json=_float)
    playing = traitlets.Bool(False).tag(sync=True)

    def __init__(self, session: Session | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if session is not None and not isinstance(session, Session):
            raise TypeError(f"LiveView: session must be an nn.live.Session, got {session!r}")
        if session is None:
            session = Session()
        self._lock = threading.Lock()
        self._runner = Runner(self._emit, session.config)
        # The runner makes a session from a config; this one is yours: it is the one trained
        # (set before the training thread starts, so no other thread sees the swap).
        self._runner.session = session
        self._mirror(session)
        self.on_msg(self._receive)
        self._runner.start()

    # --- the page's buttons, from Python --------------------------------------------------

    @property
    def session(self) -> Session:
        return self._runner.session

    @property
    def runner(self) -> Runner:
        return self._runner

    def play(self) -> None:
        self._runner.play()
        self._runner.wait_idle(WAIT)

    def pause(self) -> None:
        """Stop training; returns when the training thread is still (the last step done)."""
        self._runner.pause()
        self._runner.wait_idle(WAIT)

    def step(self) -> None:
        """Exactly one optimizer step (pausing first), as the Step button."""
        self._runner.step()
        self._runner.wait_idle(WAIT)

    def reset(self) -> None:
        self._runner.reset()
        self._runner.wait_idle(WAIT)

    def close(self) -> None:
        self._runner.stop()
        super().close()

    # --- your own training ------------------------------------------------------------------

    def attach(
        self,
        model: Any,
        xs: Sequence[Sequence[float]],
        ys: Sequence[Any],
        loss: Callable[[list, Sequence[Any]], Any],
        optimizer: Any,
        steps: int | None = None,
    ) -> Callable[[int, float], None]:
        """Show your own training in this view, steered by its buttons.

        Returns `after_step(step, loss_value)`: call it after each optimizer step (`nn.fit`
        does, given `live=view`). Every step of yours then waits for the page's permission
        (Play, or one Step), and the view draws your model while you wait. The view starts
        playing. `xs` are 2-D points and `ys` class labels (0/1, -1/+1, or 0, 1, 2), as
        the page draws them; `steps` (when known) ends the run cleanly at the last one.
        """
        fitted = _FitSession(model, xs, ys, loss, optimizer, steps)
        fitted.owner = (threading.current_thread(), sys._getframe(1))  # the loop's caller
        self._runner.use_session(fitted, WAIT)
        if not fitted.finished:  # (fit with steps=0 has nothing to wait for)
            self._runner.play()
            fitted.wait_for_permit(self._runner)
        return lambda step, value: fitted.after_step(self._runner, step, value)

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> concurrent.futures.Future:
        """`fn(*args, **kwargs)` in a thread beside the kernel's main thread (so that the
        page's clicks reach the kernel while it trains); its result as a Future:
        `view.run(nn.fit, model, xs, ys, loss, opt, steps=300, live=view)`."""
        future: concurrent.futures.Future = concurrent.futures.Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as e:
                future.set_exception(e)

        threading.Thread(target=work, name="nn.live your training", daemon=True).start()
        return future

    # --- the comm -------------------------------------------------------------------------

    def _receive(self, widget: Any, content: Any, buffers: Any) -> None:
        self._runner.submit(content)  # checked there: a malformed message is refused

    def _emit(self, message: dict) -> None:
        """From the training thread: the message to the page, its step and loss to the
        traits (one update message for both)."""
        with self._lock:
            if message.get("type") == "frame":
                with self.hold_sync():
                    self.steps = int(message["step"])
                    loss = message.get("loss")
                    self.loss = math.nan if loss is None else float(loss)
                    self.playing = bool(message.get("playing"))
            if self.comm is not None:
                self.send(message)

    def _mirror(self, session: Session) -> None:
        """The traits as the first frame will set them (the page's own rule, frames.light)."""
        loss = frames.light(session)["loss"]
        self.steps = session.steps
        self.loss = math.nan if loss is None else float(loss)


# --- your own training as a session ------------------------------------------------------------


class _FitSession(Session):
    """Your model, data, loss and optimizer, looking to the runner and the frames as a
    `Session` does, with `step()` handing one step to your training loop.

    Your loop and the runner's thread take turns, never both running engine ops: your step
    waits for a permit (`wait_for_permit`), the runner's `step()` grants one and waits for
    `after_step`, and frames are made while your loop waits for the next permit.
    """

    def __init__(
        self,
        model: Any,
        xs: Sequence[Sequence[float]],
        ys: Sequence[Any],
        loss: Callable[[list, Sequence[Any]], Any],
        optimizer: Any,
        total: int | None,
    ) -> None:  # no super().__init__: nothing here comes from a config
        points = [[float(v) for v in x] for x in xs]
        if any(len(p) != 2 for p in points):
            raise ValueError("LiveView.attach: the view draws 2-D inputs; xs must be [x, y] pairs")
        labels = sorted({float(y) for y in ys})
        if labels and set(labels) <= {-1.0, 1.0}:
            classes = [int((float(y) + 1) / 2) for y in ys]
            self._labels: dict[int, Any] = {0: -1, 1: 1}
        elif set(labels) <= {0.0, 1.0, 2.0}:
            classes = [int(y) for y in ys]
            self._labels = {k: k for k in range(3)}
        else:
            raise ValueError(
                "LiveView.attach: ys must be class labels (0/1, -1/+1 or 0, 1, 2), "
                f"got {labels[:5]}"
            )
        last = model.layers[-1]
        sigmoid = last.neurons[0].activation == "sigmoid" if last.neurons else False
        config = {"dataset": "custom", "points": [[*p, k] for p, k in zip(points, classes)]}
        config["loss"] = "bce" if sigmoid else ("cross_entropy" if 2 in classes else "hinge")
        self._config = check_config(config)  # the points checked as the page's own are
        self._config["layers"] = [len(layer.neurons) for layer in model.layers[:-1]]
        self._loss = loss
        self.classes = 3 if 2 in classes else 2
        self.generated = ([], [])
        self.train_index, self.test_index = [], []
        self.train_xs, self.train_ys = points, classes
        self.test_xs, self.test_ys = [], []
        self.model = model
        self.params = model.parameters()
        self.optimizer = optimizer
        self.batch = len(points)
        self.steps = 0
        self.last_loss: float | None = None
        self.last_update = [0.0] * len(self.params)
        self.step_mode = "engine"
        self._traced = None
        self._initial_loss: float | None = None
        self.trace_note = "your own training loop"
        self._total = total
        self._turn = threading.Condition()
        self._permits = 0
        self._done = 0
        self.finished = total == 0
        self._before = [p.data for p in self.params]
        self.owner: tuple[threading.Thread, Any] = (threading.current_thread(), None)

    def targets(self, classes: Sequence[int]) -> list:
        return [self._labels[k] for k in classes]

    def data_loss(self, outputs: list, targets: Sequence[Any]) -> Any:
        return self._loss(outputs, targets)

    def training_loss(self, outputs: list, targets: Sequence[Any]) -> Any:
        return self._loss(outputs, targets)

    # --- taking turns ----------------------------------------------------------------------

    def step(self) -> float:
        """In the runner's thread: let your loop make one step; wait until it has."""
        with self._turn:
            if self.finished:  # your loop has ended: nothing to step (the view pauses)
                return math.nan if self.last_loss is None else self.last_loss
            target = self._done + 1
            self._permits += 1
            self._turn.notify_all()
            while self._done < target and not self.finished:
                self._turn.wait(0.1)
                if self._done < target and self._left():
                    self.finished = True
                    raise RuntimeError(
                        f"your training loop stopped (an error or an interrupt) after step "
                        f"{self.steps}"
                    )
        return math.nan if self.last_loss is None else self.last_loss

    def _left(self) -> bool:
        """Whether your loop has gone (it raised, or was interrupted) without saying so:
        its thread has ended, or the function that attached it is no longer on its stack.
        (Without this the runner would wait for a step that never comes.)"""
        thread, frame = self.owner
        if not thread.is_alive():
            return True
        current = sys._current_frames().get(thread.ident or -1)
        while current is not None:
            if current is frame:
                return False
            current = current.f_back
        return True

    def wait_for_permit(self, runner: Runner) -> None:
        """In your loop's thread: wait until the page lets the next step happen."""
        with self._turn:
            while self._permits == 0:
                if runner.session is not self:
                    raise RuntimeError(
                        "the live view left this training (Reset or a new set-up in the "
                        f"page): stopped after step {self.steps}"
                    )
                self._turn.wait(0.1)
            self._permits -= 1

    def after_step(self, runner: Runner, step: int, value: float) -> None:
        """In your loop's thread, after each optimizer step: show it, wait for the next."""
        with self._turn:
            now = [p.data for p in self.params]
            self.last_update = [a - b for a, b in zip(now, self._before)]
            self._before = now
            self.steps = step
            self.last_loss = float(value)
            self._done += 1
            if self._total is not None and step >= self._total:
                self.finished = True
            self._turn.notify_all()
        if self.finished:  # the view pauses, showing the last step before fit returns
            runner.pause()
            runner.wait_idle(WAIT)
            return
        self.wait_for_permit(runner)
