"""The forward (tangent) pass step by step, and beside it the backward pass.

    >>> from autograd import Value
    >>> a, b = Value(2.0, "a"), Value(1.0, "b")
    >>> c = a + b; c.label = "c"
    >>> d = b + 1; d.label = "d"
    >>> e = c * d; e.label = "e"
    >>> replay = ForwardReplay(e, b)
    >>> print(replay.caption(len(replay)))
    Step 3 of 3: ∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5

Step k is `autograd.forward.forward_steps(root, seeds)[k - 1]`: one node's tangent,
∂node/∂seed, is the sum over its operands of local derivative × operand's tangent. The
sweep runs parents first, so every tangent is final the moment it is computed (a backward
pass's gradients are partial sums until their last consumer has run). `state(0)` knows
the seed and the leaves it does not reach (tangent 0). `draw(k)` pictures step k with
`autograd.viz.draw(..., tangents=...)`; `ForwardAndBackward` puts the two passes side by
side, step by step, as text, HTML, or one self-contained page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from autograd.engine import Value
from autograd.formatting import derivative, escape_html, format_number, node_name, one_line
from autograd.forward import ForwardStep, checked_seeds, forward_steps, graph_order
from autograd.replay import BackwardReplay, show_steps
from autograd.viz import GradState, Graph, draw

Seed = Union[Value, Mapping[Value, float]]  # one input (tangent 1), or a tangent by node


@dataclass(frozen=True)
class ForwardState:
    """The forward pass after `step` steps: the tangents known so far (each final), the
    node whose step just ran (None before the first)."""

    tangents: Mapping[Value, float]
    current: Value | None
    step: int


class ForwardReplay:
    """The forward (tangent) pass of `root`'s graph from `seed`, one step at a time.

    `seed` is an input (or any node), whose tangent is 1, or a mapping {node: tangent}.
    """

    def __init__(self, root: Value, seed: Seed) -> None:
        if not isinstance(root, Value):
            raise TypeError(
                f"ForwardReplay: root must be a Value, got {root!r} ({type(root).__name__})"
            )
        self.root = root
        self.wrt = seed if isinstance(seed, Value) else None  # names ∂node/∂wrt
        self.seeds = (
            {seed: 1.0} if isinstance(seed, Value) else checked_seeds(seed, "ForwardReplay")
        )
        self.steps: list[ForwardStep] = forward_steps(root, self.seeds)
        # Known before the first step: the seeds, and every node no seed reaches (0).
        reached = {step.node for step in self.steps}
        self._start = {
            node: self.seeds.get(node, 0.0)
            for node in graph_order([root])
            if node in self.seeds or node not in reached
        }

    def __len__(self) -> int:
        return len(self.steps)

    def states(self) -> Iterator[ForwardState]:
        """The states after 0, 1, …, len(self) steps."""
        known = dict(self._start)
        yield ForwardState(dict(known), None, 0)
        for number, step in enumerate(self.steps, start=1):
            known[step.node] = step.tangent
            yield ForwardState(dict(known), step.node, number)

    def state(self, step: int) -> ForwardState:
        """The tangents known after `step` steps (0 ≤ step ≤ len(self))."""
        if not 0 <= step <= len(self):
            raise IndexError(f"ForwardReplay.state: step {step} is not in 0..{len(self)}")
        known = dict(self._start)
        for done in self.steps[:step]:
            known[done.node] = done.tangent
        return ForwardState(known, self.steps[step - 1].node if step else None, step)

    @property
    def tangents(self) -> dict[Value, float]:
        """Every node's tangent at the end of the pass."""
        return dict(self.state(len(self)).tangents)

    def _d(self, node: Value | str) -> str:
        """∂node/∂wrt, or tangent(node) when several nodes were seeded."""
        if self.wrt is not None:
            return derivative(node, self.wrt)
        return f"tangent({node if isinstance(node, str) else one_line(node_name(node))})"

    def caption(self, step: int) -> str:
        """What step `step` did, in one line."""
        if step == 0:
            seeded = ", ".join(f"{self._d(n)} = {format_number(t)}" for n, t in self.seeds.items())
            return f"Start: {seeded}, the seed of the forward pass"
        done = self.steps[step - 1]
        node = done.node
        symbols = " + ".join(
            f"{derivative(node, p)}·{self._d(p)}" for p, _, _, _ in done.contributions
        )
        numbers = " + ".join(f"{_factor(d)}·{_factor(t)}" for _, d, t, _ in done.contributions)
        return (
            f"Step {step} of {len(self)}: {self._d(node)} = {symbols} = {numbers} = "
            f"{format_number(done.tangent)}"
        )

    def draw(self, step: int, **options) -> Graph:
        """The graph after `step` steps: each known tangent in its box, unknown blank, the
        step's node marked. `options` go to `autograd.viz.draw`."""
        return self._draw(self.state(step), **options)

    def _draw(self, state: ForwardState, captioned: bool = True, **options) -> Graph:
        # No gradient is known in a forward pass: the grad lines stay blank.
        marked = GradState(grads={}, current=state.current)
        title = self.caption(state.step) if captioned else ""
        return draw(self.root, state=marked, tangents=state.tangents, title=title, **options)

    def frames(self, **options) -> Iterator[Graph]:
        """`draw(0)`, `draw(1)`, …, `draw(len(self))`."""
        for state in self.states():
            yield self._draw(state, **options)

    def show(self, **options) -> None:
        """Walk through the steps in Jupyter (a slider with ipywidgets, else print them)."""
        show_steps(self, **options)


