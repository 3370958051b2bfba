"""Neurons, layers and multi-layer perceptrons on the engine's `Value`.

Conventions that other parts of the project rely on:

- Parameter labels name where a parameter sits: `L{i}.N{j}.w{k}` and `L{i}.N{j}.b` in an
  `MLP` (0-based layer i, neuron j, weight k); `nn.labels` writes and reads them. A drawing
  boxes each neuron inside its layer with `draw(loss, groups=model.grouping())`.
  The per-forward nodes get no label (a label costs an allocation per node).
- `parameters()` lists layer by layer, neuron by neuron, each neuron's weights then its bias.
- Initialization as in micrograd: weights uniform in [-1, 1), biases 0, drawn in
  `parameters()` order from `rng` (a `random.Random`, an int seed, or None for Python's
  global generator, so that `random.seed(1337)` reproduces a run, as in micrograd). The
  same seed gives the same weights.
- A neuron records its weighted sum z = w·x + b as ONE engine node (`weighted_sum`, op
  "w·x+b"): the `z` of the usual diagrams, and fast. `expanded=True` records it as micrograd
  does instead, one `*` node per product and one `+` node per sum (`b + w0*x0 + w1*x1 ...`),
  for teaching. Both give the same values and gradients. It is fixed at construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import Value
from autograd.engine import Scalar, to_float, to_int, weighted_sum, weighted_sums
from nn import labels
from nn.activations import ACTIVATIONS
from nn.arrays import as_list_if_array
from nn.labels import Grouping, GroupPath
from nn.rng import RngLike, as_rng
from nn.state import checked_parameter_values


class Module:
    """What every model has: its parameters, and a state that can be saved and loaded.

    A subclass provides `named_parameters()` and `architecture()`; the rest follows.
    """

    def __call__(self, xs: Sequence[Scalar]) -> Value | list[Value]:
        """The output for one sample's inputs: a Value, or a list of them (one per output)."""
        raise NotImplementedError

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, parameter) pairs in `parameters()` order; the names are the labels."""
        raise NotImplementedError

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that fix the shapes, as JSON-ready data."""
        raise NotImplementedError

    def parameters(self) -> list[Value]:
        return [p for _, p in self.named_parameters()]

    def parameter_groups(self) -> dict[Value, GroupPath]:
        """Each parameter's group path, outermost first: `("L0", "L0.N3")` in an MLP."""
        raise NotImplementedError

    def grouping(self) -> Grouping:
        """What `draw(loss, groups=model.grouping())` needs to box each neuron of this
        model inside its layer (and, with `max_nodes`, to fold each neuron into one box).

        It places the model's own parameters, and the nodes that compute each neuron from
        them, by `nn.labels.place_in_neurons`; it reads no labels.
        """
        return labels.grouping_of(self.parameter_groups())

    def zero_grad(self) -> None:
        """Set every parameter's `grad` to 0.0 (leaf grads accumulate across backward())."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, Any]:
        """The architecture and every parameter's value, ready for `json.dump`.

        >>> Neuron(2, rng=0).state_dict()["parameters"].keys()
        dict_keys(['N.w0', 'N.w1', 'N.b'])
        """
        return {
            "architecture": self.architecture(),
            "parameters": {name: p.data for name, p in self.named_parameters()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set every parameter from `state` (as made by `state_dict()`).

        Everything is checked first (keys, architecture, every value a finite number); on
        any problem a TypeError or ValueError says what, and the model is left unchanged.
        """
        values = checked_parameter_values(self, state)
        for p, value in zip(self.parameters(), values):
            p.data = value


