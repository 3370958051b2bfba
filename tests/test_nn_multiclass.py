"""Multi-class: softmax, log_softmax, cross_entropy, the spiral/xor/circles data sets, a
multi-output MLP trained with cross-entropy, and the accuracy helper."""

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, no_grad
from autograd.gradcheck import gradcheck
from nn import MLP, fit
from nn.data import circles, spiral, xor
from nn.losses import cross_entropy, log_softmax, softmax
from nn.metrics import accuracy, predicted_class
from nn.optim import SGD, Adam

TORCH_MISSING = "PyTorch is not installed: skipping the cross-check against it"


def values(xs):
    return [Value(x) for x in xs]


def closed_form(z, y):
    """-log softmax(z)[y] and p - onehot(y), written out with exact sums (math.fsum)."""
    m = max(z)
    total = math.fsum(math.exp(v - m) for v in z)
    p = [math.exp(v - m) / total for v in z]
    return math.log(total) - (z[y] - m), [pk - (k == y) for k, pk in enumerate(p)]


logit_lists = st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=6)


# --- softmax and log_softmax ---------------------------------------------------------------


@given(logit_lists)
def test_softmax_is_a_distribution(z):
    p = [v.data for v in softmax(values(z))]
    assert all(0.0 <= pk <= 1.0 for pk in p)
    assert math.fsum(p) == pytest.approx(1.0, abs=1e-12)
    for i in range(len(z)):  # softmax keeps the order (ties may appear after rounding)
        for j in range(len(z)):
            if z[i] > z[j]:
                assert p[i] >= p[j]


@given(logit_lists)
def test_log_softmax_is_the_log_of_softmax(z):
    logs = [v.data for v in log_softmax(values(z))]
    probabilities = [v.data for v in softmax(values(z))]
    for log_p, p in zip(logs, probabilities):
        if p > 1e-300:  # below, softmax has rounded to 0 and the log is what we want instead
            assert log_p == pytest.approx(math.log(p), rel=1e-12, abs=1e-12)


def test_softmax_and_log_softmax_are_stable_at_plus_minus_1000():
    z = [1000.0, 0.0, -1000.0]
    assert [p.data for p in softmax(values(z))] == [1.0, 0.0, 0.0]
    assert [p.data for p in log_softmax(values(z))] == [0.0, -1000.0, -2000.0]
    # the same shift everywhere changes nothing
    shifted = [v.data for v in softmax(values([x + 1e6 for x in (1.0, 2.0, 3.0)]))]
    plain = [v.data for v in softmax(values([1.0, 2.0, 3.0]))]
    assert shifted == pytest.approx(plain, rel=1e-9)


def test_softmax_gradient_against_finite_differences():
    # d softmax_1 / dz: p_1 (onehot - p); and a weighted sum of all of them
    assert gradcheck(lambda a, b, c: softmax([a, b, c])[1], [0.3, -1.2, 2.0])
    assert gradcheck(lambda a, b, c: sum(w * p for w, p in zip((1.0, -2.0, 0.5), log_softmax([a, b, c]))),
                     [0.3, -1.2, 2.0])


def test_one_logit_is_certain():
    z = Value(7.5)
    (p,) = softmax([z])
    assert p.data == 1.0
    loss = cross_entropy([z], 0)
    loss.backward()
    assert (loss.data, z.grad) == (0.0, 0.0)


# --- cross_entropy: value and gradients ---------------------------------------------------


@given(st.data())
def test_cross_entropy_value_and_gradient_are_the_closed_form(data):
    z = data.draw(st.lists(st.floats(-700, 700, allow_nan=False), min_size=1, max_size=6))
    y = data.draw(st.integers(0, len(z) - 1))
    logits = values(z)
    loss = cross_entropy(logits, y)
    expected, gradient = closed_form(z, y)
    # both sides subtract z_y - m from log(total): a few ulps of |z| apart at most
    assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-15 * max(1.0, *map(abs, z)))
    loss.backward()
    assert [v.grad for v in logits] == pytest.approx(gradient, rel=1e-9, abs=1e-15)


