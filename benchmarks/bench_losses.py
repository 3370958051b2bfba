"""The losses written with ops (no branch on a number) against an earlier revision's, in one run.

    python benchmarks/bench_losses.py REV [--rounds 7] [--repeat 5]

REV names the revision whose `nn/losses.py` is the "before" (6eeabbf: the last one that
branched on numbers); both versions run on this checkout's engine and model, so only the
loss functions differ. One measurement = the forward and backward pass of micrograd's
moons demo network (2-16-16-1 ReLU MLP, 100 two-moons points; 2-16-16-2 for the two-logit
cross-entropy) under each loss: `bce` (sigmoid output), `bce_with_logits` (linear
output), `cross_entropy`. Also timed: the loss alone (its forward and backward on 100
leaf predictions, the model left out), and a traced step (`nn.traced.TracedLoss`)
replaying the whole graph. Before and after take turns within each round, so that a
machine whose speed drifts treats both alike; the figures are the medians over the
rounds, and after / before their ratio.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograd import Value  # noqa: E402
from nn import MLP  # noqa: E402
from nn import losses as after  # noqa: E402
from nn.data import make_moons  # noqa: E402
from nn.traced import TracedLoss  # noqa: E402

POINTS = 100


def losses_at(revision: str) -> ModuleType:
    """`nn/losses.py` as it was at `revision`, imported as a module of its own."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:nn/losses.py"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    folder = Path(tempfile.mkdtemp())
    path = folder / "losses_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("losses_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seconds(work: Callable[[], float], repeat: int) -> float:
    """The best of `repeat` timings of `work()`."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def cases(module: ModuleType) -> dict[str, Callable[[], float]]:
    """name -> one forward and backward pass, built on `module`'s loss functions."""
    xs, labels = make_moons(POINTS, noise=0.1, rng=1)
    one_output = {
        "bce": MLP(2, [16, 16, 1], output_activation="sigmoid", rng=7),
        "bce_with_logits": MLP(2, [16, 16, 1], rng=7),
    }
    two_logits = MLP(2, [16, 16, 2], rng=7)
    probabilities = [i / (POINTS + 1) for i in range(1, POINTS + 1)]
    logits = [(i - POINTS / 2) / 5 for i in range(POINTS)]

    def model_step(model: MLP, loss: Callable) -> Callable[[], float]:
        def step() -> float:
            model.zero_grad()
            value = loss([model(x) for x in xs], labels)
            value.backward()
            return value.data

        return step

    def loss_only(loss: Callable, numbers: list, targets: list) -> Callable[[], float]:
        def step() -> float:
            value = loss([Value(n) for n in numbers], targets)
            value.backward()
            return value.data

        return step

    def ce_only() -> float:
        value = module.cross_entropy([[Value(z), Value(-z)] for z in logits], labels)
        value.backward()
        return value.data

    traced = {
        name: TracedLoss(model, xs, labels, getattr(module, name))
        for name, model in one_output.items()
    }
    traced["cross_entropy"] = TracedLoss(two_logits, xs, labels, module.cross_entropy)
    return {
        "model + bce": model_step(one_output["bce"], module.bce),
        "model + bce_with_logits": model_step(
            one_output["bce_with_logits"], module.bce_with_logits
        ),
        "model + cross_entropy": model_step(two_logits, module.cross_entropy),
        "bce alone": loss_only(module.bce, probabilities, labels),
        "bce_with_logits alone": loss_only(module.bce_with_logits, logits, labels),
        "cross_entropy alone": ce_only,
        "traced bce": traced["bce"],
        "traced bce_with_logits": traced["bce_with_logits"],
        "traced cross_entropy": traced["cross_entropy"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("revision", help="the revision whose nn/losses.py is timed as before")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5, help="timings per round (best kept)")
    args = parser.parse_args()
    before = losses_at(args.revision)
    sides = {"before": cases(before), "after": cases(after)}
    names = list(sides["after"])
    for name in names:  # the same numbers, or the comparison means nothing
        b, a = sides["before"][name](), sides["after"][name]()
        assert abs(a - b) <= 1e-12 * max(1.0, abs(b)), (name, b, a)
    times: dict[str, dict[str, list[float]]] = {n: {"before": [], "after": []} for n in names}
    for _ in range(args.rounds):
        for name in names:
            for side in ("before", "after"):
                times[name][side].append(seconds(sides[side][name], args.repeat))
    print(
        f"{sys.implementation.name} {sys.version.split()[0]}; before = {args.revision}'s "
        f"nn/losses.py; {args.rounds} rounds, median of each round's best of {args.repeat}"
    )
    print(
        f"{'forward + backward':28s} {'before ms':>10s} {'after ms':>10s} {'after / before':>15s}"
    )
    for name in names:
        b = statistics.median(times[name]["before"]) * 1e3
        a = statistics.median(times[name]["after"]) * 1e3
        print(f"{name:28s} {b:10.3f} {a:10.3f} {a / b:15.2f}")


if __name__ == "__main__":
    main()
