"""What the page draws, as JSON-ready dicts made from a `Session`: the frame producer.

Every number here is the engine's (the model run with `no_grad`, the sample's graph run
forward and backward); the page only draws them. The runner calls these in its training
thread, between two steps, so no frame ever mixes two steps. The message format is in
`nn.live.runner`'s docstring.
"""

from __future__ import annotations

import base64
import json
import math
import operator
import os
import tempfile
from typing import Any, Callable

from autograd import Value, no_grad, ops
from autograd.formatting import format_number
from nn.activations import ACTIVATIONS
from nn.live.config import MAX_MESSAGE
from nn.live.session import MAX_LAYERS, MAX_NEURONS, MAX_POINTS, Session, optimizer_state
from nn.serialize import save

Forward = Callable[[list[float]], list[list[float]]]  # a point -> each layer's outputs

GRID = 20  # the boundary's cells per side (the page smooths it)
NEURON_GRID = 10  # each neuron's small map: every other boundary cell


def num(x: float) -> float | None:
    """A float for JSON, to 5 significant digits (what any view shows); nan/inf -> None."""
    if not math.isfinite(x):
        return None
    return float(f"{x:.5g}")


def exact(x: float | None) -> float | None:
    """A float for JSON with every digit (the step's loss); nan/inf -> None."""
    return x if x is not None and math.isfinite(x) else None


def _bytes(values: list[int]) -> str:
    return base64.b64encode(bytes(values)).decode("ascii")


# --- the parts that change only when the set-up does --------------------------------------


def setup(session: Session) -> dict[str, Any]:
    """The static part: config, points, the network's shape, the parameters' labels."""
    model = session.model
    return {
        "type": "setup",
        "config": session.config,
        "classes": session.classes,
        "sizes": [2, *[len(layer.neurons) for layer in model.layers]],
        "activation": session.config["activation"],
        "labels": [p.label for p in session.params],
        "train": [[num(x), num(y), k] for (x, y), k in zip(session.train_xs, session.train_ys)],
        "test": [[num(x), num(y), k] for (x, y), k in zip(session.test_xs, session.test_ys)],
        "bounds": [num(b) for b in session.bounds()],
        "grid": GRID,
        "neuron_grid": NEURON_GRID,
        "step_mode": session.step_mode,
        "trace_note": session.trace_note,
        "model_text": repr(model),
        "limits": {
            "layers": MAX_LAYERS,
            "neurons": MAX_NEURONS,
            "points": MAX_POINTS,
            "message": MAX_MESSAGE,  # characters of a page's message
        },
    }


# --- light parts: every frame -----------------------------------------------------------


def light(session: Session) -> dict[str, Any]:
    """Step, loss and every parameter's value and gradient (the network's edges)."""
    return {
        "step": session.steps,
        "loss": exact(session.last_loss if session.steps else session.initial_loss()),
        "step_mode": session.step_mode,
        "values": [num(p.data) for p in session.params],
        "grads": [num(p.grad) for p in session.params],
    }


# --- heavy parts: a few times a second --------------------------------------------------


class Cancelled(Exception):
    """The maps were no longer wanted (Pause makes its own at once): stopped midway."""


def heavy(session: Session, cancelled: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Test and train metrics, the boundary, each neuron's map, the parameter table.
    `cancelled`, asked between two rows of the plane, stops it (`Cancelled`)."""
    forward = float_forward(session)
    train_loss, train_acc = evaluate(session, forward, session.train_xs, session.train_ys)
    test_loss, test_acc = evaluate(session, forward, session.test_xs, session.test_ys)
    part = {
        "metrics": [num(train_loss), num(test_loss), num(train_acc), num(test_acc)],
        "table": {
            "update": [num(u) for u in session.last_update],
            **{k: [num(v) for v in vs] for k, vs in optimizer_state(session).items()},
        },
    }
    part.update(maps(session, cancelled, forward))
    return part


def evaluate(
    session: Session, forward: Forward, xs: list[list[float]], ys: list[int]
) -> tuple[float, float]:
    """`session.evaluate(xs, ys)` with the model's outputs from `forward` (the same floats:
    a test checks) and the loss by the engine's own loss function, on those outputs."""
    if not xs:
        return math.nan, math.nan
    with no_grad():
        outputs: list = []
        for x in xs:
            out = forward(list(x))[-1]
            outputs.append(Value(out[0]) if len(out) == 1 else [Value(v) for v in out])
        loss = session.data_loss(outputs, session.targets(ys)).data
    right = sum(session.predicted(session.score(o)) == y for o, y in zip(outputs, ys))
    return loss, right / len(xs)


