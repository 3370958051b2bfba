"""SGD and Adam: PyTorch's update rules, step for step, and bad settings."""

import math

import pytest

from autograd import Value
from nn import MLP
from nn.losses import mse
from nn.optim import SGD, Adam

XS = [[0.5, -1.0], [1.5, 2.0], [-0.3, 0.8], [2.0, -0.5]]
YS = [1.0, -0.5, 0.25, 0.75]
STEPS = 12


def train_ours(make_optimizer):
    """Parameter values after each of STEPS steps on a small tanh MLP with MSE."""
    model = MLP(2, [3, 1], activation="tanh", rng=11)
    optimizer = make_optimizer(model.parameters())
    initial = [p.data for p in model.parameters()]
    trajectory = []
    for _ in range(STEPS):
        loss = mse([model(x) for x in XS], YS)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        trajectory.append([p.data for p in model.parameters()])
    return initial, trajectory


def train_torch(torch, initial, make_optimizer):
    """The same network in PyTorch (float64), from the same initial parameters."""
    w1 = torch.tensor([initial[0:2], initial[3:5], initial[6:8]], dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor([initial[2], initial[5], initial[8]], dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor([initial[9:12]], dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor([initial[12]], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(XS, dtype=torch.float64)
    y = torch.tensor(YS, dtype=torch.float64)
    optimizer = make_optimizer([w1, b1, w2, b2])
    trajectory = []
    for _ in range(STEPS):
        out = (torch.tanh(x @ w1.T + b1) @ w2.T + b2).squeeze(1)
        loss = ((out - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        # back to our order: each neuron's weights then its bias
        w1v, b1v, w2v, b2v = (t.detach().tolist() for t in (w1, b1, w2, b2))
        flat = [v for row, b in zip(w1v, b1v) for v in (*row, b)] + [*w2v[0], b2v[0]]
        trajectory.append(flat)
    return trajectory


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda p: SGD(p, lr=0.1), lambda torch, p: torch.optim.SGD(p, lr=0.1)),
        (lambda p: SGD(p, lr=0.05, momentum=0.9), lambda torch, p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
        (lambda p: Adam(p, lr=0.01), lambda torch, p: torch.optim.Adam(p, lr=0.01)),
        (
            lambda p: Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6),
            lambda torch, p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6),
        ),
    ],
    ids=["sgd", "sgd-momentum", "adam", "adam-custom"],
)
def test_trajectories_equal_pytorchs_step_for_step(ours, theirs):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: skipping the cross-check against it")
    initial, our_trajectory = train_ours(ours)
    their_trajectory = train_torch(torch, initial, lambda params: theirs(torch, params))
    for step, (a, b) in enumerate(zip(our_trajectory, their_trajectory)):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), f"step {step}"
    assert our_trajectory[-1] != initial  # the parameters did move


# --- the rules by hand, without PyTorch ---------------------------------------------------


def test_sgd_momentum_rule_on_a_quadratic():
    # f(p) = p**2 / 2, so grad = p. First step buf = g; then buf = m * buf + g.
    p = Value(1.0)
    optimizer = SGD([p], lr=0.5, momentum=0.5)
    expected_p, buf = 1.0, None
    for _ in range(4):
        optimizer.zero_grad()
        (p * p * 0.5).backward()
        g = expected_p
        buf = g if buf is None else 0.5 * buf + g
        expected_p -= 0.5 * buf
        optimizer.step()
        assert p.data == pytest.approx(expected_p, rel=1e-15)


def test_adam_first_step_moves_each_parameter_by_about_lr():
    # With bias correction, m_hat = g and v_hat = g**2 after one step: p -= lr * g / (|g| + eps).
    params = [Value(1.0), Value(-2.0), Value(0.5)]
    grads = [3.0, -0.25, 1e-3]
    optimizer = Adam(params, lr=0.1)
    for p, g in zip(params, grads):
        p.grad = g
    optimizer.step()
    for p, start, g in zip(params, [1.0, -2.0, 0.5], grads):
        assert p.data == pytest.approx(start - 0.1 * g / (abs(g) + 1e-8), rel=1e-12)


def test_zero_grad_and_lr_can_change_between_steps():
    p = Value(2.0)
    optimizer = SGD([p], lr=1.0)
    p.grad = 5.0
    optimizer.zero_grad()
    assert p.grad == 0.0
    p.grad = 1.0
    optimizer.lr = 0.25
    optimizer.step()
    assert p.data == 1.75


def test_optimizers_do_not_record_a_graph():
    p = Value(1.0)
    p.grad = 1.0
    Adam([p]).step()
    assert p.parents == () and p.op == ""


@pytest.mark.parametrize(
    "make, exception, message",
    [
        (lambda p: SGD(p, lr=0.0), ValueError, r"SGD: lr must be in \(0, inf\), got 0.0"),
        (lambda p: SGD(p, lr=-0.1), ValueError, "lr must be in"),
        (lambda p: SGD(p, lr=math.nan), ValueError, "got nan"),
        (lambda p: SGD(p, lr="0.1"), TypeError, "SGD: lr: expected an int or a float, got '0.1'"),
        (lambda p: SGD(p, lr=True), TypeError, "SGD: lr: expected an int or a float, got True"),
        (lambda p: SGD(p, lr=0.1, momentum=-0.5), ValueError, "momentum"),
        (lambda p: Adam(p, lr=-1), ValueError, "Adam: lr"),
        (lambda p: Adam(p, betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in \[0, 1\), got 1.0"),
        (lambda p: Adam(p, betas=0.9), TypeError, "betas must be a pair"),
        (lambda p: Adam(p, eps=-1e-8), ValueError, "eps"),
        (lambda p: SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda p: SGD([1.0], lr=0.1), TypeError, "parameters must be Values, got 1.0"),
        (lambda p: SGD(p + p, lr=0.1), ValueError, "listed twice"),
    ],
)
def test_bad_settings(make, exception, message):
    with pytest.raises(exception, match=message):
        make([Value(1.0), Value(2.0)])


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_passing_the_model_instead_of_its_parameters_says_what_to_write(optimizer):
    model = MLP(2, [2, 1], rng=0)
    name = optimizer.__name__
    with pytest.raises(TypeError, match=rf"{name}: expected the parameters, got the model MLP; "
                       rf"write {name}\(model.parameters\(\), ...\)"):
        optimizer(model, lr=0.1)


@pytest.mark.parametrize("params", [Value(1.0), 0.5, None])
def test_parameters_that_are_not_a_collection_are_named(params):
    with pytest.raises(TypeError, match=r"SGD: expected an iterable of Values such as model.parameters\(\)"):
        SGD(params, lr=0.1)
