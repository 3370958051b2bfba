"""Small data sets: 002's student table and a seeded two-moons generator."""

from __future__ import annotations

import math
from numbers import Real

from nn.rng import RngLike, as_rng

Point = tuple[float, float]

# 002's table: (hours studied, hours slept, passed: 1, failed: 0).
_STUDENTS = ((2, 5, 0), (4, 6, 0), (6, 7, 1), (8, 8, 1), (3, 4, 0), (7, 6, 1))


def students() -> tuple[list[Point], list[int]]:
    """002's six students: xs = (hours studied, hours slept), ys = 1 passed, 0 failed.

    >>> xs, ys = students()
    >>> xs[0], ys[0]
    ((2.0, 5.0), 0)
    """
    xs = [(float(studied), float(slept)) for studied, slept, _ in _STUDENTS]
    ys = [passed for _, _, passed in _STUDENTS]
    return xs, ys


def make_moons(n: int = 100, noise: float = 0.1, rng: RngLike = None) -> tuple[list[Point], list[int]]:
    """Two interleaving half circles, like scikit-learn's `make_moons(n, noise=noise)`.

    Label 0: the upper moon, centred on (0, 0), n // 2 points (the outer one in sklearn).
    Label 1: the lower moon, centred on (1, 0.5), the other n - n // 2 points.
    Gaussian noise of standard deviation `noise` is added to each coordinate and the points
    are shuffled, all drawn from `rng` (a `random.Random`, an int seed, or None).

    >>> xs, ys = make_moons(100, noise=0.1, rng=1)
    >>> len(xs), sum(ys)
    (100, 50)
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"make_moons: n must be a positive int, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, Real) or not 0.0 <= noise < math.inf:
        raise ValueError(f"make_moons: noise must be a finite number >= 0, got {noise!r}")
    rng = as_rng(rng, "make_moons")
    n_upper = n // 2
    points = [(math.cos(a), math.sin(a), 0) for a in _angles(n_upper)]
    points += [(1.0 - math.cos(a), 0.5 - math.sin(a), 1) for a in _angles(n - n_upper)]
    rng.shuffle(points)
    xs = [(x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)) for x, y, _ in points]
    ys = [label for _, _, label in points]
    return xs, ys


def _angles(count: int) -> list[float]:
    """`count` angles evenly spaced over [0, pi], both ends included (numpy's linspace)."""
    if count == 1:
        return [0.0]
    return [math.pi * k / (count - 1) for k in range(count)]
