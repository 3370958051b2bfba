"""Forward mode against reverse mode on micrograd's demo loss.

The demo's loss (`demo_loop.py`: a 2-16-16-1 ReLU MLP of `Value` ops, 100 two-moons points,
SVM loss + 1e-4 L2) as a function of its 337 parameters. Timed, side by side in one
process, best of REPEATS (the machine is shared):

- building the graph alone (the forward evaluation every method pays);
- `jvp` in one direction: the graph, then one tangent sweep;
- `grad`: the graph, then one reverse sweep (the engine's reference chain rule);
- `backward()`: the graph, then the engine's fast reverse loop (what training uses);
- on one built graph: its topological order, a tangent sweep over it, and `grad`'s
  reverse sweep (which orders the graph itself);
- the whole gradient by forward mode (`jacfwd`: 337 tangent sweeps) against `jacrev` (1).

    python benchmarks/bench_forward.py
"""

from __future__ import annotations

import gc
import random
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from demo_loop import MLP, loss, moons  # noqa: E402

from autograd import Value, grad, jacfwd, jacrev, jvp  # noqa: E402
from autograd.forward import graph_order, push_tangents  # noqa: E402

REPEATS = 5


def demo_loss_of_parameters():
    """The demo loss as a function of the parameters' Values, and the starting point."""
    xs, ys = moons()
    model = MLP(Value, 2, [16, 16, 1], random.Random(1337))
    neurons = [neuron for layer in model.layers for neuron in layer]
    start = [p.data for p in model.parameters()]

    def f(*params: Value) -> Value:
        it = iter(params)
        for neuron in neurons:  # this call's Values become the model's parameters
            neuron.w = [next(it) for _ in neuron.w]
            neuron.b = next(it)
        return loss(Value, model, xs, ys)[0]

    return f, start


def timed(action) -> float:
    gc.collect()  # no collection of an earlier measurement's garbage inside this one
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def best_of(actions: dict, repeats: int = REPEATS) -> dict:
    """Each action's best time, the actions taking turns (round robin), so that the
    machine's slow moments spread over all of them alike."""
    times: dict = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            times[name].append(timed(action))
    return {name: min(ts) for name, ts in times.items()}


def sweeps_alone(f, start: list, direction: list) -> tuple[dict, int, int]:
    """The sweeps alone, on one graph built once: their best times, its nodes and edges."""
    params = [Value(x) for x in start]
    out = f(*params)
    order = graph_order([out])
    edges = sum(len(node.parents) for node in order)
    seeds = dict(zip(params, direction))
    sweeps = best_of(
        {
            "sweep_forward": lambda: push_tangents(order, seeds),
            "sweep_reverse": lambda: grad(out, params),
            "order": lambda: graph_order([out]),
        }
    )
    return sweeps, len(order), edges


def measure() -> dict:
    f, start = demo_loss_of_parameters()
    n = len(start)
    direction = [random.Random(0).uniform(-1, 1) for _ in range(n)]

    def build() -> None:
        f(*[Value(x) for x in start])

    def backward() -> list:
        params = [Value(x) for x in start]
        f(*params).backward()
        return [p.grad for p in params]

    def by_grad() -> list:
        params = [Value(x) for x in start]
        return [g.data for g in grad(f(*params), params)]

    # The results agree: J·v by forward mode is the gradient dotted with v (the sums run
    # in other orders: equal to rounding).
    gradient = by_grad()
    assert gradient == backward()
    _, tangent = jvp(f, start, direction)
    dot = sum(g * d for g, d in zip(gradient, direction))
    assert abs(tangent - dot) <= 1e-9 * max(1.0, abs(dot)), (tangent, dot)

    whole = best_of(
        {
            "build": build,
            "jvp": lambda: jvp(f, start, direction),
            "grad": by_grad,
            "backward": backward,
        }
    )

    sweeps, nodes, edges = sweeps_alone(f, start, direction)  # its graph freed on return

    # The whole gradient: 337 tangent sweeps against one reverse sweep (once each: long).
    results: dict = {}
    jacobians = best_of(
        {
            "jacfwd": lambda: results.__setitem__("jacfwd", jacfwd(f)(*start)),
            "jacrev": lambda: results.__setitem__("jacrev", jacrev(f)(*start)),
        },
        repeats=1,
    )
    assert all(
        abs(a - b) <= 1e-9 * max(1.0, abs(b))
        for a, b in zip(results["jacfwd"][0], results["jacrev"][0])
    )
    return {"parameters": n, "nodes": nodes, "edges": edges, **whole, **sweeps, **jacobians}


def run(pypy: str | None = None) -> str:
    """The Markdown section for `benchmarks/run.py`."""
    m = measure()
    ms = lambda s: f"{1000 * s:.1f} ms"  # noqa: E731
    rows = [
        ("the graph alone (evaluating the loss)", m["build"], "1.00"),
        ("`jvp`: the graph + one tangent sweep", m["jvp"], f"{m['jvp'] / m['build']:.2f}"),
        ("`grad`: the graph + one reverse sweep", m["grad"], f"{m['grad'] / m['build']:.2f}"),
        ("`backward()`: the graph + the fast reverse loop", m["backward"], f"{m['backward'] / m['build']:.2f}"),
    ]
    lines = [
        "### Forward mode against reverse mode (`benchmarks/bench_forward.py`)",
        "",
        f"micrograd's demo loss as a function of its {m['parameters']} parameters: "
        f"{m['nodes']} nodes, {m['edges']} edges. Best of {REPEATS}, one process.",
        "",
        "| what | time | / the graph alone |",
        "|---|---:|---:|",
        *(f"| {what} | {ms(t)} | {ratio} |" for what, t, ratio in rows),
        "",
        f"On one built graph: the topological order {ms(m['order'])} (both sweeps need "
        f"it), a tangent sweep over it {ms(m['sweep_forward'])}; a reverse sweep "
        f"(`grad`, its own ordering included) {ms(m['sweep_reverse'])}. The whole gradient: `jacrev` "
        f"{ms(m['jacrev'])} (1 reverse sweep), `jacfwd` {ms(m['jacfwd'])} "
        f"({m['parameters']} tangent sweeps, {m['jacfwd'] / m['jacrev']:.0f}× as long).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
