"""The data sets and the training loop."""

import math
import random

import pytest

from nn import MLP, Neuron, fit
from nn.data import make_moons, students
from nn.losses import bce, mse
from nn.optim import SGD, Adam


def test_students_is_002s_table():
    xs, ys = students()
    assert list(zip(xs, ys)) == [
        ((2.0, 5.0), 0), ((4.0, 6.0), 0), ((6.0, 7.0), 1),
        ((8.0, 8.0), 1), ((3.0, 4.0), 0), ((7.0, 6.0), 1),
    ]
    xs.append((0.0, 0.0))  # callers get their own lists
    assert len(students()[0]) == 6


def test_make_moons_without_noise_lies_on_the_two_half_circles():
    xs, ys = make_moons(41, noise=0.0, rng=0)
    assert len(xs) == len(ys) == 41 and ys.count(0) == 20 and ys.count(1) == 21
    for (a, b), y in zip(xs, ys):
        if y == 0:  # upper moon: the unit half circle around (0, 0)
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # lower moon: the unit half circle around (1, 0.5), opening upwards
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12
    assert ys != sorted(ys)  # shuffled


def test_make_moons_is_seeded_and_noisy():
    assert make_moons(50, 0.1, rng=3) == make_moons(50, 0.1, rng=random.Random(3))
    assert make_moons(50, 0.1, rng=3) != make_moons(50, 0.1, rng=4)
    xs, _ = make_moons(200, noise=0.1, rng=0)
    assert all(isinstance(p, tuple) and len(p) == 2 for p in xs)
    clean, _ = make_moons(200, noise=0.0, rng=0)
    assert xs != clean


@pytest.mark.parametrize(
    "n, noise, error, message",
    [
        (0, 0.1, ValueError, "make_moons: n: expected an int >= 1, got 0"),
        (2.5, 0.1, TypeError, "make_moons: n: expected an int, got 2.5"),
        (10, -1.0, ValueError, "make_moons: noise"),
        (10, math.inf, ValueError, "make_moons: noise"),
        (10, "0.1", TypeError, "make_moons: noise: expected an int or a float"),
    ],
)
def test_make_moons_bad_arguments(n, noise, error, message):
    with pytest.raises(error, match=message):
        make_moons(n, noise)


def test_fit_returns_the_loss_of_every_step_and_trains():
    xs, ys = students()
    model = MLP(2, [2, 1], activation="relu", output_activation="sigmoid", rng=21)
    before = bce([model(x) for x in xs], ys).data
    history = fit(model, xs, ys, bce, Adam(model.parameters(), lr=0.05), steps=200, progress=False)
    assert len(history) == 200 and history[0] == pytest.approx(before)
    assert history[-1] < 0.05 * history[0]
    assert all((model(x).data > 0.5) == bool(y) for x, y in zip(xs, ys))


def test_fit_is_plain_gradient_descent_step_by_step():
    # one linear neuron, MSE: the same updates written out by hand
    xs, ys = [[1.0], [2.0]], [1.0, 3.0]
    neuron = Neuron(1, "linear", rng=0)
    w, b = neuron.w[0].data, 0.0
    history = fit(neuron, xs, ys, mse, SGD(neuron.parameters(), lr=0.1), steps=3, progress=False)
    for loss in history:
        errors = [w * x[0] + b - y for x, y in zip(xs, ys)]
        assert loss == pytest.approx(sum(e * e for e in errors) / 2)
        w -= 0.1 * sum(2 * e * x[0] for e, x in zip(errors, xs)) / 2
        b -= 0.1 * sum(2 * e for e in errors) / 2
    assert (neuron.w[0].data, neuron.b.data) == (pytest.approx(w), pytest.approx(b))


def test_fit_callback_sees_fresh_gradients_before_the_update():
    xs, ys = students()
    model = MLP(2, [2, 1], output_activation="sigmoid", rng=21)
    optimizer = SGD(model.parameters(), lr=0.1)
    seen = []

    def callback(step, loss):
        seen.append((step, loss.data, [p.grad for p in model.parameters()]))
        optimizer.lr = 0.1 / (step + 1)  # a schedule

    history = fit(model, xs, ys, bce, optimizer, steps=3, callback=callback, progress=False)
    assert [s for s, _, _ in seen] == [0, 1, 2] and [loss for _, loss, _ in seen] == history
    assert any(g != 0.0 for g in seen[0][2]) and optimizer.lr == pytest.approx(0.1 / 3)


def test_fit_shows_a_progress_bar_with_the_loss(capsys):
    xs, ys = students()
    model = MLP(2, [2, 1], output_activation="sigmoid", rng=21)
    fit(model, xs, ys, bce, SGD(model.parameters(), lr=0.1), steps=2)
    err = capsys.readouterr().err
    assert "training" in err and "loss=" in err


def test_fit_bad_arguments():
    model = MLP(2, [1], rng=0)
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="fit: steps: expected an int >= 0, got -1"):
        fit(model, [[1, 2]], [1], mse, opt, steps=-1)
    with pytest.raises(TypeError, match="fit: steps: expected an int, got 2.0"):
        fit(model, [[1, 2]], [1], mse, opt, steps=2.0)
    with pytest.raises(ValueError, match="2 inputs but 1 labels"):
        fit(model, [[1, 2], [3, 4]], [1], mse, opt, steps=1)


def test_fit_checks_its_arguments_before_the_progress_bar_starts(capsys):
    model = MLP(2, [1], rng=0)
    opt = SGD(model.parameters(), lr=0.1)
    xs, ys = [[1, 2]], [1]
    bad = [
        (lambda: fit(model, xs, ys, "mse", opt), r"fit: loss must be a function, got the name "
         r"'mse'; pass the function itself: from nn.losses import mse"),
        (lambda: fit(model, xs, ys, 3, opt), "fit: loss must be a function, got 3"),
        (lambda: fit(model, xs, ys, mse, 0.1), r"fit: optimizer must be an Optimizer such as "
         r"SGD\(model.parameters\(\), lr=0.1\), got 0.1"),
        (lambda: fit(model, xs, ys, mse, opt, callback=1), "fit: callback must be a function"),
        (lambda: fit("model", xs, ys, mse, opt), "fit: model must be a Module, got 'model'"),
    ]
    for call, message in bad:
        with pytest.raises(TypeError, match=message):
            call()
        assert "training" not in capsys.readouterr().err  # no bar was started
