"""The runner's helpers that keep time: the maps' thread, the loss curve, the step rate.

The maps (train and test metrics, the boundary, each neuron's map, the table: 30-90 ms)
are too slow to make between two steps while playing, so `MapsThread` makes them in a
thread of its own from a `Session.snapshot()` (the parameters' floats at a step boundary)
under `no_grad()` (the engine's grad mode is per thread), while training goes on. It takes
one snapshot at a time; its result comes back to the training thread through `deliver`.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable

from autograd import no_grad
from nn.live import frames
from nn.live.session import Session

MAX_CURVE = 2000  # curve points kept; beyond, every other one is dropped (memory flat)


class MapsThread:
    """`request(generation, snapshot)` while not `busy`; the result, a `_heavy` message
    {generation, steps, part}, {generation, error} or {generation, cancelled}, goes to
    `deliver`."""

    def __init__(self, deliver: Callable[[dict], None], stop: threading.Event) -> None:
        self._deliver = deliver
        self._stop = stop
        self._jobs: queue.Queue = queue.Queue(1)
        self.busy = False  # a snapshot is being read (only one at a time: one mirror)
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nn.live maps", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def request(self, generation: int, snapshot: Session) -> None:
        self.busy = True
        self._cancel.clear()
        self._jobs.put((generation, snapshot))

    def cancel(self) -> None:
        """Stop the maps being made (their result comes back as cancelled): the thread
        that asks makes its own and wants the whole interpreter for it."""
        self._cancel.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                generation, snapshot = self._jobs.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                with no_grad():
                    part = frames.heavy(snapshot, self._cancel.is_set)
                result: dict[str, Any] = {"type": "_heavy", "generation": generation,
                                          "steps": snapshot.steps, "part": part}  # fmt: skip
            except frames.Cancelled:
                result = {"type": "_heavy", "generation": generation, "cancelled": True}
            except Exception as e:  # reported by the training thread; this one lives on
                result = {"type": "_heavy", "generation": generation, "error": str(e)}
            self._deliver(result)


class Curve:
    """The loss curve's points [step, train loss, test loss, train acc, test acc], and the
    index from which the next frame sends them (the page keeps the ones before)."""

    def __init__(self) -> None:
        self.points: list[list[Any]] = []
        self.start = 0

    def add(self, steps: int, metrics: list) -> None:
        point = [steps, *metrics]
        if self.points and self.points[-1][0] == point[0]:
            self.points[-1] = point
            self.start = min(self.start, len(self.points) - 1)
            return
        self.points.append(point)
        if len(self.points) > MAX_CURVE:  # keep every other point: the curve's shape stays
            self.points = self.points[::2]
            self.start = 0

    def pending(self) -> dict[str, Any]:
        """What the next frame sends: {"start": i, "points": the points from i on}."""
        part = {"start": self.start, "points": self.points[self.start :]}
        self.start = len(self.points)
        return part


class Rate:
    """Steps per second over the last second or so."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def tick(self) -> None:
        now = time.monotonic()
        self.times.append(now)
        if len(self.times) > 4096 or self.times[0] < now - 2.0:
            self.times = [t for t in self.times if t >= now - 1.0]

    def per_second(self) -> float:
        now = time.monotonic()
        return float(sum(1 for t in self.times if t >= now - 1.0))
