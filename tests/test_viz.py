"""draw(): what the Graphviz picture contains, that it renders, and how it fails without dot."""

import random
import re
import sys
import xml.etree.ElementTree as ET

import graphviz
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, topological_order
from autograd.engine import weighted_sum
from autograd.formatting import format_number, readable_text
from autograd.viz import GraphvizNotInstalled, draw
from nn.labels import neuron_groups

NASTY_LABEL = 'say "hi" {braces} <angle> a|b back\\slash & ampersand\nnew line ünïcødé ∂L/∂x 🙂'


# --- reading the dot source back -------------------------------------------------------


def value_node_ids(graph) -> list[str]:
    return re.findall(r"^\s*(v\d+) \[", graph.source, flags=re.MULTILINE)


def edges(graph) -> list[tuple[str, str, str]]:
    """(tail, head, attributes) for every edge statement."""
    return re.findall(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$", graph.source, flags=re.MULTILINE)


def node_ids_by_label(graph) -> dict[str, str]:
    """Bold label text in a value box -> the box's node id."""
    found = re.findall(r"^\s*(v\d+) \[label=<.*?<B>(.*?)</B>", graph.source, flags=re.MULTILINE)
    return {label: node for node, label in found}


def clusters_of_nodes(graph) -> dict[str, list[str]]:
    """Node id -> the labels of the clusters it is declared in, outermost first. (A
    subgraph that is no cluster, such as a rank=same row, is no box: it is skipped.)"""
    path: list[str | None] = []
    where: dict[str, list[str]] = {}
    for line in graph.source.splitlines():
        line = line.strip()
        if line.startswith("subgraph cluster"):
            path.append("?")
        elif line.startswith("subgraph") or line == "{":
            path.append(None)
        elif line == "}" and path:
            path.pop()
        elif path and path[-1] == "?" and "label=<" in line:  # the cluster's attributes
            label = re.search(r"label=<(.*)>(?=\s+\w+=|$)", line)[1]
            path[-1] = re.sub(r"</?B>", "", label)
        else:
            match = re.match(r"(\w+) \[", line)
            if match and "->" not in line:
                where[match[1]] = [name for name in path if name is not None]
    return where


def plain(source: str) -> str:
    """The dot source with table cells' attributes (ids, links, colours, widths) dropped,
    so that a test reads the cells' texts: <TD>data 2</TD>."""
    return re.sub(r"<TD[^>]*>", "<TD>", source)


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # also proves the SVG is well-formed XML
    return [element.text or "" for element in root.iter() if element.tag.endswith("text")]


def mlp_loss(sizes=(2, 16, 16, 1), seed=0) -> Value:
    """One sample's squared error through an MLP of fused neurons labelled like nn does
    (so that `nn.labels.neuron_groups` finds its neurons)."""
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-1, 1), f"x{k}") for k in range(sizes[0])]
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        outputs = []
        for j in range(nout):
            w = [Value(rng.uniform(-1, 1), f"L{i}.N{j}.w{k}") for k in range(nin)]
            b = Value(0.0, f"L{i}.N{j}.b")
            z = weighted_sum(w, xs, b)
            outputs.append(z.relu() if i < len(sizes) - 2 else z)
        xs = outputs
    loss = (xs[0] - 1.0) ** 2
    loss.backward()
    return loss


# --- the picture ---------------------------------------------------------------------


def test_one_box_per_value_and_one_op_node_per_non_leaf():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    z = (x * y + x).tanh() * y
    graph = draw(z)
    nodes = topological_order(z)
    assert len(value_node_ids(graph)) == len(nodes)
    op_nodes = re.findall(r"^\s*(o\d+) \[", graph.source, flags=re.MULTILINE)
    assert len(op_nodes) == sum(1 for n in nodes if n.parents)


def test_x_times_x_draws_two_edges():
    x = Value(3.0, "x")
    y = x * x
    graph = draw(y)
    x_id = node_ids_by_label(graph)["x"]
    into_op = [(tail, head) for tail, head, _ in edges(graph) if tail == x_id]
    assert len(into_op) == 2 and into_op[0] == into_op[1]


@pytest.mark.requires_dot
def test_x_times_x_renders_two_edges():
    x = Value(3.0, "x")
    svg = draw(x * x).pipe(format="svg", encoding="utf-8")
    assert svg.count('class="edge"') == 3  # x -> *, x -> *, * -> y


