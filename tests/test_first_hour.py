"""A newcomer's first hour: the habits micrograd's lecture and PyTorch teach work here,
or fail with a message that says what to write instead."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value, no_grad
from nn import MLP, fit
from nn.data import make_moons
from nn.losses import hinge
from nn.optim import SGD

ROOT = Path(__file__).resolve().parent.parent


def weights(model) -> list[float]:
    return [p.data for p in model.parameters()]


# --- random.seed reproduces a run, as in micrograd ---------------------------------------


def test_random_seed_reproduces_a_model_built_without_rng():
    random.seed(1337)
    first = weights(MLP(2, [16, 16, 1]))
    random.seed(1337)
    second = weights(MLP(2, [16, 16, 1]))
    random.seed(7)
    other = weights(MLP(2, [16, 16, 1]))
    assert first == second
    assert first != other


def test_without_rng_the_weights_are_micrograds_draws():
    # micrograd's Neuron: w = [Value(random.uniform(-1, 1)) for _ in range(nin)], b = Value(0),
    # layer by layer, neuron by neuron: the same calls on the same global generator.
    random.seed(1337)
    model = MLP(2, [3, 1])
    random.seed(1337)
    expected = []
    for nin, nout in ((2, 3), (3, 1)):
        for _ in range(nout):
            expected += [random.uniform(-1, 1) for _ in range(nin)] + [0.0]
    assert weights(model) == expected


def test_random_seed_reproduces_a_whole_training_run():
    def run() -> list[float]:
        random.seed(1337)
        xs, labels = make_moons(20, noise=0.1)  # no rng: the global generator too
        ys = [2 * y - 1 for y in labels]
        model = MLP(2, [4, 1])
        return fit(model, xs, ys, hinge, SGD(model.parameters(), lr=0.1), steps=5, progress=False)

    first, second = run(), run()
    assert first == second and len(first) == 5


def test_an_explicit_rng_wins_and_leaves_the_global_generator_alone():
    random.seed(1)
    a = weights(MLP(2, [3, 1], rng=5))
    after_a = random.random()
    random.seed(2)
    b = weights(MLP(2, [3, 1], rng=random.Random(5)))
    assert a == b
    random.seed(1)
    assert random.random() == after_a  # building with rng=5 drew nothing from it


def test_a_bad_rng_is_a_type_error_that_names_none():
    with pytest.raises(TypeError, match="global"):
        MLP(2, [1], rng="1337")


# --- PyTorch's habits ----------------------------------------------------------------------


def test_item_is_the_number():
    v = Value(2.0) * 3
    assert v.item() == 6.0 and type(v.item()) is float
    assert Value(4).item() == 4.0 and type(Value(4).item()) is float


def test_is_leaf_is_having_no_parents():
    from autograd import no_grad

    x = Value(2.0)
    y = x * x
    assert x.is_leaf and not y.is_leaf
    with no_grad():
        z = x * x
    assert z.is_leaf  # as PyTorch: nothing recorded


def test_requires_grad_is_read_only_and_false_only_for_results_of_no_grad():
    x = Value(1.0)
    assert x.requires_grad and (x * 2).requires_grad
    x.requires_grad = True  # PyTorch's habit: already so
    assert x.requires_grad_() is x
    with pytest.raises(AttributeError, match="detach"):
        x.requires_grad = False
    with pytest.raises(AttributeError, match="read-only"):
        x.requires_grad_(False)
    assert x.requires_grad
    with no_grad():
        assert not (x * 2).requires_grad  # PyTorch: a result made in no_grad() has none


def test_backward_accepts_retain_graph_and_can_run_again_either_way():
    # PyTorch: x = tensor(2., requires_grad=True); z = x * x * 3; z.backward(retain_graph=True);
    # z.backward() leaves x.grad == 24.
    for retain in (True, False, None):
        x = Value(2.0)
        z = x * x * 3
        z.backward(retain_graph=retain)
        assert x.grad == 12.0
        z.backward(retain_graph=retain)
        assert x.grad == 24.0


# --- micrograd's constructor ---------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        (2.0, ("a",), "*"),  # the lecture's Value(data, (self, other), '*')
        (2.0, ("a",)),  # without the op: the children land in `label`
        (2.0, "x", "*"),  # a label and an op
        (2.0, ("a",), "*", "c"),  # and micrograd's label
    ],
    ids=["children-and-op", "children", "label-and-op", "and-label"],
)
def test_micrograds_constructor_names_define_op_and_the_docs(args):
    a = Value(1.0)
    args = tuple((a,) if arg == ("a",) else arg for arg in args)
    with pytest.raises(TypeError) as error:
        Value(*args)
    message = str(error.value)
    assert "micrograd" in message and "define_op" in message and "docs/api.md" in message


def test_the_docs_section_the_constructor_names_exists():
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert "### `define_op(" in api


def test_other_wrong_arguments_keep_their_own_errors():
    with pytest.raises(TypeError, match="unexpected keyword argument 'lable'"):
        Value(1.0, lable="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="Value.label: expected a str"):
        Value(1.0, 3)
    assert Value(1.0, "x").label == Value(1.0, label="x").label == "x"


# --- extras: an error names the one to install --------------------------------------------


def read_extras() -> dict:
    try:
        import tomllib
    except ImportError:  # before Python 3.11 (PyPy 3.9): tomli, which pytest itself needs there
        tomllib = pytest.importorskip("tomli", reason="neither tomllib (3.11+) nor tomli is installed")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["project"]["optional-dependencies"]


def test_without_matplotlib_the_demo_names_its_extra_before_any_work(monkeypatch, tmp_path, capsys):
    from nn import demo

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(ImportError, match=r"pip install 'backprop-lens\[demo\]'"):
        demo.main(["--steps", "1", "--out", str(tmp_path)])
    assert list(tmp_path.iterdir()) == []  # failed before training or writing anything
    assert "demo" in read_extras()
    assert any(req.startswith("matplotlib") for req in read_extras()["demo"])


def test_the_extras_people_install_exist():
    extras = read_extras()
    assert {"demo", "live", "notebooks", "testing"} <= set(extras)
    assert any(req.startswith("jupyterlab") for req in extras["notebooks"])


# --- the demo writes each dataset into its own folder ---------------------------------------


@pytest.mark.requires_dot  # it writes graph.svg
def test_the_demo_writes_each_dataset_into_its_own_folder(tmp_path, monkeypatch, capsys):
    from nn import demo

    monkeypatch.chdir(tmp_path)
    demo.main(["--steps", "0"])
    demo.main(["--dataset", "moons", "--steps", "0"])
    for dataset in ("students", "moons"):
        for name in ("graph.svg", "loss.png", "boundary.png"):
            assert (tmp_path / "out" / dataset / name).is_file(), (dataset, name)
    assert "students" in (tmp_path / "out" / "students" / "graph.svg").read_text()
    assert "moons" in (tmp_path / "out" / "moons" / "graph.svg").read_text()
    printed = capsys.readouterr().out
    # What the README says it prints: the step-0 table (a big model's first 20 rows, then
    # how many more), the first and last loss, the accuracy, the files.
    assert "every parameter's value and gradient" in printed  # the students: all 9
    assert "the first 20 parameters' value and gradient" in printed  # the moons: 337
    assert "... and 317 more parameters" in printed
    assert "training accuracy after 0 steps" in printed
    assert f"wrote {os.path.join('out', 'moons', 'graph.svg')}" in printed


# --- HIPS autograd has the same import name -------------------------------------------------


def run_python(code: str, pythonpath: list[Path], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in pythonpath)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def fake_hips(folder: Path) -> None:
    """A stand-in with HIPS autograd's layout: `grad` from `differential_operators`."""
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("from autograd.differential_operators import grad\n")
    (folder / "differential_operators.py").write_text("def grad(fun, argnum=0):\n    return fun\n")