def test_cross_entropy_of_equal_logits_is_log_k():
    logits = values([0.5, 0.5, 0.5, 0.5])
    loss = cross_entropy(logits, 2)
    assert loss.data == pytest.approx(math.log(4), rel=1e-15)
    loss.backward()
    assert [v.grad for v in logits] == pytest.approx([0.25, 0.25, -0.75, 0.25], rel=1e-15)


@pytest.mark.parametrize("target, expected", [(0, 0.0), (1, 1000.0), (2, 2000.0)])
def test_cross_entropy_is_finite_and_exact_at_plus_minus_1000(target, expected):
    logits = values([1000.0, 0.0, -1000.0])
    loss = cross_entropy(logits, target)
    assert loss.data == expected
    loss.backward()
    onehot = [float(k == target) for k in range(3)]
    assert [v.grad for v in logits] == [1.0 - onehot[0], -onehot[1], -onehot[2]]


def test_cross_entropy_gradient_against_finite_differences():
    assert gradcheck(lambda a, b, c, d: cross_entropy([a, b, c, d], 1), [0.4, -1.3, 2.2, 0.0])
    assert gradcheck(
        lambda a, b, c, d: cross_entropy([[a, b], [c, d], [b, c]], [0, 1, 1]), [0.4, -1.3, 2.2, 0.0]
    )


def test_cross_entropy_accepts_numbers_mixed_with_values():
    z1 = Value(-1.0)
    loss = cross_entropy([2.0, z1, 0], 1)
    expected, gradient = closed_form([2.0, -1.0, 0.0], 1)
    assert loss.data == pytest.approx(expected, rel=1e-14)
    loss.backward()
    assert z1.grad == pytest.approx(gradient[1], rel=1e-14)


def test_cross_entropy_of_a_batch_is_the_mean_over_samples():
    batch = [[2.0, -1.0, 0.5], [0.0, 0.0, 3.0], [-2.0, 1.0, 1.5]]
    targets = [0, 1, 2]
    logits = [values(row) for row in batch]
    loss = cross_entropy(logits, targets)
    expected = [closed_form(row, y) for row, y in zip(batch, targets)]
    assert loss.data == pytest.approx(sum(e for e, _ in expected) / 3, rel=1e-14)
    loss.backward()
    for row, (_, gradient) in zip(logits, expected):
        assert [v.grad for v in row] == pytest.approx([g / 3 for g in gradient], rel=1e-13)


def test_a_batch_of_one_is_that_samples_loss():
    single, batch = cross_entropy(values([1.0, 2.0]), 0), cross_entropy([values([1.0, 2.0])], [0])
    assert batch.op == single.op and batch.data == single.data


def test_the_target_logits_node_has_two_consumers_in_the_graph():
    # loss = log(sum exp(z_k - m)) - (z_y - m): the chain rule adds p_y and -1 at z_y - m
    z = values([0.5, 2.0, -1.0])
    loss = cross_entropy(z, 0)
    log_total, shifted_target = loss.parents
    assert (loss.op, log_total.op, shifted_target.op) == ("-", "log", "-")
    target, m = shifted_target.parents
    assert target is z[0] and (m.op, m.data) == ("detach", 2.0)  # the largest, detached
    (largest,) = m.parents  # maximum(maximum(z0, z1), z2): ops, not a comparison in Python
    assert largest.op == "maximum" and largest.parents[1] is z[2]
    assert largest.parents[0].op == "maximum" and largest.parents[0].parents == (z[0], z[1])
    loss.backward()
    p0 = softmax(z)[0].data
    assert shifted_target.grad == pytest.approx(p0 - 1.0, rel=1e-14)


