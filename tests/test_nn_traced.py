"""nn.traced: training through a traced step gives nn.fit's losses and parameters."""

import pytest

from nn import MLP, fit
from nn.data import make_moons, spiral, students
from nn.losses import bce, bce_with_logits, cross_entropy, hinge, mse
from nn.optim import SGD, Adam
from nn.traced import TracedLoss
from nn.traced import fit as traced_fit


def moons(n):
    xs, ys = make_moons(n, noise=0.1, rng=1)
    return xs, [2 * y - 1 for y in ys]


CASES = [
    # data, loss, output activation, optimizer, hidden sizes, expanded graph
    (students, bce, "sigmoid", lambda p: SGD(p, lr=0.1), [3, 1], False),
    (students, bce_with_logits, "linear", lambda p: Adam(p, lr=0.05), [3, 1], False),
    (students, mse, "tanh", lambda p: SGD(p, lr=0.05, momentum=0.9), [4, 4, 1], True),
    (lambda: moons(30), hinge, "linear", lambda p: SGD(p, lr=0.1), [8, 8, 1], False),
    (lambda: moons(20), hinge, "linear", lambda p: Adam(p, lr=0.01), [6, 1], True),
]


@pytest.mark.parametrize("data, loss, output, optimizer, sizes, expanded", CASES)
def test_traced_fit_gives_the_losses_and_parameters_of_fit(data, loss, output, optimizer, sizes, expanded):
    xs, ys = data()
    models = [MLP(2, sizes, output_activation=output, rng=7, expanded=expanded) for _ in range(2)]
    expected = fit(models[0], xs, ys, loss, optimizer(models[0].parameters()), steps=25, progress=False)
    history = traced_fit(models[1], xs, ys, loss, optimizer(models[1].parameters()), steps=25, progress=False)
    assert history == pytest.approx(expected, rel=1e-12, abs=1e-15)
    for p, q in zip(models[1].parameters(), models[0].parameters()):
        assert p.data == pytest.approx(q.data, rel=1e-12, abs=1e-15)


def test_the_traced_loss_leaves_the_gradients_backward_leaves():
    xs, ys = students()
    model = MLP(2, [2, 1], output_activation="sigmoid", rng=3)
    step = TracedLoss(model, xs, ys, bce)
    value = step()
    traced_grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    loss = bce([model(x) for x in xs], ys)
    loss.backward()
    assert value == pytest.approx(loss.data, rel=1e-15)
    assert traced_grads == pytest.approx([p.grad for p in model.parameters()], rel=1e-12, abs=1e-15)
    assert "def forward_backward(" in step.source and "# inputs: v0 = L0.N0.w0" in step.source


def test_a_sign_change_under_bce_with_logits_needs_no_second_trace():
    xs, ys = students()
    model = MLP(2, [3, 1], output_activation="linear", rng=1)
    bias = model.layers[-1].neurons[0].b
    bias.data = 50.0  # every logit positive
    step = TracedLoss(model, xs, ys, bce_with_logits)
    assert step.traced.guards == []  # the sign of each logit is an op's business (maximum, abs)
    bias.data = -50.0  # every logit negative
    value = step()
    assert step.traced.traces == 1
    assert value == pytest.approx(bce_with_logits([model(x) for x in xs], ys).data, rel=1e-15)


def test_traced_fit_with_cross_entropy_on_three_classes_gives_the_losses_of_fit():
    xs, ys = spiral(8, 3, seed=0)
    models = [MLP(2, [6, 3], rng=5) for _ in range(2)]
    expected = fit(models[0], xs, ys, cross_entropy, Adam(models[0].parameters(), lr=0.05), steps=20, progress=False)
    step = TracedLoss(models[1], xs, ys, cross_entropy)  # the largest logit of each sample: an op
    assert step.traced.guards == []
    history = traced_fit(models[1], xs, ys, cross_entropy, Adam(models[1].parameters(), lr=0.05), steps=20, progress=False)
    assert history == pytest.approx(expected, rel=1e-12, abs=1e-15)
    for p, q in zip(models[1].parameters(), models[0].parameters()):
        assert p.data == pytest.approx(q.data, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("steps, error", [("3", TypeError), (2.0, TypeError), (True, TypeError), (-1, ValueError)])
def test_traced_fit_checks_steps_as_fit_does(steps, error):
    xs, ys = students()
    for train in (fit, traced_fit):
        model = MLP(2, [1], rng=0)
        with pytest.raises(error, match="fit: steps"):
            train(model, xs, ys, mse, SGD(model.parameters(), lr=0.1), steps=steps, progress=False)


def _bad_arguments():
    xs, ys = students()
    model = MLP(2, [1], rng=0)
    good = {"model": model, "xs": xs, "ys": ys, "loss": mse, "optimizer": SGD(model.parameters(), lr=0.1)}
    return [
        {**good, "model": "an MLP"},
        {**good, "loss": "mse"},
        {**good, "loss": 3},
        {**good, "optimizer": model.parameters()},
        {**good, "ys": ys[:-1]},
        {**good, "callback": "print"},
        {**good, "steps": 2.5},
    ]


@pytest.mark.parametrize("case", range(len(_bad_arguments())))
def test_fit_and_traced_fit_refuse_a_bad_argument_with_the_same_message(case):
    errors = []
    for train in (fit, traced_fit):
        arguments = _bad_arguments()[case]
        with pytest.raises((TypeError, ValueError)) as caught:
            train(**arguments, progress=False)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]
    assert errors[0][1].startswith("fit: ")


def test_traced_fit_takes_the_arguments_of_fit_and_is_fit_with_the_traced_step():
    import inspect

    from nn.traced import TracedStep

    ours = inspect.signature(fit).parameters
    traced = inspect.signature(traced_fit).parameters
    assert [name for name in ours if name != "step"] == [
        name for name in traced if name not in ("on_guard_failure", "cache_dir")
    ]
    for name in ours:
        if name != "step":
            assert (traced[name].kind, traced[name].default) == (ours[name].kind, ours[name].default)
    # The strategy given to nn.fit itself: the traced step's numbers.
    xs, ys = students()
    models = [MLP(2, [3, 1], output_activation="sigmoid", rng=2) for _ in range(2)]
    seen = []
    expected = traced_fit(models[0], xs, ys, bce, SGD(models[0].parameters(), lr=0.1), steps=5, progress=False)
    history = fit(models[1], xs, ys, bce, SGD(models[1].parameters(), lr=0.1), steps=5, progress=False,
                  step=TracedStep(), callback=lambda i, value: seen.append((i, value.data, value.is_leaf)))  # fmt: skip
    assert history == expected
    assert seen == [(i, v, True) for i, v in enumerate(history)]  # a leaf: no graph behind it