class Neuron(Module):
    """One neuron: activation(w·x + b).

    `activation`: "relu", "tanh", "sigmoid" or "linear". `rng`: a `random.Random`, an int
    seed or None (Python's global generator). `expanded=True` records micrograd's graph (a
    node per product and sum) instead of one weighted-sum node. `name` prefixes the
    parameter labels (`N.w0`, `N.b`); a `Layer` names its neurons `L{i}.N{j}`.

    >>> n = Neuron(2, activation="relu", rng=0)
    >>> n.w[0].data, n.w[1].data, n.b.data = 0.5, -0.5, 1.0
    >>> n([2, -4]).data
    4.0
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        rng: RngLike = None,
        *,
        expanded: bool = False,
        name: str = labels.NEURON,
    ) -> None:
        nin = to_int(nin, "Neuron: nin", minimum=1)
        self._apply = ACTIVATIONS[_checked_activation("Neuron", "activation", activation)].apply
        self.activation = activation
        self.expanded = expanded
        self.name = name  # the label prefix of its parameters
        rng = as_rng(rng, "Neuron")
        self.w = [Value(rng.uniform(-1.0, 1.0), labels.weight_label(name, k)) for k in range(nin)]
        self.b = Value(0.0, labels.bias_label(name))

    def __call__(self, xs: Sequence[Scalar]) -> Value:
        xs = _checked_inputs("Neuron", xs, len(self.w))
        return self._forward(xs)

    def _forward(self, xs: Sequence[Scalar]) -> Value:
        """The output for inputs already checked by the caller."""
        if self.expanded:
            z = self.b
            for w, x in zip(self.w, xs):
                z = z + w * x
        else:
            z = weighted_sum(self.w, xs, self.b)
        return z if self._apply is None else self._apply(z)

    def named_parameters(self) -> list[tuple[str, Value]]:
        name = self.name
        pairs = [(labels.weight_label(name, k), w) for k, w in enumerate(self.w)]
        pairs.append((labels.bias_label(name), self.b))
        return pairs

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def parameter_groups(self) -> dict[Value, GroupPath]:
        return dict.fromkeys(self.parameters(), (self.name,))

    def architecture(self) -> dict[str, Any]:
        return {"type": "Neuron", "nin": len(self.w), "activation": self.activation}

    def __repr__(self) -> str:
        return (
            f"Neuron({len(self.w)} inputs, {self.activation}, "
            f"{len(self.w) + 1} parameters{_graph_note(self.expanded)})"
        )


class Layer(Module):
    """`nout` neurons that all see the same inputs; calling it returns a list of outputs.

    Arguments as for `Neuron`; `name` ("L", or `L{i}` inside an MLP) prefixes the neuron
    names, so parameters are labelled `L.N0.w0` ... `L.N{nout-1}.b`.

    >>> layer = Layer(4, 3, activation="linear", rng=0)
    >>> [len(n.w) for n in layer.neurons], len(layer([1, 2, 3, 4]))
    ([4, 4, 4], 3)
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        rng: RngLike = None,
        *,
        expanded: bool = False,
        name: str = labels.LAYER,
    ) -> None:
        nin = to_int(nin, "Layer: nin", minimum=1)
        nout = to_int(nout, "Layer: nout", minimum=1)
        _checked_activation("Layer", "activation", activation)
        rng = as_rng(rng, "Layer")
        self.nin = nin
        self.activation = activation
        self.expanded = expanded
        self.name = name
        self._apply = ACTIVATIONS[activation].apply
        self.neurons = [
            Neuron(nin, activation, rng, expanded=expanded, name=labels.neuron_name(name, j))
            for j in range(nout)
        ]

    def __call__(self, xs: Sequence[Scalar]) -> list[Value]:
        xs = _checked_inputs("Layer", xs, self.nin)
        return self._forward(xs)

    def _forward(self, xs: Sequence[Scalar]) -> list[Value]:
        if self.expanded:
            return [neuron._forward(xs) for neuron in self.neurons]
        # One engine call for the whole layer: it reads the inputs once, not per neuron.
        zs = weighted_sums([n.w for n in self.neurons], xs, [n.b for n in self.neurons])
        apply = self._apply
        return zs if apply is None else [apply(z) for z in zs]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [pair for neuron in self.neurons for pair in neuron.named_parameters()]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def parameter_groups(self) -> dict[Value, GroupPath]:
        return {p: (self.name, neuron.name) for neuron in self.neurons for p in neuron.parameters()}

    def architecture(self) -> dict[str, Any]:
        return {
            "type": "Layer",
            "nin": self.nin,
            "nout": len(self.neurons),
            "activation": self.activation,
        }

    def __repr__(self) -> str:
        count = len(self.neurons) * (self.nin + 1)
        return (
            f"Layer({self.nin} -> {len(self.neurons)}, {self.activation}, "
            f"{count} parameters{_graph_note(self.expanded)})"
        )