def test_edge_count_is_one_per_operand_occurrence_on_random_graphs():
    rng = random.Random(1)
    leaves = [Value(rng.uniform(0.5, 2.0), f"a{i}") for i in range(4)]
    nodes = list(leaves)
    for _ in range(40):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(rng.choice([a + b, a * b, a * a, (a - b).tanh()]))
    root = nodes[-1]
    graph = draw(root)
    order = topological_order(root)
    expected = sum(len(n.parents) + 1 for n in order if n.parents)  # operands, plus op -> value
    assert len(edges(graph)) == expected


def test_boxes_show_label_data_and_grad_compactly():
    x = Value(1.9, "x")
    y = x * -4  # grad of x: -4; data of y: -7.6
    y.backward()
    source = plain(draw(y).source)
    assert "<B>x</B></TD><TD>data 1.9</TD><TD>grad -4</TD>" in source
    assert "<TD>data -7.6</TD><TD>grad 1</TD>" in source


@pytest.mark.parametrize(
    "number, text",
    [(1.9, "1.9"), (4.0, "4"), (-4.0, "-4"), (0.633, "0.633"), (0.63300004, "0.633"),
     (2 / 3, "0.6667"), (123456.0, "1.235e+05"), (-0.0, "0"), (float("nan"), "nan"),
     (float("-inf"), "-inf")],
)
def test_numbers_are_formatted_to_four_significant_digits(number, text):
    assert format_number(number) == text


def test_local_derivatives_on_edges():
    x, y = Value(2.0, "x"), Value(-3.0, "y")
    z = x * y
    graph = draw(z, show_local_grads=True)
    ids = node_ids_by_label(graph)
    labels = {tail: attrs for tail, head, attrs in edges(graph) if head.startswith("o")}
    assert "label=-3" in labels[ids["x"]]  # d(x*y)/dx = y
    assert "label=2" in labels[ids["y"]]  # d(x*y)/dy = x
    assert "label=" not in "".join(attrs for _, _, attrs in edges(draw(z)))


def test_rankdir():
    x = Value(1.0, "x")
    assert "rankdir=TB" in draw(x.exp(), rankdir="TB").source
    assert "rankdir=LR" in draw(x.exp()).source
    with pytest.raises(ValueError, match="rankdir"):
        draw(x, rankdir="sideways")


def test_colour_by_gradient_magnitude_has_a_legend_and_orders_fills():
    a, b = Value(1.0, "a"), Value(1.0, "b")
    loss = a * 10 + b * 0.1  # |grad| 10 for a, 0.1 for b
    loss.backward()
    source = plain(draw(loss, color_by_grad=True).source)
    fill = {label: colour for colour, label in re.findall(
        r'BGCOLOR="(#\w+)"><TR><TD><B>(\w+)</B>', source)}
    assert fill["a"] != fill["b"]
    assert fill["b"] == "#ffffff"  # 0.1 of the largest: the lightest step
    assert "legend" in source and "fill: nearest |grad|" in source
    assert "legend" not in draw(loss).source


# --- escaping: every label renders through dot ------------------------------------------


@pytest.mark.requires_dot
def test_labels_with_quotes_braces_angles_pipes_backslashes_and_unicode_render(tmp_path):
    x = Value(2.0, NASTY_LABEL)
    y = x * x
    y.label = "}{|<>\\\"'"
    y.backward()
    graph = draw(y, show_local_grads=True, color_by_grad=True, title=NASTY_LABEL)
    texts = svg_texts(graph.pipe(format="svg", encoding="utf-8"))
    for line in NASTY_LABEL.split("\n"):
        assert line in texts  # the label's own text, back out of the SVG unchanged
    assert "}{|<>\\\"'" in texts
    for fmt in ("svg", "png", "pdf"):
        path = graph.render(tmp_path / f"nasty_{fmt}", format=fmt)
        assert path.endswith(f".{fmt}")
        assert (tmp_path / f"nasty_{fmt}.{fmt}").stat().st_size > 0


