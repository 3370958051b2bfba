"""What tracing raises, and the mark that generated code raises when a guard fails."""

from __future__ import annotations


class TraceError(Exception):
    """`f` does something that the traced code could not replay."""


class ConcretizationError(TraceError, TypeError):
    """`f` turned a value that depends on the traced inputs into a plain number (a
    TypeError too, as the engine's own refusal of `x * x.data` is)."""


class GuardFailure(TraceError):
    """A guard recorded when tracing goes the other way (with `on_guard_failure="raise"`)."""


class GuardFailed(Exception):
    """Raised by generated code when a guard fails; the traced callable handles it."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index