class MLP(Module):
    """A multi-layer perceptron: layers of sizes `nouts` on `nin` inputs.

    Hidden layers use `activation`, the last layer `output_activation`. Calling it returns
    a `Value` when the last layer has one neuron, else a list of them. `rng` and `expanded`
    as for `Neuron`; parameters are labelled `L{i}.N{j}.w{k}` and `L{i}.N{j}.b`.

    >>> model = MLP(2, [2, 1], activation="relu", output_activation="sigmoid", rng=42)
    >>> model
    MLP(2-2-1, relu hidden, sigmoid output, 9 parameters)
    >>> [p.label for p in model.parameters()][:3]
    ['L0.N0.w0', 'L0.N0.w1', 'L0.N0.b']
    >>> 0.0 < model([2.0, 5.0]).data < 1.0
    True
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        rng: RngLike = None,
        *,
        expanded: bool = False,
    ) -> None:
        nin = to_int(nin, "MLP: nin", minimum=1)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        nouts = [to_int(size, "MLP: each of nouts", minimum=1) for size in nouts]
        _checked_activation("MLP", "activation", activation)
        _checked_activation("MLP", "output_activation", output_activation)
        rng = as_rng(rng, "MLP")
        self.nin = nin
        self.activation = activation
        self.output_activation = output_activation
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else activation,
                rng,
                expanded=expanded,
                name=labels.layer_name(i),
            )
            for i in range(len(nouts))
        ]

    def __call__(self, xs: Sequence[Scalar]) -> Value | list[Value]:
        outputs = self.layers[0]._forward(_checked_inputs("MLP", xs, self.nin))
        for layer in self.layers[1:]:
            outputs = layer._forward(outputs)
        return outputs[0] if len(outputs) == 1 else outputs

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [pair for layer in self.layers for pair in layer.named_parameters()]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def parameter_groups(self) -> dict[Value, GroupPath]:
        return {p: path for layer in self.layers for p, path in layer.parameter_groups().items()}

    def architecture(self) -> dict[str, Any]:
        return {
            "type": "MLP",
            "nin": self.nin,
            "nouts": [len(layer.neurons) for layer in self.layers],
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    def __repr__(self) -> str:
        sizes = "-".join(str(n) for n in [self.nin, *self.architecture()["nouts"]])
        hidden = f"{self.activation} hidden, " if len(self.layers) > 1 else ""
        count = len(self.parameters())
        expanded = self.layers[0].expanded
        return (
            f"MLP({sizes}, {hidden}{self.output_activation} output, "
            f"{count} parameters{_graph_note(expanded)})"
        )


# --- checks shared by the modules ---------------------------------------------------------


def _checked_activation(where: str, what: str, name: object) -> str:
    known = ", ".join(repr(a) for a in ACTIVATIONS)
    if not isinstance(name, str):
        raise TypeError(
            f"{where}: {what} must be a name ({known}), got {name!r} ({type(name).__name__})"
        )
    if name not in ACTIVATIONS:
        raise ValueError(f"{where}: unknown {what} {name!r}; use one of {known}")
    return name


def _checked_inputs(where: str, xs: object, nin: int) -> Sequence[Scalar]:
    """`xs` checked once per call: a list or tuple of `nin` numbers or Values (a 1-d numpy
    array is read as its list).

    A mix of both comes back with the numbers as Values too: the fused weighted sum takes
    all Values (inputs with gradients) or all numbers (constants).
    """
    xs = as_list_if_array(xs)
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Sequence):
        raise TypeError(
            f"{where}: expected a list of {nin} inputs, got {xs!r} ({type(xs).__name__})"
        )
    if len(xs) != nin:
        raise ValueError(f"{where}: expected {nin} inputs, got {len(xs)}: {list(xs)!r}")
    values = 0
    for x in xs:
        if isinstance(x, Value):
            values += 1
        elif type(x) is not float:
            to_float(x, f"{where}: an input that is not a Value")  # TypeError unless a number
    if 0 < values < nin:
        return [x if isinstance(x, Value) else Value(x) for x in xs]
    return xs


def _graph_note(expanded: bool) -> str:
    return ", expanded graph" if expanded else ""