def maps(
    session: Session,
    cancelled: Callable[[], bool] | None = None,
    forward: Forward | None = None,
) -> dict[str, Any]:
    """The boundary over a GRID x GRID plane, and each neuron's output over every other
    cell, as bytes (base64): the boundary as 0..255 for [-1, 1] (two classes) or the class
    and its softmax probability (three), each neuron's map scaled by its largest |output|.
    """
    lo0, hi0, lo1, hi1 = session.bounds()
    forward = forward or float_forward(session)
    neurons: list[list[list[float]]] = [
        [[] for _ in layer.neurons] for layer in session.model.layers
    ]
    inputs: list[list[float]] = [[], []]
    boundary: list[int] = []
    winner: list[int] = []
    bce = session.config["loss"] == "bce"
    for row in range(GRID):  # row 0 at the top: the largest x2
        if cancelled is not None and cancelled():
            raise Cancelled
        b = hi1 - (hi1 - lo1) * (row + 0.5) / GRID
        for col in range(GRID):
            a = lo0 + (hi0 - lo0) * (col + 0.5) / GRID
            layers = forward([a, b])
            out = layers[-1]
            if len(out) == 1:
                v = 2.0 * out[0] - 1.0 if bce else math.tanh(out[0])
                boundary.append(_byte(v))
            else:
                top = max(out)
                exps = [math.exp(z - top) for z in out]
                k = max(range(len(out)), key=lambda j: (out[j], -j))
                winner.append(k)
                boundary.append(_byte(2.0 * exps[k] / sum(exps) - 1.0))
            if row % 2 == 0 and col % 2 == 0:
                inputs[0].append(a)
                inputs[1].append(b)
                for i, layer in enumerate(layers):
                    for j, v in enumerate(layer):
                        neurons[i][j].append(v)
    part: dict[str, Any] = {"boundary": _bytes(boundary)}
    if winner:
        part["winner"] = _bytes(winner)
    part["neurons"] = [[_scaled(vs) for vs in [*inputs]]] + [
        [_scaled(vs) for vs in layer] for layer in neurons
    ]
    return part


def float_forward(session: Session) -> Forward:
    """`session.activations` for the 400 points of the maps, without a node: each layer's
    `w·x+b` and activation applied through their ops' numeric rules (`autograd.ops`, the
    engine's own forward code) to the parameters' floats as they are now. Five times
    faster than building nodes under `no_grad`, so Pause's last frame comes sooner; a test
    checks it against `session.activations`."""
    layers = []
    for layer in session.model.layers:
        weights = [[w.data for w in neuron.w] for neuron in layer.neurons]
        biases = [neuron.b.data for neuron in layer.neurons]
        op = ACTIVATIONS[layer.activation].op
        rule = None if op is None else ops.REGISTRY[op].numeric
        layers.append((weights, biases, rule))
    mul = operator.mul

    def forward(point: list[float]) -> list[list[float]]:
        outputs = []
        h = point
        for weights, biases, rule in layers:
            # b + w0*x0 + w1*x1 + ...: as ops.WEIGHTED_SUM's numeric rule adds.
            z = [sum(map(mul, ws, h), b) for ws, b in zip(weights, biases)]
            h = z if rule is None else [rule(v)[0] for v in z]
            outputs.append(h)
        return outputs

    return forward


def _byte(v: float) -> int:
    if not math.isfinite(v):
        return 128
    return max(0, min(255, round((v + 1.0) * 127.5)))


def _scaled(values: list[float]) -> list[Any]:
    scale = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if scale == 0.0:
        return [0.0, _bytes([128] * len(values))]
    return [num(scale), _bytes([_byte(v / scale) for v in values])]


def model_json(session: Session) -> str:
    """The model as the JSON file `nn.save` writes (written by it, and read back)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.json")
        save(session.model, path)
        with open(path, encoding="utf-8") as f:
            return f.read()


def neuron_name(layer: int, neuron: int) -> str:
    return f"L{layer}.N{neuron}"


def dumps(message: dict[str, Any]) -> str:
    """A message as JSON text (never NaN: `num` made those null)."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def format_loss(x: float | None) -> str:
    return "nan" if x is None else format_number(x)
