"""Pictures a teacher can project, checked on the SVG text Graphviz writes (not on pixels):
boxes in natural order, folded constants in their op, one bundled edge between folded
layers, a dead neuron never hot, a replay whose nodes never move, stable ids for pages that
update a drawing in place, the network as a network, and each op's derivative formula."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, define_op, ops, topological_order
from autograd.explain import local_formula
from autograd.replay import BackwardReplay
from autograd.viz import GRAD_PALETTE, draw, graph_frame, inline_svg
from nn import MLP, draw_network
from nn.losses import mse

requires_dot = pytest.mark.requires_dot


SVG = "{http://www.w3.org/2000/svg}"


def svg_of(graph) -> str:
    return graph.pipe(format="svg", encoding="utf-8").replace("&#45;", "-")


def elements(svg: str) -> dict[str, ET.Element]:
    """Each node's and edge's group (`<g class="node|edge">`) by its id."""
    root = ET.fromstring(svg.encode("utf-8"))
    return {
        g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("class") in ("node", "edge")
    }


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def title(element: ET.Element) -> str:
    return element.find(f"{SVG}title").text


def text_y(svg: str, text: str) -> float:
    """The y of the first text element that reads exactly `text`."""
    match = re.search(rf'<text[^>]* y="(-?[\d.]+)"[^>]*>{re.escape(text)}</text>', svg)
    assert match, f"no text {text!r} in the picture"
    return float(match[1])


def moons_like_loss(hidden=(12, 12), seed=0):
    model = MLP(2, [*hidden, 1], activation="relu", rng=seed)
    x = [Value(0.5, "x0"), Value(-1.0, "x1")]
    loss = mse(model(x), 1.0)
    loss.label = "loss"
    loss.backward()
    return model, loss


# --- natural order --------------------------------------------------------------------------


@requires_dot
def test_folded_neurons_read_n0_n1_then_n10_from_the_top():
    model, loss = moons_like_loss()
    svg = svg_of(draw(loss, groups=model.grouping(), max_nodes=100))
    for layer in ("L0", "L1"):
        ys = [text_y(svg, f"{layer}.N{j}") for j in range(12)]
        assert ys == sorted(ys), f"{layer}: neurons out of order, y = {ys}"
    assert text_y(svg, "x0") < text_y(svg, "x1")


@requires_dot
@pytest.mark.parametrize("sizes", [(3, [2, 1]), (3, [4, 4, 1]), (2, [8, 8, 1])])
def test_unfolded_neurons_parameters_and_inputs_in_natural_order(sizes):
    nin, layers = sizes
    model = MLP(nin, layers, activation="tanh", rng=0)
    x = [Value(0.5 * i - 1, f"x{i}") for i in range(nin)]
    loss = mse(model(x), 1.0)
    svg = svg_of(draw(loss, groups=model.grouping()))
    inputs = [text_y(svg, f"x{i}") for i in range(nin)]
    assert inputs == sorted(inputs)
    for layer in model.layers:
        neurons = [text_y(svg, n.name) for n in layer.neurons]
        assert neurons == sorted(neurons), f"{layer.name}: {neurons}"
        for neuron in layer.neurons:
            params = [text_y(svg, p.label) for p in neuron.parameters()]  # w0, w1, …, b
            assert params == sorted(params), f"{neuron.name}: {params}"


@requires_dot
def test_the_layers_run_left_to_right_inside_their_boxes():
    model, loss = moons_like_loss(hidden=(4, 4))
    svg = svg_of(draw(loss, groups=model.grouping()))
    x_of = {
        name: float(x)
        for x, name in re.findall(r'<text[^>]* x="(-?[\d.]+)"[^>]*>(L\d\.N\d\.w0)</text>', svg)
    }
    # Every parameter of layer 1 lies right of every parameter of layer 0: no staircase.
    assert min(v for k, v in x_of.items() if k.startswith("L1")) > max(
        v for k, v in x_of.items() if k.startswith("L0")
    )


# --- folded constants ------------------------------------------------------------------------


@requires_dot
@pytest.mark.parametrize(
    "make, text",
    [
        (lambda x: 2 - x, "2 − x"),
        (lambda x: x**2, "x ** 2"),
        (lambda x: x.clamp(0, 1), "clamp(x, 0, 1)"),
        (lambda x: x * 3, "x × 3"),
        (lambda x: x.leaky_relu(0.1), "leaky_relu(x, 0.1)"),
    ],
)
def test_a_folded_constant_is_written_in_its_op_node(make, text):
    x = Value(0.5, "x")
    y = make(x)
    order = topological_order(y)
    op = elements(svg_of(draw(y)))[f"op-{order.index(y)}"]
    assert texts(op) == [text]


# --- bundled edges and colours -----------------------------------------------------------


@requires_dot
def test_two_folded_layers_are_joined_by_one_edge_that_says_how_many():
    model, loss = moons_like_loss(hidden=(12, 12))
    found = elements(svg_of(draw(loss, groups=model.grouping(), max_nodes=100)))
    layer_of = {}  # a folded box's graphviz name -> its layer
    for g in found.values():
        if g.get("class") == "node":
            names = [t for t in texts(g) if re.fullmatch(r"L\d\.N\d+", t)]
            if names:
                layer_of[title(g)] = names[0].split(".")[0]
    edges = [(title(g).split("->"), texts(g)) for g in found.values() if g.get("class") == "edge"]
    between = [label for (tail, head), label in edges
               if layer_of.get(tail) == "L0" and layer_of.get(head) == "L1"]
    assert between == [["×144"]]  # one edge, not 144
    into_first = [label for (tail, head), label in edges
                  if layer_of.get(head) == "L0" and tail not in layer_of]
    assert into_first == [["×12"], ["×12"]]  # from x0 and from x1


def dead_and_live_neurons(model, loss):
    """Neurons of the first layer whose output is 0 (with a non-zero gradient reaching it)
    and all of whose parameters' gradients are 0; and neurons with a parameter gradient."""
    dead, live = [], []
    for neuron in model.layers[0].neurons:
        grads = [p.grad for p in neuron.parameters()]
        (dead if all(g == 0.0 for g in grads) else live).append(neuron.name)
    return dead, live


