"""The messages between the live page and the runner, and the check of the page's.

The page (or the notebook widget) and the runner talk in JSON messages, whatever carries
them (a WebSocket for the app, a widget's model in a notebook). `Runner.submit(message)`
takes one from the page; `emit(message)`, given to the runner, sends one to it. The
page applies frames as they come until Pause or Step is pressed; then it drops those of the
playing runner still on their way (`playing: true`) until the runner's answer, a frame
with `playing: false`, which carries everything (maps included) for the step it stopped on.

Page -> runner (`type` and its fields; anything else is refused with an "error" reply
and changes nothing):

    hello                          send everything again (setup, graph, frame)
    play | pause | step | reset    step: exactly one optimizer step (pauses first)
    speed       value              steps per second, 0 for as fast as it goes (<= 1000)
    config      config             a new set-up, merged into the current config (then reset;
                                   a run of set-up changes waiting is built once:
                                   Runner._change_setup)
    add_point   x, y, class        a training point of that class (goes into config.points)
    remove_point x, y              the nearest point (within a few % of the plane)
    select      sample             a training sample's loss graph (null: none)
    unfold      node               unfold that folded box of the graph (null: fold back)
    explain     node | neuron      node k of that graph, or neuron [layer, index], by the
                                   chain rule (selects sample 0 when none is selected)
    replay                         the backward pass of that graph at this step (pauses)
    download    what               "model" (nn.save's JSON) or "code" (the traced step)

Runner -> page:

    setup     config, classes, sizes, labels, train, test, bounds, grid, ...  (on reset)
    frame     step, loss, playing, speed, values, grads, steps_per_s, curve,
              and a few times a second: metrics, boundary, [winner], neurons, table;
              with a sample selected: graph {sample, data, grad} (the parameters' grads:
              that sample's own); Pause's and Step's answer has the maps too
    graph     sample, svg, count, nodes, folded, names
                                   the sample's graph, laid out once; its frames' data
                                   and grad list the `nodes` it shows, in that order
    explain   node, name, lines, terms, total
    replay    steps [{current, caption, changed: [[k, grad, partial], ...]}], count, nodes
                                   the backward pass through the drawn nodes (a step at a
                                   node hidden in a folded box merged into the next)
    download  name, text                 to the page that asked alone
    error     message                    what was refused; the state is unchanged (a
                                         refusal goes to the page that sent the message
                                         alone; a failed step, to every page)

`curve` is {"start": i, "points": [[step, train loss, test loss, train acc, test acc],
...]}: the points from index i on (a page that has fewer asks `hello`). Numbers are
rounded to 5 digits, except `loss`, which is the step's float exactly; nan is null.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from autograd.engine import is_int, is_number
from nn.live.config import cut

MAX_SPEED = 1000
MESSAGE_TYPES = frozenset(
    {"hello", "play", "pause", "step", "reset", "speed", "config", "add_point"}
    | {"remove_point", "select", "unfold", "explain", "replay", "download"}
)


class MessageError(ValueError):
    """A message from the page that the runner refuses (its text goes back to the page)."""


def check_message(message: object) -> dict[str, Any]:
    """The message if its type and fields are well-formed, else `MessageError`."""
    if not isinstance(message, Mapping):
        raise MessageError(f"a message must be a JSON object, got {type(message).__name__}")
    kind = message.get("type")
    # A list or an object is unhashable: `in` a set would raise TypeError, not refuse.
    if not isinstance(kind, str) or kind not in MESSAGE_TYPES:
        raise MessageError(f"unknown message type {cut(repr(kind))}")
    m = dict(message)
    if kind == "speed":
        v = m.get("value")
        if not is_number(v) or not 0 <= float(v) <= MAX_SPEED:
            raise MessageError(f"speed must be 0 (as fast as possible) to {MAX_SPEED}, got {v!r}")
    elif kind == "config":
        if not isinstance(m.get("config"), Mapping):
            raise MessageError("config: the message needs a 'config' object")
    elif kind in ("add_point", "remove_point"):
        for key in ("x", "y"):
            v = m.get(key)
            if not is_number(v) or not math.isfinite(float(v)):
                raise MessageError(f"{kind}: {key} must be a finite number, got {v!r}")
        if kind == "add_point" and not (is_int(m.get("class")) and 0 <= int(m["class"]) <= 2):
            raise MessageError(f"add_point: class must be 0, 1 or 2, got {m.get('class')!r}")
    elif kind == "select":
        v = m.get("sample")
        if v is not None and not (is_int(v) and int(v) >= 0):
            raise MessageError(f"select: sample must be a point index or null, got {v!r}")
    elif kind == "unfold":
        v = m.get("node")
        if v is not None and not (is_int(v) and int(v) >= 0):
            raise MessageError(f"unfold: node must be a folded box's index or null, got {v!r}")
    elif kind == "explain":
        node, neuron = m.get("node"), m.get("neuron")
        ok_node = is_int(node) and int(node) >= 0
        ok_neuron = isinstance(neuron, list) and len(neuron) == 2 and all(is_int(v) for v in neuron)
        if not (ok_node or ok_neuron):
            raise MessageError("explain: needs node (an index) or neuron ([layer, index])")
    elif kind == "download" and m.get("what") not in ("model", "code"):
        raise MessageError(f"download: what must be 'model' or 'code', got {m.get('what')!r}")
    return m
