"""The engine against micrograd 0.1.0: the demo loop, a deep chain, memory per op.

Each measurement runs in a fresh process, so that one engine's garbage does not slow the
other. The demo loop runs on CPython (this interpreter) and, given one, on PyPy.
`run()` returns the Markdown section for `benchmarks/run.py`; by hand:

    python benchmarks/bench_engine.py [--pypy .venv-pypy/bin/python]   # the whole section
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
# PyPy's JIT compiles the loop while it runs: our engine's step settles after about 30
# steps, micrograd's after about 10 (per-step times measured over 6 rounds). Three rounds
# of the 100-step demo, each from the same initial weights, put that warm-up in the
# first tenth of the run, and the whole process is still what is timed.
PYPY_ROUNDS = int(os.environ.get("BENCH_PYPY_ROUNDS", "3"))
CHAIN = 1_000_000
MEMORY_CHAIN = 200_000  # bytes per op do not depend on length; tracemalloc is slow


def run(pypy: str | None = None) -> str:
    """The section; `pypy` is a PyPy interpreter with micrograd installed, or None."""
    runs = {"CPython": (sys.executable, 1)}
    if pypy:
        runs["PyPy"] = (pypy, PYPY_ROUNDS)
    with tempfile.TemporaryDirectory() as folder:
        data = os.path.join(folder, "moons.json")
        write_data(data)
        demo = {
            (vm, engine): _demo_loop(interpreter, engine, STEPS, rounds, data)
            for vm, (interpreter, rounds) in runs.items()
            for engine in ENGINES
        }
    versions = {vm: _version(interpreter) for vm, (interpreter, _) in runs.items()}
    chain = {engine: _probe("chain", engine) for engine in ENGINES}
    memory = {engine: _probe("memory", engine) for engine in ENGINES}
    grads = _probe("grad", "ours")

    # Every run's every round trains from the same weights: all losses, step by step,
    # of both engines on both interpreters, against CPython micrograd's first round.
    reference = demo["CPython", "micrograd"]["losses"][:STEPS]
    loss_gap = max(
        abs(a - b) / max(abs(b), 1e-300)
        for result in demo.values()
        for start in range(0, len(result["losses"]), STEPS)
        for a, b in zip(result["losses"][start:start + STEPS], reference)
    )
    columns = [(vm, engine) for vm in runs for engine in ENGINES]
    names = {"ours": "ours", "micrograd": "micrograd 0.1.0"}

    def row(title: str, cell) -> str:
        return f"| {title} | " + " | ".join(cell(demo[key], key) for key in columns) + " |"

    def speedup(result, key) -> str:
        vm, engine = key
        if engine == "ours":
            return ""
        return f"**{result['seconds'] / demo[vm, 'ours']['seconds']:.1f}x**"

    def last_round(result, key) -> str:
        if len(result["losses"]) <= STEPS:
            return "(one round)"
        return f"{result['last_round'] / STEPS * 1000:.1f} ms"

    pypy_text = (
        f" On PyPy the demo runs {PYPY_ROUNDS} rounds of {STEPS} steps in one process, each "
        "round from the same initial weights, so that every round does the same work: PyPy's "
        "JIT compiles the loop as it runs (our engine's step settles after about 30 steps, "
        "micrograd's after about 10), and the whole process, warm-up included, is what is "
        "timed; the last round alone shows the settled speed."
        if pypy
        else " (PyPy: not measured; `make bench` installs and runs it.)"
    )
    lines = [
        "### The engine against micrograd 0.1.0",
        "",
        f"(a) micrograd's demo training loop, {STEPS} steps, the same code building the same "
        "graph on both engines (2-16-16-1 ReLU MLP of `Value` ops, 100 two-moons points, SVM "
        "loss + 1e-4 L2, SGD), whole process timed, on each interpreter." + pypy_text
        + f" All losses agree with CPython micrograd's to a relative {loss_gap:.1e} at every "
        "step (summation order differs).",
        "",
        "| | " + " | ".join(f"{versions[vm]}: {names[engine]}" for vm, engine in columns) + " |",
        "|---|" + "---|" * len(columns),
        row("steps, in one process", lambda r, k: f"{len(r['losses'])}"),
        row("whole process", lambda r, k: f"{r['seconds']:.2f} s"),
        row("speed-up over micrograd", speedup),
        row("per step, whole process", lambda r, k: f"{r['seconds'] / len(r['losses']) * 1000:.1f} ms"),
        row(f"per step, last {STEPS} steps", last_round),
        row("final loss, accuracy", lambda r, k: f"{r['losses'][-1]:.6f}, {r['accuracy']:.0%}"),
        "",
        f"(b) `backward()` of a chain of {CHAIN:,} ops (`y = y * 1.000001`), CPython.",
        "",
        "| | ours | micrograd 0.1.0 |",
        "|---|---|---|",
        f"| build the chain | {_seconds(chain['ours']['build'])} | {_seconds(chain['micrograd']['build'])} |",
        f"| `backward()` | {_seconds(chain['ours']['backward'])} | {chain['micrograd']['backward_text']} |",
        "",
        "(c) Memory per recorded op (tracemalloc, which is CPython's: bytes allocated while "
        "recording, over the number of non-leaf nodes).",
        "",
        "| graph | ours | micrograd 0.1.0 |",
        "|---|---|---|",
        f"| the demo loss, one forward ({memory['ours']['demo_ops']:,} ops) "
        f"| {memory['ours']['demo']:.0f} B | {memory['micrograd']['demo']:.0f} B |",
        f"| a chain of {MEMORY_CHAIN:,} ops | {memory['ours']['chain']:.0f} B | {memory['micrograd']['chain']:.0f} B |",
        "",
        "`grad()` beside `backward()` on the demo loss (ours, CPython; best of 5): "
        "`create_graph` costs `backward()` nothing, as it never enters its loop.",
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


def _demo_loop(interpreter: str, engine: str, steps: int, rounds: int, data: str) -> dict:
    """Time the whole `demo_loop.py` process; the last round from the steps' own clock."""
    command = [interpreter, str(HERE / "demo_loop.py"), engine, str(steps), data, str(rounds), "--times"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=_env())
    seconds = time.perf_counter() - start
    rows = [line.split() for line in done.stdout.splitlines()]
    if done.returncode != 0 or len(rows) != steps * rounds:
        raise SystemExit(
            f"bench_engine: {' '.join(command)} failed (exit {done.returncode}): {done.stderr[-500:]}"
        )
    return {
        "seconds": seconds,
        "losses": [float(row[1]) for row in rows],
        "accuracy": float(rows[-1][2]),
        # the last round alone: from the end of the step before it to the end of its last
        "last_round": float(rows[-1][3]) - float(rows[-steps - 1][3]) if rounds > 1 else None,
    }


def _version(interpreter: str) -> str:
    """'CPython 3.11.7' or 'PyPy 7.3.11 (Python 3.9.16)'."""
    code = (
        "import platform, sys; print(platform.python_implementation(), platform.python_version(), "
        "'.'.join(map(str, getattr(sys, 'pypy_version_info', ())[:3])), sep='|')"
    )
    done = subprocess.run([interpreter, "-c", code], capture_output=True, text=True, check=True)
    name, python, pypy = done.stdout.strip().split("|")
    return f"{name} {pypy} (Python {python})" if pypy else f"{name} {python}"


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
    elif sys.argv[1:2] == ["--pypy"]:
        print(run(pypy=sys.argv[2]))
    else:
        print(run())
