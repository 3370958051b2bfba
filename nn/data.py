"""Small data sets: 002's student table, and seeded generators of two moons, CS231n's
spiral, XOR and two circles.

Every generator draws from Python's `random` only (seeded by `seed`/`rng`: a
`random.Random`, an int seed or None), so the same seed gives the same points on any
machine and interpreter, numpy or not. The points are plain floats, the labels ints.
"""

from __future__ import annotations

import math
import random

from autograd.engine import to_float, to_int
from nn.rng import RngLike, as_rng

Point = tuple[float, float]
Points = list[list[float]]  # [[x, y], ...]: a sample per row, as numpy would hold it

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


def make_moons(
    n: int = 100, noise: float = 0.1, rng: RngLike = None
) -> tuple[list[Point], list[int]]:
    """Two interleaving half circles, like scikit-learn's `make_moons(n, noise=noise)`.

    Label 0: the upper moon, centred on (0, 0), n // 2 points (the outer one in sklearn).
    Label 1: the lower moon, centred on (1, 0.5), the other n - n // 2 points.
    Gaussian noise of standard deviation `noise` is added to each coordinate and the points
    are shuffled, all drawn from `rng` (a `random.Random`, an int seed, or None).

    >>> xs, ys = make_moons(100, noise=0.1, rng=1)
    >>> len(xs), sum(ys)
    (100, 50)
    """
    n = to_int(n, "make_moons: n", minimum=1)
    noise = _checked_noise("make_moons", noise)
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


def spiral(
    n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: RngLike = 0
) -> tuple[Points, list[int]]:
    """CS231n's spiral ("minimal neural network case study"): `classes` arms of
    `n_per_class` points each, which no straight line separates.

    For class j the radius r goes evenly from 0 to 1 and the angle t from 4j to 4(j + 1)
    (numpy's linspace, both ends included), plus Gaussian noise of standard deviation
    `noise` on the angle; the point is (r sin t, r cos t). As in CS231n the points come
    class by class (class 0 first) and are not shuffled. `seed`: an int, a
    `random.Random` or None.

    >>> xs, ys = spiral(50, 3, seed=0)
    >>> len(xs), xs[0], [ys.count(j) for j in range(3)]
    (150, [0.0, 0.0], [50, 50, 50])
    """
    to_int(n_per_class, "spiral: n_per_class", minimum=1)
    to_int(classes, "spiral: classes", minimum=1)
    noise = _checked_noise("spiral", noise)
    rng = as_rng(seed, "spiral")
    xs: Points = []
    ys: list[int] = []
    for j in range(classes):
        radii = _linspace(0.0, 1.0, n_per_class)
        angles = _linspace(4.0 * j, 4.0 * (j + 1), n_per_class)
        for r, t in zip(radii, angles):
            t += rng.gauss(0.0, noise)
            xs.append([r * math.sin(t), r * math.cos(t)])
            ys.append(j)
    return xs, ys


def xor(n: int = 200, noise: float = 0.3, seed: RngLike = 0) -> tuple[Points, list[int]]:
    """XOR: Gaussian blobs around the four corners (+-1, +-1), label 1 where the corner's
    two signs differ (x xor y), 0 where they agree. No line separates the classes.

    Point i goes to corner i % 4 (so each corner, and each label, gets n // 4 or one more
    point), then the points are shuffled and each coordinate gets Gaussian noise of
    standard deviation `noise`. `seed`: an int, a `random.Random` or None.

    >>> xs, ys = xor(8, noise=0.0)
    >>> sorted(zip(map(tuple, xs), ys))[:2]
    [((-1.0, -1.0), 0), ((-1.0, -1.0), 0)]
    >>> sum(ys)
    4
    """
    to_int(n, "xor: n", minimum=1)
    noise = _checked_noise("xor", noise)
    rng = as_rng(seed, "xor")
    corners = ((1.0, 1.0, 0), (-1.0, 1.0, 1), (-1.0, -1.0, 0), (1.0, -1.0, 1))
    points = [corners[i % 4] for i in range(n)]
    return _shuffled_with_noise(points, noise, rng)


def circles(
    n: int = 100, noise: float = 0.1, factor: float = 0.5, seed: RngLike = 0
) -> tuple[Points, list[int]]:
    """Two concentric circles, like scikit-learn's `make_circles(n, noise=noise,
    factor=factor)`.

    Label 0: the outer circle, radius 1, n // 2 points. Label 1: the inner circle, radius
    `factor` (0 < factor < 1), the other n - n // 2. Each circle's points are evenly
    spaced from angle 0 (its end point left out); they are shuffled, then each coordinate
    gets Gaussian noise of standard deviation `noise`. `seed`: an int, a `random.Random` or
    None.

    >>> xs, ys = circles(100, noise=0.0, factor=0.5)
    >>> sorted({round(math.hypot(x, y), 12) for x, y in xs}), sum(ys)
    ([0.5, 1.0], 50)
    """
    to_int(n, "circles: n", minimum=1)
    noise = _checked_noise("circles", noise)
    factor = to_float(factor, "circles: factor")
    if not 0.0 < factor < 1.0:  # also catches nan
        raise ValueError(f"circles: factor must be between 0 and 1 (exclusive), got {factor!r}")
    n_outer = n // 2
    points = [(math.cos(a), math.sin(a), 0) for a in _circle_angles(n_outer)]
    points += [(factor * math.cos(a), factor * math.sin(a), 1) for a in _circle_angles(n - n_outer)]
    rng = as_rng(seed, "circles")
    return _shuffled_with_noise(points, noise, rng)


# --- shared helpers ----------------------------------------------------------------------


def _checked_noise(where: str, noise: object) -> float:
    """`noise` as a float: TypeError unless a number, ValueError unless finite and >= 0."""
    value = to_float(noise, f"{where}: noise")
    if not 0.0 <= value < math.inf:  # also catches nan
        raise ValueError(f"{where}: noise must be a finite number >= 0, got {noise!r}")
    return value


def _linspace(start: float, stop: float, count: int) -> list[float]:
    """numpy's linspace: `count` numbers evenly spaced from start to stop, both included."""
    if count == 1:
        return [start]
    step = (stop - start) / (count - 1)
    return [start + k * step for k in range(count - 1)] + [stop]


def _circle_angles(count: int) -> list[float]:
    """`count` angles evenly spaced over [0, 2 pi), as numpy's linspace(..., endpoint=False)."""
    return [2.0 * math.pi * k / count for k in range(count)]


def _shuffled_with_noise(
    points: list[tuple[float, float, int]], noise: float, rng: random.Random
) -> tuple[Points, list[int]]:
    """(x, y, label) rows shuffled, then Gaussian noise on each coordinate, as make_moons."""
    rng.shuffle(points)
    xs = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y, _ in points]
    ys = [label for _, _, label in points]
    return xs, ys
