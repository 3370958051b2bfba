"""Neuron, Layer, MLP: structure, labels, seeding, fused vs expanded graphs, bad input."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, topological_order
from nn import ACTIVATIONS, MLP, Layer, Neuron
from nn.losses import mse


def test_parameter_order_and_labels():
    model = MLP(2, [3, 1], rng=0)
    labels = [p.label for p in model.parameters()]
    expected = []
    for i, (nin, nout) in enumerate([(2, 3), (3, 1)]):
        for j in range(nout):
            expected += [f"L{i}.N{j}.w{k}" for k in range(nin)] + [f"L{i}.N{j}.b"]
    assert labels == expected
    assert [name for name, _ in model.named_parameters()] == expected
    # the order is the structure's: layer by layer, neuron by neuron, weights then bias
    structural = [p for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)]
    assert all(a is b for a, b in zip(model.parameters(), structural))
    assert len(model.parameters()) == len(structural) == 3 * 3 + 1 * 4


def test_standalone_labels():
    assert [p.label for p in Neuron(2, rng=0).parameters()] == ["N.w0", "N.w1", "N.b"]
    assert [p.label for p in Layer(1, 2, rng=0).parameters()] == [
        "L.N0.w0",
        "L.N0.b",
        "L.N1.w0",
        "L.N1.b",
    ]


def test_forward_nodes_are_not_labelled():
    model = MLP(2, [2, 1], rng=0)
    out = model([1.0, 2.0])
    params = set(map(id, model.parameters()))
    for node in topological_order(out):
        if id(node) not in params:
            assert node.label == ""


def test_initialization_like_micrograd():
    model = MLP(3, [4, 4, 1], rng=123)
    for layer in model.layers:
        for neuron in layer.neurons:
            assert all(-1.0 <= w.data < 1.0 for w in neuron.w)
            assert neuron.b.data == 0.0
    # drawn in parameters() order from the generator: uniform(-1, 1) per weight
    rng = random.Random(123)
    weights = [p.data for p in model.parameters() if not p.label.endswith(".b")]
    assert weights == [rng.uniform(-1.0, 1.0) for _ in weights]


def test_same_seed_same_weights_as_int_or_random():
    def data(model):
        return [p.data for p in model.parameters()]

    assert data(MLP(2, [4, 1], rng=7)) == data(MLP(2, [4, 1], rng=7))
    assert data(MLP(2, [4, 1], rng=7)) == data(MLP(2, [4, 1], rng=random.Random(7)))
    assert data(MLP(2, [4, 1], rng=7)) != data(MLP(2, [4, 1], rng=8))
    shared = random.Random(7)  # a shared generator moves on: two models differ
    assert data(MLP(2, [4, 1], rng=shared)) != data(MLP(2, [4, 1], rng=shared))


@pytest.mark.parametrize("bad", ["seed", 1.5, True, [1]])
def test_bad_rng(bad):
    with pytest.raises(TypeError, match="rng"):
        MLP(2, [1], rng=bad)


def test_output_is_a_value_for_one_output_else_a_list():
    assert isinstance(MLP(2, [3, 1], rng=0)([1, 2]), Value)
    out = MLP(2, [3, 2], rng=0)([1, 2])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(Layer(2, 1, rng=0)([1, 2]), list)  # a layer always gives a list


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_activations(activation):
    neuron = Neuron(1, activation, rng=0)
    neuron.w[0].data = 1.0
    neuron.b.data = 0.0
    expected = {"relu": 0.0, "tanh": -0.7615941559557649, "sigmoid": 0.2689414213699951}
    assert neuron([-1.0]).data == pytest.approx(expected.get(activation, -1.0), rel=1e-12)


def test_hidden_and_output_activations():
    model = MLP(2, [3, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "sigmoid"]
    assert MLP(2, [1], activation="tanh", rng=0).layers[0].activation == "linear"


def test_reprs():
    assert repr(MLP(2, [16, 16, 1], rng=0)) == "MLP(2-16-16-1, relu hidden, linear output, 337 parameters)"
    assert repr(Layer(4, 3, "tanh", rng=0)) == "Layer(4 -> 3, tanh, 15 parameters)"
    assert repr(Neuron(3, "sigmoid", rng=0, expanded=True)) == (
        "Neuron(3 inputs, sigmoid, 4 parameters, expanded graph)"
    )


def test_zero_grad():
    model = MLP(2, [2, 1], rng=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# --- the fused weighted sum and the expanded graph ---------------------------------------


def test_fused_neuron_is_one_node_per_weighted_sum():
    neuron = Neuron(3, "relu", rng=0)
    x = [Value(1.0), Value(2.0), Value(3.0)]
    out = neuron(x)
    (z,) = out.parents
    assert out.op == "relu" and z.op == "w·x+b"
    assert all(a is b for a, b in zip(z.parents, [*neuron.w, *x, neuron.b]))
    assert z.local_grads == (1.0, 2.0, 3.0, *(w.data for w in neuron.w), 1.0)


def test_expanded_neuron_records_one_node_per_product_and_sum():
    neuron = Neuron(3, "linear", rng=0, expanded=True)
    out = neuron([1.0, 2.0, 3.0])
    ops = [node.op for node in topological_order(out) if node.op]
    assert sorted(ops) == ["*"] * 3 + ["+"] * 3


@given(
    seed=st.integers(0, 2**32),
    x=st.lists(st.floats(-3, 3, allow_nan=False), min_size=3, max_size=3),
    y=st.floats(-2, 2, allow_nan=False),
    activation=st.sampled_from(["relu", "tanh", "sigmoid"]),
)
def test_fused_and_expanded_give_the_same_outputs_and_gradients(seed, x, y, activation):
    fused = MLP(3, [4, 4, 1], activation=activation, output_activation="linear", rng=seed)
    expanded = MLP(3, [4, 4, 1], activation=activation, output_activation="linear", rng=seed, expanded=True)
    inputs = {}
    for model in (fused, expanded):
        xs = [Value(v) for v in x]  # inputs as Values: their gradients are compared too
        loss = mse(model(xs), y)
        loss.backward()
        inputs[model] = (loss, xs)
    (loss_f, xs_f), (loss_e, xs_e) = inputs[fused], inputs[expanded]
    assert loss_e.data == pytest.approx(loss_f.data, rel=1e-12, abs=1e-15)
    for p, q in zip(fused.parameters(), expanded.parameters()):
        assert q.grad == pytest.approx(p.grad, rel=1e-9, abs=1e-12), p.label
    for a, b in zip(xs_f, xs_e):
        assert b.grad == pytest.approx(a.grad, rel=1e-9, abs=1e-12)


# --- bad input: a clear exception naming the argument and the value ------------------------


@pytest.mark.parametrize(
    "make, exception, message",
    [
        # The engine's rule: TypeError for the wrong kind of thing, ValueError for a bad value.
        (lambda: MLP(0, [1]), ValueError, "MLP: nin: expected an int >= 1, got 0"),
        (lambda: MLP(2.0, [1]), TypeError, r"MLP: nin: expected an int, got 2.0 \(float\)"),
        (lambda: MLP(True, [1]), TypeError, "nin: expected an int, got True"),
        (lambda: MLP(2, []), TypeError, "nouts"),
        (lambda: MLP(2, 3), TypeError, "nouts"),
        (lambda: MLP(2, [3, 0]), ValueError, "each of nouts: expected an int >= 1, got 0"),
        (lambda: MLP(2, [3, "4"]), TypeError, "each of nouts: expected an int, got '4'"),
        (lambda: MLP(2, [1], activation="softmax"), ValueError, "unknown activation 'softmax'"),
        (lambda: MLP(2, [1], output_activation="Relu"), ValueError, "output_activation 'Relu'"),
        (lambda: Layer(2, -1), ValueError, "Layer: nout"),
        (lambda: Neuron(2.5), TypeError, "Neuron: nin"),
        (lambda: Neuron(2, activation=None), TypeError, "activation must be a name .*, got None"),
    ],
)
def test_bad_construction(make, exception, message):
    with pytest.raises(exception, match=message):
        make()


@pytest.mark.parametrize(
    "xs, exception, message",
    [
        ([1.0], ValueError, "MLP: expected 2 inputs, got 1"),
        ([1.0, 2.0, 3.0], ValueError, "MLP: expected 2 inputs, got 3"),
        (1.0, TypeError, "expected a list of 2 inputs"),
        ("ab", TypeError, "expected a list of 2 inputs"),
        ([1.0, "2"], TypeError, "MLP: an input that is not a Value: expected an int or a float, got '2'"),
        ([1.0, True], TypeError, "got True"),
    ],
)
def test_bad_inputs_to_mlp(xs, exception, message):
    with pytest.raises(exception, match=message):
        MLP(2, [3, 1], rng=0)(xs)


def test_bad_inputs_to_layer_and_neuron_name_them():
    with pytest.raises(ValueError, match="Layer: expected 3 inputs, got 2"):
        Layer(3, 2, rng=0)([1, 2])
    with pytest.raises(ValueError, match="Neuron: expected 3 inputs, got 4"):
        Neuron(3, rng=0)([1, 2, 3, 4])


def test_inputs_may_mix_numbers_and_values():
    model = MLP(2, [3, 1], activation="tanh", rng=4)
    x = Value(0.5)
    out = model([x, 2.0])
    assert out.data == model([0.5, 2.0]).data
    out.backward()
    assert x.grad != 0.0  # the Value input gets its gradient
