"""The traced callable: `trace(f, *examples)` records `f`, writes and compiles its code, and
calls it; a guard that fails traces `f` again (a new variant, cached beside the others)."""

from __future__ import annotations

import gc
import importlib.util
import inspect
import itertools
import linecache
import marshal
import math
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from autograd import engine, recording
from autograd.engine import Value, to_float, to_int
from autograd.trace.errors import GuardFailed, GuardFailure, TraceError
from autograd.trace.loops import write_source
from autograd.trace.recorder import Recorder, describe

GUARD_POLICIES = ("retrace", "raise")


class _Variant:
    """One traced path through `f`: its source, its compiled function, its guards."""

    __slots__ = ("__weakref__", "_careful", "_lock", "filename", "function", "guards", "source")

    def __init__(self, source: str, function: Callable, guards: list[str], filename: str) -> None:
        self.source = source
        self.function = function
        self.guards = guards  # each guard as text, by index
        self.filename = filename
        self._careful: Callable | None = None  # made by the first call that needs it
        self._lock = threading.Lock()

    def careful(self) -> Callable:
        """The careful copy of the code (`careful.py`), made once, by whichever thread
        needs it first."""
        function = self._careful
        if function is None:
            with self._lock:
                function = self._careful
                if function is None:
                    # (imported here: most programs never need it, nor its `ast`)
                    from autograd.trace import careful

                    globals_ = self.function.__globals__
                    function = careful.careful_function(self.source, self.filename, globals_)
                    self._careful = function
        return function