@requires_dot
def test_a_dead_neuron_is_filled_with_the_colour_of_zero_gradient():
    model, loss = moons_like_loss(hidden=(16, 16))
    order = topological_order(loss)
    dead, live = dead_and_live_neurons(model, loss)
    assert dead and live
    # Dead for real: its relu's output is 0 and a non-zero gradient reaches it.
    groups = model.grouping()(order)
    outputs = {groups[n][-1]: n for n in order if n in groups}
    assert any(outputs[name].data == 0.0 and outputs[name].grad != 0.0 for name in dead)
    svg = svg_of(draw(loss, groups=model.grouping(), max_nodes=100, color_by_grad=True))
    fill = {}
    for g in elements(svg).values():
        names = [t for t in texts(g) if re.fullmatch(r"L0\.N\d+", t)]
        if g.get("class") == "node" and names:
            fill[names[0]] = g.find(f"{SVG}polygon").get("fill")  # the box's background
    for name in dead:
        assert fill[name] == GRAD_PALETTE[0], name
    assert any(fill[name] != GRAD_PALETTE[0] for name in live)
    assert "largest |grad| of its parameters" in svg


def test_nn_names_each_neurons_z_and_a():
    model, loss = moons_like_loss(hidden=(2,))
    source = draw(loss, groups=model.grouping()).source
    assert source.count("<I>z</I>") == 3 and source.count("<I>a</I>") == 2  # linear output: z
    assert "<I>z</I>" not in draw(loss).source  # without the grouping, no names


# --- one layout for every step -------------------------------------------------------------


def shapes_by_node(svg: str) -> dict[str, list[tuple]]:
    """Each box's and op's shapes (polygon corners, ellipse centres and radii), by id."""
    shapes = {}
    for node_id, g in elements(svg).items():
        if re.fullmatch(r"(node|op)-\d+", node_id):
            shapes[node_id] = [
                (shape.get("points"), shape.get("cx"), shape.get("cy"), shape.get("rx"))
                for shape in g.iter()
                if shape.tag in (f"{SVG}polygon", f"{SVG}ellipse")
            ]
    return shapes


def replay_graph() -> Value:
    x, y = Value(2.0, "x"), Value(-1.5, "y")
    p = x * y
    s = (p + x).tanh()
    s.label = "s"
    L = s * y + p * 0.5
    L.label = "L"
    return L


