"""micrograd's demo loop traced once (`autograd.trace`) and replayed as code.

The same graph as `demo_loop.py` (2-16-16-1 ReLU MLP of `Value` ops, 100 two-moons
points, SVM loss + 1e-4 L2, SGD with micrograd's learning-rate schedule), traced as a
function of the 337 parameters; each step replays the generated code and updates a list
of floats. Compared with: the hand-written plain-float step of `bench_nn.py` (per step),
micrograd 0.1.0 and the engine itself (whole processes, the trace included); the memory
of tracing the spiral demo's loss against the engine's forward pass; on PyPy, the engine's
demo loop at 30 steps against micrograd's. Each measurement in a fresh process.

    python benchmarks/bench_trace.py [--pypy PYPY]  # the whole section (PYPY: with micrograd)
    python benchmarks/bench_trace.py traced 100 DATA.json [CACHE_DIR] [unroll]
    python benchmarks/bench_trace.py break-even  # that part alone
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_loop import MLP, read_data, write_data

HERE = Path(__file__).resolve().parent
STEPS = int(os.environ.get("BENCH_STEPS", "100"))  # micrograd's demo runs 100 steps
REPEATS = 15
PYPY_STEPS = 30  # the short run where PyPy's warm-up counts most
BREAK_EVEN_ROUNDS = 5


# --- the traced demo loop (a process of its own) -------------------------------------------


def traced_demo(steps: int, data_path: str, cache_dir: str | None, unroll: bool = False) -> dict:
    """Trace the demo's loss once, then `steps` SGD steps on floats; prints each step's loss
    and accuracy as demo_loop.py does, and returns the costs."""
    from autograd import Value
    from autograd.trace import trace

    xs, ys = read_data(data_path)
    model = MLP(Value, 2, [16, 16, 1], random.Random(1337))
    params = model.parameters()

    def demo_loss(*_):
        # demo_loop.loss's graph; its accuracy is computed from the scores returned beside.
        inputs = [list(map(Value, x)) for x in xs]
        scores = list(map(model, inputs))
        losses = [(1 + -y * score).relu() for y, score in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        return data_loss + reg_loss, scores

    cpu = time.process_time()
    traced = trace(demo_loss, *params, has_aux=True, cache_dir=cache_dir, unroll=unroll)
    cpu = time.process_time() - cpu  # the trace's CPU time: what other jobs change least
    weights = [p.data for p in params]
    started = time.perf_counter()
    for k in range(steps):
        total_loss, grads, scores = traced(*weights)
        accuracy = sum((y > 0) == (s > 0) for y, s in zip(ys, scores)) / len(ys)
        learning_rate = 1.0 - 0.9 * k / 100
        weights = [w - learning_rate * g for w, g in zip(weights, grads)]
        print(k, repr(total_loss), accuracy, flush=True)
    step = (time.perf_counter() - started) / max(steps, 1)
    return {
        **traced.costs,
        "cpu": cpu,
        "step": step,
        "traces": traced.traces,
        "layout": traced.layout,
    }


# --- per step: the traced step against the hand-written floats ----------------------------


def steps_in_turns() -> dict:
    """Best and mean seconds of one step, the traced replay (and its float update) and the
    dense hand-written float step of bench_nn, taken in turns from the same weights."""
    from bench_nn import ALPHA, LR, FloatMLP, _data

    from autograd import Value
    from autograd.trace import trace
    from nn import MLP as NNMLP

    xs, ys = _data()
    demo = MLP(Value, 2, [16, 16, 1], random.Random(1337))
    params = demo.parameters()
    reference = NNMLP(2, [16, 16, 1], activation="relu", output_activation="linear")
    for theirs, ours in zip(reference.parameters(), params):
        theirs.data = ours.data
    floats = FloatMLP(reference, sparse=False)

    def demo_loss(*_):
        inputs = [list(map(Value, x)) for x in xs]
        losses = [(1 + -y * score).relu() for y, score in zip(ys, map(demo, inputs))]
        return sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in params)

    traced = trace(demo_loss, *params)
    weights = [p.data for p in params]

    def traced_step() -> float:
        nonlocal weights
        loss, grads = traced(*weights)
        weights = [w - LR * g for w, g in zip(weights, grads)]
        return loss

    first = {"traced": traced_step(), "floats": floats.step(xs, ys)}
    if abs(first["traced"] - first["floats"]) > 1e-9:
        raise AssertionError(f"bench_trace: step-0 losses differ: {first}")
    steps = {"traced": traced_step, "floats": lambda: floats.step(xs, ys)}
    times: dict = {name: [] for name in steps}
    for _ in range(REPEATS):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: {"best": min(t), "mean": sum(t) / len(t)} for name, t in times.items()}


# --- memory: tracing the spiral demo's loss against the engine's forward pass ----------------


def memory() -> dict:
    """Peak bytes (tracemalloc) of the engine's forward pass of the spiral demo's loss (300
    points, a 2-16-16-3 MLP, cross-entropy), and of tracing that loss (the forward pass
    included), each from a clean start in this process."""
    import gc
    import tracemalloc

    from autograd.trace import trace
    from nn import MLP
    from nn.data import spiral
    from nn.losses import cross_entropy

    xs, ys = spiral(100, classes=3, seed=0)
    model = MLP(2, [16, 16, 3], output_activation="linear", rng=0)
    params = model.parameters()

    def spiral_loss(*_):
        return cross_entropy([model(x) for x in xs], ys)  # type: ignore[arg-type]  # lists of logits

    def peak(run) -> int:
        gc.collect()
        tracemalloc.start()
        kept = run()
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del kept
        return size

    engine = peak(spiral_loss)
    traced = peak(lambda: trace(spiral_loss, *params))
    kept = trace(spiral_loss, *params)
    return {
        "engine": engine,
        "trace": traced,
        "points": len(xs),
        "lines": kept.costs["lines"],
        "layout": kept.layout,
    }


# --- running the processes -------------------------------------------------------------------


def _process(args: list, env: dict | None = None) -> tuple:
    """(wall seconds, stdout) of `python args`, run from benchmarks/ with this checkout."""
    seconds, _, out = _timed_process(args, env)
    return seconds, out


def _timed_process(args: list, env: dict | None = None) -> tuple:
    """(wall seconds, CPU seconds, stdout) of `python args` (CPU: user + system, of the
    process alone: what a machine shared with other jobs changes least)."""
    environment = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{HERE.parent}", **(env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=True, cwd=HERE, env=environment
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def break_even(data: str, rounds: int = BREAK_EVEN_ROUNDS, most: int = 6) -> dict:
    """The whole traced run (trace + n replayed steps) against the whole engine run (n
    steps of forward, backward, SGD) of the demo, each a fresh process, for n = 0 .. most,
    taken in turns, `rounds` times: the medians, wall and CPU, and the smallest n from
    which on the traced run is the faster (by each clock). Also the cold trace alone
    (median of the traced runs' own timings)."""
    runs: dict = {(name, n): [] for name in ("traced", "engine") for n in range(most + 1)}
    costs: list = []
    for _ in range(rounds):
        for n in range(most + 1):
            wall, cpu, out = _timed_process([__file__, "traced", str(n), data])
            runs["traced", n].append((wall, cpu))
            costs.append(json.loads(out.strip().splitlines()[-1]))
            wall, cpu, _ = _timed_process(["demo_loop.py", "ours", str(n), data])
            runs["engine", n].append((wall, cpu))
    median = {key: tuple(statistics.median(x[i] for x in value) for i in (0, 1)) for key, value in runs.items()}

    def first_faster(clock: int) -> int | None:
        faster = [n for n in range(most + 1) if median["traced", n][clock] < median["engine", n][clock]]
        # the smallest n from which on (to `most`) the traced run is faster
        for n in faster:
            if all(m in faster for m in range(n, most + 1)):
                return n
        return None

    return {
        "median": {f"{name} {n}": value for (name, n), value in median.items()},
        "wall": first_faster(0),
        "cpu": first_faster(1),
        "trace": {
            k: statistics.median(c[k] for c in costs) for k in ("record", "write", "compile", "cpu")
        },
        "rounds": rounds,
        "most": most,
    }


def _demo(args: list) -> dict:
    seconds, out = _process(args)
    lines = out.strip().splitlines()
    rows = [line.split() for line in lines if len(line.split()) == 3]
    extra = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return {
        "seconds": seconds,
        "losses": [float(row[1]) for row in rows],
        "accuracy": float(rows[-1][2]) if rows else float("nan"),
        **extra,
    }


def _micrograd_installed() -> bool:
    try:
        _process(["-c", "import micrograd"])
    except subprocess.CalledProcessError:
        return False
    return True


def run(pypy: str | None = None) -> str:
    """The section; `pypy`: a PyPy interpreter with micrograd, for the 30-step demo loop."""
    with tempfile.TemporaryDirectory() as folder:
        data = os.path.join(folder, "moons.json")
        cache = os.path.join(folder, "cache")
        write_data(data)
        cold = _demo([__file__, "traced", str(STEPS), data])
        unrolled = _demo([__file__, "traced", "0", data, "", "unroll"])
        _demo([__file__, "traced", "0", data, cache])  # fills the cache
        warm = _demo([__file__, "traced", str(STEPS), data, cache])
        engine = _demo(["demo_loop.py", "ours", str(STEPS), data])
        micrograd = _demo(["demo_loop.py", "micrograd", str(STEPS), data]) if _micrograd_installed() else None
        even = break_even(data)
        per_step = json.loads(_process([__file__, "steps"])[1])
        mem = json.loads(_process([__file__, "memory"])[1])
        on_pypy = None
        if pypy:
            on_pypy = {
                name: min(_demo_on(pypy, ["demo_loop.py", name, str(PYPY_STEPS), data])["seconds"] for _ in range(3))
                for name in ("ours", "micrograd")
            }

    trace_cost = cold["record"] + cold["write"] + cold["compile"]
    engine_step = engine["seconds"] / STEPS  # the engine's whole process, per step
    saved = engine_step - cold["step"]
    pays_off = trace_cost / saved if saved > 0 else float("inf")
    gap = max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(cold["losses"], engine["losses"]))
    traced_best, floats_best = per_step["traced"]["best"], per_step["floats"]["best"]
    rows = [
        f"| traced, cold (trace + compile in the run) | {cold['seconds']:.2f} s | "
        f"{cold['step'] * 1e3:.1f} ms |",
        f"| traced, warm (`cache_dir` from an earlier run) | {warm['seconds']:.2f} s | "
        f"{warm['step'] * 1e3:.1f} ms |",
        f"| the engine (`demo_loop.py ours`) | {engine['seconds']:.2f} s | {engine_step * 1e3:.0f} ms |",
    ]
    if micrograd is not None:
        rows.append(
            f"| micrograd 0.1.0 (`demo_loop.py micrograd`) | {micrograd['seconds']:.2f} s | "
            f"{micrograd['seconds'] / STEPS * 1e3:.0f} ms |"
        )
    else:
        rows.append("| micrograd 0.1.0 | not installed | |")
    alone = even["trace"]
    trace_alone = alone["record"] + alone["write"] + alone["compile"]

    def faster_from(n: int | None) -> str:
        return f"{n} steps" if n is not None else f"more than {even['most']} steps"

    even_rows = [
        f"| {n} | {even['median'][f'traced {n}'][0]:.3f} s | {even['median'][f'engine {n}'][0]:.3f} s | "
        f"{even['median'][f'traced {n}'][1]:.3f} s | {even['median'][f'engine {n}'][1]:.3f} s |"
        for n in range(even["most"] + 1)
    ]
    verdicts = [
        f"cold trace {trace_alone:.2f} s alone (median of {even['rounds'] * (even['most'] + 1)} "
        f"fresh processes; {alone['cpu']:.2f} s of CPU time), {trace_cost:.2f} s in the 100-step "
        "run (target <= 0.3)",
        f"traced step / hand-written dense float step = {traced_best / floats_best:.2f} best-of, "
        f"{per_step['traced']['mean'] / per_step['floats']['mean']:.2f} mean (target <= 1.2)",
        f"break-even against the engine, whole runs side by side: the traced run is faster from "
        f"{faster_from(even['cpu'])} on by CPU time, from {faster_from(even['wall'])} on by the wall "
        f"clock (estimated from the 100-step runs: trace cost / step saved = {pays_off:.1f} steps; "
        "target <= 3)",
        f"tracing the spiral loss peaks at {mem['trace'] / mem['engine']:.2f}x the engine's forward pass "
        "(target <= 3)",
    ]
    if micrograd is not None:
        verdicts.append(
            f"micrograd / traced, whole process = {micrograd['seconds'] / cold['seconds']:.0f}x cold, "
            f"{micrograd['seconds'] / warm['seconds']:.0f}x warm (target >= 100)"
        )
    if on_pypy is not None:
        verdicts.append(
            f"on PyPy, {PYPY_STEPS} steps: micrograd / the engine, whole process = "
            f"{on_pypy['micrograd'] / on_pypy['ours']:.1f}x (target >= 4)"
        )
    pypy_text = []
    if on_pypy is not None:
        pypy_text = [
            "",
            f"On PyPy ({pypy}), the engine's demo loop (no trace) at {PYPY_STEPS} steps, whole process, "
            f"best of 3: the engine {on_pypy['ours']:.2f} s, micrograd {on_pypy['micrograd']:.2f} s.",
        ]
    return "\n".join(
        [
            "### The demo loop traced once, replayed as code (`autograd.trace`)",
            "",
            f"micrograd's demo loop, {STEPS} steps, the same graph as (a) of the engine's section, "
            "traced once as a function of the 337 parameters and replayed as generated Python "
            "(each step: the replay, then SGD on a list of floats); whole processes timed. The "
            f"traced run's losses equal the engine's to a relative {gap:.1e} at every step; final "
            f"loss {cold['losses'][-1]:.6f}, accuracy {cold['accuracy']:.0%}.",
            "",
            f"| {STEPS} steps | whole process | per step |",
            "|---|---:|---:|",
            *rows,
            "",
            f"The trace itself, cold: {trace_cost:.2f} s = the engine's forward once "
            f"({cold['record']:.2f} s) + writing {int(cold['lines']):,} lines of code "
            f"({cold['write']:.2f} s; {cold['layout']}) + CPython's compile ({cold['compile']:.3f} s); "
            f"written straight-line (`unroll=True`) the same graph is {int(unrolled['lines']):,} lines, "
            f"{unrolled['record'] + unrolled['write'] + unrolled['compile']:.2f} s. Warm, the compile is "
            f"a load from `cache_dir` ({warm['compile']:.3f} s).",
            "",
            f"Break-even: the whole traced run (trace + n replayed steps) against the whole engine "
            f"run (n steps), each a fresh process, in turns, median of {even['rounds']} "
            f"(the cold trace alone in these runs: record {alone['record']:.3f} s + write "
            f"{alone['write']:.3f} s + compile {alone['compile']:.3f} s, wall; "
            f"{alone['cpu']:.3f} s of CPU time):",
            "",
            "| steps | traced, wall | engine, wall | traced, CPU | engine, CPU |",
            "|---:|---:|---:|---:|---:|",
            *even_rows,
            "",
            f"One step, best of {REPEATS} taken in turns: traced {traced_best * 1e3:.2f} ms, "
            f"hand-written plain floats (bench_nn's dense step) {floats_best * 1e3:.2f} ms.",
            "",
            f"Memory (tracemalloc peak), the spiral demo's loss ({mem['points']} points, 2-16-16-3, "
            f"cross-entropy): the engine's forward pass {mem['engine'] / 1e6:.1f} MB, tracing it "
            f"{mem['trace'] / 1e6:.1f} MB ({int(mem['lines']):,} lines; {mem['layout']}).",
            *pypy_text,
            "",
            "; ".join(verdicts) + ".",
        ]
    )


def _demo_on(python: str, args: list) -> dict:
    """`_demo` on another interpreter."""
    environment = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{HERE.parent}"}
    start = time.perf_counter()
    subprocess.run([python, *args], capture_output=True, text=True, check=True, cwd=HERE, env=environment)
    return {"seconds": time.perf_counter() - start}


if __name__ == "__main__":
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    if sys.argv[1:2] == ["traced"]:
        cache_dir = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
        unroll = sys.argv[5:6] == ["unroll"]
        print(json.dumps(traced_demo(int(sys.argv[2]), sys.argv[3], cache_dir, unroll)))
    elif sys.argv[1:2] == ["memory"]:
        print(json.dumps(memory()))
    elif sys.argv[1:2] == ["steps"]:
        print(json.dumps(steps_in_turns()))
    elif sys.argv[1:2] == ["break-even"]:
        with tempfile.TemporaryDirectory() as folder:
            write_data(os.path.join(folder, "moons.json"))
            print(json.dumps(break_even(os.path.join(folder, "moons.json")), indent=1))
    else:
        pypy = sys.argv[sys.argv.index("--pypy") + 1] if "--pypy" in sys.argv else None
        print(run(pypy))