def test_cross_entropy_matches_pytorch_float64():
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    F = torch.nn.functional
    cases = [([2.0, 1.0, 0.1], 0), ([1000.0, 0.0, -1000.0], 2), ([-3.5, 40.0, 0.0, 7.25], 3), ([0.3], 0)]
    for z, y in cases:
        zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        theirs = F.cross_entropy(zt[None], torch.tensor([y]))
        theirs.backward()
        logits = values(z)
        ours = cross_entropy(logits, y)
        ours.backward()
        assert ours.data == pytest.approx(theirs.item(), rel=1e-12, abs=1e-300), (z, y)
        assert [v.grad for v in logits] == pytest.approx(zt.grad.tolist(), rel=1e-12, abs=1e-15), (z, y)
        probabilities = F.softmax(zt.detach(), dim=0).tolist()
        assert [p.data for p in softmax(values(z))] == pytest.approx(probabilities, rel=1e-12, abs=1e-300)
        log_probabilities = F.log_softmax(zt.detach(), dim=0).tolist()
        assert [p.data for p in log_softmax(values(z))] == pytest.approx(log_probabilities, rel=1e-12)


def test_cross_entropy_of_a_batch_matches_pytorch_mean_reduction():
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    rng = random.Random(5)
    batch = [[rng.gauss(0.0, 3.0) for _ in range(4)] for _ in range(6)]
    targets = [rng.randrange(4) for _ in range(6)]
    zt = torch.tensor(batch, dtype=torch.float64, requires_grad=True)
    theirs = torch.nn.functional.cross_entropy(zt, torch.tensor(targets))  # reduction="mean"
    theirs.backward()
    logits = [values(row) for row in batch]
    ours = cross_entropy(logits, targets)
    ours.backward()
    assert ours.data == pytest.approx(theirs.item(), rel=1e-12)
    assert [[v.grad for v in row] for row in logits] == [
        pytest.approx(row, rel=1e-12, abs=1e-15) for row in zt.grad.tolist()
    ]


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, exception, message",
    [
        (lambda: cross_entropy([1.0, 2.0], 2), IndexError, "cross_entropy: target 2 is not a class index"),
        (lambda: cross_entropy([1.0, 2.0], -1), IndexError, "cross_entropy: target -1 "),
        (lambda: cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0, 5]), IndexError, "target 5 of sample 1"),
        (lambda: cross_entropy([1.0, 2.0], True), TypeError, "target must be an int class index, got True"),
        (lambda: cross_entropy([1.0, 2.0], 1.0), TypeError, "got 1.0"),
        (lambda: cross_entropy([1.0, 2.0], "0"), TypeError, "got '0'"),
        (lambda: cross_entropy([1.0, 2.0], [0]), TypeError, "one sample's logits need one class index"),
        (lambda: cross_entropy([[1.0, 2.0]], 0), TypeError, "needs a sequence of class indices"),
        (lambda: cross_entropy([[1.0, 2.0]], [0, 1]), ValueError, "1 samples of logits but 2 targets"),
        (lambda: cross_entropy([[1.0, 2.0], [1.0]], [0, 0]), ValueError, "sample 1 has logits"),
        (lambda: cross_entropy([], []), ValueError, "no samples"),
        (lambda: cross_entropy([], 0), ValueError, "cross_entropy: no logits"),
        (lambda: cross_entropy(Value(1.0), 0), TypeError, "cross_entropy: logits must be a list"),
        (lambda: cross_entropy([1.0, "2"], 0), TypeError, "logit at index 1 must be a number or a Value"),
        (lambda: softmax([True, 1.0]), TypeError, "softmax: logit at index 0"),
        (lambda: softmax("abc"), TypeError, "softmax: logits must be a list"),
        (lambda: log_softmax([]), ValueError, "log_softmax: no logits"),
    ],
)
def test_bad_input(call, exception, message):
    with pytest.raises(exception, match=message):
        call()


# --- data sets -----------------------------------------------------------------------------


def test_spiral_is_cs231ns_formula_without_noise():
    n = 5
    xs, ys = spiral(n, classes=3, noise=0.0)
    assert ys == [0] * n + [1] * n + [2] * n  # class by class, as CS231n
    for j in range(3):
        for i in range(n):
            r, t = i / (n - 1), 4 * j + 4 * i / (n - 1)
            x = xs[j * n + i]
            assert x == [pytest.approx(r * math.sin(t), abs=1e-15), pytest.approx(r * math.cos(t), abs=1e-15)]
    # every arm starts at the centre and ends on the unit circle
    assert xs[0] == xs[n] == xs[2 * n] == [0.0, 0.0]
    assert all(math.hypot(*xs[j * n + n - 1]) == pytest.approx(1.0) for j in range(3))