def test_when_hips_autograd_wins_the_import_nn_says_which_is_which(tmp_path):
    fake_hips(tmp_path / "hips" / "autograd")
    result = run_python("import nn", [tmp_path / "hips", ROOT], cwd=tmp_path)
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("ImportError: nn needs backprop-lens's autograd")
    assert "HIPS autograd" in message and str(tmp_path / "hips" / "autograd") in message


def test_both_installed_into_one_folder_import_autograd_warns_naming_both(tmp_path):
    import shutil

    mixed = tmp_path / "site-packages"
    shutil.copytree(ROOT / "autograd", mixed / "autograd")
    (mixed / "autograd" / "differential_operators.py").write_text("def grad(fun):\n    return fun\n")
    code = "import warnings; warnings.simplefilter('error'); import autograd"
    result = run_python(code, [mixed], cwd=tmp_path)
    assert result.returncode != 0
    assert "backprop-lens" in result.stderr and "HIPS autograd" in result.stderr
    assert run_python(code, [ROOT], cwd=tmp_path).returncode == 0  # ours alone: no warning


# --- one Python minimum ---------------------------------------------------------------------


def test_the_python_minimum_is_stated_once_and_followed():
    try:
        import tomllib
    except ImportError:
        tomllib = pytest.importorskip("tomli", reason="neither tomllib (3.11+) nor tomli is installed")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    minimum = pyproject["project"]["requires-python"]
    assert minimum.startswith(">=")
    version = tuple(int(part) for part in minimum[2:].split("."))
    # The classifiers start at that version.
    listed = [
        tuple(int(part) for part in c.rsplit(" ", 1)[1].split("."))
        for c in pyproject["project"]["classifiers"]
        if c.startswith("Programming Language :: Python :: 3.")
    ]
    assert min(listed) == version
    # ruff takes its target from requires-python; the Makefile reads it; mypy targets no
    # older Python than the package's (mypy 2's oldest is 3.10).
    assert "target-version" not in pyproject["tool"]["ruff"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "requires-python" in makefile and "(3, 10)" not in makefile and "3.10 or newer" not in makefile
    mypy_target = tuple(int(part) for part in pyproject["tool"]["mypy"]["python_version"].split("."))
    assert mypy_target == max(version, (3, 10))
    # and this interpreter is one the package claims
    assert sys.version_info[:2] >= version
