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

Every frame has the same layout: each box reserves room for the widest number it will
show, so that nodes never move between steps. The page draws the graph once and rewrites
its numbers in place (`autograd/static/graph_view.js`), and has a forward pass too: the
values appearing in the order they are computed.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from autograd.engine import BackwardStep, Value, backward_steps, topological_order
from autograd.explain import step_formulas, step_summary
from autograd.formatting import (
    derivative,
    escape_html,
    format_number,
    node_name,
    one_line,
    op_text,
)
from autograd.viz import UNKNOWN, GradState, Graph, draw, graph_view_script, inline_svg


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

    def formulas(self, step: int) -> list[str]:
        """Why step `step` sends what it sends: each operand's local derivative as its
        formula with today's numbers, `s gets 1·0.5 = 0.5, where tanh: 1 − o² = …`."""
        if step == 0:
            return []
        return step_formulas(self.steps[step - 1])

    def draw(self, step: int, **options) -> Graph:
        """The graph after `step` steps: known grads shown, unknown as "grad ?", the step's
        node marked, laid out as every other step (each box reserves room for its widest
        number). `options` go to `autograd.viz.draw` (rankdir, show_local_grads, …)."""
        return self._draw(self.state(step), **options)

    def _room(self) -> dict[Value, tuple[int, int]]:
        """Characters each box's data and grad texts need at most, over all steps."""
        room = getattr(self, "_room_cache", None)
        if room is None:
            room = {}
            for state in self.states():
                for node, grad in state.grads.items():
                    text = f"grad {format_number(grad)}" + (" + …" if node in state.partial else "")
                    data = len(f"data {format_number(node.data)}")
                    room[node] = (data, max(len(text), room.get(node, (0, 0))[1]))
            for node in topological_order(self.root):
                data = len(f"data {format_number(node.data)}")
                room[node] = (max(data, len(f"data {UNKNOWN}")), room.get(node, (0, 0))[1])
            self._room_cache = room
        return room

    def _scale(self) -> float:
        """The largest finite |grad| of the whole pass: every step's colours mean the same."""
        grads = self.state(len(self)).grads.values()
        return max((abs(g) for g in grads if math.isfinite(g)), default=0.0)

    def _draw(self, state: ReplayState, captioned: bool = True, **options) -> Graph:
        state = replace(state, room=self._room(), scale=self._scale())
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
        show_steps(self, **options)

    # --- export -----------------------------------------------------------------------

    def to_html(self, path: str | Path | None = None, **options) -> str:
        """One self-contained HTML page, no network: the graph drawn once, its numbers
        rewritten in place at each step, so that nothing moves. The backward pass (each
        step's local derivatives written as formulas with their numbers) and the forward
        pass (values appearing in the order they are computed); buttons for the first,
        previous, next and last step, a slider, and the keys ←, →, Home and End.

        Returns the page, and writes it to `path` when one is given.
        """
        order = topological_order(self.root)
        index = {node: k for k, node in enumerate(order)}
        final = self.state(len(self))
        layout = replace(
            final, partial=frozenset(), current=None, room=self._room(), scale=self._scale()
        )
        svg = inline_svg(
            draw(self.root, state=layout, **options).pipe(format="svg", encoding="utf-8")
        )
        data = [format_number(node.data) for node in order]
        backward = []
        for state in self.states():
            if state.step == 0:
                changed = [index[self.root]]
            else:
                changed = sorted({index[p] for p, _, _ in self.steps[state.step - 1].contributions})
            backward.append(
                {
                    "data": data,
                    "grad": [
                        format_number(state.grads[n]) if n in state.grads else None for n in order
                    ],
                    "partial": sorted(index[n] for n in state.partial),
                    "changed": changed,
                    "current": None if state.current is None else index[state.current],
                    "caption": self.caption(state.step),
                    "formulas": self.formulas(state.step),
                }
            )
        forward = forward_frames(order)
        title = f"Backward pass of {one_line(node_name(self.root))}"
        script = _SCRIPT.replace("/*GRAPH_VIEW*/", graph_view_script()).replace(
            "/*FRAMES*/", _script_json({"backward": backward, "forward": forward})
        )
        lines = max(len(self.formulas(step)) for step in range(len(self) + 1))
        page = _PAGE.format(
            title=escape_html(title),
            last=len(self),
            svg=svg,
            script=script,
            formula_lines=f"{lines * 1.5:g}",
        )
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


def forward_frames(order: list[Value]) -> list[dict[str, object]]:
    """The forward pass as frames for the page: the leaves known at the start, then one op
    node's value per step, in topological order (the order the engine computed them)."""
    index = {node: k for k, node in enumerate(order)}
    known = [format_number(n.data) if not n.parents else None for n in order]
    computed = [n for n in order if n.parents]
    frames: list[dict[str, object]] = []
    blank_grads: list[str | None] = [None] * len(order)
    start = "Start: the inputs and parameters (the leaves) have their values"
    frames.append(
        {
            "data": list(known),
            "grad": blank_grads,
            "changed": [],
            "current": None,
            "caption": start,
            "formulas": [],
        }
    )
    for number, node in enumerate(computed, start=1):
        k = index[node]
        known[k] = format_number(node.data)
        operands = ", ".join(
            f"{one_line(node_name(p))} = {format_number(p.data)}" for p in node.parents
        )
        caption = (
            f"Step {number} of {len(computed)}: {one_line(node_name(node))} = "
            f"{format_number(node.data)}, by {op_text(node)} from {operands}"
        )
        frames.append(
            {
                "data": list(known),
                "grad": blank_grads,
                "changed": [],
                "current": k,
                "caption": caption,
                "formulas": [],
            }
        )
    return frames


