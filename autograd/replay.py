"""The backward pass step by step: the gradients known after each step, drawn or exported.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = x * 3; y.label = "y"
    >>> replay = BackwardReplay(y)
    >>> len(replay), replay.state(1).grads[x]
    (1, 3.0)

Step k is `autograd.engine.backward_steps(root)[k - 1]`: one node's gradient is final, and
it sends upstream · local derivative to each of its operands. `state(k)` adds those
contributions up, in the engine's order, for steps 1..k; `state(0)` knows only the seed
∂root/∂root = 1. `draw(k)` pictures it; `show()` walks through the steps in Jupyter;
`to_html(path)` and `to_gif(path)` export the whole replay.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from autograd.engine import BackwardStep, Value, backward_steps
from autograd.explain import step_summary
from autograd.formatting import derivative, escape_html, node_name, one_line
from autograd.viz import GradState, Graph, draw


@dataclass(frozen=True)
class ReplayState(GradState):
    """The backward pass after `step` steps, as `draw(root, state=...)` shows it:

    - `grads`: every gradient that has received something so far;
    - `partial`: those whose sum still misses contributions;
    - `current`: the node whose step just ran (None before the first).
    """

    step: int = 0


class BackwardReplay:
    """The backward pass of `root`'s graph, one step at a time."""

    def __init__(self, root: Value) -> None:
        self.root = root
        self.steps = backward_steps(root)
        # How many operand slots feed each node: its gradient is final once all have.
        self._slots: dict[Value, int] = {}
        for step in self.steps:
            for parent, _, _ in step.contributions:
                self._slots[parent] = self._slots.get(parent, 0) + 1

    def __len__(self) -> int:
        return len(self.steps)

    def states(self) -> Iterator[ReplayState]:
        """The states after 0, 1, …, len(self) steps, each built on the one before."""
        sums = _RunningSums(self.root, self._slots)
        yield sums.state(0, None)
        for number, step in enumerate(self.steps, start=1):
            sums.add(step)
            yield sums.state(number, step.node)

    def state(self, step: int) -> ReplayState:
        """The gradients known after `step` steps (0 ≤ step ≤ len(self))."""
        if not 0 <= step <= len(self):
            raise IndexError(f"BackwardReplay.state: step {step} is not in 0..{len(self)}")
        sums = _RunningSums(self.root, self._slots)
        for done in self.steps[:step]:
            sums.add(done)
        return sums.state(step, self.steps[step - 1].node if step else None)

    def caption(self, step: int) -> str:
        """What step `step` did, in one line."""
        if step == 0:
            return f"Start: {derivative(self.root, self.root)} = 1, the seed of backward()"
        summary = step_summary(self.root, self.steps[step - 1])
        return f"Step {step} of {len(self)}: {summary}"

    def draw(self, step: int, **options) -> Graph:
        """The graph after `step` steps: known grads shown, unknown blank, the step's node
        marked. `options` go to `autograd.viz.draw` (rankdir, show_local_grads, …)."""
        return self._draw(self.state(step), **options)

    def _draw(self, state: ReplayState, captioned: bool = True, **options) -> Graph:
        return draw(
            self.root, state=state, title=self.caption(state.step) if captioned else "", **options
        )

    def frames(self, **options) -> Iterator[Graph]:
        """`draw(0)`, `draw(1)`, …, `draw(len(self))`."""
        for state in self.states():
            yield self._draw(state, **options)

    # --- in a notebook ----------------------------------------------------------------

    def show(self, **options) -> None:
        """Walk through the steps in Jupyter: a slider with ipywidgets, else every frame."""
        try:
            from IPython.display import display
        except ImportError:  # not in IPython: the text is all a terminal can show
            for step in range(len(self) + 1):
                print(self.caption(step))
            return
        try:
            import ipywidgets
        except ImportError:
            for frame in self.frames(**options):
                display(frame)
            return
        slider = ipywidgets.IntSlider(value=0, min=0, max=len(self), description="step")
        ipywidgets.interact(lambda step: display(self.draw(step, **options)), step=slider)

    # --- export -----------------------------------------------------------------------

    def to_html(self, path: str | Path | None = None, **options) -> str:
        """One self-contained HTML page: every frame as inline SVG, no network. Buttons
        for the first, previous, next and last step, a slider, and the keys ←, →, Home
        and End move through the steps.

        Returns the page, and writes it to `path` when one is given.
        """
        frames = []
        for state in self.states():
            # The caption goes above the picture as text, not into it.
            graph = self._draw(state, captioned=False, **options)
            svg = _inline_svg(graph.pipe(format="svg", encoding="utf-8"))
            caption = escape_html(self.caption(state.step))
            hidden = " hidden" if state.step else ""  # the first shows even without script
            frames.append(
                f'<figure data-step="{state.step}"{hidden}><figcaption>{caption}'
                f"</figcaption>{svg}</figure>"
            )
        title = escape_html(f"Backward pass of {one_line(node_name(self.root))}")
        page = _PAGE.format(title=title, last=len(self), frames="\n".join(frames))
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    def to_gif(self, path: str | Path, *, seconds_per_step: float = 1.5, **options) -> None:
        """An animated GIF of the replay, one frame per step. Needs Pillow."""
        try:
            from PIL import Image
        except ImportError:
            raise ModuleNotFoundError(
                "BackwardReplay.to_gif needs Pillow: pip install Pillow "
                "(or export a self-contained page with to_html, which needs nothing more)"
            ) from None
        images = [
            Image.open(io.BytesIO(graph.pipe(format="png"))).convert("RGB")
            for graph in self.frames(**options)
        ]
        # Frames differ in size as numbers grow; pad all to the largest, on white.
        width = max(image.width for image in images)
        height = max(image.height for image in images)
        padded = []
        for image in images:
            canvas = Image.new("RGB", (width, height), "white")
            canvas.paste(image, (0, 0))
            padded.append(canvas)
        padded[0].save(
            path,
            save_all=True,
            append_images=padded[1:],
            duration=int(seconds_per_step * 1000),
            loop=0,
        )


