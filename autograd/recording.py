"""The engine's interface to a recorder: what a tracer sees of the engine, and nothing else.

A recorder (`autograd.trace` has one) watches the few places where a number could leave a
graph unseen, so that it can guard them or refuse them: a comparison, a read of `.data`,
`float()`, ... The engine reports each of them through this small protocol; it knows no
recorder's class and reads no recorder's fields, and a recorder reaches the engine only
through `installed()`. The value type stays ignorant of tracing, as HIPS autograd's is.

A recorder is installed per thread: tracing in one thread never changes what the ops of
another thread do. When no thread traces, each hook costs the engine one attribute test.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from autograd.engine import Value
    from autograd.op_type import Op


class Escape(enum.Enum):
    """The ways a traced value's number can leave the graph, which a recorder may refuse."""

    FLOAT = "float()"
    BOOL = "bool()"
    LOCAL_GRADS = "local_grads"
    BACKWARD = "backward()"
    SET_DATA = "setting .data"
    NO_GRAD = "no_grad()"


class Recorder(Protocol):
    """One method per event the engine reports while a recorder is installed."""

    def created(self, value: Value) -> None:
        """`Value(...)` made a new leaf."""

    def data(self, value: Value) -> Any:
        """What `value.data` reads as (its number, or a stand-in for it)."""

    def operand(self, other: object) -> Value | None:
        """The Value that `other` stands for, if it is the recorder's stand-in for a `.data`
        (so that `x < y.data` compares as `x < y`); else None."""

    def compared(self, value: Value, op: str, other: Any, result: bool) -> None:
        """`value <op> other` gave `result` (`other` as it was passed)."""

    def escaped(self, value: Value | None, what: Escape) -> None:
        """`what` is about to happen to `value` (None: not about one value). May raise."""

    def failed(self, op: Op, operands: tuple, error: BaseException) -> None:
        """The op `op` raised `error` at `operands` (its Values, and a folded number if it
        has one); the engine raises it next."""


class _Installed:
    """How many threads have a recorder installed: zero makes every hook one test."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


INSTALLED = _Installed()
_lock = threading.Lock()
_local = threading.local()


def current() -> Recorder | None:
    """This thread's recorder, or None."""
    return getattr(_local, "recorder", None)


@contextmanager
def installed(recorder: Recorder) -> Iterator[None]:
    """Install `recorder` for this thread for the length of the block."""
    if current() is not None:
        raise RuntimeError("a recorder is already installed in this thread")
    with _lock:
        INSTALLED.count += 1
    _local.recorder = recorder
    try:
        yield
    finally:
        _local.recorder = None
        with _lock:
            INSTALLED.count -= 1