class Traced:
    """`f`, traced: call it with numbers to get `(output, gradients)` (and the aux values
    with `has_aux=True`). Made by `trace`; see the package's documentation."""

    def __init__(
        self,
        f: Callable[..., Any],
        examples: Sequence[Value | None],
        labels: Sequence[str],
        on_guard_failure: str,
        has_aux: bool,
        max_variants: int,
        cache_dir: str | None,
        unroll: bool = False,
    ) -> None:
        self._f = f
        self._examples = list(examples)  # the input Values passed in, or None for numbers
        self.labels: tuple[str, ...] = tuple(labels)
        self.on_guard_failure = on_guard_failure
        self.has_aux = has_aux
        self.max_variants = max_variants
        self.cache_dir = cache_dir
        self.unroll = unroll
        self.traces = 0  # how many times f was traced
        self.costs: dict[str, float] = {}  # the last trace's seconds per phase, and lines
        self.layout = ""  # how the last trace's code is laid out, and why
        self._variants: list[_Variant] = []  # the most recently used first
        self._name = getattr(f, "__name__", "f")

    @property
    def source(self) -> str:
        """The generated code of the variant used last."""
        return self._variants[0].source

    @property
    def variants(self) -> int:
        """How many traced paths are cached."""
        return len(self._variants)

    @property
    def guards(self) -> list[str]:
        """The guards of the variant used last, as text: `z1 > 0.0 was True when traced`."""
        return list(self._variants[0].guards)

    def __repr__(self) -> str:
        return (
            f"Traced({self._name}, {len(self.labels)} inputs, {self.variants} variant(s), "
            f"traced {self.traces} time(s))"
        )

    def __call__(self, *inputs: float) -> Any:
        if len(inputs) != len(self.labels):
            raise TypeError(
                f"traced {self._name}: takes {len(self.labels)} inputs, got {len(inputs)}"
            )
        xs = [x if type(x) is float else to_float(x, f"traced {self._name}") for x in inputs]
        try:
            result = self._variants[0].function(*xs)
        except GuardFailed as failed:
            result = self._other_path(xs, failed.index)
        total = sum(result[1])
        if total - total != 0.0:  # a gradient is inf or nan (or their sum overflows)
            return self._carefully(self._variants[0], xs)
        return result

    def _carefully(self, variant: _Variant, xs: list[float]) -> Any:
        """The call again through the variant's careful copy of the code, which applies the
        engine's chain rule (a zero factor wins) term by term; made on first use."""
        return variant.careful()(*xs)

    def _other_path(self, xs: list[float], index: int) -> Any:
        """The last-used variant's guard `index` failed at `xs`: another cached variant,
        else a new trace (or GuardFailure)."""
        variants = self._variants
        for k in range(1, len(variants)):
            try:
                result = variants[k].function(*xs)
            except GuardFailed:
                continue
            variants.insert(0, variants.pop(k))
            return result
        if self.on_guard_failure == "raise":
            raise GuardFailure(
                f"traced {self._name}: guard {index}, {variants[0].guards[index]}, goes the other "
                f"way at inputs {xs!r}: {self._name} would take a path that was not traced. "
                "Trace with on_guard_failure='retrace' (the default) to trace it too."
            )
        self._record(xs)
        try:
            return variants[0].function(*xs)
        except GuardFailed as failed:  # f took another path just now than when traced
            raise TraceError(
                f"traced {self._name}: traced again at {xs!r}, its guard {failed.index} fails at "
                "those very inputs: does the function depend on something besides its inputs?"
            ) from None

    def _record(self, xs: Sequence[float]) -> None:
        """Trace f at `xs` and put the new variant first."""
        if recording.current() is not None:
            raise TraceError("trace: tracing inside a traced function is not supported")
        inputs: list[Value] = []
        saved: list[tuple[Value, float]] = []
        for example, x, label in zip(self._examples, xs, self.labels):
            if example is None:
                inputs.append(Value(x, label))
                continue
            # An existing leaf: f receives it, holding the number x while traced (set and
            # put back through its public `.data`).
            number = example.data
            if not (number == x and math.copysign(1.0, number) == math.copysign(1.0, x)):
                saved.append((example, number))
                example.data = x
            inputs.append(example)
        recorder = Recorder(inputs)
        # A big graph is tens of thousands of new objects, each allocation counting toward
        # the cyclic collector's next pass over all of them; tracing makes no cycle worth
        # collecting, so the collector waits until the code is written (half the cost of
        # writing a batch's code otherwise).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._trace_and_write(inputs, saved, recorder)
        finally:
            if collecting:
                gc.enable()

    def _trace_and_write(
        self, inputs: list[Value], saved: list[tuple[Value, float]], recorder: Recorder
    ) -> None:
        started = time.perf_counter()
        # Called inside no_grad(), a traced function may trace again: the engine records
        # the graph while f runs (the call itself still builds no Value).
        try:
            with engine.traced_by(recorder):
                result = self._f(*inputs)
        finally:
            for example, number in saved:
                example.data = number
        swallowed = recorder.swallowed()
        if swallowed is not None:
            raise swallowed
        output, aux = self._outputs(result)
        recorded = time.perf_counter()
        source, namespace, guard_texts, layout = write_source(
            inputs, self.labels, output, aux, recorder, unroll=self.unroll
        )
        written = time.perf_counter()
        self.traces += 1
        filename = f"<traced {self._name} #{next(_traces)}>"
        namespace.update({"GuardFailed": GuardFailed, "inf": math.inf, "nan": math.nan})
        exec(_compiled(source, filename, self._name, self.cache_dir), namespace)
        compiled = time.perf_counter()
        guards = [
            f"{text} was {guard.outcome} when traced"
            for text, guard in zip(guard_texts, recorder.guards)
        ]
        variant = _Variant(source, namespace["forward_backward"], guards, filename)
        # Tracebacks through the generated code show its lines, for as long as it lives.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        weakref.finalize(variant, linecache.cache.pop, filename, None)
        self._variants.insert(0, variant)
        del self._variants[self.max_variants :]
        self.layout = layout.text
        self.costs = {
            "record": recorded - started,  # f through the engine, once
            "write": written - recorded,  # the graph written out as source
            "compile": compiled - written,  # CPython's compile (or the cache's copy)
            "lines": float(source.count("\n")),
            "looped": float(layout.looped),  # nodes written once for several items
        }

    def _outputs(self, result: Any) -> tuple[Value, list[Value]]:
        if self.has_aux:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise TypeError(
                    f"trace: with has_aux=True, {self._name} must return (output, aux), "
                    f"got {result!r}"
                )
            output, aux = result
            aux = [aux] if isinstance(aux, Value) else list(aux)
        else:
            output, aux = result, []
        for value in (output, *aux):
            if not isinstance(value, Value):
                raise TypeError(
                    f"trace: {self._name} must return a Value"
                    f"{' (and aux Values)' if self.has_aux else ''}, got {value!r} "
                    f"({type(value).__name__})"
                )
        return output, aux


_traces = itertools.count(1)  # numbers the generated code's file names


