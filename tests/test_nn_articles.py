"""The worked examples of the articles (seeds 000 and 002), reproduced with `nn`."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Value
from nn import MLP, Layer, Neuron
from nn.losses import bce
from nn.optim import SGD


def set_parameters(module, values):
    """Write `values` into `module.parameters()` through load_state_dict (checked)."""
    names = [name for name, _ in module.named_parameters()]
    assert len(names) == len(values)
    module.load_state_dict(
        {"architecture": module.architecture(), "parameters": dict(zip(names, values))}
    )


# --- 000: one ReLU node, loss = its activation -----------------------------------------


@pytest.mark.parametrize("expanded", [False, True])
def test_000_single_relu_node_loss_gradients_and_one_sgd_step(expanded):
    neuron = Neuron(2, activation="relu", expanded=expanded)
    set_parameters(neuron, [0.5, -0.5, 1.0])  # w1, w2, b
    x = [2, -4]

    loss = neuron(x)  # the article takes the loss to be the activation itself
    assert loss.data == 4.0
    loss.backward()
    assert [neuron.w[0].grad, neuron.w[1].grad, neuron.b.grad] == [2.0, -4.0, 1.0]

    SGD(neuron.parameters(), lr=0.1).step()
    assert [p.data for p in neuron.parameters()] == pytest.approx([0.3, -0.1, 0.9])
    assert neuron(x).data == pytest.approx(1.9, rel=1e-12)


# --- 000: a layer of three neurons on four inputs --------------------------------------


@pytest.mark.parametrize("expanded", [False, True])
def test_000_layer_outputs(expanded):
    layer = Layer(4, 3, activation="relu", expanded=expanded)
    weights = [[1, 0.5, -0.5, 1], [0.5, -1, 1, -0.5], [0, 1, -1, 0.5]]
    biases = [10, 9, 8]
    set_parameters(layer, [v for row, b in zip(weights, biases) for v in (*row, b)])
    assert [a.data for a in layer([1, 2, 3, 4])] == [14.5, 8.5, 9.0]


# --- 002: the student network ------------------------------------------------------------


def test_002_bce_of_the_first_student():
    loss = bce(Value(0.633), 0)
    assert loss.data == pytest.approx(1.002, abs=5e-4)
    assert loss.data == pytest.approx(-math.log(1 - 0.633), rel=1e-12)


weights = st.floats(-1.0, 1.0, allow_nan=False)
inputs = st.floats(-2.0, 2.0, allow_nan=False)


@pytest.mark.parametrize("expanded", [False, True])
@given(
    w=st.lists(weights, min_size=6, max_size=6),
    b=st.lists(weights, min_size=3, max_size=3),
    x1=inputs,
    x2=inputs,
    y=st.sampled_from([0, 1]),
)
def test_002_hand_derived_gradients_equal_the_engines(expanded, w, b, x1, x2, y):
    w1, w2, w3, w4, w5, w6 = w
    b1, b2, b3 = b
    z1 = w1 * x1 + w2 * x2 + b1
    z2 = w3 * x1 + w4 * x2 + b2
    assume(abs(z1) > 1e-9 and abs(z2) > 1e-9)  # ReLU has a kink at 0

    model = MLP(2, [2, 1], activation="relu", output_activation="sigmoid", expanded=expanded)
    set_parameters(model, [w1, w2, b1, w3, w4, b2, w5, w6, b3])
    y_hat = model([x1, x2])
    loss = bce(y_hat, y)
    loss.backward()

    # 002's formulas, from the forward values
    h1, h2 = max(z1, 0.0), max(z2, 0.0)
    relu1, relu2 = float(z1 > 0), float(z2 > 0)
    d_z3 = y_hat.data - y
    expected = {
        "L0.N0.w0": d_z3 * w5 * relu1 * x1,  # dL/dw1
        "L0.N0.w1": d_z3 * w5 * relu1 * x2,  # dL/dw2
        "L0.N0.b": d_z3 * w5 * relu1,  # dL/db1
        "L0.N1.w0": d_z3 * w6 * relu2 * x1,  # dL/dw3
        "L0.N1.w1": d_z3 * w6 * relu2 * x2,  # dL/dw4
        "L0.N1.b": d_z3 * w6 * relu2,  # dL/db2
        "L1.N0.w0": d_z3 * h1,  # dL/dw5
        "L1.N0.w1": d_z3 * h2,  # dL/dw6
        "L1.N0.b": d_z3,  # dL/db3
    }
    for name, p in model.named_parameters():
        assert p.grad == pytest.approx(expected[name], rel=1e-9, abs=1e-12), name
