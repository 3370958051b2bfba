"""nn takes numpy's arrays where it takes lists: a model's input row, fit's data, a loss's
labels. numpy is not a dependency, so the first tests use a stand-in with numpy's `tolist`;
the last runs with numpy itself when it is installed."""

import pytest

from nn import MLP, fit
from nn.losses import bce, cross_entropy, mse
from nn.optim import SGD


class Array:
    """What nn sees of a numpy array: not a Sequence, but `len`, iteration and `tolist`."""

    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(Array(r) if isinstance(r, list) else r for r in self.rows)

    def tolist(self):
        return [list(r) if isinstance(r, list) else r for r in self.rows]


def test_a_model_takes_an_array_row_as_its_list():
    model = MLP(2, [3, 1], rng=0)
    assert model(Array([0.5, -1.0])).data == model([0.5, -1.0]).data


def test_losses_take_array_labels():
    predictions = [0.2, 0.7]
    assert mse(predictions, Array([0.0, 1.0])).data == mse(predictions, [0.0, 1.0]).data
    assert bce(predictions, Array([0, 1])).data == bce(predictions, [0, 1]).data
    logits = [[1.0, 2.0], [0.5, -0.5]]
    assert cross_entropy(Array(logits), Array([1, 0])).data == cross_entropy(logits, [1, 0]).data


def test_fit_trains_on_arrays_as_on_lists():
    xs, ys = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [1.0, 0.0, 1.0]
    histories = []
    for data, labels in [(xs, ys), (Array(xs), Array(ys))]:
        model = MLP(2, [2, 1], rng=3)
        optimizer = SGD(model.parameters(), lr=0.1)
        histories.append(fit(model, data, labels, mse, optimizer, steps=3, progress=False))
    assert histories[0] == histories[1]


def test_with_numpy():
    np = pytest.importorskip("numpy", reason="numpy is optional; the stand-in above runs always")
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    y = np.array([1, 0])
    model = MLP(2, [2, 1], output_activation="sigmoid", rng=1)
    assert model(X[0]).data == model([0.0, 1.0]).data
    history = fit(model, X, y, bce, SGD(model.parameters(), lr=0.1), steps=2, progress=False)
    assert len(history) == 2
    with pytest.raises(TypeError, match="MLP: an input that is not a Value"):
        model(X)  # a whole matrix is not one input row
