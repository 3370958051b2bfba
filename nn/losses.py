"""Loss functions built from engine ops, so that gradients flow back through them.

Each binary or regression loss takes one prediction (a `Value` or a number) or a sequence
of them, labels as numbers or `Value`s (one per prediction), and returns the mean over the
samples as a `Value`. The multi-class `cross_entropy` takes one sample's logits and a class
index, or a batch of both; `softmax` and `log_softmax` map one sample's logits.

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
from typing import TYPE_CHECKING, Union

from autograd import Value
from autograd.engine import Scalar, define_op, is_int, is_number, weighted_sum
from autograd.ops import constant_derivatives
from nn.arrays import as_list_if_array

if TYPE_CHECKING:
    from typing import TypeGuard  # in typing from Python 3.10; the tests also run on 3.9

Predictions = Union[Scalar, Sequence[Scalar]]
Logits = Sequence[Scalar]  # one sample's score per class

# PyTorch's BCELoss clamps each log at -100, so that a prediction of exactly 0 or 1 gives a
# finite loss. Below this probability log(p) < -100; log(_SMALLEST_UNCLAMPED) is -100.0 exactly,
# so log(clamp(p, min=_SMALLEST_UNCLAMPED)) is PyTorch's max(log p, -100), with no gradient
# below the floor (clamp's derivative is 0 there): an op, not a branch on the number.
LOG_FLOOR = -100.0
_SMALLEST_UNCLAMPED = math.exp(LOG_FLOOR)


class _NotAProbability(ValueError):
    """Raised by the `complement` op below for a number outside [0, 1]; `bce` adds the index."""

    def __init__(self, number: float) -> None:
        super().__init__(
            f"bce: {number!r} is outside [0, 1]: predictions and labels must be probabilities"
        )
        self.number = number


def _complement_forward(p: float) -> float:
    if not 0.0 <= p <= 1.0:  # also catches nan
        raise _NotAProbability(p)
    return 1.0 - p


# complement(p) = 1 - p of a probability p, refusing any other number: a node like `1 - p`
# (derivative -1) whose forward rule also checks the range, as PyTorch's BCE kernel does. So
# the check travels with the graph: a traced loss (`autograd.trace`) replays it on every call,
# where comparing p.data in Python would record a guard per sample. A user op (`define_op`):
# the engine's table stays the engine's.
_complement = define_op(
    "complement",
    _complement_forward,
    lambda p, out: (-1.0,),
    differentiable=constant_derivatives,  # d(1 - p)/dp = -1, a constant
    formula=("-1",),
)


def bce(y_pred: Predictions, y_true: Predictions) -> Value:
    """Mean binary cross-entropy of probabilities: -[y log p + (1 - y) log(1 - p)].

    Each log is clamped at -100 as PyTorch's `BCELoss` does, so p = 0 or 1 gives a finite
    loss (100 when wrong). A clamped log is a constant, so its gradient is 0 (PyTorch's
    hand-written backward gives a huge finite number there instead). Predictions outside
    [0, 1] raise ValueError: pass logits to `bce_with_logits`.

    Each sample's graph is made of ops only (`complement`, `clamp`, `log`, `*`, `+`), with
    no branch on a number, so a traced loss has no guards: `complement(p)` is 1 - p, an op
    that also refuses a p outside [0, 1] (so does a traced loss, on every call). A label
    given as a number is checked in Python, as data; one given as a Value goes through
    `complement` too.

    >>> round(bce(Value(0.0), 1).data, 6)
    100.0
    """
    terms = []
    for i, (p, y) in enumerate(_pairs("bce", y_pred, y_true)):
        not_p = _checked_complement(p, "prediction", i)
        if isinstance(y, Value):
            not_y: Scalar = _checked_complement(y, "label", i)
        else:
            _check_in_unit_interval("bce", "label", i, y)
            not_y = 1 - y
        terms.append(-(y * _clamped_log(p) + not_y * _clamped_log(not_p)))
    return _mean(terms)


def bce_with_logits(logits: Predictions, y_true: Predictions) -> Value:
    """Mean binary cross-entropy of sigmoid(z), computed from the logits z stably.

    The value is max(z, 0) - z*y + log(1 + exp(-|z|)), finite for any finite z: exp never
    overflows. The side of 0 that z is on is found by ops (`sign`), not by a branch on its
    number, so a traced loss has no guards (a label is checked in Python, as data: a guard
    only if it is itself a traced input). The gradient is sigmoid(z) - y everywhere, and
    the second derivative sigmoid'(z), at z = 0 too.

    >>> round(bce_with_logits(Value(0.0), 1).data, 6)   # log 2
    0.693147
    """
    terms = []
    for i, (z, y) in enumerate(_pairs("bce_with_logits", logits, y_true)):
        _check_in_unit_interval("bce_with_logits", "label", i, y)
        # `positive` is 1 where z > 0, else 0 (nan stays nan), and a constant to the chain
        # rule (sign's derivative is 0). So max(z, 0) - z*y = z * (positive - y) and -|z| =
        # z * (1 - 2 * positive) are each one node whose derivative for z is that of the
        # branch on z's sign they replace: (1 - y) or -y, and -1 or 1. z's gradient adds
        # just these two terms, so a sigmoid of 1e-18 is not lost beside 1. At z = 0 both
        # take the side z <= 0, so that the gradient is 1/2 - y and the second derivative
        # sigmoid'(0) = 1/4 (`maximum` and `abs` would give the gradient, but 0 for the
        # second derivative: their derivatives there are 1/2 and 0).
        positive = z.sign().relu()
        minus_abs_z = z * (1 - 2 * positive)
        terms.append(z * (positive - y) + minus_abs_z.exp().log1p())
    return _mean(terms)


def mse(y_pred: Predictions, y_true: Predictions) -> Value:
    """Mean squared error: mean of (p - y)**2.

    >>> mse(Value(3.0), 1).data
    4.0
    """
    return _mean([_square(p - y) for p, y in _pairs("mse", y_pred, y_true)])


def _square(d: Value) -> Value:
    # d ** 2 raises OverflowError beyond a float; the loss is then inf, as PyTorch's.
    try:
        return d**2
    except OverflowError:
        return d * d


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


# --- multi-class ---------------------------------------------------------------------------
#
# All three subtract the largest logit m before exp: exp(z - m) <= 1 never overflows, and
# the results do not change, since softmax(z - m) = softmax(z) and log-sum-exp(z) = m +
# log-sum-exp(z - m). m is the `maximum` op over the logits, detached: a constant to the
# chain rule (a constant shift adds nothing to the gradient: PyTorch's too carries none), yet
# nodes, so that a trace (`autograd.trace`) replays m with each call's logits, with no guard
# (comparing the logits in Python, as `max()` does, would be one per logit).


def softmax(logits: Logits) -> list[Value]:
    """The probabilities exp(z_k) / sum_j exp(z_j) of one sample's logits z.

    Stable for any finite logits (the largest is subtracted first). Numbers among the
    logits are taken as constants.

    >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0), Value(3.0)])]
    [0.09, 0.2447, 0.6652]
    >>> [p.data for p in softmax([1000.0, 0.0, -1000.0])]    # no overflow
    [1.0, 0.0, 0.0]
    """
    _, exps, total = _shifted_exps("softmax", logits)
    return [e / total for e in exps]


def log_softmax(logits: Logits) -> list[Value]:
    """log(softmax(z)) of one sample's logits, as z_k - m - log(sum_j exp(z_j - m)).

    Finite where softmax rounds to 0: the log of a probability below 1e-308 still has its
    digits.

    >>> [p.data for p in log_softmax([1000.0, 0.0, -1000.0])]
    [0.0, -1000.0, -2000.0]
    """
    shifted, _, total = _shifted_exps("log_softmax", logits)
    log_total = total.log()
    return [s - log_total for s in shifted]


def cross_entropy(logits: Logits | Sequence[Logits], target: int | Sequence[int]) -> Value:
    """Cross-entropy of softmax(logits) against a class index: -log softmax(z)[y].

    One sample: `logits` a sequence of K scores (Values or numbers), `target` an int in
    0 .. K-1. A batch: a sequence of such logit lists (all of the same K) and a sequence of
    as many targets; the result is the mean over the samples, as PyTorch's
    `cross_entropy(..., reduction="mean")`. A batch of one is recorded as that one sample's
    loss (no mean node).

    Each sample's loss is recorded as log(sum_k exp(z_k - m)) - (z_y - m), m the largest
    logit detached (no gradient flows through it): finite for any finite logits, the same
    value as PyTorch's, and the gradient dL/dz_k = p_k - [k == y], p = softmax(z). The node
    z_y - m has two consumers, its exp and the final subtraction: the chain rule adds p_y
    and -1 there.

    A target that is not an int (or is a bool) raises TypeError; one outside 0 .. K-1
    raises IndexError. nan logits give nan, as in PyTorch.

    >>> z = [Value(2.0), Value(1.0), Value(0.1)]
    >>> loss = cross_entropy(z, 0)
    >>> round(loss.data, 4)                                 # -log(0.659)
    0.417
    >>> loss.backward()
    >>> [round(v.grad, 4) for v in z]                       # p - [1, 0, 0]
    [-0.341, 0.2424, 0.0986]
    >>> cross_entropy([1000.0, 0.0, -1000.0], 2).data       # no overflow
    2000.0
    >>> cross_entropy([[2.0, 0.0], [0.0, 2.0]], [0, 0]).data == (
    ...     cross_entropy([2.0, 0.0], 0).data + cross_entropy([0.0, 2.0], 0).data) / 2
    True
    """
    logits, target = as_list_if_array(logits), as_list_if_array(target)  # numpy's too
    if _is_batch(logits):
        if isinstance(target, (str, bytes)) or not isinstance(target, Sequence):
            raise TypeError(
                "cross_entropy: a batch of logit lists needs a sequence of class indices, "
                f"got {target!r} ({type(target).__name__})"
            )
        if len(logits) != len(target):
            raise ValueError(
                f"cross_entropy: {len(logits)} samples of logits but {len(target)} targets; "
                "they must match"
            )
        if not logits:
            raise ValueError("cross_entropy: no samples: the mean of nothing is undefined")
        classes = len(logits[0]) if _is_sequence(logits[0]) else None
        terms = []
        for i, (sample, y) in enumerate(zip(logits, target)):
            if not _is_sequence(sample) or len(sample) != classes:
                raise ValueError(
                    f"cross_entropy: sample {i} has logits {sample!r}; every sample needs a "
                    f"list of {classes} (as sample 0)"
                )
            terms.append(_cross_entropy_one(sample, y, f" of sample {i}"))
        return _mean(terms)
    if _is_sequence(logits) and not logits and _is_sequence(target):
        raise ValueError("cross_entropy: no samples: the mean of nothing is undefined")
    if _is_sequence(target):
        raise TypeError(
            f"cross_entropy: one sample's logits need one class index, got {target!r}; "
            "for a batch pass a list of logit lists"
        )
    return _cross_entropy_one(logits, target, "")


def _cross_entropy_one(logits: object, target: object, where: str) -> Value:
    """One sample's -log softmax(z)[y]; `where` (" of sample 3") goes into error messages."""
    shifted, _, total = _shifted_exps("cross_entropy", logits)
    if not is_int(target):
        raise TypeError(
            f"cross_entropy: target{where} must be an int class index, "
            f"got {target!r} ({type(target).__name__})"
        )
    index = int(target)  # exact for any Integral, numpy's ints too
    if not 0 <= index < len(shifted):
        raise IndexError(
            f"cross_entropy: target {target!r}{where} is not a class index: "
            f"{len(shifted)} logits give classes 0 to {len(shifted) - 1}"
        )
    return total.log() - shifted[index]


