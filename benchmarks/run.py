"""`make bench`: every benchmark, one Markdown report (printed and kept in results.md).

Speed and memory targets are shown here, never asserted in tests: timings depend on the
machine. The README's table is copied from this report, with its machine and date.

    python benchmarks/run.py [--pypy PATH]   # PATH: a PyPy with micrograd, for the demo loop
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECTIONS = ("bench_engine", "bench_nn", "bench_viz", "bench_trace", "bench_live")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pypy", help="a PyPy interpreter with micrograd: the demo loop runs on it too")
    args = parser.parse_args()
    sys.path[:0] = [str(HERE), str(HERE.parent)]  # the benchmarks, and this checkout's code
    today = datetime.date.today().isoformat()
    parts = [f"## Benchmarks\n\nMeasured on {today}: {machine()}."]
    for name in SECTIONS:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(name)
        parts.append(module.run(pypy=args.pypy) if name == "bench_engine" else module.run())
    report = "\n\n".join(parts) + "\n"
    (HERE / "results.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
