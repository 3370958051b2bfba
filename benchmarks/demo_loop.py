"""micrograd's demo training loop, written once for any engine's `Value`.

The same code drives both engines, so both record the same graph: a 2-16-16-1 ReLU MLP
built from `Value` ops only (micrograd's `sum(w*x, b)` neuron), 100 two-moons points,
SVM max-margin loss plus 1e-4 L2, plain SGD with micrograd's learning-rate schedule.

    python benchmarks/demo_loop.py {ours,micrograd} STEPS DATA.json [ROUNDS] [--times]

prints each step's number, loss and accuracy, one line each, so that a caller can time the
whole process and compare the two engines' losses; with --times, each line ends with the
step's end time (seconds on the process's own clock), to time any stretch of steps.
ROUNDS (default 1) trains that many times over, each round from the same initial weights:
every round then does exactly the same work, which lets a JIT (PyPy's) warm up on the demo
itself without the rounds after the first leaving micrograd's 100-step learning-rate
schedule. The process imports only the engine
it runs (the data come as JSON from `write_data`): whatever else it imported would
enlarge the heap that the garbage collector scans.
"""

from __future__ import annotations

import json
import random
import sys
import time


class Neuron:
    def __init__(self, value_class, nin: int, nonlin: bool, rng: random.Random) -> None:
        self.w = [value_class(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = value_class(0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class MLP:
    def __init__(self, value_class, nin: int, nouts: list[int], rng: random.Random) -> None:
        sizes = [nin] + nouts
        self.layers = [
            [Neuron(value_class, sizes[i], i != len(nouts) - 1, rng) for _ in range(sizes[i + 1])]
            for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = [neuron(x) for neuron in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for neuron in layer for p in neuron.parameters()]


def loss(value_class, model: MLP, xs, ys):
    inputs = [list(map(value_class, x)) for x in xs]
    scores = list(map(model, inputs))
    losses = [(1 + -y * score).relu() for y, score in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    accuracy = sum((y > 0) == (score.data > 0) for y, score in zip(ys, scores)) / len(ys)
    return data_loss + reg_loss, accuracy


def value_class_of(engine: str):
    if engine == "ours":
        from autograd import Value
    elif engine == "micrograd":
        from micrograd.engine import Value  # type: ignore[no-redef]  # the other engine's
    else:
        raise SystemExit(f"demo_loop: unknown engine {engine!r}: 'ours' or 'micrograd'")
    return Value


def moons():
    """The demo's 100 two-moons points, labels in {-1, +1} for the SVM loss."""
    from nn.data import make_moons

    xs, labels = make_moons(100, noise=0.1, rng=1)
    return xs, [2 * label - 1 for label in labels]


def write_data(path: str) -> None:
    xs, ys = moons()
    with open(path, "w") as f:
        json.dump({"xs": xs, "ys": ys}, f)


def read_data(path: str):
    with open(path) as f:
        data = json.load(f)
    return data["xs"], data["ys"]


def main(engine: str, steps: int, data_path: str, rounds: int = 1, times: bool = False) -> None:
    value_class = value_class_of(engine)
    xs, ys = read_data(data_path)
    for _ in range(rounds):
        model = MLP(value_class, 2, [16, 16, 1], random.Random(1337))
        for k in range(steps):
            total_loss, accuracy = loss(value_class, model, xs, ys)
            for p in model.parameters():
                p.grad = 0.0
            total_loss.backward()
            learning_rate = 1.0 - 0.9 * k / 100
            for p in model.parameters():
                p.data -= learning_rate * p.grad
            end = (time.perf_counter(),) if times else ()
            print(k, repr(total_loss.data), accuracy, *end, flush=True)


if __name__ == "__main__":
    args = [arg for arg in sys.argv[1:] if arg != "--times"]
    rounds = int(args[3]) if len(args) > 3 else 1
    main(args[0], int(args[1]), args[2], rounds, times="--times" in sys.argv)
