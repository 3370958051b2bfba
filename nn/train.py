"""A small full-batch training loop with a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tqdm import tqdm  # the text bar, also in a notebook: no ipywidgets needed

from autograd import Value
from autograd.engine import to_int
from nn.module import Module
from nn.optim import Optimizer


def fit(
    model: Module,
    xs: Sequence[Sequence[Any]],
    ys: Sequence[Any],
    loss: Callable[[list, Sequence[Any]], Value],
    optimizer: Optimizer,
    steps: int = 100,
    *,
    callback: Callable[[int, Value], None] | None = None,
    progress: bool = True,
    live: Any = None,
) -> list[float]:
    """Train `model` by full-batch gradient descent; return the loss at every step.

    Each step: predictions = [model(x) for x in xs], `loss(predictions, ys)` (a `Value`;
    add a penalty inside it if you want one), zero the gradients, backward, then
    `callback(step, loss_value)` if given (gradients are fresh, the update not done yet:
    the place to log or change `optimizer.lr`), then `optimizer.step()`. A tqdm bar shows
    the loss unless `progress=False`. `live=view` (an `nn.live.LiveView`) shows the
    training in that notebook widget, whose Play, Pause and Step then steer this loop.

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
    # Every argument is checked before the progress bar starts.
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
    history: list[float] = []
    after_step = None if live is None else live.attach(model, xs, ys, loss, optimizer, steps)
    bar = tqdm(range(steps), desc="training", unit="step", disable=not progress)
    for step in bar:
        value = loss([model(x) for x in xs], ys)
        optimizer.zero_grad()
        value.backward()
        if callback is not None:
            callback(step, value)
        optimizer.step()
        history.append(value.data)
        if after_step is not None:  # the live view shows this step, waits for the next
            after_step(step + 1, value.data)
        bar.set_postfix(loss=f"{value.data:.4f}", refresh=False)
    bar.close()
    return history