@pytest.mark.requires_dot
@settings(max_examples=30)
@given(st.text(max_size=30))
def test_any_label_text_renders(label):
    x = Value(1.0, label)
    svg = draw(x * 2).pipe(format="svg", encoding="utf-8")
    texts = svg_texts(svg)
    for line in readable_text(label).split("\n"):
        if line.strip():
            # dot may trim or squeeze the spaces around a text, nothing else
            squeezed = " ".join(line.split())
            assert any(squeezed == " ".join(t.split()) for t in texts), (line, texts)


# --- size: big graphs, without recursion, and folding ----------------------------------------


def long_chain(length: int) -> Value:
    v = Value(1.0, "x")
    for i in range(length - 1):
        v = v * 1.0001 if i % 2 else v + 0.5
    return v


def test_a_20000_node_graph_is_drawn_without_recursion():
    root = long_chain(20_000)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # far below the graph's depth: any recursion would fail
    try:
        graph = draw(root, color_by_grad=True, show_local_grads=True)
        source = graph.source
    finally:
        sys.setrecursionlimit(limit)
    assert len(value_node_ids(graph)) == 20_000
    assert source.count(" -> ") == 2 * 19_999


@pytest.mark.requires_dot
def test_a_2000_node_graph_renders():
    # dot itself runs out of memory on 20,000-node chains; 2,000 renders in seconds.
    svg = draw(long_chain(2_000)).pipe(format="svg", encoding="utf-8")
    assert svg.count('class="node"') == 2_000 + 1_999


def test_mlp_parameters_sit_in_their_neuron_inside_their_layer():
    loss = mlp_loss((2, 3, 1))
    graph = draw(loss, groups=neuron_groups)
    where = clusters_of_nodes(graph)
    ids = node_ids_by_label(graph)
    assert where[ids["L0.N1.w0"]] == ["L0", "L0.N1"]
    assert where[ids["L0.N1.b"]] == ["L0", "L0.N1"]
    assert where[ids["L1.N0.w2"]] == ["L1", "L1.N0"]
    assert where[ids["x0"]] == []
    # The fused w·x+b node and the relu of neuron L0.N1 join it; the loss stays outside.
    neuron_output = next(n for n in topological_order(loss)
                         if n.op == "relu" and n.parents[0].parents[0].label == "L0.N1.w0")
    index = topological_order(loss).index(neuron_output)
    assert where[f"v{index}"] == ["L0", "L0.N1"]
    assert where[f"o{index}"] == ["L0", "L0.N1"]
    assert where[f"v{len(topological_order(loss)) - 1}"] == []
    assert "subgraph" not in draw(loss).source  # no grouping given: no boxes


def test_expanded_neurons_cluster_too():
    w = [Value(0.5, "L0.N0.w0"), Value(-1.0, "L0.N0.w1")]
    b = Value(0.1, "L0.N0.b")
    x = [Value(1.0, "x0"), Value(2.0, "x1")]
    out = (w[0] * x[0] + w[1] * x[1] + b).tanh()
    loss = out * out
    graph = draw(loss, groups=neuron_groups)
    where = clusters_of_nodes(graph)
    order = topological_order(loss)
    in_neuron = {i for i, n in enumerate(order) if where[f"v{i}"] == ["L0", "L0.N0"]}
    assert in_neuron == {i for i, n in enumerate(order) if n is not loss and n not in x}


def test_folding_a_2_16_16_1_mlp_keeps_far_fewer_nodes_and_says_so():
    loss = mlp_loss()
    full = draw(loss, groups=neuron_groups)
    folded = draw(loss, groups=neuron_groups, max_nodes=100)
    full_count = full.source.count("[label=")
    folded_count = folded.source.count("[label=")
    assert folded_count * 5 < full_count
    assert "Folded: 33 groups" in folded.source
    boxes = re.findall(r"<B>(L\d+\.N\d+)</B>", folded.source)
    assert len(boxes) == 33 and len(set(boxes)) == 33
    assert "L0.N0.w0" not in folded.source
    # Under the cap, nothing is folded; without a grouping, nothing can be.
    assert draw(loss, groups=neuron_groups, max_nodes=10_000).source == full.source
    assert "no groups to fold" in draw(loss, max_nodes=100).source