def test_spiral_noise_turns_each_point_about_the_centre():
    clean, _ = spiral(40, 4, noise=0.0)
    noisy, ys = spiral(40, 4, noise=0.2, seed=7)
    assert len(noisy) == len(ys) == 160 and [ys.count(j) for j in range(4)] == [40] * 4
    # the noise is on the angle only: each point keeps its radius
    for a, b in zip(clean, noisy):
        assert math.hypot(*a) == pytest.approx(math.hypot(*b), abs=1e-12)
    assert noisy != clean


def test_spiral_angle_noise_has_the_asked_spread():
    clean, _ = spiral(2000, 1, noise=0.0)
    noisy, _ = spiral(2000, 1, noise=0.3, seed=1)
    turns = []
    for a, b in zip(clean[1:], noisy[1:]):  # not the centre point, whose angle is undefined
        turn = math.atan2(b[0], b[1]) - math.atan2(a[0], a[1])
        turns.append((turn + math.pi) % (2 * math.pi) - math.pi)
    mean = sum(turns) / len(turns)
    spread = math.sqrt(sum((t - mean) ** 2 for t in turns) / len(turns))
    assert abs(mean) < 0.03 and spread == pytest.approx(0.3, rel=0.06)


@pytest.mark.parametrize(
    "make",
    [lambda seed: spiral(30, 3, 0.2, seed), lambda seed: xor(30, 0.3, seed), lambda seed: circles(30, 0.1, 0.5, seed)],
    ids=["spiral", "xor", "circles"],
)
def test_seeded(make):
    assert make(3) == make(3) == make(random.Random(3))
    assert make(3) != make(4)
    assert make(0) == make(0)


def test_default_seed_is_0():
    assert spiral() == spiral(seed=0) and xor() == xor(seed=0) and circles() == circles(seed=0)


@pytest.mark.parametrize("make", [xor, circles], ids=["xor", "circles"])
@pytest.mark.parametrize("n", [1, 7, 100])
def test_two_class_sets_shape_and_balance(make, n):
    xs, ys = make(n, seed=2)
    assert len(xs) == len(ys) == n
    assert all(isinstance(x, list) and len(x) == 2 and all(type(c) is float for c in x) for x in xs)
    assert set(ys) <= {0, 1} and abs(ys.count(0) - ys.count(1)) <= 1


def test_xor_labels_are_the_xor_of_the_corners_signs():
    xs, ys = xor(400, noise=0.0, seed=3)
    assert sorted({tuple(x) for x in xs}) == [(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)]
    assert all(y == int((a > 0) != (b > 0)) for (a, b), y in zip(xs, ys))
    assert all(sum(1 for x in xs if x == corner) == 100 for corner in ([1.0, 1.0], [-1.0, -1.0]))
    assert ys[:8] != sorted(ys[:8]) or ys[8:16] != sorted(ys[8:16])  # shuffled


def test_xor_noise_is_gaussian_around_the_corners_with_the_asked_spread():
    xs, ys = xor(2000, noise=0.3, seed=3)
    # the nearest corner of each point; P(|N(0, 0.3)| > 1) is 0.09%, so nearly all are right
    offsets = [c - math.copysign(1.0, c) for x in xs for c in x]
    spread = math.sqrt(sum(o * o for o in offsets) / len(offsets))
    assert spread == pytest.approx(0.3, rel=0.05)
    inside = sum(y == int((a > 0) != (b > 0)) for (a, b), y in zip(xs, ys))
    assert inside >= 0.99 * 2000