def _shifted_exps(where: str, logits: object) -> tuple[list[Value], list[Value], Value]:
    """z_k - m, exp(z_k - m) and their sum, m = max(z) detached; checks the logits."""
    if isinstance(logits, (Value, Real)):
        raise TypeError(
            f"{where}: logits must be a list of Values or numbers (one per class), "
            f"got the single {logits!r}"
        )
    if not _is_sequence(logits):
        raise TypeError(
            f"{where}: logits must be a list of Values or numbers (one per class), "
            f"got {logits!r} ({type(logits).__name__})"
        )
    if not logits:
        raise ValueError(f"{where}: no logits: softmax needs at least one class")
    # Every logit is checked before any becomes a Value: a bad one is what gets reported.
    scalars = [_checked_scalar(where, "logit", k, z) for k, z in enumerate(logits)]
    zs = [z if isinstance(z, Value) else Value(z) for z in scalars]
    m = zs[0]
    for z in zs[1:]:
        m = m.maximum(z)  # an op, not a comparison: nan wins, as in PyTorch
    m = m.detach()
    shifted = [z - m for z in zs]
    exps = [s.exp() for s in shifted]
    total = exps[0]
    for e in exps[1:]:  # left to right, with no 0 + ... node in front
        total = total + e
    return shifted, exps, total


