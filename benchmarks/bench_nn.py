"""micrograd's demo step: our MLP, hand-written float backprop, and micrograd's nn.MLP.

One step = forward of 100 two-moons points through a 2-16-16-1 ReLU MLP, the mean SVM
max-margin loss relu(1 - y * score) plus 1e-4 * the sum of squared parameters, backward,
and an SGD update. The plain-float version comes twice: dense (the same arithmetic as the
graph, the baseline of the 2.5x target) and sparse (skipping zero gradients, the floor).
All start from the same weights and must agree on the step-0 loss.

    python benchmarks/bench_nn.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from nn import MLP
from nn.data import make_moons
from nn.losses import hinge, l2
from nn.optim import SGD

SIZES = [2, 16, 16, 1]
POINTS = 100
ALPHA = 1e-4  # the L2 weight of micrograd's demo
LR = 0.1  # a small step, so that repeated steps stay near the starting weights
REPEATS = 15
TRAINING_STEPS = 20


def _data() -> tuple[list[tuple[float, float]], list[int]]:
    xs, ys = make_moons(POINTS, noise=0.1, rng=1)
    return xs, [2 * y - 1 for y in ys]  # labels in {-1, +1} for the max-margin loss


# --- (1) the library: fused neurons -------------------------------------------------------


def ours_step(model: MLP, optimizer: SGD, xs, ys) -> float:
    params = optimizer.params
    loss = hinge([model(x) for x in xs], ys) + ALPHA * l2(params)  # type: ignore[misc]  # one output
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.data


# --- (2) plain floats: forward and backward written out by hand ----------------------------


class FloatMLP:
    """The same network as lists of floats: weights[layer][neuron] = [w0, ..., b].

    `sparse=False` does the same arithmetic as the graph, zeros included (a dense
    backward); `sparse=True` skips what a zero gradient makes pointless (points with no
    loss, neurons whose ReLU is off), which no general autograd engine does.
    """

    def __init__(self, model: MLP, sparse: bool = False) -> None:
        self.sparse = sparse
        self.weights = [
            [[p.data for p in neuron.parameters()] for neuron in layer.neurons]
            for layer in model.layers
        ]

    def step(self, xs, ys) -> float:
        weights = self.weights
        grads = [[[0.0] * len(row) for row in layer] for layer in weights]
        last = len(weights) - 1
        n = len(xs)
        total = 0.0
        for x, y in zip(xs, ys):
            # forward, keeping every layer's activations for the backward pass
            activations = [list(x)]
            for i, layer in enumerate(weights):
                inputs = activations[-1]
                outputs = []
                for row in layer:
                    z = row[-1]
                    for w, a in zip(row, inputs):
                        z += w * a
                    outputs.append(z if i == last or z > 0.0 else 0.0)
                activations.append(outputs)
            margin = 1.0 - y * activations[-1][0]
            if margin > 0.0:
                total += margin
            elif self.sparse:
                continue
            # backward: d(loss)/d(score) = -y / n where the margin is positive, else 0
            deltas = [-y / n if margin > 0.0 else 0.0]
            for i in range(last, -1, -1):
                inputs = activations[i]
                outputs = activations[i + 1]
                below = [0.0] * len(inputs)
                for row, grad_row, delta, out in zip(weights[i], grads[i], deltas, outputs):
                    if i != last and out <= 0.0:  # relu'(z) = 0
                        if self.sparse:
                            continue
                        delta = 0.0
                    for k, a in enumerate(inputs):
                        grad_row[k] += delta * a
                        below[k] += delta * row[k]
                    grad_row[-1] += delta
                deltas = below
        penalty = 0.0
        for layer, grad_layer in zip(weights, grads):
            for row, grad_row in zip(layer, grad_layer):
                for k, w in enumerate(row):
                    penalty += w * w
                    grad_row[k] += 2.0 * ALPHA * w
                    row[k] = w - LR * grad_row[k]
        return total / n + ALPHA * penalty


# --- (3) micrograd 0.1.0's own nn.MLP -----------------------------------------------------


def micrograd_model(model: MLP):
    """micrograd's MLP with our model's weights, or None when micrograd is not installed."""
    try:
        from micrograd.nn import MLP as MicroMLP
    except ImportError:
        return None
    micro = MicroMLP(SIZES[0], SIZES[1:])
    for ours, theirs in zip(model.parameters(), micro.parameters()):
        theirs.data = ours.data
    return micro


def micrograd_step(micro, xs, ys) -> float:
    from micrograd.engine import Value as MicroValue

    inputs = [[MicroValue(a) for a in x] for x in xs]
    scores = [micro(x) for x in inputs]
    losses = [(1 + -y * score).relu() for y, score in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in micro.parameters())
    loss = data_loss + reg_loss
    micro.zero_grad()
    loss.backward()
    for p in micro.parameters():
        p.data -= LR * p.grad
    return loss.data


# --- timing -------------------------------------------------------------------------------


def _ours(model: MLP, xs, ys):
    optimizer = SGD(model.parameters(), lr=LR)
    return lambda: ours_step(model, optimizer, xs, ys)


def _floats(sparse: bool):
    def build(model: MLP, xs, ys):
        network = FloatMLP(model, sparse=sparse)
        return lambda: network.step(xs, ys)

    return build


def _micrograd(model: MLP, xs, ys):
    micro = micrograd_model(model)
    return None if micro is None else lambda: micrograd_step(micro, xs, ys)


BUILDERS = {
    "ours": _ours,
    "dense floats": _floats(sparse=False),
    "sparse floats": _floats(sparse=True),
    "micrograd": _micrograd,
}


def implementations(xs, ys, names=tuple(BUILDERS)) -> tuple[dict, float]:
    """name -> one training step, all from the same weights; and the step-0 loss, which
    every implementation must agree on before anything is timed. Only `names` are built:
    micrograd's cyclic garbage would slow down whatever shares its process."""
    model = MLP(SIZES[0], SIZES[1:], activation="relu", output_activation="linear", rng=1337)
    steps = {name: BUILDERS[name](model, xs, ys) for name in names}
    steps = {name: step for name, step in steps.items() if step is not None}
    first = {name: step() for name, step in steps.items()}
    reference = first.get("dense floats", next(iter(first.values())))
    for value in first.values():
        if abs(value - reference) > 1e-9 * max(1.0, abs(reference)):
            raise AssertionError(f"bench_nn: step-0 losses differ: {first}")
    return steps, reference


