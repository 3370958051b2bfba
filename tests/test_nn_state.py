"""state_dict / load_state_dict and JSON files: checked first, all or nothing."""

import copy
import json
import math
import os
import stat

import pytest

from nn import MLP, Layer, Neuron, load, save


def snapshot(model):
    return [(p.label, p.data) for p in model.parameters()]


def test_state_dict_is_json_ready_and_names_every_parameter():
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    state = model.state_dict()
    assert json.loads(json.dumps(state)) == state
    assert state["architecture"] == {
        "type": "MLP",
        "nin": 2,
        "nouts": [3, 1],
        "activation": "tanh",
        "output_activation": "sigmoid",
    }
    assert list(state["parameters"]) == [p.label for p in model.parameters()]
    assert list(state["parameters"].values()) == [p.data for p in model.parameters()]


def test_load_state_dict_round_trip_between_models():
    source, target = MLP(2, [3, 1], rng=1), MLP(2, [3, 1], rng=2)
    assert snapshot(source) != snapshot(target)
    target.load_state_dict(source.state_dict())
    assert snapshot(source) == snapshot(target)


def test_load_state_dict_accepts_ints_for_values():
    neuron = Neuron(2, rng=0)
    neuron.load_state_dict(
        {"architecture": neuron.architecture(), "parameters": {"N.w0": 1, "N.w1": -2, "N.b": 3}}
    )
    assert [(type(p.data), p.data) for p in neuron.parameters()] == [(float, 1.0), (float, -2.0), (float, 3.0)]


def _broken(kind):
    """A state dict for MLP(2, [3, 1]) with one thing wrong in it."""
    state = copy.deepcopy(MLP(2, [3, 1], rng=99).state_dict())
    params = state["parameters"]
    if kind == "wrong shape":
        state = MLP(2, [4, 1], rng=99).state_dict()
    elif kind == "wrong activation":
        state["architecture"]["output_activation"] = "sigmoid"
    elif kind == "missing key":
        del params["L1.N0.b"]
    elif kind == "unexpected key":
        params["L1.N0.w3"] = 0.5
    elif kind == "missing architecture":
        del state["architecture"]
    elif kind == "extra top-level key":
        state["optimizer"] = {}
    elif kind == "string value":
        params["L0.N2.w1"] = "0.5"
    elif kind == "bool value":
        params["L0.N2.w1"] = True
    elif kind == "list value":
        params["L0.N0.w0"] = [0.5]
    elif kind in ("nan", "inf", "-inf"):
        params["L1.N0.w2"] = float(kind)  # the last parameters: all others were fine
    elif kind == "parameters not a dict":
        state["parameters"] = list(params.values())
    elif kind == "not a dict":
        state = list(params.items())
    return state


@pytest.mark.parametrize(
    "kind, exception, message",
    [
        ("wrong shape", ValueError, "different architecture"),
        ("wrong activation", ValueError, "different architecture"),
        ("missing key", ValueError, "missing key 'L1.N0.b'"),
        ("unexpected key", ValueError, "unexpected key 'L1.N0.w3'"),
        ("missing architecture", ValueError, "missing key 'architecture'"),
        ("extra top-level key", ValueError, "unexpected key 'optimizer'"),
        ("string value", TypeError, "parameter 'L0.N2.w1': expected an int or a float, got '0.5'"),
        ("bool value", TypeError, "'L0.N2.w1': expected an int or a float, got True"),
        ("list value", TypeError, "'L0.N0.w0': expected an int or a float"),
        ("nan", ValueError, "'L1.N0.w2' = nan is not a finite number"),
        ("inf", ValueError, "'L1.N0.w2' = inf is not a finite number"),
        ("-inf", ValueError, "not a finite number"),
        ("parameters not a dict", TypeError, "'parameters' must be a dict"),
        ("not a dict", TypeError, "expected a dict"),
    ],
)
def test_failed_load_raises_and_leaves_the_model_unchanged(kind, exception, message):
    model = MLP(2, [3, 1], rng=5)
    before = snapshot(model)
    with pytest.raises(exception, match=message) as error:
        model.load_state_dict(_broken(kind))
    assert "MLP.load_state_dict" in str(error.value)
    assert snapshot(model) == before


def test_saved_and_loaded_model_predicts_exactly_the_same(tmp_path):
    model = MLP(2, [5, 5, 1], activation="tanh", output_activation="sigmoid", rng=3)
    path = tmp_path / "model.json"
    save(model, path)
    loaded = load(path)
    assert type(loaded) is MLP and loaded.architecture() == model.architecture()
    assert snapshot(loaded) == snapshot(model)  # floats round-trip through JSON exactly
    for x in ([0.1, -0.2], [3.0, 1e-7], [-12.5, 7.25]):
        assert loaded(x).data == model(x).data


@pytest.mark.parametrize("module", [Neuron(3, "sigmoid", rng=1), Layer(2, 3, "tanh", rng=1)])
def test_save_and_load_other_modules(tmp_path, module):
    save(module, tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    assert type(loaded) is type(module) and snapshot(loaded) == snapshot(module)


def test_load_can_record_the_expanded_graph(tmp_path):
    save(MLP(2, [2, 1], rng=0), tmp_path / "m.json")
    assert load(tmp_path / "m.json", expanded=True)([1.0, 2.0]).op == "+"


def test_save_refuses_non_finite_parameters_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "model.json"
    model = MLP(2, [2, 1], rng=0)
    save(model, path)
    before = path.read_text()
    model.parameters()[0].data = math.nan
    with pytest.raises(ValueError, match="'L0.N0.w0' is nan"):
        save(model, path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temporary left


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "no architecture of a known type"),
        ('{"architecture": {"type": "CNN"}, "parameters": {}}', "known type"),
        ('{"architecture": {"type": "MLP", "nin": 2}, "parameters": {}}', "nouts"),
    ],
)
def test_load_of_a_bad_file_names_the_file(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises((ValueError, TypeError), match=message) as error:
        load(path)
    assert "bad.json" in str(error.value)


def test_load_of_a_file_with_a_bad_number(tmp_path):
    state = MLP(2, [2, 1], rng=0).state_dict()
    text = json.dumps(state).replace(str(state["parameters"]["L0.N1.w0"]), "NaN", 1)
    (tmp_path / "m.json").write_text(text)
    with pytest.raises(ValueError, match="'L0.N1.w0' = nan"):
        load(tmp_path / "m.json")


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")
def test_a_saved_file_has_the_mode_open_would_give_it_and_a_replaced_one_keeps_its_own(
    tmp_path,
):
    umask = os.umask(0o022)
    try:
        path = tmp_path / "model.json"
        save(Neuron(2), path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644  # not the temporary file's 0600
        os.chmod(path, 0o600)
        save(Neuron(2), path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        os.umask(umask)


def test_save_into_a_missing_directory_names_the_target_not_a_temporary_file(tmp_path):
    target = tmp_path / "missing" / "m.json"
    with pytest.raises(FileNotFoundError) as raised:
        save(MLP(2, [1], rng=0), target)
    message = str(raised.value)
    assert message.startswith(f"save: cannot write {target}: no directory {tmp_path / 'missing'}")
    assert ".tmp" not in message
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("thing", [[1, 2], None, "model"])
def test_save_of_something_that_is_not_a_module_says_what_it_expects(tmp_path, thing):
    target = tmp_path / "m.json"
    with pytest.raises(TypeError, match=r"save: expected a Module \(an MLP, a Layer or a Neuron\)"):
        save(thing, target)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary file