def _compiled(source: str, filename: str, name: str, cache_dir: str | None) -> Any:
    """`compile(source)`, or its code read back from `cache_dir` where an earlier process
    left it. The files are keyed by the source's hash and the interpreter, and checked as
    `.pyc` files are, by the bytecode's magic number."""
    if cache_dir is None:
        return compile(source, filename, "exec")
    import hashlib  # (only here: loading it costs a cold trace several milliseconds)

    key = hashlib.sha256(f"{name}\n{source}".encode()).hexdigest()
    magic = importlib.util.MAGIC_NUMBER
    path = os.path.join(cache_dir, f"trace-{key[:32]}.{sys.implementation.cache_tag}.bin")
    try:
        with open(path, "rb") as file:
            data = file.read()
        if data[: len(magic)] == magic:
            return marshal.loads(data[len(magic) :])
    except (OSError, ValueError, EOFError, TypeError):
        pass  # absent or unreadable: compile it again
    code = compile(source, filename, "exec")
    os.makedirs(cache_dir, exist_ok=True)
    partial = f"{path}.{os.getpid()}.tmp"
    with open(partial, "wb") as file:
        file.write(magic + marshal.dumps(code))
    os.replace(partial, path)  # whole or absent, even with several processes at once
    return code


def trace(
    f: Callable[..., Any],
    *example_inputs: Value | float,
    on_guard_failure: str = "retrace",
    has_aux: bool = False,
    max_variants: int = 8,
    cache_dir: str | None = None,
    unroll: bool = False,
) -> Traced:
    """Trace `f` at `example_inputs` once; return it as Python code over floats.

    `f` takes one Value per example input and returns a Value (with `has_aux=True`, a pair
    `(output, aux)`, aux a Value or a list of Values whose numbers are returned too). Each
    example input is a number or a leaf Value (f then receives that Value itself). The
    result, called with one number per input, returns `(output, gradients)` (`(output,
    gradients, aux)` with has_aux), the gradients as a tuple in input order; `.source` is
    its code. On a guard that goes the other way it traces again (`"retrace"`, keeping up
    to `max_variants` variants) or raises `GuardFailure` (`"raise"`). With `cache_dir`, the
    compiled code is kept in that folder and reused by later processes tracing the same
    graph. A computation repeated over a batch is written once, as a loop over the items;
    `unroll=True` writes every item's lines out (straight-line code, as for a lesson).
    """
    if not callable(f):
        raise TypeError(f"trace: f must be callable, got {f!r}")
    if on_guard_failure not in GUARD_POLICIES:
        raise ValueError(
            f"trace: on_guard_failure must be 'retrace' or 'raise', got {on_guard_failure!r}"
        )
    if not isinstance(unroll, bool):
        raise TypeError(f"trace: unroll must be True or False, got {unroll!r}")
    max_variants = to_int(max_variants, "trace: max_variants", minimum=1)
    if recording.current() is not None:
        raise TraceError("trace: tracing inside a traced function is not supported")
    if not engine.is_grad_enabled():
        raise TraceError(
            "trace: cannot trace inside no_grad(): call trace() outside it (the traced "
            "function may then be called inside no_grad())"
        )
    names = _parameter_names(f, len(example_inputs))
    examples: list[Value | None] = []
    labels: list[str] = []
    xs: list[float] = []
    seen: set = set()
    for i, x in enumerate(example_inputs):
        if isinstance(x, Value):
            if x.parents:
                raise TypeError(
                    f"trace: input {i} is not a leaf ({describe(x)}): pass numbers or leaf Values"
                )
            if x in seen:
                raise ValueError(f"trace: input {i} ({describe(x)}) is passed twice")
            seen.add(x)
            examples.append(x)
            labels.append(x.label or names[i])
            xs.append(x._data)
        else:
            examples.append(None)
            labels.append(names[i])
            xs.append(to_float(x, "trace"))
    traced = Traced(f, examples, labels, on_guard_failure, has_aux, max_variants, cache_dir, unroll)
    traced._record(xs)
    return traced


def _parameter_names(f: Callable[..., Any], n: int) -> list[str]:
    """Labels for number inputs: f's parameter names (`x`, `y`), else x0, x1, ..."""
    names = [f"x{i}" for i in range(n)]
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return names
    for i, parameter in enumerate(parameters[:n]):
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            names[i] = parameter.name
        else:
            break
    return names
