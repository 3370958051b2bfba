"""Loss functions built from engine ops, so that gradients flow back through them.

Each takes one prediction (a `Value` or a number) or a sequence of them, labels as numbers
or `Value`s (one per prediction), and returns the mean over the samples as a `Value`.

>>> from autograd import Value
>>> round(bce(Value(0.633), 0).data, 3)        # 002's first student
1.002
>>> mse([Value(1.0), Value(3.0)], [0, 1]).data  # (1 + 4) / 2
2.5
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Union

from autograd import Value
from autograd.engine import weighted_sum

Scalar = Union[Value, int, float]
Predictions = Union[Scalar, Sequence[Scalar]]

# PyTorch's BCELoss clamps each log at -100, so that a prediction of exactly 0 or 1 gives a
# finite loss. Below this probability log(p) < -100, so the clamped value is a constant.
LOG_FLOOR = -100.0
_SMALLEST_UNCLAMPED = math.exp(LOG_FLOOR)


def bce(y_pred: Predictions, y_true: Predictions) -> Value:
    """Mean binary cross-entropy of probabilities: -[y log p + (1 - y) log(1 - p)].

    Each log is clamped at -100 as PyTorch's `BCELoss` does, so p = 0 or 1 gives a finite
    loss (100 when wrong). A clamped log is a constant, so its gradient is 0 (PyTorch's
    hand-written backward gives a huge finite number there instead). Predictions outside
    [0, 1] raise ValueError: pass logits to `bce_with_logits`.

    >>> round(bce(Value(0.0), 1).data, 6)
    100.0
    """
    terms = []
    for i, (p, y) in enumerate(_pairs("bce", y_pred, y_true)):
        _check_in_unit_interval("bce", "prediction", i, p)
        _check_in_unit_interval("bce", "label", i, y)
        terms.append(-(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p)))
    return _mean(terms)


def bce_with_logits(logits: Predictions, y_true: Predictions) -> Value:
    """Mean binary cross-entropy of sigmoid(z), computed from the logits z stably.

    The value is max(z, 0) - z*y + log(1 + exp(-|z|)), finite for any finite z. It is
    written as one of two equal forms chosen by the sign of z, so that exp never overflows
    and the gradient is exactly sigmoid(z) - y everywhere, including at z = 0.

    >>> round(bce_with_logits(Value(0.0), 1).data, 6)   # log 2
    0.693147
    """
    terms = []
    for i, (z, y) in enumerate(_pairs("bce_with_logits", logits, y_true)):
        _check_in_unit_interval("bce_with_logits", "label", i, y)
        if z.data >= 0.0:
            terms.append(z * (1 - y) + (1 + (-z).exp()).log())
        else:
            terms.append((1 + z.exp()).log() - z * y)
    return _mean(terms)


def mse(y_pred: Predictions, y_true: Predictions) -> Value:
    """Mean squared error: mean of (p - y)**2.

    >>> mse(Value(3.0), 1).data
    4.0
    """
    return _mean([(p - y) ** 2 for p, y in _pairs("mse", y_pred, y_true)])


def hinge(scores: Predictions, y_true: Predictions) -> Value:
    """Mean max-margin (SVM) loss: mean of relu(1 - y * score), with labels y in {-1, +1}.

    The loss of micrograd's two-moons demo.

    >>> hinge([Value(2.0), Value(0.5)], [1, -1]).data   # (0 + 1.5) / 2
    0.75
    """
    terms = []
    for i, (s, y) in enumerate(_pairs("hinge", scores, y_true)):
        label = y.data if isinstance(y, Value) else y
        if label not in (-1, 1):
            raise ValueError(f"hinge: label {y!r} at index {i} must be -1 or +1")
        terms.append((1 - y * s).relu())
    return _mean(terms)


def l2(parameters: Sequence[Value]) -> Value:
    """The sum of squares of `parameters`, for weight decay: `loss + 1e-4 * l2(params)`.

    Recorded as one node: the dot product of the parameters with themselves, whose two
    local derivatives per parameter (p and p) add up to the gradient 2p.

    >>> l2([Value(3.0), Value(4.0)]).data
    25.0
    """
    parameters = list(parameters)
    for p in parameters:
        if not isinstance(p, Value):
            raise TypeError(f"l2: expected Values, got {p!r} ({type(p).__name__})")
    return weighted_sum(parameters, parameters, Value(0.0))


# --- shared helpers ----------------------------------------------------------------------


def _pairs(loss: str, y_pred: Predictions, y_true: Predictions) -> list[tuple[Value, Scalar]]:
    """(prediction, label) pairs, with predictions as Values; checks the shapes and types."""
    single = isinstance(y_pred, (Value, Real))
    if single:
        if not _is_scalar(y_true):
            raise TypeError(
                f"{loss}: one prediction needs one label (a number or a Value), got {y_true!r}"
            )
        y_pred, y_true = [y_pred], [y_true]
    else:
        for what, seq in (("predictions", y_pred), ("labels", y_true)):
            if isinstance(seq, (str, bytes)) or not isinstance(seq, Sequence):
                raise TypeError(
                    f"{loss}: {what} must be a Value, a number or a list of them, "
                    f"got {seq!r} ({type(seq).__name__})"
                )
        if len(y_pred) != len(y_true):
            raise ValueError(
                f"{loss}: {len(y_pred)} predictions but {len(y_true)} labels; they must match"
            )
        if not y_pred:
            raise ValueError(f"{loss}: no predictions: the mean of nothing is undefined")
    pairs = []
    for i, (p, y) in enumerate(zip(y_pred, y_true)):
        for what, v in (("prediction", p), ("label", y)):
            if not _is_scalar(v):
                raise TypeError(
                    f"{loss}: {what} at index {i} must be a number or a Value, "
                    f"got {v!r} ({type(v).__name__})"
                )
        pairs.append((p if isinstance(p, Value) else Value(p), y))
    return pairs


def _is_scalar(v: object) -> bool:
    return isinstance(v, Value) or (isinstance(v, Real) and not isinstance(v, bool))


def _check_in_unit_interval(loss: str, what: str, i: int, v: Scalar) -> None:
    number = v.data if isinstance(v, Value) else v
    if not 0.0 <= number <= 1.0:  # also catches nan
        raise ValueError(f"{loss}: {what} {number!r} at index {i} is outside [0, 1]")


def _clamped_log(p: Value) -> Value:
    if p.data >= _SMALLEST_UNCLAMPED:
        return p.log()
    return Value(LOG_FLOOR)  # a constant: no gradient flows through a clamped log


def _mean(terms: list[Value]) -> Value:
    if len(terms) == 1:  # the mean of one: no extra node in a one-sample graph
        return terms[0]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total / len(terms)
