"""One way to accept randomness: a `random.Random`, an int seed, or None."""

from __future__ import annotations

import random
from typing import Union

from autograd.engine import is_int

RngLike = Union[random.Random, int, None]


def as_rng(rng: RngLike, where: str) -> random.Random:
    """The `random.Random` to draw from: `rng` itself, a new one seeded with an int, or an
    unseeded one for None. `where` names the caller in the error message."""
    if rng is None:
        return random.Random()
    if isinstance(rng, random.Random):
        return rng
    if is_int(rng):
        return random.Random(int(rng))
    raise TypeError(
        f"{where}: rng must be a random.Random, an int seed or None, "
        f"got {rng!r} ({type(rng).__name__})"
    )
