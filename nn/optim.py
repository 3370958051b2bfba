"""Optimizers with PyTorch's update rules: `SGD` (with momentum) and `Adam`.

They read each parameter's `grad` and write its `data` with plain float arithmetic, so an
update records nothing in the graph.

>>> from nn import Neuron
>>> n = Neuron(2, rng=0)
>>> opt = SGD(n.parameters(), lr=0.1, momentum=0.9)
>>> loss = n([2.0, -4.0]); opt.zero_grad(); loss.backward(); opt.step()
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value
from autograd.engine import to_float


class Optimizer:
    """Holds the parameters and the learning rate; subclasses define `step()`.

    `lr` may be changed between steps (a learning-rate schedule).
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        name = type(self).__name__
        if callable(getattr(params, "parameters", None)):  # the model itself, a common slip
            raise TypeError(
                f"{name}: expected the parameters, got the model {type(params).__name__}; "
                f"write {name}(model.parameters(), ...)"
            )
        if isinstance(params, (Value, str, bytes)) or not isinstance(params, Iterable):
            raise TypeError(
                f"{name}: expected an iterable of Values such as model.parameters(), "
                f"got {params!r} ({type(params).__name__})"
            )
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")
        seen = set()
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(
                    f"{name}: parameters must be Values, got {p!r} ({type(p).__name__})"
                )
            if id(p) in seen:
                raise ValueError(
                    f"{name}: parameter {p!r} is listed twice; it would be updated twice"
                )
            seen.add(id(p))
        self.lr = _checked(name, "lr", lr, low=0.0, low_open=True)

    def zero_grad(self) -> None:
        """Set every parameter's `grad` to 0.0 before the next backward()."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (PyTorch's rule, no dampening).

    buf = g on the first step, then buf = momentum * buf + g; p -= lr * buf.
    Without momentum: p -= lr * g.
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _checked("SGD", "momentum", momentum, low=0.0)
        self._buffers: list[float] | None = None  # created by the first step, as PyTorch does

    def step(self) -> None:
        lr = self.lr
        if self.momentum == 0.0:
            for p in self.params:
                p.data = p.data - lr * p.grad
            return
        if self._buffers is None:
            self._buffers = [p.grad for p in self.params]
        else:
            m = self.momentum
            self._buffers = [m * buf + p.grad for buf, p in zip(self._buffers, self.params)]
        for p, buf in zip(self.params, self._buffers):
            p.data = p.data - lr * buf

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self.lr!r}, momentum={self.momentum!r})"


class Adam(Optimizer):
    """Adam (Kingma & Ba), PyTorch's rule with bias correction and eps outside the sqrt.

    m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g;  t += 1
    p -= lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)

    (v is kept as its square root, so that a gradient above 1.3e154 still moves by lr.)
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _checked("Adam", "betas[0]", betas[0], low=0.0, high=1.0),
            _checked("Adam", "betas[1]", betas[1], low=0.0, high=1.0),
        )
        self.eps = _checked("Adam", "eps", eps, low=0.0)
        self.t = 0
        self._m = [0.0] * len(self.params)
        # sqrt(v), not v: v = b2*v + (1-b2)*g*g overflows for |g| above about 1.3e154 and
        # would freeze the parameter (a step of 0). Its root, updated with hypot, stays
        # finite for every finite g, and the step is the same rule.
        self._root_v = [0.0] * len(self.params)

    def step(self) -> None:
        b1, b2 = self.betas
        self.t += 1
        correction1 = 1.0 - b1**self.t
        root_correction2 = math.sqrt(1.0 - b2**self.t)
        root_b2, root_1_b2 = math.sqrt(b2), math.sqrt(1.0 - b2)
        lr, eps, m, root_v = self.lr, self.eps, self._m, self._root_v
        for i, p in enumerate(self.params):
            g = p.grad
            m[i] = b1 * m[i] + (1.0 - b1) * g
            root_v[i] = math.hypot(root_b2 * root_v[i], root_1_b2 * g)  # sqrt(b2 v + (1-b2) g²)
            p.data = p.data - lr * (m[i] / correction1) / (root_v[i] / root_correction2 + eps)

    def __repr__(self) -> str:
        return (
            f"Adam({len(self.params)} parameters, lr={self.lr!r}, betas={self.betas!r}, "
            f"eps={self.eps!r})"
        )


def _checked(
    where: str,
    what: str,
    x: object,
    low: float,
    high: float = math.inf,
    low_open: bool = False,
) -> float:
    """`x` as a float in [low, high) (or (low, high) when `low_open`): TypeError unless a
    number, ValueError outside."""
    x = to_float(x, f"{where}: {what}")
    too_low = x <= low if low_open else x < low
    if too_low or not x < high:  # `not x < high` also catches nan
        interval = f"{'(' if low_open else '['}{low:g}, {high:g})"
        raise ValueError(f"{where}: {what} must be in {interval}, got {x!r}")
    return x
