"""What the `.data` write stamp costs: this checkout against itself with the stamp cut out.

    python benchmarks/bench_stamp.py [--steps 60] [--rounds 7] [--code DIR]

Copies this checkout's `autograd/` (or DIR's) into a temporary folder twice: once as it
is, once with the stamp removed (the `_stamp` slot, every `._stamp = _writes` and the calls of
`_check_unchanged`; each edit must apply, else the script stops, so that it never compares
two identical copies). Then runs micrograd's demo loop (`demo_loop.py ours STEPS`, whole
process) with each, in turns, `--rounds` times, and reports each run's CPU seconds
(user + sys of the child: on a shared machine, wall time measures the neighbours), the
ratios of the best and of the medians, and each copy's memory per recorded op:
tracemalloc's bytes (what was asked for) and the node's size as the allocator rounds it
(CPython's small-object allocator hands out blocks in steps of 16 bytes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# (file, pattern, replacement, how many times it must match): the stamp, cut out.
WITHOUT_STAMP = [
    ("value.py", r'"_stamp", ', "", 1),
    ("value.py", r"\n[ \t]*\w+\._stamp = _writes[ \t]*(?=\n)", "", None),
    ("value.py", r"(?m)^([ \t]*)_check_unchanged\(.*\)[ \t]*$", r"\1pass", 1),
    ("chain_rule.py", r"(?m)^([ \t]*)_check_unchanged\(.*\)[ \t]*$", r"\1pass", 1),
]


def copy_without_stamp(folder: Path) -> None:
    for name, pattern, replacement, count in WITHOUT_STAMP:
        path = folder / "autograd" / name
        text, n = re.subn(pattern, replacement, path.read_text())
        if n == 0 or (count is not None and n != count):
            raise SystemExit(f"bench_stamp: {pattern!r} matched {n} times in {name}")
        path.write_text(text)


def cpu_seconds(code: Path, steps: int, data: str) -> tuple[float, str]:
    """User + sys CPU seconds of one whole demo-loop process, and its last line."""
    env = {**os.environ, "PYTHONPATH": f"{code}{os.pathsep}{HERE}"}
    command = [sys.executable, str(HERE / "demo_loop.py"), "ours", str(steps), data]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"bench_stamp: the demo loop failed with {code}")
    return usage.ru_utime + usage.ru_stime, out.splitlines()[-1]


# The demo loop's step (as `demo_loop.main`), each timed on the thread's own CPU clock: the
# fastest step of a process is the one that the neighbours disturbed least.
STEP_DRIVER = """
import json, random, sys, time
from demo_loop import MLP, loss, read_data
from autograd import Value
xs, ys = read_data(sys.argv[1])
model = MLP(Value, 2, [16, 16, 1], random.Random(1337))
times = []
for k in range(int(sys.argv[2])):
    start = time.thread_time()
    total, _ = loss(Value, model, xs, ys)
    for p in model.parameters():
        p.grad = 0.0
    total.backward()
    for p in model.parameters():
        p.data -= (1.0 - 0.9 * k / 100) * p.grad
    times.append(time.thread_time() - start)
print(json.dumps(times))
"""


def fastest_step(code: Path, steps: int, data: str) -> float:
    env = {**os.environ, "PYTHONPATH": f"{code}{os.pathsep}{HERE}"}
    done = subprocess.run(
        [sys.executable, "-c", STEP_DRIVER, data, str(steps)],
        capture_output=True, text=True, check=True, env=env, cwd=code,
    )  # fmt: skip
    return min(json.loads(done.stdout))


def memory(code: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{code}{os.pathsep}{HERE}"}
    probe = (
        "import sys, json; from autograd import Value; x = Value(1.0); y = x * x; "
        "print(json.dumps({'node': sys.getsizeof(y), 'block': -(-sys.getsizeof(y) // 16) * 16}))"
    )
    sizes = json.loads(
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                       check=True, env=env, cwd=code).stdout  # not this checkout's
    )  # fmt: skip
    traced = json.loads(
        subprocess.run([sys.executable, str(HERE / "bench_engine.py"), "probe", "memory", "ours"],
                       capture_output=True, text=True, check=True, env=env).stdout
    )  # fmt: skip
    return {**sizes, "demo": traced["demo"], "chain": traced["chain"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--code", type=Path, default=ROOT, help="a checkout (default: this one)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from demo_loop import write_data

    with tempfile.TemporaryDirectory() as folder:
        engines = {"with the stamp": Path(folder) / "with", "without it": Path(folder) / "without"}
        for code in engines.values():
            shutil.copytree(args.code / "autograd", code / "autograd")
            shutil.copytree(args.code / "nn", code / "nn")  # the demo's data
        copy_without_stamp(engines["without it"])
        data = str(Path(folder) / "moons.json")
        write_data(data)
        seconds: dict[str, list[float]] = {name: [] for name in engines}
        fastest: dict[str, list[float]] = {name: [] for name in engines}
        last: dict[str, str] = {}
        for _ in range(args.rounds):
            for name, code in engines.items():
                s, last[name] = cpu_seconds(code, args.steps, data)
                seconds[name].append(s)
                fastest[name].append(fastest_step(code, args.steps, data))
        sizes = {name: memory(code) for name, code in engines.items()}

    if len(set(last.values())) != 1:
        raise SystemExit(f"bench_stamp: the two copies trained differently: {last}")
    print(
        f"demo loop, {args.steps} steps, whole process, CPU seconds, {args.rounds} rounds in turns"
    )
    print("| engine | best | median | every run | node (block) | bytes/op traced (demo, chain) |")
    print("|---|---:|---:|---|---:|---:|")
    for name, runs in seconds.items():
        m = sizes[name]
        print(
            f"| {name} | {min(runs):.3f} s | {statistics.median(runs):.3f} s "
            f"| {', '.join(f'{s:.2f}' for s in runs)} | {m['node']} B ({m['block']} B) "
            f"| {m['demo']:.1f}, {m['chain']:.1f} |"
        )
    print(
        "\nfastest step of each process (thread CPU time), median over the rounds: "
        + ", ".join(f"{name} {statistics.median(f) * 1e3:.2f} ms" for name, f in fastest.items())
    )
    steps_with, steps_without = fastest.values()
    step_pairs = [a / b for a, b in zip(steps_with, steps_without)]
    ratio = statistics.median(steps_with) / statistics.median(steps_without)
    print(
        f"with / without, fastest steps: median {ratio:.3f}, "
        f"median of the rounds' ratios {statistics.median(step_pairs):.3f}"
    )
    with_, without = seconds.values()
    pairs = [a / b for a, b in zip(with_, without)]
    print(
        f"whole process, with / without: best {min(with_) / min(without):.3f}, "
        f"median {statistics.median(with_) / statistics.median(without):.3f}, "
        f"median of the rounds' ratios {statistics.median(pairs):.3f}; "
        f"per round (in turns) {', '.join(f'{r:.3f}' for r in pairs)}"
    )


if __name__ == "__main__":
    main()