def _script_json(value: object) -> str:
    """JSON to paste into a script: `<`, `>` and `&` escaped, so no text ends the script."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# Button icons as SVG paths: they show whatever fonts the machine has.
_ICONS = {
    "first": "M3 2h2v12H3z M14 2v12L6 8z",
    "previous": "M12 2v12L4 8z",
    "next": "M4 2v12l8-6z",
    "last": "M11 2h2v12h-2z M2 2v12l8-6z",
}


def _button(name: str, title: str) -> str:
    return (
        f'<button id="{name}" title="{title}" aria-label="{name} step">'
        f'<svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">'
        f'<path d="{_ICONS[name]}"/></svg></button>'
    )


_PAGE = (
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: sans-serif; margin: 1em; }}
  .controls {{ display: flex; gap: 0.5em; align-items: center; margin-bottom: 0.5em; }}
  .controls button {{ min-width: 2.4em; min-height: 2em; }}
  .controls svg.icon {{ fill: currentColor; display: block; margin: auto; }}
  .passes button[aria-pressed="true"] {{ font-weight: bold; background: #dbe9f6; }}
  input[type=range] {{ width: 20em; }}
  #caption {{ font-family: monospace; margin: 0.5em 0; }}
  /* as many lines as the longest step has, so that the drawing below never moves */
  #formulas {{ font-family: monospace; margin: 0 0 0.5em 0; min-height: {formula_lines}em; }}
  #formulas li {{ line-height: 1.5em; }}
  #graph svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div class="controls passes">
  <button id="forward" aria-pressed="false">Forward pass</button>
  <button id="backward" aria-pressed="true">Backward pass</button>
</div>
<div class="controls">
  """
    + _button("first", "first step (Home)")
    + _button("previous", "previous step (&#8592;)")
    + """
  <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
  """
    + _button("next", "next step (&#8594;)")
    + _button("last", "last step (End)")
    + """
  <span id="counter" aria-live="polite"></span>
</div>
<figure>
<figcaption id="caption"></figcaption>
<ul id="formulas"></ul>
<div id="graph">{svg}</div>
</figure>
<script type="module">
{script}
</script>
</body>
</html>
"""
)

# The page's own code, after graph_view.js (pasted in: a page opened from a file may
# import nothing). Frames come as JSON; every text goes in with textContent.
_SCRIPT = """/*GRAPH_VIEW*/
const FRAMES = /*FRAMES*/;
const svg = document.querySelector("#graph svg");
const slider = document.getElementById("slider");
const counter = document.getElementById("counter");
const caption = document.getElementById("caption");
const formulas = document.getElementById("formulas");
const buttons = {};
for (const id of ["first", "previous", "next", "last", "forward", "backward"]) {
  buttons[id] = document.getElementById(id);
}
let pass = "backward";
function frames() { return FRAMES[pass]; }
function last() { return frames().length - 1; }
function current() { return Number(slider.value); }
function show(step) {
  step = Math.max(0, Math.min(last(), step));
  const frame = frames()[step];
  updateGraph(svg, frame);
  slider.max = last();
  slider.value = step;
  counter.textContent = "step " + step + " of " + last();
  caption.textContent = frame.caption;
  formulas.replaceChildren(...frame.formulas.map((line) => {
    const item = document.createElement("li");
    item.textContent = line;
    return item;
  }));
  buttons.first.disabled = buttons.previous.disabled = step === 0;
  buttons.next.disabled = buttons.last.disabled = step === last();
}
function choose(name) {
  pass = name;
  buttons.forward.setAttribute("aria-pressed", String(name === "forward"));
  buttons.backward.setAttribute("aria-pressed", String(name === "backward"));
  show(0);
}
slider.addEventListener("input", () => show(current()));
buttons.first.onclick = () => show(0);
buttons.previous.onclick = () => show(current() - 1);
buttons.next.onclick = () => show(current() + 1);
buttons.last.onclick = () => show(last());
buttons.forward.onclick = () => choose("forward");
buttons.backward.onclick = () => choose("backward");
document.addEventListener("keydown", (event) => {
  if (event.target === slider) return;  // the slider moves itself: one step per key
  if (event.key === "ArrowLeft") show(current() - 1);
  if (event.key === "ArrowRight") show(current() + 1);
  if (event.key === "Home") show(0);
  if (event.key === "End") show(last());
});
// A link may open a given step: page.html#backward=3 or #forward=2.
const asked = /^#(forward|backward)=(\\d+)$/.exec(location.hash);
if (asked) { choose(asked[1]); show(Number(asked[2])); } else { show(0); }
"""


def show_steps(replay: Any, **options: Any) -> None:
    """Walk through a replay's steps (`len`, `caption(k)`, `draw(k)`, `frames()`) in
    Jupyter: a slider with ipywidgets, else every frame; outside IPython, the captions
    (the text is all a terminal can show). The forward replay shows itself the same way."""
    try:
        from IPython.display import display
    except ImportError:
        for step in range(len(replay) + 1):
            print(replay.caption(step))
        return
    try:
        import ipywidgets
    except ImportError:
        for frame in replay.frames(**options):
            display(frame)
        return
    slider = ipywidgets.IntSlider(value=0, min=0, max=len(replay), description="step")
    ipywidgets.interact(lambda step: display(replay.draw(step, **options)), step=slider)
