"""The notebook widget's cost (nn.live.LiveView), with no browser: the moons default.

Side by side in one run, repeated: `Session.step()` alone against a playing `LiveView`
(steps per second, frames per second, bytes per frame as the comm would carry them), the
time `pause()` takes to return with the thread still, and `fit` alone against
`fit(..., live=view)` (steps per second). Outside a kernel the comm is a dummy: the
frames are JSON-encoded here, as the kernel would, and counted.

    PYTHONPATH=. python benchmarks/bench_widget.py [--seconds 3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

from nn import MLP, fit
from nn.live import Session
from nn.live.widget import LiveView  # (nn.live's lazy name is typed `object`)
from nn.losses import hinge
from nn.optim import SGD


def session_alone(seconds: float) -> float:
    session = Session()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        session.step()
    return session.steps / (time.perf_counter() - start)


def playing_view(seconds: float) -> tuple[float, float, float, float]:
    view = LiveView()
    sizes: list[int] = []
    view.send = lambda m: sizes.append(len(json.dumps(m, separators=(",", ":"))))
    view.runner.wait_idle()
    sizes.clear()
    view.play()
    start = time.perf_counter()
    time.sleep(seconds)
    t0 = time.perf_counter()
    view.pause()
    pause_ms = (time.perf_counter() - t0) * 1000
    elapsed = time.perf_counter() - start
    steps = view.steps
    view.close()
    return steps / elapsed, len(sizes) / elapsed, statistics.mean(sizes), pause_ms


def fit_steps(live: bool) -> float:
    data = Session()
    xs, ys = data.train_xs, data.targets(data.train_ys)
    model = MLP(2, [16, 16, 1], rng=7)
    steps = 40  # the plain engine step: about 60 a second here
    view = LiveView() if live else None
    start = time.perf_counter()
    fit(model, xs, ys, hinge, SGD(model.parameters(), lr=0.05), steps=steps, progress=False,
        live=view)  # fmt: skip
    rate = steps / (time.perf_counter() - start)
    if view is not None:
        view.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{platform.python_implementation()} {platform.python_version()}, {sys.platform}")
    print("| run | Session.step steps/s | LiveView steps/s | frames/s | bytes/frame | pause() ms "
          "| fit steps/s | fit(live=view) steps/s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for k in range(args.repeat):
        alone = session_alone(args.seconds)
        rate, fps, size, pause_ms = playing_view(args.seconds)
        plain, live = fit_steps(False), fit_steps(True)
        cells = [f"{k + 1}", f"{alone:.0f}", f"{rate:.0f} ({rate / alone:.2f}x)", f"{fps:.0f}"]
        cells += [f"{size:.0f}", f"{pause_ms:.1f}", f"{plain:.1f}"]
        cells += [f"{live:.1f} ({live / plain:.2f}x)"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
