"""The engine against micrograd 0.1.0: the demo loop, a deep chain, memory per op.

Each measurement runs in a fresh process, so that one engine's garbage does not slow the
other. `run()` returns the Markdown section for `benchmarks/run.py`; by hand:

    python benchmarks/bench_engine.py            # the whole section
    python benchmarks/bench_engine.py probe chain ours
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_loop import write_data

HERE = Path(__file__).resolve().parent
ENGINES = ("ours", "micrograd")
STEPS = int(os.environ.get("BENCH_STEPS", "100"))  # micrograd's demo runs 100 steps
CHAIN = 1_000_000
MEMORY_CHAIN = 200_000  # bytes per op do not depend on length; tracemalloc is slow


def run() -> str:
    with tempfile.TemporaryDirectory() as folder:
        data = os.path.join(folder, "moons.json")
        write_data(data)
        demo = {engine: _demo_loop(engine, STEPS, data) for engine in ENGINES}
    chain = {engine: _probe("chain", engine) for engine in ENGINES}
    memory = {engine: _probe("memory", engine) for engine in ENGINES}
    grads = _probe("grad", "ours")

    ours, theirs = demo["ours"], demo["micrograd"]
    loss_gap = max(
        abs(a - b) / max(abs(b), 1e-300) for a, b in zip(ours["losses"], theirs["losses"])
    )
    lines = [
        "### The engine against micrograd 0.1.0",
        "",
        f"(a) micrograd's demo training loop, {STEPS} steps, the same code building the same "
        "graph on both engines (2-16-16-1 ReLU MLP of `Value` ops, 100 two-moons points, SVM "
        "loss + 1e-4 L2, SGD), whole process timed. The two engines' losses agree to a "
        f"relative {loss_gap:.1e} at every step (summation order differs).",
        "",
        "| | ours | micrograd 0.1.0 | speed-up |",
        "|---|---|---|---|",
        f"| whole process, {STEPS} steps | {ours['seconds']:.2f} s | {theirs['seconds']:.2f} s "
        f"| **{theirs['seconds'] / ours['seconds']:.1f}x** |",
        f"| per step | {ours['seconds'] / STEPS * 1000:.0f} ms | "
        f"{theirs['seconds'] / STEPS * 1000:.0f} ms | |",
        f"| final loss, accuracy | {ours['losses'][-1]:.6f}, {ours['accuracy']:.0%} | "
        f"{theirs['losses'][-1]:.6f}, {theirs['accuracy']:.0%} | |",
        "",
        f"(b) `backward()` of a chain of {CHAIN:,} ops (`y = y * 1.000001`).",
        "",
        "| | ours | micrograd 0.1.0 |",
        "|---|---|---|",
        f"| build the chain | {_seconds(chain['ours']['build'])} | {_seconds(chain['micrograd']['build'])} |",
        f"| `backward()` | {_seconds(chain['ours']['backward'])} | {chain['micrograd']['backward_text']} |",
        "",
        "(c) Memory per recorded op (tracemalloc: bytes allocated while recording, over the "
        "number of non-leaf nodes).",
        "",
        "| graph | ours | micrograd 0.1.0 |",
        "|---|---|---|",
        f"| the demo loss, one forward ({memory['ours']['demo_ops']:,} ops) "
        f"| {memory['ours']['demo']:.0f} B | {memory['micrograd']['demo']:.0f} B |",
        f"| a chain of {MEMORY_CHAIN:,} ops | {memory['ours']['chain']:.0f} B | {memory['micrograd']['chain']:.0f} B |",
        "",
        "`grad()` beside `backward()` on the demo loss (ours; best of 5): `create_graph` "
        "costs `backward()` nothing, as it never enters its loop.",
        "",
        "| | time |",
        "|---|---|",
        f"| `backward()` | {grads['backward'] * 1000:.0f} ms |",
        f"| `grad(loss, params)` | {grads['grad'] * 1000:.0f} ms |",
        f"| `grad(loss, params, create_graph=True)` | {grads['grad_graph'] * 1000:.0f} ms |",
    ]
    return "\n".join(lines)


def _seconds(s: float) -> str:
    return f"{s:.2f} s"


def _demo_loop(engine: str, steps: int, data: str) -> dict:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE / "demo_loop.py"), engine, str(steps), data],
        capture_output=True, text=True, check=True, env=_env(),
    )
    seconds = time.perf_counter() - start
    rows = [line.split() for line in done.stdout.splitlines()]
    return {
        "seconds": seconds,
        "losses": [float(row[1]) for row in rows],
        "accuracy": float(rows[-1][2]),
    }


def _probe(what: str, engine: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "probe", what, engine],
        capture_output=True, text=True, check=True, env=_env(),
    )
    return json.loads(done.stdout)


def _env() -> dict:
    # The probes import the project from the repository, wherever they are run from.
    return {**os.environ, "PYTHONPATH": f"{HERE.parent}{os.pathsep}{HERE}"}


# --- probes: each runs alone in its own process ------------------------------------------


def probe_chain(engine: str) -> dict:
    from demo_loop import value_class_of

    value_class = value_class_of(engine)
    start = time.perf_counter()
    y = value_class(1.0)
    for _ in range(CHAIN):
        y = y * 1.000001
    build = time.perf_counter() - start
    start = time.perf_counter()
    try:
        y.backward()
    except RecursionError:
        return {"build": build, "backward": None, "backward_text": "RecursionError"}
    seconds = time.perf_counter() - start
    return {"build": build, "backward": seconds, "backward_text": _seconds(seconds)}


def probe_memory(engine: str) -> dict:
    import random
    import tracemalloc

    from demo_loop import MLP, loss, moons, value_class_of

    value_class = value_class_of(engine)
    xs, ys = moons()
    model = MLP(value_class, 2, [16, 16, 1], random.Random(1337))

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    total, _ = loss(value_class, model, xs, ys)
    demo_bytes = tracemalloc.get_traced_memory()[0] - before
    demo_ops = _count_ops(total)

    y = value_class(1.0)
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(MEMORY_CHAIN):
        y = y * 1.000001
    chain_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {"demo": demo_bytes / demo_ops, "demo_ops": demo_ops, "chain": chain_bytes / MEMORY_CHAIN}


def _count_ops(root) -> int:
    """Non-leaf nodes reachable from root, for either engine (iteratively)."""
    def parents(node):
        return node.parents if hasattr(node, "parents") else node._prev

    seen, stack, ops = {id(root)}, [root], 0
    while stack:
        node = stack.pop()
        ops += bool(parents(node))
        for p in parents(node):
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return ops


def probe_grad(engine: str) -> dict:
    import random

    from demo_loop import MLP, loss, moons, value_class_of

    from autograd import grad

    value_class = value_class_of(engine)
    xs, ys = moons()
    model = MLP(value_class, 2, [16, 16, 1], random.Random(1337))
    total, _ = loss(value_class, model, xs, ys)
    params = model.parameters()

    def best(f) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            f()
            times.append(time.perf_counter() - start)
        return min(times)

    return {
        "backward": best(total.backward),
        "grad": best(lambda: grad(total, params)),
        "grad_graph": best(lambda: grad(total, params, create_graph=True)),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["probe"]:
        what, engine = sys.argv[2], sys.argv[3]
        print(json.dumps(globals()[f"probe_{what}"](engine)))
    else:
        print(run())