@pytest.mark.requires_dot
def test_a_folded_graph_renders_one_node_per_box():
    folded = draw(mlp_loss(), groups=neuron_groups, max_nodes=100)
    svg = folded.pipe(format="svg", encoding="utf-8")
    node_statements = re.findall(r"^\s*\w+ \[label=", folded.source, flags=re.MULTILINE)
    assert svg.count('class="node"') == len(node_statements)


def test_a_folded_box_names_its_last_node_for_a_page_that_updates_it():
    loss = mlp_loss()
    order = topological_order(loss)
    placement = neuron_groups(order)
    folded = draw(loss, groups=placement, max_nodes=100)
    for path in set(placement.values()):
        last = max(k for k, node in enumerate(order) if placement.get(node) == path)
        node = order[last]
        assert f'id="fold-{last}"' in folded.source
        assert f'ID="fold-{last}-out"' in folded.source
        assert f"out {format_number(node.data)}, grad {format_number(node.grad)}" in folded.source


@pytest.mark.requires_dot
def test_whole_layers_folded_say_how_many_outputs_and_render():
    """A group with several outputs (a whole layer) shows no one output's numbers; groups
    with no enclosing box rank by their edges (dot lost an edge when they were chained)."""
    loss = mlp_loss()
    order = topological_order(loss)
    layers = {node: path[:1] for node, path in neuron_groups(order).items()}
    folded = draw(loss, groups=layers, max_nodes=10)
    assert folded.source.count("16 outputs") == 2  # L0 and L1
    assert "fold-" in folded.source  # L2, one output: its numbers, with their ids
    svg = folded.pipe(format="svg", encoding="utf-8")
    assert svg.count('class="node"') == len(re.findall(r"^\s*\w+ \[label=", folded.source, re.M))


def test_a_graph_without_neurons_over_the_cap_is_drawn_in_full_and_says_why():
    graph = draw(long_chain(50), max_nodes=10)
    assert len(value_node_ids(graph)) == 50
    assert "no groups" in graph.source


# --- without Graphviz's dot -----------------------------------------------------------------


