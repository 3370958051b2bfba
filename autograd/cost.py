"""What a Jacobian costs each way, counted: forward mode makes one pass per input, reverse
mode one pass per output, and each pass walks the graph's edges once.

    >>> from autograd.cost import cost
    >>> print(cost(lambda x, y: [x * y, x + y, x.sin()], 1.0, 2.0))
    f: 2 inputs -> 3 outputs, a graph of 5 edges
      forward mode (jacfwd): 2 passes (one per input), 10 edge steps
      reverse mode (jacrev): 3 passes (one per output), 5 edge steps
      the same Jacobian both ways; fewer passes: forward mode

So a loss (many inputs, one output) wants reverse mode, backpropagation: one pass instead
of one per parameter; a function of one input with many outputs wants forward mode. The
counts are measured (`autograd.transforms.count_passes`) while both Jacobians are
computed, not derived from a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from autograd.transforms import PassCount, count_passes, jacfwd, jacrev

__all__ = ["Cost", "cost"]


@dataclass(frozen=True)
class Cost:
    """Both Jacobians of `f` at a point, and the passes each took."""

    inputs: int
    outputs: int
    edges: int  # edges of the whole graph of f's outputs
    forward: PassCount
    reverse: PassCount
    jacobian_forward: list[list[float]]
    jacobian_reverse: list[list[float]]

    @property
    def agree(self) -> bool:
        """Whether the two Jacobians agree (to rounding: the sums run in other orders)."""
        return all(
            abs(a - b) <= 1e-9 * max(abs(a), abs(b)) or a == b
            for row_f, row_r in zip(self.jacobian_forward, self.jacobian_reverse)
            for a, b in zip(row_f, row_r)
        )

    @property
    def cheaper(self) -> str:
        if self.forward.forward == self.reverse.reverse:
            return "as many either way"
        return "forward mode" if self.forward.forward < self.reverse.reverse else "reverse mode"

    def lines(self) -> list[str]:
        f, r = self.forward, self.reverse
        verdict = "the same Jacobian both ways" if self.agree else "the Jacobians DISAGREE"
        return [
            f"f: {self.inputs} input{_s(self.inputs)} -> {self.outputs} output{_s(self.outputs)}, "
            f"a graph of {self.edges} edge{_s(self.edges)}",
            f"  forward mode (jacfwd): {f.forward} pass{_es(f.forward)} (one per input), "
            f"{f.forward_edges} edge steps",
            f"  reverse mode (jacrev): {r.reverse} pass{_es(r.reverse)} (one per output), "
            f"{r.reverse_edges} edge steps",
            f"  {verdict}; fewer passes: {self.cheaper}",
        ]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from autograd.formatting import escape_html

        return f"<pre>{escape_html(str(self))}</pre>"


def cost(f: Callable[..., Any], *primals: float) -> Cost:
    """Compute f's Jacobian at `primals` by forward and by reverse mode, counting passes."""
    with count_passes() as forward:
        jacobian_forward = jacfwd(f)(*primals)
    with count_passes() as reverse:
        jacobian_reverse = jacrev(f)(*primals)
    # Each forward pass walks the whole graph of the outputs: its edges, once.
    edges = forward.forward_edges // max(forward.forward, 1)
    return Cost(
        inputs=len(primals),
        outputs=len(jacobian_reverse),
        edges=edges,
        forward=forward,
        reverse=reverse,
        jacobian_forward=jacobian_forward,
        jacobian_reverse=jacobian_reverse,
    )


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _es(n: int) -> str:
    return "" if n == 1 else "es"
