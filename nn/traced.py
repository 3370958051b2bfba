"""Training through a traced step: the loss's graph recorded once, replayed as code.

`nn.fit` records the whole graph again at every step and runs `backward()` on it. Yet the
graph is the same at every step: only the parameters' numbers change. `TracedLoss`
records it once with `autograd.trace`, as a function of the model's parameters, and
replays it as straight-line Python over floats; `fit` here is `nn.fit` with that step
(`TracedStep`, the strategy `nn.fit(..., step=...)` takes): the same loop, arguments and
checks, the same losses and parameters (the same floats: the traced code adds the chain
rule's terms in `backward()`'s order).

    >>> from nn import MLP
    >>> from nn.data import students
    >>> from nn.losses import bce
    >>> from nn.optim import SGD
    >>> from nn.traced import fit
    >>> xs, ys = students()
    >>> model = MLP(2, [2, 1], output_activation="sigmoid", rng=1)
    >>> history = fit(model, xs, ys, bce, SGD(model.parameters(), lr=0.1), steps=20,
    ...               progress=False)
    >>> len(history), history[-1] < history[0]
    (20, True)

The step pays where the graph is big and the steps are many: tracing costs about a few
forward passes of the engine (the per-sample computation is written once, as a loop over
the samples, so the code and its compile do not grow with the batch; `cache_dir` keeps
the compiled code for later processes).

When the model or the data change (a neuron added, points moved), make a new
`TracedLoss` (or call `fit` again): a trace is of one graph's shape and one batch's
numbers. That costs one trace, about as much as a few engine steps (the moons demo's loss,
100 points and 337 parameters, a few tenths of a second); a change of the parameters'
numbers alone needs nothing (each call reads them), and a guard that goes the other way
traces again by itself.
Value-dependent control flow in a loss of your own (`if p.data > 0.5:`) is guarded: a
guard that goes the other way traces again (see `autograd.trace`). The losses of
`nn.losses` have none: their clamped logs, stable logits form and softmax's maximum are
ops (`docs/losses.md`), so a traced step of them records no guard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value
from autograd.trace import Traced, trace
from nn import train
from nn.module import Module
from nn.optim import Optimizer
from nn.train import Loss


class TracedLoss:
    """`loss([model(x) for x in xs], ys)`, traced once as a function of `model`'s parameters.

    Calling it replays the trace at the parameters' current numbers, sets each parameter's
    `grad` to d(loss)/d(parameter), as `zero_grad()` then `backward()` would, and returns
    the loss as a float. `source` is the generated code.
    """

    def __init__(
        self,
        model: Module,
        xs: Sequence[Sequence[Any]],
        ys: Sequence[Any],
        loss: Loss,
        *,
        on_guard_failure: str = "retrace",
        cache_dir: str | None = None,
    ) -> None:
        if len(xs) != len(ys):
            raise ValueError(f"TracedLoss: {len(xs)} inputs but {len(ys)} labels; they must match")
        self.params = model.parameters()

        def batch_loss(*params: Value) -> Value:
            # The parameters are the model's own Values: the model uses them as usual.
            return loss([model(x) for x in xs], ys)

        batch_loss.__name__ = getattr(loss, "__name__", "loss")
        self.traced: Traced = trace(
            batch_loss, *self.params, on_guard_failure=on_guard_failure, cache_dir=cache_dir
        )

    @property
    def source(self) -> str:
        return self.traced.source

    def __call__(self) -> float:
        params = self.params
        value, grads = self.traced(*[p.data for p in params])
        for p, g in zip(params, grads):
            p.grad = g
        return value


class TracedStep:
    """`nn.fit`'s step through a trace: the loss traced once (`TracedLoss`) when `fit`
    starts, then replayed at every step. The callback gets the loss as a leaf Value (its
    number; there is no graph to explore: use the engine's step for that).
    """

    label = "training (traced)"

    def __init__(self, *, on_guard_failure: str = "retrace", cache_dir: str | None = None) -> None:
        self.on_guard_failure = on_guard_failure
        self.cache_dir = cache_dir

    def __call__(
        self,
        model: Module,
        xs: Sequence[Sequence[Any]],
        ys: Sequence[Any],
        loss: Loss,
        optimizer: Optimizer,
    ) -> Callable[[], Value]:
        step_loss = TracedLoss(
            model, xs, ys, loss, on_guard_failure=self.on_guard_failure, cache_dir=self.cache_dir
        )
        return lambda: Value(step_loss())


def fit(
    model: Module,
    xs: Sequence[Sequence[Any]],
    ys: Sequence[Any],
    loss: Loss,
    optimizer: Optimizer,
    steps: int = 100,
    *,
    callback: Callable[[int, Value], None] | None = None,
    progress: bool = True,
    live: Any = None,
    on_guard_failure: str = "retrace",
    cache_dir: str | None = None,
) -> list[float]:
    """`nn.fit` through a traced step: the same arguments and results, faster on big graphs.

    It is `nn.fit(..., step=TracedStep(on_guard_failure=..., cache_dir=...))`: the same
    loop, checks and messages. The loss is traced once before the first step
    (`TracedLoss`). `callback(step, loss)` gets the loss as a leaf Value (its number; there
    is no graph to explore: use `nn.fit` for that).
    """
    return train.fit(
        model,
        xs,
        ys,
        loss,
        optimizer,
        steps,
        callback=callback,
        progress=progress,
        live=live,
        step=TracedStep(on_guard_failure=on_guard_failure, cache_dir=cache_dir),
    )