@requires_dot
@pytest.mark.parametrize("options", [{}, {"show_local_grads": True, "color_by_grad": True}])
def test_the_replay_draws_every_node_at_the_same_place_at_every_step(options):
    replay = BackwardReplay(replay_graph())
    frames = [shapes_by_node(svg_of(replay.draw(k, **options))) for k in range(len(replay) + 1)]
    assert len(frames[0]) == 2 * len(topological_order(replay.root)) - sum(
        1 for n in topological_order(replay.root) if not n.parents)
    for step, frame in enumerate(frames):
        assert frame == frames[0], f"a node moved at step {step}"


@requires_dot
def test_the_layout_check_sees_a_moved_node():
    """The check itself: two drawings that differ in a node's width are told apart."""
    replay = BackwardReplay(replay_graph())
    unreserved = [shapes_by_node(svg_of(draw(replay.root, state=replay.state(k)))) for k in (0, len(replay))]
    assert unreserved[0] != unreserved[1]


@requires_dot
def test_every_node_and_cell_has_a_stable_id_by_topological_index():
    L = replay_graph()
    order = topological_order(L)
    svg = inline_svg(draw(L).pipe(format="svg", encoding="utf-8")).replace("&#45;", "-")
    for k, node in enumerate(order):
        assert f'<g id="node-{k}" class="node">' in svg
        assert f'<g id="node-{k}-data">' in svg and f'<g id="node-{k}-grad">' in svg
        assert (f'<g id="op-{k}" class="node">' in svg) == bool(node.parents)
        for slot in range(len(node.parents)):
            assert f'<g id="edge-{k}-{slot}" class="edge">' in svg
    assert "href" not in svg and "<a " not in svg
    frame = graph_frame(L)
    assert frame["data"] == [f"{n.data:.4g}" for n in order]
    assert frame["grad"] == ["0"] * len(order)


# --- the network as a network ---------------------------------------------------------------


@requires_dot
def test_draw_network_puts_neurons_in_columns_in_index_order():
    model = MLP(3, [12, 4, 2], rng=1)
    svg = svg_of(draw_network(model))
    nodes = elements(svg)

    def centre(node_id):
        ellipse = next(nodes[node_id].iter(f"{SVG}ellipse"))
        return float(ellipse.get("cx")), float(ellipse.get("cy"))

    columns = [[centre(f"input-{i}") for i in range(3)]] + [
        [centre(f"neuron-{k}-{j}") for j in range(len(layer.neurons))]
        for k, layer in enumerate(model.layers)
    ]
    xs = [column[0][0] for column in columns]
    assert xs == sorted(xs) and len(set(xs)) == 4
    for column in columns:
        assert len({x for x, _ in column}) == 1  # one column
        ys = [y for _, y in column]
        assert ys == sorted(ys) and len(set(ys)) == len(ys)  # N0 on top, then N1, …


def edge_styles(svg: str) -> dict[str, tuple[str, float]]:
    """Each weight's edge: its colour (without the opacity) and its width."""
    styles = {}
    for edge_id, g in elements(svg).items():
        if edge_id.startswith("weight-"):
            path = next(g.iter(f"{SVG}path"))
            styles[edge_id] = (path.get("stroke"), float(path.get("stroke-width", "1")))
    return styles


@requires_dot
def test_draw_network_colours_edges_by_sign_and_sizes_them_by_magnitude():
    from nn.draw import NEGATIVE_COLOUR, POSITIVE_COLOUR, ZERO_COLOUR

    model = MLP(2, [3, 1], rng=0)
    weights = {f"weight-{k}-{j}-{i}": w for k, layer in enumerate(model.layers)
               for j, n in enumerate(layer.neurons) for i, w in enumerate(n.w)}
    styles = edge_styles(svg_of(draw_network(model)))
    assert set(styles) == set(weights)  # one edge per weight
    for edge_id, w in weights.items():
        colour = styles[edge_id][0]
        assert colour == (POSITIVE_COLOUR if w.data > 0 else NEGATIVE_COLOUR), edge_id
    by_size = sorted(weights, key=lambda e: abs(weights[e].data))
    assert [styles[e][1] for e in by_size] == sorted(styles[e][1] for e in by_size)
    # show="grads": the gradients' signs and sizes, not the weights'.
    loss = mse(model([1.0, -2.0]), 3.0)
    loss.backward()
    model.layers[0].neurons[0].w[0].grad = 0.0
    grads = edge_styles(svg_of(draw_network(model, show="grads")))
    assert grads["weight-0-0-0"][0] == ZERO_COLOUR
    for edge_id, w in weights.items():
        if w.grad:
            assert grads[edge_id][0] == (POSITIVE_COLOUR if w.grad > 0 else NEGATIVE_COLOUR)


