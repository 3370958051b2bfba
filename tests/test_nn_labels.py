"""nn.labels: the one place that writes and reads parameter labels, and the grouping they give."""

import doctest

import pytest

import nn.labels
from autograd import Value, topological_order
from nn import ACTIVATIONS, MLP, Layer, Neuron
from nn.labels import (
    bias_label,
    layer_name,
    neuron_groups,
    neuron_name,
    parameter_group,
    place_in_neurons,
    weight_label,
)


@pytest.mark.parametrize("model", [MLP(3, [4, 2, 1], rng=0), Layer(2, 3, rng=0), Neuron(2, rng=0)],
                         ids=["MLP", "Layer", "Neuron"])
def test_every_label_a_module_writes_reads_back_as_its_group(model):
    groups = model.parameter_groups()
    assert list(groups) == model.parameters()
    for p in model.parameters():
        assert parameter_group(p.label) == groups[p]


def test_names_compose_into_labels_and_back():
    layer = layer_name(12)
    neuron = neuron_name(layer, 7)
    assert parameter_group(weight_label(neuron, 3)) == (layer, neuron)
    assert parameter_group(bias_label(neuron)) == (layer, neuron)
    assert parameter_group(bias_label(neuron_name())) == (neuron_name(),)
    assert parameter_group(weight_label(neuron_name(layer_name(), 0), 1)) == (
        layer_name(), neuron_name(layer_name(), 0))


@pytest.mark.parametrize("label", ["x1", "", "L0.N3", "L0.N3.w", "L0.N3.c", "L0.N3.w1.extra", "Lx.N0.b",
                                   "L0.N3.b\n"])
def test_other_labels_are_no_parameter(label):
    assert parameter_group(label) is None


def test_the_grouping_places_each_neurons_ops_and_leaves_the_rest_out():
    model = MLP(2, [2, 1], activation="tanh", output_activation="sigmoid", rng=0)
    x = [Value(0.5, "x0"), Value(-1.0, "x1")]
    loss = (model(x) - 1.0) ** 2
    order = topological_order(loss)
    groups = model.grouping()(order)
    for layer in model.layers:
        for neuron in layer.neurons:
            members = [node for node, path in groups.items() if path == (layer.name, neuron.name)]
            # the parameters, the fused sum and the activation: nothing else
            assert [n.op for n in members if n.parents] == ["w·x+b", ACTIVATIONS[neuron.activation].op]
            assert set(members) >= set(neuron.parameters())
    assert loss not in groups and not any(xi in groups for xi in x)
    assert neuron_groups(order) == groups  # by labels or by the model: the same


def test_an_expanded_neuron_groups_its_products_sums_and_activation():
    neuron = Neuron(3, activation="relu", rng=1, expanded=True)
    out = neuron([1.0, 2.0, 3.0])
    order = topological_order(out * 2)
    groups = place_in_neurons(order, neuron.parameter_groups())
    ops = sorted(n.op for n in groups if n.parents)
    assert ops == sorted(["*"] * 3 + ["+"] * 3 + ["relu"])
    assert all(path == ("N",) for path in groups.values())


def test_model_grouping_follows_the_model_not_the_labels():
    model = MLP(2, [1], rng=0)
    for p in model.parameters():
        p.label = "renamed"
    loss = model([1.0, 2.0])
    assert neuron_groups(topological_order(loss)) == {}
    assert set(model.grouping()(topological_order(loss)).values()) == {("L0", "L0.N0")}


def test_each_activation_records_the_op_the_table_names():
    for activation in ACTIVATIONS.values():
        if activation.apply is None:
            assert activation.op is None
        else:
            assert activation.apply(Value(0.3)).op == activation.op


@pytest.mark.parametrize("module", [nn.labels])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