# --- shared helpers ----------------------------------------------------------------------


def _pairs(loss: str, y_pred: Predictions, y_true: Predictions) -> list[tuple[Value, Scalar]]:
    """(prediction, label) pairs, with predictions as Values; checks the shapes and types."""
    predictions: Sequence[object]
    labels: Sequence[object]
    if isinstance(y_pred, (Value, Real)):
        if not _is_scalar(y_true):
            raise TypeError(
                f"{loss}: one prediction needs one label (a number or a Value), got {y_true!r}"
            )
        predictions, labels = [y_pred], [y_true]
    else:
        predictions = _checked_sequence(loss, "predictions", y_pred)
        labels = _checked_sequence(loss, "labels", y_true)
        if len(predictions) != len(labels):
            raise ValueError(
                f"{loss}: {len(predictions)} predictions but {len(labels)} labels; they must match"
            )
        if not predictions:
            raise ValueError(f"{loss}: no predictions: the mean of nothing is undefined")
    pairs = []
    for i, (p, y) in enumerate(zip(predictions, labels)):
        prediction = _checked_scalar(loss, "prediction", i, p)
        label = _checked_scalar(loss, "label", i, y)
        pairs.append((prediction if isinstance(prediction, Value) else Value(prediction), label))
    return pairs


def _checked_sequence(loss: str, what: str, seq: object) -> Sequence[object]:
    seq = as_list_if_array(seq)
    if isinstance(seq, (str, bytes)) or not isinstance(seq, Sequence):
        raise TypeError(
            f"{loss}: {what} must be a Value, a number or a list of them, "
            f"got {seq!r} ({type(seq).__name__})"
        )
    return seq


