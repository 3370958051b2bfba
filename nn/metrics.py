"""How often a model is right: its predicted classes and its accuracy.

A model's output for one sample is either one number (binary: a probability or a score,
class 1 when above a threshold) or one number per class (multi-class: the class with the
largest output, as argmax). Outputs may be `Value`s or plain numbers; only their `data` is
read, so no graph is recorded.

>>> from autograd import Value
>>> accuracy([[Value(2.0), Value(0.5), Value(-1.0)], [0.1, 0.2, 0.3]], [0, 1])
0.5
>>> accuracy([0.9, 0.2, 0.7], [1, 0, 0], threshold=0.5)     # sigmoid outputs, labels 0/1
0.6666666666666666
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import TYPE_CHECKING, Union

from autograd import Value
from autograd.engine import Scalar, is_number

if TYPE_CHECKING:
    from typing import TypeGuard  # in typing from Python 3.10; the tests also run on 3.9

Output = Union[Scalar, Sequence[Scalar]]  # one number, or one number per class


def predicted_class(output: Output, *, threshold: float | None = None) -> int:
    """The class `output` predicts: the index of its largest entry (the first one on a
    tie, as numpy's and PyTorch's argmax) for one number per class; for a single number,
    1 when it is above `threshold` and 0 otherwise.

    A single output needs `threshold`: 0.5 for a probability, 0 for a logit or a score.

    >>> predicted_class([0.1, 2.0, 2.0]), predicted_class(Value(0.7), threshold=0.5)
    (1, 1)
    """
    if _is_scalar(output):
        if threshold is None:
            raise ValueError(
                "predicted_class: a single output needs threshold= "
                "(0.5 for probabilities, 0 for logits or scores)"
            )
        return 1 if _number(output) > threshold else 0
    if isinstance(output, (str, bytes)) or not isinstance(output, Sequence) or not output:
        raise TypeError(
            "predicted_class: output must be a number, a Value or a non-empty list of them, "
            f"got {output!r} ({type(output).__name__})"
        )
    scores = []
    for k, score in enumerate(output):
        if not _is_scalar(score):
            raise TypeError(
                f"predicted_class: output at index {k} must be a number or a Value, "
                f"got {score!r} ({type(score).__name__})"
            )
        scores.append(_number(score))
    best = 0
    for k in range(1, len(scores)):
        if scores[k] > scores[best]:  # strictly greater: the first maximum wins a tie
            best = k
    return best


def accuracy(
    outputs: Sequence[Output],
    targets: Sequence[int | float],
    *,
    threshold: float | None = None,
) -> float:
    """The fraction of samples whose predicted class is their target.

    Multi-class: each output one number per class, each target a class index. Binary: each
    output one number, each target 0 or 1 (or -1 / +1, as the max-margin loss wants; a
    positive target is class 1), and `threshold` as for `predicted_class`.

    >>> accuracy([2.5, -0.3, 0.4], [1, -1, -1], threshold=0.0)      # scores, labels -1/+1
    0.6666666666666666
    """
    for what, seq in (("outputs", outputs), ("targets", targets)):
        if isinstance(seq, (str, bytes)) or not isinstance(seq, Sequence):
            raise TypeError(f"accuracy: {what} must be a list, got {seq!r} ({type(seq).__name__})")
    if len(outputs) != len(targets):
        raise ValueError(
            f"accuracy: {len(outputs)} outputs but {len(targets)} targets; they must match"
        )
    if not outputs:
        raise ValueError("accuracy: no outputs: the accuracy of nothing is undefined")
    hits = 0
    for i, (output, target) in enumerate(zip(outputs, targets)):
        predicted = predicted_class(output, threshold=threshold)
        hits += predicted == _target_class(output, target, i)
    return hits / len(outputs)


def _target_class(output: Output, target: object, i: int) -> int:
    """The class a target names: its index (multi-class) or 0/1 (binary, from 0/1 or -1/+1)."""
    if not is_number(target):
        raise TypeError(
            f"accuracy: target at index {i} must be a number, "
            f"got {target!r} ({type(target).__name__})"
        )
    # predicted_class has checked `output`: one number, or a list of them (one per class).
    if not isinstance(output, Sequence):
        if target not in (0, 1, -1):
            raise ValueError(
                f"accuracy: target {target!r} at index {i} must be 0 or 1 (or -1 / +1) "
                "for a single output"
            )
        return 1 if target == 1 else 0  # -1 and 0 name class 0
    if not isinstance(target, Integral):
        raise TypeError(f"accuracy: target at index {i} must be an int class index, got {target!r}")
    index = int(target)  # exact for any Integral, numpy's ints too
    if not 0 <= index < len(output):
        raise IndexError(
            f"accuracy: target {target!r} at index {i} is not a class index: "
            f"{len(output)} outputs give classes 0 to {len(output) - 1}"
        )
    return index


def _is_scalar(v: object) -> TypeGuard[Scalar]:
    """A Value or a real number that is not a bool (to the checker, numpy's count as floats)."""
    return isinstance(v, Value) or is_number(v)


def _number(v: Scalar) -> float:
    return v.data if isinstance(v, Value) else v
