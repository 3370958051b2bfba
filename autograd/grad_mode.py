"""Grad mode's context managers: `no_grad()`, `enable_grad()`, and `traced_by(recorder)`.

They turn `value.set_grad_enabled`, which lives in `value.py` beside the flags the ops read
on their hot path; `autograd.engine` and `autograd` export them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from autograd import recording
from autograd.recording import Escape
from autograd.value import _INSTALLED, _recorder, set_grad_enabled


@contextmanager
def no_grad() -> Iterator[None]:
    """Ops inside return plain leaves: nothing is recorded (evaluation, optimizer steps)."""
    if _INSTALLED.count and (r := _recorder()) is not None:
        r.escaped(None, Escape.NO_GRAD)
    previous = set_grad_enabled(False)
    try:
        yield
    finally:
        set_grad_enabled(previous)


@contextmanager
def enable_grad() -> Iterator[None]:
    """Record in this thread even inside `no_grad()` (PyTorch's `enable_grad`): what
    `grad(create_graph=True)`, the transforms and the tracer build must be a graph."""
    previous = set_grad_enabled(True)
    try:
        yield
    finally:
        set_grad_enabled(previous)


@contextmanager
def traced_by(recorder: recording.Recorder) -> Iterator[None]:
    """Install `recorder` in this thread (see `autograd.recording`) and record the graph
    for the length of the block, even inside `no_grad()`: a traced function called inside
    `no_grad()` may need to trace itself again."""
    with enable_grad(), recording.installed(recorder):
        yield
