"""A small full-batch training loop with a progress bar, and the step it runs.

`fit` is the one training loop: it checks its arguments, runs the steps, keeps the history,
calls the callback, drives a live view and the progress bar. How a step computes the loss
and the gradients is a strategy passed as `step=`: `BackwardStep` (the default) builds the
loss's graph anew and runs the engine's `backward()`; `nn.traced.TracedStep` replays a
trace of it as code. `nn.traced.fit` is this `fit` with the traced step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from tqdm import tqdm  # the text bar, also in a notebook: no ipywidgets needed

from autograd import Value
from autograd.engine import to_int
from nn.module import Module
from nn.optim import Optimizer

Loss = Callable[[list, Sequence[Any]], Value]


class Step(Protocol):
    """How `fit` makes a step's loss and gradients: a strategy.

    `fit` calls it once, after checking its arguments and before the first step, to get
    `one_step`; then, at every step, `one_step()` sets each parameter's `grad` to
    d(loss)/d(parameter) (as `optimizer.zero_grad()` then `backward()` would) and returns
    the loss as a `Value` (what the callback gets). `label` is the progress bar's text.
    """

    label: str

    def __call__(
        self,
        model: Module,
        xs: Sequence[Sequence[Any]],
        ys: Sequence[Any],
        loss: Loss,
        optimizer: Optimizer,
    ) -> Callable[[], Value]: ...


class BackwardStep:
    """The engine's step: the loss's graph recorded anew, then `backward()` through it.

    The callback gets the loss with its graph, to explore or draw.
    """

    label = "training"

    def __call__(
        self,
        model: Module,
        xs: Sequence[Sequence[Any]],
        ys: Sequence[Any],
        loss: Loss,
        optimizer: Optimizer,
    ) -> Callable[[], Value]:
        def one_step() -> Value:
            value = loss([model(x) for x in xs], ys)
            optimizer.zero_grad()
            value.backward()
            return value

        return one_step


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
    step: Step | None = None,
) -> list[float]:
    """Train `model` by full-batch gradient descent; return the loss at every step.

    Each step: predictions = [model(x) for x in xs], `loss(predictions, ys)` (a `Value`;
    add a penalty inside it if you want one), zero the gradients, backward, then
    `callback(step, loss_value)` if given (gradients are fresh, the update not done yet:
    the place to log or change `optimizer.lr`), then `optimizer.step()`. A tqdm bar shows
    the loss unless `progress=False`. `live=view` (an `nn.live.LiveView`) shows the
    training in that notebook widget, whose Play, Pause and Step then steer this loop.
    `step` is how the loss and gradients are made (`BackwardStep()`, the default, or
    `nn.traced.TracedStep()`: the same numbers, replayed from a trace).

    >>> from nn import MLP, fit
    >>> from nn.data import students
    >>> from nn.losses import bce
    >>> from nn.optim import Adam
    >>> xs, ys = students()
    >>> model = MLP(2, [2, 1], output_activation="sigmoid", rng=1)
    >>> history = fit(model, xs, ys, bce, Adam(model.parameters(), lr=0.05), steps=20,
    ...               progress=False)
    >>> len(history), history[-1] < history[0]
    (20, True)
    """
    # Every argument is checked before the step is prepared and the progress bar starts.
    if not callable(model):
        raise TypeError(f"fit: model must be a Module, got {model!r} ({type(model).__name__})")
    if isinstance(loss, str):
        raise TypeError(
            f"fit: loss must be a function, got the name {loss!r}; "
            f"pass the function itself: from nn.losses import {loss}"
        )
    if not callable(loss):
        raise TypeError(f"fit: loss must be a function, got {loss!r} ({type(loss).__name__})")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "fit: optimizer must be an Optimizer such as SGD(model.parameters(), lr=0.1), "
            f"got {optimizer!r} ({type(optimizer).__name__})"
        )
    if callback is not None and not callable(callback):
        raise TypeError(f"fit: callback must be a function or None, got {callback!r}")
    steps = to_int(steps, "fit: steps", minimum=0)
    if len(xs) != len(ys):
        raise ValueError(f"fit: {len(xs)} inputs but {len(ys)} labels; they must match")
    if step is None:
        step = BackwardStep()
    elif not callable(step):
        raise TypeError(f"fit: step must be a step strategy such as BackwardStep(), got {step!r}")
    one_step = step(model, xs, ys, loss, optimizer)  # a traced step traces here, once
    history: list[float] = []
    after_step = None if live is None else live.attach(model, xs, ys, loss, optimizer, steps)
    label = getattr(step, "label", "training")
    bar = tqdm(range(steps), desc=label, unit="step", disable=not progress)
    for i in bar:
        value = one_step()
        if callback is not None:
            callback(i, value)
        optimizer.step()
        history.append(value.data)
        if after_step is not None:  # the live view shows this step, waits for the next
            after_step(i + 1, value.data)
        bar.set_postfix(loss=f"{value.data:.4f}", refresh=False)
    bar.close()
    return history
