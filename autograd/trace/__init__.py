"""The backward pass as code: trace a function once, read its chain rule as Python, replay it.

`trace(f, *example_inputs)` calls `f` once with `Value` inputs, so that the engine records
its graph, and writes the graph out as one straight-line Python function over floats: one
line per node for the forward pass, one line per chain-rule contribution for the backward
pass, each with the node's label or op in a comment. Calling the result with new numbers
runs that function: it returns the output and the gradients and builds no `Value`.

    >>> from autograd.trace import trace
    >>> f = trace(lambda x, y: x * y + x.exp(), 1.0, 2.0)
    >>> f(0.0, 3.0)                       # (output, (d/dx, d/dy)) at x = 0, y = 3
    (1.0, (4.0, 0.0))
    >>> print(f.source)
    def forward_backward(v0, v1):
        # inputs: v0 = x, v1 = y
        # forward: one line per node
        v2 = v0 * v1  # x * y
        v3, d3 = op_exp(v0)  # exp(x)
        v4 = v2 + v3  # (x * y) + exp(x)
        # backward: g<k> = d(output)/d(v<k>), one line per chain-rule contribution
        g4 = 1.0
        g2 = g4  # x * y <- (x * y) + exp(x)
        g3 = g4  # exp(x) <- (x * y) + exp(x)
        g0 = g2 * v1  # x <- x * y
        g1 = g2 * v0  # y <- x * y
        g0 += g3 * d3  # x <- exp(x)
        return v4, (g0, g1)
    <BLANKLINE>

The hot ops (`+`, `-`, `*`, `neg`, `relu`, the fused `w·x+b`) are written inline, with
constants folded in as literals, and `detach()` is a copy of the number; every other op
calls the numeric rule of the node's own `Op` (`engine.op_of`: an op of `ops.py`, or a user
op of `define_op`, even one defined again since under the same name), so that each op's
math stays in one place. `op_exp` above applies `ops.EXP.numeric`: each distinct Op has its
own global, whose name the tracer makes (`op_` and the op's name cut down to ASCII letters,
digits and `_`); op names, as labels, reach the code only in comments, escaped. A result
beyond a float raises the engine's OverflowError (`exp: exp(1000.0) overflows a float`,
from `ops.overflow_error`). The backward pass adds the contributions in the order
`Value.backward()` does, with the same local derivatives, so the numbers are the engine's
to the last bit: up to the sign of a zero, and, from Python 3.12, `sum()` inside the
engine's `w·x+b` compensates its rounding, which the traced sum does not. A `detach()`
passes nothing back. Where a gradient meets inf or nan, the engine lets a zero factor win
(`engine._product`); the plain code does not, so a call whose gradients are not all finite
is redone by a careful copy of the code that applies that rule (`careful.py`, made on
first use).

A batch: one computation, written once
--------------------------------------
A loss over a batch (`loss([model(x) for x in xs], ys)`) repeats one per-item computation
for every item. The code holds it once, as a loop over the items with their numbers as
data (`for c0, c1, c2 in D0:`), forward and then backward, adding each gradient's terms in
`backward()`'s order, so the numbers are those of the straight-line code; the rest of the
program (the sum over the items, an L2 term over the parameters) is written line by line
as above. An item that takes another path (another branch, a guard with another outcome)
is an item of its own, written out or looped with the items of its path. Short programs,
and a graph whose shape the loops do not take (the engine's order interleaving the
items), are written straight-line: `Traced.layout` says which and why, `costs["looped"]`
counts the nodes written once. `trace(..., unroll=True)` writes every line out (the form
of one item, for a lesson). Package layout: `recorder.py` (what the engine reports while
`f` runs), `graph.py` (the recorded graph, read once), `writer.py` (the straight-line code)
with `rules.py` (what the code calls for an op), `repeats.py` (finding the repeated
computations), `loops.py` (writing them as loops), `careful.py` (the careful copy),
`traced.py` (the traced callable); the engine's side is `autograd.recording`.

What is an input, what is a constant
------------------------------------
- Each example input is a number (`f` receives a new `Value` with it, labelled after `f`'s
  parameter) or a leaf `Value` (`f` receives that very Value: pass a model's parameters,
  and `f` may use the model as usual; the traced function takes their numbers).
- Every other leaf that `f` creates (`Value(2.0)`, the leaf of `2 / x`, a data point), and
  every node computed from such constants only, is folded into the code as a number.
- A Value created before `f` was called and used by `f` (captured, not passed as an
  input) is an error at trace time: its number would be frozen into the code and training
  it would silently change nothing. Pass it as an input, or take its number on purpose
  (`Value(w.data)`: reading `.data` of a captured Value is allowed). A copy of an input
  (`copy.copy(x)`, a new leaf cut off from `x`) is refused too, saying so.

Control flow: guards
--------------------
Python control flow that depends on values would be invisible in a recorded graph. So
every comparison between values that depend on the inputs (`<`, `<=`, `>`, `>=` on a
Value: `if x > 0`, `max(a, b)`, `sorted(values)`) is recorded as a guard, with the answer
it gave. The generated code re-evaluates each guard, with the new numbers, as soon as
its operands are computed, before anything `f` computed after the comparison. If a guard
goes the other way, `f` would have taken another path: by default the call traces `f`
again at these inputs (a new variant, kept beside the others: up to `max_variants` are
cached); with `on_guard_failure="raise"` it raises `GuardFailure`. Primitives with kinks
(`relu`, `abs`, `clamp`, `maximum`, `minimum`, ...) are ops, not control flow: no guards.

While tracing, `.data` of a value that depends on the inputs is a stand-in. It passes for
a float (`isinstance(v.data, float)` and `numbers.Real` are True, as in the engine) and
compares like its number: each comparison, with a number, a Value or another `.data`, is
a guard (`if z.data >= 0`, as `nn.losses` does; `x < y.data`; `bool(v.data)`). Every other
use of its number is a `ConcretizationError`, like JAX's, at trace time: arithmetic
(`x - x.data`, `v.data * 2`), `float()`, `int()`, `round()`, `math.exp`, hashing, a float
method or attribute, and `str()`, `repr()`, `format()`: printing `v.data` inside a traced
function is an error, since the text depends on the number (print the traced function's
results outside it). `float(v)`, `v.local_grads`, `v.backward()` and `grad(...)` on such
values raise it too (the traced function computes the gradients itself); `no_grad()` and
setting `.data` inside `f` raise `TraceError` (the values they make are not recorded), as
does an op that neither the table nor a user op defines. A refusal that `f` catches (an
`except TypeError:` around `float(x)`) still fails the trace when `f` returns, and so does
an op's error that `f` catches (`try: x.log()` / `except ValueError:`): which inputs make
an op fail is no guard the traced code checks, so `f` must branch on a comparison instead.
So a construct the tracer cannot replay is an error when tracing, never a wrong number
when replaying, within these limits: `type(v.data)` is the stand-in's class
(`type(v.data) is float` is False, True in the engine) and `is`/`id()` see the
stand-in; `repr(v)` and `str(v)` of a Value itself, and its private attributes
(`v._data`), show the number at trace time. `f` must not branch on those. (The stand-in
is not a subclass of float: C code such as `math.exp` reads a float subclass's number
directly, unseen, where it asks this one for `float()`.)

A traced function may be called inside `no_grad()`: its call builds no Value, and a trace
it needs again (a guard failed) records as usual. Calling `trace()` itself inside
`no_grad()` is a `TraceError`.

Whatever `f` does with plain numbers (random draws, counters, prints) happens once, at
trace time. Nodes that neither the output, the aux values nor a guard need are left out
of the code, so an error only they would raise (`log` of a negative) is not raised. An
op's domain error in a needed node is raised as the engine raises it, and the traceback
shows the generated line. `Traced.costs` says what the last trace cost: running `f`
through the engine, writing the code, and compiling it (CPython compiles about 100,000
lines a second). Tracing is per thread: a trace in one thread changes
nothing for the ops of another, and a thread traces one function at a time.
"""

from autograd.trace.errors import ConcretizationError, GuardFailure, TraceError
from autograd.trace.traced import Traced, trace

__all__ = ["ConcretizationError", "GuardFailure", "TraceError", "Traced", "trace"]
