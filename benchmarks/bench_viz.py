"""Drawing one sample's loss through a 2-16-16-1 MLP: building the Digraph, and dot to SVG.

The MLP is built here from Values (fused `weighted_sum` neurons, parameters labelled
`L{i}.N{j}.w{k}` as nn labels them), so this measures drawing only, not nn.
"""

from __future__ import annotations

import random
import time
from typing import Any

from autograd import Value, topological_order
from autograd.engine import weighted_sum
from autograd.viz import draw
from nn.labels import neuron_groups  # boxes and folds the neurons by those labels

SIZES = (2, 16, 16, 1)
MAX_NODES = 100  # the cap for the folded drawing
REPEATS = 3  # best of: the machine is shared and slow


def one_sample_loss(seed: int = 0) -> Value:
    """(mlp(x) - y)², relu hidden layers and a linear output, after backward()."""
    rng = random.Random(seed)
    activations = [Value(rng.uniform(-1, 1), f"x{k}") for k in range(SIZES[0])]
    last = len(SIZES) - 2
    for i, (nin, nout) in enumerate(zip(SIZES, SIZES[1:])):
        outputs = []
        for j in range(nout):
            w = [Value(rng.uniform(-1, 1), f"L{i}.N{j}.w{k}") for k in range(nin)]
            z = weighted_sum(w, activations, Value(0.0, f"L{i}.N{j}.b"))
            outputs.append(z if i == last else z.relu())
        activations = outputs
    loss = (activations[0] - 1.0) ** 2
    loss.backward()
    return loss


def best_time(action) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def run() -> str:
    loss = one_sample_loss()
    values = len(topological_order(loss))
    rows = []
    variants: list[tuple[str, dict[str, Any]]] = [
        ("unfolded", {}), (f"folded (max_nodes={MAX_NODES})", {"max_nodes": MAX_NODES})
    ]
    for name, options in variants:
        draw_seconds, graph = best_time(
            lambda: draw(loss, color_by_grad=True, groups=neuron_groups, **options))  # noqa: B023 - timed here
        render_seconds, svg = best_time(lambda: graph.pipe(format="svg"))  # noqa: B023 - timed here
        drawn = graph.source.count("[label=")  # value boxes, op nodes and the legend
        rows.append(
            f"| {name} | {drawn} | {draw_seconds * 1000:.1f} ms | {render_seconds * 1000:.0f} ms "
            f"| {len(svg) / 1024:.0f} KiB |"
        )
    return "\n".join(
        [
            "### Drawing a graph (`autograd.viz.draw`)",
            "",
            f"One sample's squared error through a 2-16-16-1 ReLU MLP with fused neurons: "
            f"{values} `Value`s. *draw* builds the `graphviz.Digraph` (with |grad| colours); "
            f"*render* is Graphviz's `dot` to SVG. Best of {REPEATS}.",
            "",
            "| drawing | graphviz nodes | draw | render | SVG |",
            "|---|---:|---:|---:|---:|",
            *rows,
        ]
    )


if __name__ == "__main__":
    print(run())