def _factor(x: float) -> str:
    text = format_number(x)
    return f"({text})" if text.startswith("-") else text


class ForwardAndBackward:
    """The two directions of the chain rule on one graph, step by step, side by side: the
    forward pass from `wrt` (∂node/∂wrt for every node) and the backward pass from
    `root` (∂root/∂node for every node). Both end with ∂root/∂wrt."""

    def __init__(self, root: Value, wrt: Value) -> None:
        if not isinstance(wrt, Value):
            raise TypeError(
                f"ForwardAndBackward: wrt must be a Value, got {wrt!r} ({type(wrt).__name__})"
            )
        self.forward = ForwardReplay(root, wrt)
        self.backward = BackwardReplay(root)
        self.root, self.wrt = root, wrt

    @property
    def forward_result(self) -> float:
        """∂root/∂wrt by forward mode: the root's tangent."""
        return self.forward.tangents[self.root]

    @property
    def backward_result(self) -> float:
        """∂root/∂wrt by reverse mode: wrt's gradient after the last backward step."""
        return self.backward.state(len(self.backward)).grads.get(self.wrt, 0.0)

    def rows(self) -> list[tuple[str, str, str]]:
        count = max(len(self.forward), len(self.backward))
        rows = []
        for k in range(count + 1):
            fwd = self.forward.caption(k) if k <= len(self.forward) else ""
            bwd = self.backward.caption(k) if k <= len(self.backward) else ""
            rows.append((str(k), fwd, bwd))
        return rows

    def summary(self) -> str:
        d = derivative(self.root, self.wrt)
        return (
            f"{d} = {format_number(self.forward_result)} by the forward pass "
            f"({len(self.forward)} steps, from {one_line(node_name(self.wrt))}), "
            f"{format_number(self.backward_result)} by the backward pass "
            f"({len(self.backward)} steps, from {one_line(node_name(self.root))})"
        )

    def __str__(self) -> str:
        lines = [self.summary(), ""]
        for k, fwd, bwd in self.rows():
            lines.append(f"{k:>3}  forward:  {fwd}")
            lines.append(f"{'':>3}  backward: {bwd}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{k}</td><td>{escape_html(f)}</td><td>{escape_html(b)}</td></tr>"
            for k, f, b in self.rows()
        )
        return (
            f"<div><p>{escape_html(self.summary())}</p><table><thead><tr><th>step</th>"
            "<th>forward (tangents)</th><th>backward (gradients)</th></tr></thead>"
            f"<tbody>{body}</tbody></table></div>"
        )

    def to_html(self, path: str | Path | None = None, **options) -> str:
        """One self-contained page: the two passes' pictures side by side, a slider that
        moves both (the shorter pass stays on its last step). Needs Graphviz's `dot`."""
        last = max(len(self.forward), len(self.backward))
        forward_frames = [_svg(g) for g in self.forward.frames(**options)]
        backward_frames = [_svg(g) for g in self.backward.frames(**options)]
        figures = []
        for k in range(last + 1):
            f = forward_frames[min(k, len(forward_frames) - 1)]
            b = backward_frames[min(k, len(backward_frames) - 1)]
            hidden = " hidden" if k else ""
            figures.append(
                f'<section data-step="{k}"{hidden}><div class="pair">'
                f"<figure><figcaption>forward</figcaption>{f}</figure>"
                f"<figure><figcaption>backward</figcaption>{b}</figure></div></section>"
            )
        title = escape_html(self.summary())
        page = _PAGE.format(title=title, last=last, frames="\n".join(figures))
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page


def _svg(graph: Graph) -> str:
    """Graphviz's SVG cut to its `<svg>` element, without namespace URLs or comments (as
    `autograd.replay` inlines its frames; a copy, so that this page needs none of its
    internals)."""
    import re

    svg = graph.pipe(format="svg", encoding="utf-8")
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    return re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: sans-serif; margin: 1em; }}
  .pair {{ display: flex; gap: 1em; align-items: flex-start; }}
  .pair figure {{ flex: 1; margin: 0; }}
  figcaption {{ font-weight: bold; }}
  svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<h1>{title}</h1>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
<span id="counter" aria-live="polite"></span>
{frames}
<script>
  const slider = document.getElementById("slider");
  const sections = document.querySelectorAll("section[data-step]");
  function show() {{
    sections.forEach((s, i) => {{ s.hidden = i !== Number(slider.value); }});
    document.getElementById("counter").textContent = "step " + slider.value + " of {last}";
  }}
  slider.addEventListener("input", show);
  show();
</script>
</body>
</html>
"""