def test_circles_lie_on_their_circles_without_noise():
    xs, ys = circles(51, noise=0.0, factor=0.3, seed=0)
    assert (ys.count(0), ys.count(1)) == (25, 26)  # sklearn: n // 2 outer, the rest inner
    for (a, b), y in zip(xs, ys):
        assert math.hypot(a, b) == pytest.approx(1.0 if y == 0 else 0.3)
    # evenly spaced angles: the outer circle's 25 points are 2 pi / 25 apart
    angles = sorted(math.atan2(b, a) % (2 * math.pi) for (a, b), y in zip(xs, ys) if y == 0)
    assert [round(b - a, 12) for a, b in zip(angles, angles[1:])] == [round(2 * math.pi / 25, 12)] * 24


def test_circles_noise():
    clean, _ = circles(200, noise=0.0, seed=1)
    noisy, ys = circles(200, noise=0.1, seed=1)
    assert noisy != clean and len(noisy) == 200
    radii = [math.hypot(*x) for x, y in zip(noisy, ys) if y == 0]
    assert sum(radii) / len(radii) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize(
    "call, exception, message",
    [
        (lambda: spiral(0), ValueError, "spiral: n_per_class: expected an int >= 1, got 0"),
        (lambda: spiral(2.5), TypeError, "spiral: n_per_class: expected an int, got 2.5"),
        (lambda: spiral(10, classes=True), TypeError, "spiral: classes: expected an int, got True"),
        (lambda: spiral(10, classes=0), ValueError, "spiral: classes: expected an int >= 1, got 0"),
        (lambda: spiral(10, noise=-0.1), ValueError, "spiral: noise must be a finite number >= 0, got -0.1"),
        (lambda: spiral(10, noise=math.nan), ValueError, "spiral: noise .* got nan"),
        (lambda: spiral(10, noise="0.2"), TypeError, "spiral: noise: expected an int or a float, got '0.2'"),
        (lambda: spiral(10, seed=1.5), TypeError, "spiral: rng must be a random.Random, an int seed or None"),
        (lambda: xor(-4), ValueError, "xor: n: expected an int >= 1, got -4"),
        (lambda: xor(4, noise=math.inf), ValueError, "xor: noise must be a finite number >= 0, got inf"),
        (lambda: xor("4"), TypeError, "xor: n: expected an int, got '4'"),
        (lambda: circles(10, factor=1.0), ValueError, r"circles: factor must be between 0 and 1 \(exclusive\), got 1.0"),
        (lambda: circles(10, factor=0), ValueError, "circles: factor .* got 0"),
        (lambda: circles(10, factor=None), TypeError, "circles: factor: expected an int or a float, got None"),
        (lambda: circles(10.0), TypeError, "circles: n: expected an int, got 10.0"),
    ],
)
def test_data_bad_arguments(call, exception, message):
    with pytest.raises(exception, match=message):
        call()


# --- a multi-output MLP trained with cross-entropy -----------------------------------------


def test_mlp_with_three_outputs_returns_three_values():
    model = MLP(2, [16, 3], rng=0)
    out = model([0.5, -0.25])
    assert isinstance(out, list) and len(out) == 3 and all(isinstance(z, Value) for z in out)
    loss = cross_entropy(out, 2)
    loss.backward()
    # the output neurons' biases get dL/dz_k = p_k - [k == 2] exactly
    p = [v.data for v in softmax(out)]
    biases = [n.b.grad for n in model.layers[-1].neurons]
    assert biases == pytest.approx([p[0], p[1], p[2] - 1.0], rel=1e-12)


def test_a_multi_output_mlp_trains_with_cross_entropy():
    xs, ys = spiral(20, 3, seed=1)
    model = MLP(2, [16, 3], rng=3)
    history = fit(model, xs, ys, cross_entropy, Adam(model.parameters(), lr=0.05), steps=15, progress=False)
    assert len(history) == 15
    assert history[0] == pytest.approx(cross_entropy([MLP(2, [16, 3], rng=3)(x) for x in xs], ys).data)
    assert history[-1] < 0.75 * history[0]
    assert all(b <= a * 1.05 for a, b in zip(history, history[1:]))  # no blow-up on the way