def test_missing_dot_says_how_to_install_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot` anywhere
    x = Value(2.0, "x")
    graph = draw(x * x)
    assert "->" in graph.source  # the source needs no Graphviz
    attempts = [
        lambda: graph.pipe(format="svg"),
        lambda: graph.render(tmp_path / "out", format="png"),
        lambda: graph._repr_mimebundle_(),  # what Jupyter calls
    ]
    for attempt in attempts:
        with pytest.raises(GraphvizNotInstalled) as caught:
            attempt()
        message = str(caught.value)
        assert "apt-get install graphviz" in message
        assert "brew install graphviz" in message
        assert "conda install -c conda-forge graphviz" in message
        assert isinstance(caught.value, graphviz.ExecutableNotFound)  # old handlers still work


# --- Jupyter and the docstring --------------------------------------------------------------


@pytest.mark.requires_dot
def test_shows_inline_in_jupyter_as_svg():
    x = Value(2.0, "x")
    bundle = draw(x.tanh())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_docstring_examples():
    import doctest

    import autograd.viz

    result = doctest.testmod(autograd.viz)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("expanded", [False, True])
@pytest.mark.parametrize("how", ["model.grouping()", "neuron_groups"])
def test_nn_mlps_cluster_and_fold_by_the_grouping_nn_gives(expanded, how):
    from nn import MLP

    model = MLP(2, [3, 1], rng=0, expanded=expanded)
    groups = model.grouping() if how == "model.grouping()" else neuron_groups
    loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")]) - 1.0) ** 2
    loss.backward()
    graph = draw(loss, groups=groups)
    where = clusters_of_nodes(graph)
    ids = node_ids_by_label(graph)
    for layer in model.layers:
        for neuron in layer.neurons:
            for parameter in neuron.parameters():
                assert where[ids[parameter.label]] == [layer.name, neuron.name]
    folded = draw(loss, groups=groups, max_nodes=10)
    names = [n.name for layer in model.layers for n in layer.neurons]
    assert sorted(re.findall(r"<B>([^<]*)</B> ", plain(folded.source))) == sorted(names)


def test_groups_as_a_mapping_nest_boxes_by_path_and_leave_the_rest_outside():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    product = x * y
    product.label = "p"
    out = product.exp()
    out.label = "out"
    graph = draw(out, groups={x: ("outer",), product: ("outer", "inner"), y: "alone"})
    where = clusters_of_nodes(graph)
    ids = node_ids_by_label(graph)
    assert where[ids["x"]] == ["outer"]
    assert where[ids["p"]] == ["outer", "inner"]
    assert where[ids["y"]] == ["alone"]  # one name: a path of one
    assert where[ids["out"]] == []


def test_a_grouping_may_name_nodes_outside_the_graph():
    x, elsewhere = Value(1.0, "x"), Value(2.0, "elsewhere")
    graph = draw(x * 2, groups={x: ("g",), elsewhere: ("h",)})
    assert "<B>h</B>" not in graph.source and "<B>g</B>" in graph.source


@pytest.mark.parametrize(
    "groups, message",
    [
        (["L0"], "groups must be a mapping"),
        (lambda order: ["L0"], "must return a mapping"),
        ({"x": ()}, "non-empty tuple"),
        ({"x": ("L0", 3)}, "non-empty tuple"),
    ],
)
def test_a_bad_grouping_is_a_type_error(groups, message):
    x = Value(1.0, "x")
    if isinstance(groups, dict):  # key the bad path by the graph's own leaf
        groups = {x: path for path in groups.values()}  # noqa: B035 - one entry
    with pytest.raises(TypeError, match=message):
        draw(x * 2, groups=groups)


# --- a moment of a backward pass: draw(root, state=GradState(...)) ----------------------------


def test_a_grad_state_replaces_each_grad_blanks_the_unknown_and_marks_the_current_node():
    from autograd.viz import GradState

    x, y = Value(2.0, "x"), Value(-3.0, "y")
    z = x * y
    z.label = "z"
    z.backward()  # .grad says 1, -3, 2; the state says otherwise
    source = plain(draw(z, state=GradState({z: 1.0, x: 5.0}, partial={x}, current=z)).source)
    assert "<B>x</B></TD><TD>data 2</TD><TD>grad 5 + …</TD>" in source
    assert "<B>y</B></TD><TD>data -3</TD><TD>grad ?</TD>" in source  # not known: a placeholder
    assert "<B>z</B></TD><TD>data -6</TD><TD>grad 1</TD>" in source
    marked = re.findall(r'^\s*(\w+) \[.*#d62728', source, flags=re.MULTILINE)
    ids = node_ids_by_label(draw(z))
    assert ids["z"] in marked and ids["x"] not in marked
    assert "#d62728" not in draw(z, state=GradState({z: 1.0})).source  # no current node


def test_state_must_be_a_grad_state():
    x = Value(1.0, "x")
    with pytest.raises(TypeError, match="GradState"):
        draw(x * 2, state={x: 1.0})


@pytest.mark.requires_dot
@pytest.mark.parametrize("label", ["]", "]]", "a]", "]>"])
def test_a_label_starting_with_a_closing_bracket_renders(label):
    # Graphviz 2.43 fails on `<B>]</B>`: found by test_any_label_text_renders.
    texts = svg_texts(draw(Value(1.0, label) * 2).pipe(format="svg", encoding="utf-8"))
    assert label in texts


@pytest.mark.requires_dot
def test_backslash_sequences_are_text_not_graphviz_escapes():
    # Graphviz reads \N as the node's name, \G as the graph's and \\ as one backslash.
    labels = ["a\\Nb", "\\G", "two\\\\back", "\\\x1f"]
    nodes = [Value(1.0, label) for label in labels]
    svg = draw(sum(nodes, Value(0.0))).pipe(format="svg", encoding="utf-8")
    texts = svg_texts(svg)
    for label in labels:
        assert readable_text(label) in texts, (label, texts)


def test_draw_checks_its_arguments():
    x = Value(1.0)
    with pytest.raises(TypeError, match="draw: root must be a Value.*3.0"):
        draw(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_nodes: expected an int.*'3'"):
        draw(x * 2, max_nodes="3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_nodes: expected an int.*2.5"):
        draw(x * 2, max_nodes=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_nodes: expected an int >= 1, got 0"):
        draw(x * 2, max_nodes=0)


def test_group_names_with_any_digits_sort():
    x = Value(1.0)
    y = x * 2
    graph = draw(y, groups={y: ("²",), x: ("L1０",)})  # a superscript two, a fullwidth zero
    assert "²" in graph.source
