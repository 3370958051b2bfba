"""One way to accept randomness: a `random.Random`, an int seed, or None.

None means Python's global generator, the one `random.seed()` seeds, as in micrograd: after
`random.seed(1337)` a model built without `rng` gets the same weights on every run (and the
weights micrograd's own `MLP` would draw, since both draw uniform(-1, 1) in the same order).
An explicit `rng` always wins and leaves the global generator alone.
"""

from __future__ import annotations

import random
from typing import Union

from autograd.engine import is_int

RngLike = Union[random.Random, int, None]

# The hidden `random.Random` behind the module's functions (`random.seed`, `random.uniform`,
# ...). A bound method's `__self__` is public, and the same object on CPython and PyPy.
_GLOBAL: random.Random = random.random.__self__  # type: ignore[attr-defined]


def as_rng(rng: RngLike, where: str) -> random.Random:
    """The `random.Random` to draw from: `rng` itself, a new one seeded with an int, or,
    for None, Python's global generator (so `random.seed` reproduces a run). `where` names
    the caller in the error message."""
    if rng is None:
        return _GLOBAL
    if isinstance(rng, random.Random):
        return rng
    if is_int(rng):
        return random.Random(int(rng))
    raise TypeError(
        f"{where}: rng must be a random.Random, an int seed or None (Python's global "
        f"generator), got {rng!r} ({type(rng).__name__})"
    )
