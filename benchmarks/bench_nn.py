"""micrograd's demo step: our MLP, hand-written float backprop, and micrograd's nn.MLP.

One step = forward of 100 two-moons points through a 2-16-16-1 ReLU MLP, the mean SVM
max-margin loss relu(1 - y * score) plus 1e-4 * the sum of squared parameters, backward,
and an SGD update. The plain-float version comes twice: dense (the same arithmetic as the
graph, the baseline of the 2.5x target) and sparse (skipping zero gradients, the floor).
All start from the same weights and must agree on the step-0 loss.

    python benchmarks/bench_nn.py
"""

from __future__ import annotations

import time

from nn import MLP
from nn.data import make_moons
from nn.losses import hinge, l2
from nn.optim import SGD

SIZES = [2, 16, 16, 1]
POINTS = 100
ALPHA = 1e-4  # the L2 weight of micrograd's demo
LR = 0.1  # a small step, so that repeated steps stay near the starting weights
REPEATS = 15


def _data() -> tuple[list[tuple[float, float]], list[int]]:
    xs, ys = make_moons(POINTS, noise=0.1, rng=1)
    return xs, [2 * y - 1 for y in ys]  # labels in {-1, +1} for the max-margin loss


# --- (1) the library: fused neurons -------------------------------------------------------


def ours_step(model: MLP, optimizer: SGD, xs, ys) -> float:
    params = optimizer.params
    loss = hinge([model(x) for x in xs], ys) + ALPHA * l2(params)
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


def run() -> str:
    xs, ys = _data()
    model = MLP(SIZES[0], SIZES[1:], activation="relu", output_activation="linear", rng=1337)
    dense = FloatMLP(model, sparse=False)
    sparse = FloatMLP(model, sparse=True)
    micro = micrograd_model(model)
    optimizer = SGD(model.parameters(), lr=LR)

    # Step 0 from the same weights: all losses must agree before anything is timed.
    first = {
        "ours": ours_step(model, optimizer, xs, ys),
        "dense floats": dense.step(xs, ys),
        "sparse floats": sparse.step(xs, ys),
    }
    if micro is not None:
        first["micrograd"] = micrograd_step(micro, xs, ys)
    reference = first["dense floats"]
    for value in first.values():
        if abs(value - reference) > 1e-9 * max(1.0, abs(reference)):
            raise AssertionError(f"bench_nn: step-0 losses differ: {first}")

    seconds = best_times(
        {
            "ours": lambda: ours_step(model, optimizer, xs, ys),
            "dense floats": lambda: dense.step(xs, ys),
            "sparse floats": lambda: sparse.step(xs, ys),
        },
        REPEATS,
    )
    if micro is not None:  # a second a step: a few runs are enough
        seconds.update(best_times({"micrograd": lambda: micrograd_step(micro, xs, ys)}, 3))
    names = {
        "ours": "backprop-lens `nn.MLP` (fused neurons)",
        "dense floats": "hand-written plain floats, dense backward",
        "sparse floats": "hand-written plain floats, skipping zero gradients",
        "micrograd": "micrograd 0.1.0 `nn.MLP`",
    }
    ours = seconds["ours"]
    rows = [
        f"| {names[key]} | {t * 1e3:.1f} | {t / ours:.2f} |" for key, t in seconds.items()
    ]
    if micro is None:
        rows.append(f"| {names['micrograd']} | not installed | - |")
    verdicts = [
        f"ours / dense floats = {ours / seconds['dense floats']:.2f} (target <= 2.5)",
    ]
    if micro is not None:
        verdicts.append(f"micrograd / ours = {seconds['micrograd'] / ours:.1f} (target >= 30)")

    return "\n".join(
        [
            "### nn: micrograd's demo training step",
            "",
            f"Seconds for one SGD step of micrograd's demo (forward of {POINTS} two-moons "
            "points through a 2-16-16-1 ReLU MLP, max-margin loss + 1e-4 L2, backward, "
            f"update), best of several runs; all start from the same weights and give the "
            f"same step-0 loss ({reference:.12g}).",
            "",
            "| implementation | ms per step | time / ours |",
            "|---|---:|---:|",
            *rows,
            "",
            "; ".join(verdicts) + ".",
        ]
    )


if __name__ == "__main__":
    print(run())