@requires_dot
@pytest.mark.parametrize("show, what", [("weights", "its weight"), ("grads", "the gradient of its weight")])
def test_draw_network_legend_is_whole_phrases_with_no_gaps_inside_a_sentence(show, what):
    """Graphviz places each text run by its own estimate of the font: a sentence cut into
    runs (a coloured word, then ", ") shows gaps in a browser. Each run is a whole item."""
    from nn.draw import NEGATIVE_COLOUR, POSITIVE_COLOUR

    svg = svg_of(draw_network(MLP(2, [3, 1], rng=0), show=show))
    texts = ET.fromstring(svg).find(f"{SVG}g").iter(f"{SVG}text")
    legend = [(t.text, t.get("fill")) for t in texts][:4]  # the graph's label comes first
    assert legend == [
        (f"each edge, {what}:", None),
        ("blue: positive", POSITIVE_COLOUR),
        ("red: negative", NEGATIVE_COLOUR),
        ("width: magnitude", None),
    ]


def test_draw_network_shows_each_neurons_value_for_an_input():
    model = MLP(2, [3, 1], activation="tanh", rng=2)
    x = [0.5, -1.5]
    source = draw_network(model, x=x).source
    hidden = model.layers[0]([Value(v) for v in x])
    out = model(x)
    for value in [*hidden, out]:
        assert f"<B>{value.data:.4g}</B>" in source
    assert all(p.grad == 0.0 for p in model.parameters())  # drawing touched no gradient
    assert "<B>" not in draw_network(model).source


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"show": "biases"}, ValueError, "show must be"),
        ({"x": [1.0]}, ValueError, "takes 2 inputs"),
        ({"x": "ab"}, TypeError, "sequence of 2 numbers"),
        ({"x": [1.0, "a"]}, TypeError, "numbers"),
    ],
)
def test_draw_network_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        draw_network(MLP(2, [3, 1], rng=0), **kwargs)
    with pytest.raises(TypeError, match="MLP, a Layer or a Neuron"):
        draw_network([1, 2])


# --- the derivative formulas of the op table ---------------------------------------------------


def test_every_built_in_op_has_a_formula_per_operand():
    for name, op in ops.REGISTRY.items():
        assert op.formula, name
        if op is not ops.WEIGHTED_SUM:
            assert len(op.formula) == op.arity, name


@pytest.mark.parametrize(
    "make, slot, text",
    [
        (lambda: Value(0.8813735870195429).tanh(), 0, "tanh: 1 − o² = 1 − 0.7071² = 0.5"),
        (lambda: Value(0.0).sigmoid(), 0, "sigmoid: o·(1 − o) = 0.5·(1 − 0.5) = 0.25"),
        (lambda: Value(3.0) * Value(-2.0), 0, "*: y = -2"),
        (lambda: Value(3.0) ** 2, 0, "x ** 2: 2·x^(2 − 1) = 2·3^(2 − 1) = 6"),
        (lambda: 2 - Value(3.0), 0, "2 − x: -1"),
        (lambda: Value(4.0).log(), 0, "log: 1/x = 1/4 = 0.25"),
    ],
)
def test_a_local_derivative_reads_as_its_formula_with_todays_numbers(make, slot, text):
    node = make()
    assert local_formula(node, slot) == text
    # The last number is the derivative backward() uses.
    shown = float(text.rsplit("= ", 1)[-1].replace("−", "-").split(": ")[-1])
    assert math.isclose(shown, node.local_grads[slot], rel_tol=1e-3)


def test_a_user_op_gives_its_formula_to_define_op():
    import math as m

    sinc = define_op("sinc_f", lambda x: m.sin(x) / x, lambda x, out: ((m.cos(x) - out) / x,),
                     formula="(cos({x}) − {o})/{x}")
    y = sinc(Value(2.0))
    assert local_formula(y, 0) == "sinc_f: (cos(x) − o)/x = (cos(2) − 0.4546)/2 = -0.4354"
    plain = define_op("plain_f", lambda x: 2 * x, lambda x, out: (2.0,))
    assert local_formula(plain(Value(1.0)), 0) == "plain_f: 2"
    with pytest.raises(TypeError, match="formula"):
        define_op("bad_f", lambda x, y: x, lambda x, y, out: (1.0, 0.0), formula="{x}")