def _checked_scalar(where: str, what: str, i: int, v: object) -> Scalar:
    if not _is_scalar(v):
        raise TypeError(
            f"{where}: {what} at index {i} must be a number or a Value, "
            f"got {v!r} ({type(v).__name__})"
        )
    return v


def _is_sequence(v: object) -> TypeGuard[Sequence[object]]:
    return isinstance(v, Sequence) and not isinstance(v, (str, bytes))


def _is_batch(logits: object) -> bool:
    """A sequence of logit lists (a batch) rather than one sample's logits."""
    return _is_sequence(logits) and len(logits) > 0 and _is_sequence(logits[0])


def _is_scalar(v: object) -> TypeGuard[Scalar]:
    """A Value or a real number that is not a bool (to the checker, numpy's count as floats)."""
    return isinstance(v, Value) or is_number(v)


def _check_in_unit_interval(loss: str, what: str, i: int, v: Scalar) -> None:
    number = v.data if isinstance(v, Value) else v
    if not 0.0 <= number <= 1.0:  # also catches nan
        raise ValueError(f"{loss}: {what} {number!r} at index {i} is outside [0, 1]")


def _checked_complement(v: Value, what: str, i: int) -> Value:
    """1 - v as the checking op; its refusal gets `what` and the index, as in `bce`'s errors."""
    try:
        return _complement(v)
    except _NotAProbability as error:
        raise ValueError(f"bce: {what} {error.number!r} at index {i} is outside [0, 1]") from None


def _clamped_log(p: Value) -> Value:
    """max(log p, -100), PyTorch's clamped log, with no gradient where clamped."""
    return p.clamp(min=_SMALLEST_UNCLAMPED).log()


def _mean(terms: list[Value]) -> Value:
    if len(terms) == 1:  # the mean of one: no extra node in a one-sample graph
        return terms[0]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total / len(terms)