def test_one_sgd_step_on_cross_entropy_lowers_the_loss_as_predicted():
    # a small step along -gradient lowers the loss by about lr * |gradient|^2
    xs, ys = circles(12, seed=0)
    model = MLP(2, [4, 2], rng=0)
    loss = cross_entropy([model(x) for x in xs], ys)
    model.zero_grad()
    loss.backward()
    squared = sum(p.grad ** 2 for p in model.parameters())
    lr = 1e-3
    SGD(model.parameters(), lr=lr).step()
    after = cross_entropy([model(x) for x in xs], ys).data
    assert after == pytest.approx(loss.data - lr * squared, rel=0, abs=0.05 * lr * squared)


# --- accuracy ------------------------------------------------------------------------------


def test_predicted_class_is_the_first_argmax():
    assert predicted_class([0.1, 3.0, -2.0]) == 1
    assert predicted_class([Value(-1.0), Value(-0.5)]) == 1
    assert predicted_class([2.0, 5.0, 5.0, 1.0]) == 1  # a tie: the first, as numpy.argmax
    assert predicted_class((7,)) == 0


def test_predicted_class_of_one_output_thresholds_it():
    assert predicted_class(Value(0.51), threshold=0.5) == 1
    assert predicted_class(0.5, threshold=0.5) == 0  # above, not at, the threshold
    assert predicted_class(-0.1, threshold=0.0) == 0


def test_accuracy_multi_class_counts_argmax_hits():
    outputs = [[2.0, 0.0, 1.0], [0.0, 2.0, 1.0], [0.0, 1.0, 2.0], [3.0, 0.0, 0.0]]
    assert accuracy(outputs, [0, 1, 2, 0]) == 1.0
    assert accuracy(outputs, [0, 1, 2, 2]) == 0.75
    assert accuracy(outputs, [1, 2, 0, 1]) == 0.0


def test_accuracy_binary_with_a_threshold_and_either_label_convention():
    scores = [Value(1.5), Value(-0.2), Value(0.3), Value(-4.0)]
    assert accuracy(scores, [1, -1, -1, -1], threshold=0.0) == 0.75
    assert accuracy(scores, [1, 0, 0, 0], threshold=0.0) == 0.75
    probabilities = [0.9, 0.4, 0.6]
    assert accuracy(probabilities, [1, 0, 0], threshold=0.5) == pytest.approx(2 / 3)


def test_accuracy_of_a_trained_model_matches_counting_by_hand():
    xs, ys = spiral(10, 3, seed=2)
    model = MLP(2, [8, 3], rng=1)
    with no_grad():
        outputs = [model(x) for x in xs]
    by_hand = 0
    for out, y in zip(outputs, ys):
        data = [v.data for v in out]
        by_hand += data.index(max(data)) == y
    assert accuracy(outputs, ys) == by_hand / len(xs)


@pytest.mark.parametrize(
    "call, exception, message",
    [
        (lambda: accuracy([0.2, 0.8], [0, 1]), ValueError, "single output needs threshold="),
        (lambda: accuracy([[0.2, 0.8]], [2]), IndexError, "accuracy: target 2 at index 0 is not a class index"),
        (lambda: accuracy([[0.2, 0.8]], [1.0]), TypeError, "must be an int class index, got 1.0"),
        (lambda: accuracy([[0.2, 0.8]], [True]), TypeError, "target at index 0 must be a number, got True"),
        (lambda: accuracy([0.2], [2], threshold=0.5), ValueError, "target 2 at index 0 must be 0 or 1"),
        (lambda: accuracy([[0.2, 0.8]], [0, 1]), ValueError, "1 outputs but 2 targets"),
        (lambda: accuracy([], []), ValueError, "no outputs"),
        (lambda: accuracy("ab", [0, 1]), TypeError, "outputs must be a list"),
        (lambda: predicted_class([]), TypeError, "non-empty list"),
        (lambda: predicted_class([0.1, "x"]), TypeError, "output at index 1 must be a number or a Value"),
    ],
)
def test_accuracy_bad_input(call, exception, message):
    with pytest.raises(exception, match=message):
        call()