def best_times(steps: dict, repeats: int) -> dict:
    """The best of `repeats` timings of each step, taken in turns, so that a busy machine
    slows every implementation alike instead of whichever ran at the wrong moment."""
    best = {name: float("inf") for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def training_run(name: str, steps: int) -> float:
    """Mean seconds per step over `steps` training steps in this process, as a training
    loop sees them: garbage collection included (the best-of timing mostly misses it)."""
    step = implementations(*_data(), names=[name])[0][name]
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def training_runs(names, steps: int) -> dict:
    """`training_run` of each implementation, each in a fresh process."""
    means = {}
    for name in names:
        done = subprocess.run(
            [sys.executable, __file__, "train", name, str(steps)],
            capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
        means[name] = float(done.stdout)
    return means


def run() -> str:
    xs, ys = _data()
    steps, reference = implementations(xs, ys)
    micrograd = steps.pop("micrograd", None)
    best = best_times(steps, REPEATS)
    if micrograd is not None:  # a second a step: a few runs are enough
        best.update(best_times({"micrograd": micrograd}, 3))
    mean = training_runs(best, TRAINING_STEPS)
    names = {
        "ours": "backprop-lens `nn.MLP` (fused neurons)",
        "dense floats": "hand-written plain floats, dense backward",
        "sparse floats": "hand-written plain floats, skipping zero gradients",
        "micrograd": "micrograd 0.1.0 `nn.MLP`",
    }
    rows = [
        f"| {names[key]} | {best[key] * 1e3:.1f} | {mean[key] * 1e3:.1f} "
        f"| {best[key] / best['ours']:.2f} | {mean[key] / mean['ours']:.2f} |"
        for key in best
    ]
    if micrograd is None:
        rows.append(f"| {names['micrograd']} | not installed | | | |")
    verdicts = [
        f"ours / dense floats = {best['ours'] / best['dense floats']:.2f} best-of, "
        f"{mean['ours'] / mean['dense floats']:.2f} in a training run (target <= 2.5)"
    ]
    if micrograd is not None:
        verdicts.append(
            f"micrograd / ours = {best['micrograd'] / best['ours']:.1f} best-of, "
            f"{mean['micrograd'] / mean['ours']:.1f} in a training run (target >= 30)"
        )
    return "\n".join(
        [
            "### nn: micrograd's demo training step",
            "",
            f"One SGD step of micrograd's demo (forward of {POINTS} two-moons points through a "
            "2-16-16-1 ReLU MLP, max-margin loss + 1e-4 L2, backward, update). All start from "
            f"the same weights and give the same step-0 loss ({reference:.12g}). Two timings: "
            f"the best of several single steps, taken in turns; and the mean step of a "
            f"{TRAINING_STEPS}-step training run, each in a fresh process, garbage collection "
            "included.",
            "",
            "| implementation | best step (ms) | mean step in a run (ms) | best / ours | mean / ours |",
            "|---|---:|---:|---:|---:|",
            *rows,
            "",
            "; ".join(verdicts) + ".",
        ]
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["train"]:
        print(training_run(sys.argv[2], int(sys.argv[3])))
    else:
        print(run())
