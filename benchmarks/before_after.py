"""Is a change free? The engine of an earlier revision against this checkout's, in one run.

    python benchmarks/before_after.py REV [--steps 100] [--rounds 3]

Exports REV's `autograd/` and `nn/` (the data) with `git archive` into a temporary folder, then times
micrograd's demo loop (`demo_loop.py ours`, whole process) for the two engines in turns,
`--rounds` times each, and measures each one's bytes per recorded op. Taking turns within
one run is what makes the comparison fair on a machine whose speed drifts. Both engines
must run the same demo code: the demo uses only `Value`'s arithmetic, `relu()`,
`backward()`, `data` and `grad`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def export(revision: str, folder: Path) -> None:
    """REV's `autograd/` and `nn/` packages into `folder`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "autograd", "nn"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder)


def timed_loop(code: Path, steps: int, data: str) -> tuple[float, float, str]:
    """Seconds for the whole demo-loop process, wall clock and CPU (user + system: less
    swayed by other work on a shared machine; nan where `resource` is missing), and its
    last line (step, loss, accuracy)."""
    env = {**os.environ, "PYTHONPATH": f"{code}{os.pathsep}{HERE}"}
    cpu_start = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE / "demo_loop.py"), "ours", str(steps), data],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    wall = time.perf_counter() - start
    return wall, _children_cpu() - cpu_start, done.stdout.splitlines()[-1]


def _children_cpu() -> float:
    """CPU seconds used so far by this process's finished children."""
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bytes_per_op(code: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{code}{os.pathsep}{HERE}"}
    done = subprocess.run(
        [sys.executable, str(HERE / "bench_engine.py"), "probe", "memory", "ours"],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("revision", help="the earlier revision, e.g. HEAD~3 or a commit")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from demo_loop import write_data

    with tempfile.TemporaryDirectory() as folder:
        old = Path(folder) / "before"
        old.mkdir()
        export(args.revision, old)
        data = str(Path(folder) / "moons.json")
        write_data(data)
        engines = {f"{args.revision} (before)": old, "this checkout": ROOT}
        seconds: dict[str, list[float]] = {name: [] for name in engines}
        cpu: dict[str, list[float]] = {name: [] for name in engines}
        last: dict[str, str] = {}
        for k in range(args.rounds):
            turns = list(engines.items())
            for name, code in turns if k % 2 == 0 else reversed(turns):  # each goes first by turns
                s, c, last[name] = timed_loop(code, args.steps, data)
                seconds[name].append(s)
                cpu[name].append(c)
        memory = {name: bytes_per_op(code) for name, code in engines.items()}

    print(f"demo loop, {args.steps} steps, whole process, {args.rounds} rounds in turns")
    print("| engine | best | median | CPU best | CPU median | bytes/op (demo, chain) | last step |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name in engines:
        m = memory[name]
        print(
            f"| {name} | {min(seconds[name]):.2f} s | {statistics.median(seconds[name]):.2f} s "
            f"| {min(cpu[name]):.2f} s | {statistics.median(cpu[name]):.2f} s "
            f"| {m['demo']:.1f}, {m['chain']:.1f} | {last[name]} |"
        )
    before, after = (min(seconds[name]) for name in engines)
    print(f"\nthis checkout / before (best): {after / before:.3f}")
    before, after = (statistics.median(cpu[name]) for name in engines)
    print(f"this checkout / before (CPU median): {after / before:.3f}")


if __name__ == "__main__":
    main()