class _RunningSums:
    """Each node's gradient so far: the seed, plus the contributions of the steps done."""

    def __init__(self, root: Value, slots: dict[Value, int]) -> None:
        self.grads: dict[Value, float] = {root: 1.0}
        self.received: dict[Value, int] = {}
        self.slots = slots

    def add(self, step: BackwardStep) -> None:
        grads, received = self.grads, self.received
        for parent, _, contribution in step.contributions:
            previous = grads.get(parent)
            # Added in the engine's order, so the last state equals backward() exactly.
            grads[parent] = contribution if previous is None else previous + contribution
            received[parent] = received.get(parent, 0) + 1

    def state(self, step: int, current: Value | None) -> ReplayState:
        partial = frozenset(n for n, count in self.received.items() if count < self.slots[n])
        return ReplayState(grads=dict(self.grads), partial=partial, current=current, step=step)


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG document, cut to its `<svg>` element for inlining in HTML5.

    The XML prolog, the DOCTYPE (a URL) and the namespace declarations (URLs too) are not
    needed inside an HTML page, whose parser knows SVG; dropping them keeps the page free
    of any address.
    """
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg, count=0)
    return re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: sans-serif; margin: 1em; }}
  .controls {{ display: flex; gap: 0.5em; align-items: center; margin-bottom: 0.5em; }}
  input[type=range] {{ width: 20em; }}
  figcaption {{ font-family: monospace; margin: 0.5em 0; }}
  svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div class="controls">
  <button id="first" title="first step (Home)" aria-label="first step">&#9198;</button>
  <button id="previous" title="previous step (&#8592;)" aria-label="previous step">&#9664;</button>
  <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
  <button id="next" title="next step (&#8594;)" aria-label="next step">&#9654;</button>
  <button id="last" title="last step (End)" aria-label="last step">&#9197;</button>
  <span id="counter" aria-live="polite"></span>
</div>
{frames}
<script>
  const last = {last};
  const frames = document.querySelectorAll("figure[data-step]");
  const slider = document.getElementById("slider");
  const counter = document.getElementById("counter");
  const buttons = {{}};
  for (const id of ["first", "previous", "next", "last"]) buttons[id] = document.getElementById(id);
  function current() {{ return Number(slider.value); }}
  function show(step) {{
    step = Math.max(0, Math.min(last, step));
    frames.forEach((frame, i) => {{ frame.hidden = i !== step; }});
    slider.value = step;
    counter.textContent = "step " + step + " of " + last;
    buttons.first.disabled = buttons.previous.disabled = step === 0;
    buttons.next.disabled = buttons.last.disabled = step === last;
  }}
  slider.addEventListener("input", () => show(current()));
  buttons.first.onclick = () => show(0);
  buttons.previous.onclick = () => show(current() - 1);
  buttons.next.onclick = () => show(current() + 1);
  buttons.last.onclick = () => show(last);
  document.addEventListener("keydown", (event) => {{
    if (event.target === slider) return;  // the slider moves itself: one step per key
    if (event.key === "ArrowLeft") show(current() - 1);
    if (event.key === "ArrowRight") show(current() + 1);
    if (event.key === "Home") show(0);
    if (event.key === "End") show(last);
  }});
  show(0);
</script>
</body>
</html>
"""
