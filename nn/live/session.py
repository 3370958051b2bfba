"""`Session`: what the live page trains, with no server in it.

A session is one training run set up by a config (the page's URL state): the data, the
model, the loss and the optimizer. `step()` makes exactly one optimizer step and returns
the loss computed in it, as `nn.fit`'s history does; a script, a test, the page's runner
and the notebook widget all drive this same object.

    >>> from nn.live import Session
    >>> session = Session({"dataset": "xor", "layers": [4], "seed": 3})
    >>> first = session.step()
    >>> session.steps, session.config["dataset"], session.config["layers"]
    (1, 'xor', [4])

The step is the traced one (`nn.traced.TracedLoss`: the loss's graph recorded once,
replayed as code) where it pays: full-batch training with a loss whose trace does not
branch on the values (hinge, bce). Otherwise, or when tracing is refused, it is the plain
engine step (forward, `zero_grad`, `backward`). Both give the engine's numbers.

Thread safety: a session is driven by one thread at a time. The engine's grad mode is per
thread, so another thread may read a `snapshot()` (a copy of the parameters' floats taken
between two steps) under `no_grad()` while the session trains: the live page's runner
computes its maps and metrics that way.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

from autograd import Value, no_grad
from autograd.trace import TraceError
from nn import data as datasets
from nn.activations import ACTIVATION_OPS

# The config (its keys, limits, check and URL form) has its own module; these names are
# also importable from here, where they were first.
from nn.live.config import (  # noqa: F401
    DEFAULTS,
    MAX_LAYERS,
    MAX_NEURONS,
    MAX_POINTS,
    ConfigError,
    check_config,
    class_count,
    config_from_query,
    config_to_query,
)
from nn.losses import bce, cross_entropy, hinge, l2
from nn.module import MLP
from nn.optim import SGD, Adam, Optimizer
from nn.traced import TracedLoss


def generate(config: Mapping[str, Any]) -> tuple[list[list[float]], list[int]]:
    """The config's generated points and class indices (0, 1[, 2]), before any edit."""
    name, n, noise, seed = (
        config["dataset"],
        config["samples"],
        config["noise"],
        config["data_seed"],
    )
    xs: Sequence[Sequence[float]]
    ys: Sequence[int]
    if name == "moons":
        xs, ys = datasets.make_moons(n, noise=noise, rng=seed)
    elif name == "circles":
        xs, ys = datasets.circles(n, noise=noise, seed=seed)
    elif name == "xor":
        xs, ys = datasets.xor(n, noise=noise, seed=seed)
    elif name == "spiral":
        xs, ys = datasets.spiral(max(1, n // 3), classes=3, noise=noise, seed=seed)
    elif name == "students":
        xs, ys = datasets.students()
    else:  # custom: only the points added by hand
        xs, ys = [], []
    return [[float(a), float(b)] for a, b in xs], list(ys)


class Session:
    """One training run of the live page: data, model, loss and optimizer from `config`.

    - `config`: the full config (a copy; see `DEFAULTS` and `check_config`).
    - `step() -> float`: one optimizer step; the loss computed in it (data loss plus the
      L2 penalty, as `fit`'s history).
    - `steps`, `last_loss`, `step_mode` ("traced" or "engine").
    - `train` and `test`: (xs, classes) of each part; `model`, `optimizer`.
    """

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        self._config = check_config(config)
        c = self._config
        self.classes = class_count(c)
        xs, ys = generate(c)
        removed = set(c["removed"])
        keep = [i for i in range(len(xs)) if i not in removed]
        order = keep[:]
        random.Random(c["data_seed"]).shuffle(order)  # the split, seeded
        n_train = max(1, round(c["split"] * len(order))) if order else 0
        if c["split"] >= 1.0:
            n_train = len(order)
        train = sorted(order[:n_train])
        test = sorted(order[n_train:])
        self.generated = (xs, ys)
        self.train_index = train  # indices into the generated points
        self.test_index = test
        self.train_xs = [xs[i] for i in train] + [[p[0], p[1]] for p in c["points"]]
        self.train_ys = [ys[i] for i in train] + [p[2] for p in c["points"]]
        self.test_xs = [xs[i] for i in test]
        self.test_ys = [ys[i] for i in test]
        if not self.train_xs:
            raise ConfigError("no training points: add some points or use a generated set")
        out = self.classes if c["loss"] == "cross_entropy" else 1
        output_activation = "sigmoid" if c["loss"] == "bce" else "linear"
        self.model = MLP(
            2, [*c["layers"], out], activation=c["activation"],
            output_activation=output_activation, rng=c["seed"],
        )  # fmt: skip
        self.params = self.model.parameters()
        self.optimizer: Optimizer
        if c["optimizer"] == "adam":
            self.optimizer = Adam(self.params, lr=c["lr"])
        else:
            self.optimizer = SGD(self.params, lr=c["lr"], momentum=c["momentum"])
        self.batch = min(c["batch"], len(self.train_xs))
        self._batches = random.Random(c["seed"])
        self._epoch: list[int] = []
        self.steps = 0
        self.last_loss: float | None = None
        self._initial_loss: float | None = None
        self.last_update = [0.0] * len(self.params)
        self.step_mode = "traced" if self._worth_tracing() else "engine"
        self._traced: TracedLoss | None = None
        self._source: str | None = None  # the traced step's code, when asked for
        self.trace_note = ""
        self._mirror: MLP | None = None  # the snapshot's model, made at the first snapshot
        self._mirror_params: list[Value] = []

    @property
    def config(self) -> dict[str, Any]:
        return copy.deepcopy(self._config)

    # --- the loss ---------------------------------------------------------------------

    def targets(self, classes: Sequence[int]) -> list[int]:
        """Class indices as the loss wants them: -1/+1 for the hinge loss."""
        if self._config["loss"] == "hinge":
            return [2 * k - 1 for k in classes]
        return list(classes)

    def data_loss(self, outputs: list, targets: Sequence[int]) -> Value:
        loss = self._config["loss"]
        if loss == "hinge":
            return hinge(outputs, targets)
        if loss == "bce":
            return bce(outputs, targets)
        return cross_entropy(outputs, targets)

    def training_loss(self, outputs: list, targets: Sequence[int]) -> Value:
        """The data loss plus l2 · (sum of squared parameters), when l2 > 0."""
        loss = self.data_loss(outputs, targets)
        if self._config["l2"] > 0.0:
            loss = loss + self._config["l2"] * l2(self.params)
        return loss

    def _worth_tracing(self) -> bool:
        # Full batch: the graph is the same at every step. cross_entropy's max() is
        # guarded, and would trace again each time a sample's largest logit changes.
        return self.batch >= len(self.train_xs) and self._config["loss"] in ("hinge", "bce")

    # --- one step ---------------------------------------------------------------------

    def step(self) -> float:
        """One optimizer step; returns the loss computed in it."""
        before = [p.data for p in self.params]
        value = self._traced_step() if self.step_mode == "traced" else self._engine_step()
        self.optimizer.step()
        self.last_update = [p.data - b for p, b in zip(self.params, before)]
        self.steps += 1
        self.last_loss = value
        return value

    def _traced_step(self) -> float:
        try:
            if self._traced is None:
                self._traced = TracedLoss(
                    self.model, self.train_xs, self.targets(self.train_ys), self.training_loss
                )
            return self._traced()
        except TraceError as e:  # refused: the plain step gives the same numbers
            self.step_mode = "engine"
            self.trace_note = f"tracing refused ({e}); training with the engine's step"
            self._traced = None
            return self._engine_step()

    def _engine_step(self) -> float:
        xs, ys = self._next_batch()
        loss = self.training_loss([self.model(x) for x in xs], self.targets(ys))
        self.optimizer.zero_grad()
        loss.backward()
        return loss.data

    def _next_batch(self) -> tuple[list[list[float]], list[int]]:
        n = len(self.train_xs)
        if self.batch >= n:
            return self.train_xs, self.train_ys
        chosen: list[int] = []
        while len(chosen) < self.batch:  # through seeded epochs, each a permutation
            if not self._epoch:
                self._epoch = list(range(n))
                self._batches.shuffle(self._epoch)
            chosen.append(self._epoch.pop())
        return [self.train_xs[i] for i in chosen], [self.train_ys[i] for i in chosen]

    @property
    def traced_source(self) -> str:
        """The traced step's code (tracing now if no step has traced it yet)."""
        if self._traced is not None:
            return self._traced.source
        source: str | None = getattr(self, "_source", None)  # traced once per session
        if source is None:
            traced = TracedLoss(
                self.model, self.train_xs, self.targets(self.train_ys), self.training_loss
            )
            if self.step_mode == "traced":
                self._traced = traced
            source = self._source = traced.source
        return source

    # --- reading the model ------------------------------------------------------------

    def score(self, outputs: Value | list[Value]) -> float | list[float]:
        return outputs.data if isinstance(outputs, Value) else [v.data for v in outputs]

    def predicted(self, score: float | list[float]) -> int:
        if isinstance(score, list):
            return max(range(len(score)), key=lambda k: (score[k], -k))
        threshold = 0.5 if self._config["loss"] == "bce" else 0.0
        return 1 if score > threshold else 0

    def snapshot(self) -> Session:
        """A copy of this session reading the parameters' floats as they are now (call it
        between two steps): for the maps and metrics, computed in another thread under
        `no_grad()` while this one trains on. Its model is one mirror per session, so take
        the next snapshot only once the last one is no longer read."""
        mirror = getattr(self, "_mirror", None)  # a subclass may skip __init__ (the widget's)
        if mirror is None:
            mirror = copy.deepcopy(self.model)
            self._mirror = mirror
            self._mirror_params = mirror.parameters()
        for copied, param in zip(self._mirror_params, self.params):
            copied.data = param.data
        view = copy.copy(self)
        view.model = mirror
        view.params = self._mirror_params
        view.last_update = list(self.last_update)
        view.optimizer = copy.copy(self.optimizer)
        for name in ("_m", "_root_v", "_buffers"):
            buffer = getattr(self.optimizer, name, None)
            if buffer is not None:
                setattr(view.optimizer, name, list(buffer))
        return view

    def evaluate(self, xs: Sequence[Sequence[float]], ys: Sequence[int]) -> tuple[float, float]:
        """(data loss, accuracy) on the points, without recording (nan, nan when none)."""
        if not xs:
            return math.nan, math.nan
        with no_grad():
            outputs = [self.model(x) for x in xs]
            loss = self.data_loss(outputs, self.targets(ys)).data
        right = sum(self.predicted(self.score(o)) == y for o, y in zip(outputs, ys))
        return loss, right / len(xs)

    def initial_loss(self) -> float:
        """Before the first step: the training loss at the initial parameters (what a
        full-batch first step returns), computed without recording."""
        if self._initial_loss is None:
            with no_grad():
                outputs = [self.model(x) for x in self.train_xs]
                self._initial_loss = self.training_loss(outputs, self.targets(self.train_ys)).data
        return self._initial_loss

    def activations(self, point: Sequence[float]) -> list[list[float]]:
        """Every neuron's output at `point`, layer by layer (the last layer: the output)."""
        outputs: list[list[float]] = []
        with no_grad():
            h: list = list(point)
            for layer in self.model.layers:
                h = layer(h)
                outputs.append([v.data for v in h])
        return outputs

    def bounds(self) -> tuple[float, float, float, float]:
        """The plane the page shows: the data's box with a margin, at least [-1.5, 1.5]²
        for the generated sets."""
        xs = self.train_xs + self.test_xs + [list(p) for p in self.generated[0]]
        a = [p[0] for p in xs] or [0.0]
        b = [p[1] for p in xs] or [0.0]
        if self._config["dataset"] == "students":
            lo0, hi0, lo1, hi1 = min(a), max(a), min(b), max(b)
            pad0, pad1 = 0.25 * (hi0 - lo0) + 0.5, 0.25 * (hi1 - lo1) + 0.5
            return lo0 - pad0, hi0 + pad0, lo1 - pad1, hi1 + pad1
        r = max(1.5, *(abs(v) * 1.1 for v in a + b))
        ca = 0.5 if self._config["dataset"] == "moons" else 0.0
        cb = 0.25 if self._config["dataset"] == "moons" else 0.0
        return ca - r, ca + r, cb - r, cb + r

    def config_without_point_near(self, x: float, y: float) -> dict[str, Any]:
        """The config without the data point nearest (x, y), a generated one or one of
        the user's, within 4 % of the plane shown (shift-click); ValueError if none."""
        config = self.config
        lo0, hi0, lo1, hi1 = self.bounds()
        reach = 0.04 * max(hi0 - lo0, hi1 - lo1)
        candidates = [
            (math.hypot(p[0] - x, p[1] - y), "generated", i)
            for i, p in enumerate(self.generated[0])
            if i not in config["removed"]
        ] + [(math.hypot(p[0] - x, p[1] - y), "points", i) for i, p in enumerate(config["points"])]
        near = [c for c in candidates if c[0] <= reach]
        if not near:
            raise ValueError("no point there to remove")
        _, where, i = min(near)
        if where == "generated":
            config["removed"] = [*config["removed"], i]
        else:
            config["points"] = [p for j, p in enumerate(config["points"]) if j != i]
        return config

    def sample_loss(self, i: int) -> tuple[Value, list[Value], list[list[Value]]]:
        """Training sample i's data loss as an engine graph (inputs labelled x1, x2), after
        backward(): (loss, the inputs, each layer's output nodes). The parameters' grads
        are restored afterwards, so the optimizer's state is untouched."""
        saved = [p.grad for p in self.params]
        xs = [Value(v, f"x{k + 1}") for k, v in enumerate(self.train_xs[i])]
        layers: list[list[Value]] = []
        h: list[Value] = xs
        for i, layer in enumerate(self.model.layers):
            h = layer(h)
            for j, out in enumerate(h):
                # Named as the page's network names them: z before the activation, h after.
                z = out.parents[0] if out.op in ACTIVATION_OPS and out.parents else out
                z.label = f"z{i}.{j}"
                if out is not z:
                    out.label = f"h{i}.{j}"
            layers.append(h)
        output: Value | list[Value] = h[0] if len(h) == 1 else h
        if isinstance(output, Value):
            output.label = "p" if self._config["loss"] == "bce" else "score"
        else:
            for k, z in enumerate(output):
                z.label = f"z{k}"
        loss = self.data_loss([output], self.targets(self.train_ys[i : i + 1]))
        loss.label = "L"
        for p in self.params:
            p.grad = 0.0
        loss.backward()
        grads_of_sample = [p.grad for p in self.params]
        for p, g in zip(self.params, saved):
            p.grad = g
        self.sample_param_grads = grads_of_sample
        return loss, xs, layers


def optimizer_state(session: Session) -> dict[str, list[float]]:
    """The optimizer's per-parameter state: SGD's momentum buffer, Adam's m and v."""
    opt = session.optimizer
    n = len(session.params)
    if isinstance(opt, Adam):
        return {"m": list(opt._m), "v": [r * r for r in opt._root_v]}  # Adam keeps sqrt(v)
    if isinstance(opt, SGD):
        buffers = opt._buffers
        return {"momentum": list(buffers) if buffers is not None else [0.0] * n}
    return {}
