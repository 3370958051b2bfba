"""Saving a model to a JSON file and loading it back (never pickle: a file is data only).

>>> import tempfile, os
>>> from nn import MLP, save, load
>>> model = MLP(2, [3, 1], rng=0)
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> save(model, path)
>>> load(path)([1.0, 2.0]).data == model([1.0, 2.0]).data
True
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from typing import Union

from nn.module import MLP, Layer, Module, Neuron

PathLike = Union[str, "os.PathLike[str]"]

# The modules a file can describe, by the "type" in their architecture.
_MODULE_TYPES = {"Neuron": Neuron, "Layer": Layer, "MLP": MLP}


def save(model: Module, path: PathLike) -> None:
    """Write `model.state_dict()` to `path` as JSON.

    The file is written to a temporary name and renamed, so an existing file at `path` is
    either replaced whole or left as it was. Non-finite parameters raise ValueError (JSON
    has no nan or inf).
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"save: expected a Module (an MLP, a Layer or a Neuron), got {model!r} "
            f"({type(model).__name__})"
        )
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):  # else the error would name the temporary file
        raise FileNotFoundError(f"save: cannot write {path!s}: no directory {directory}")
    for name, p in model.named_parameters():
        if not math.isfinite(p.data):
            raise ValueError(
                f"save: parameter {name!r} is {p.data!r}; only finite numbers can be saved"
            )
    text = json.dumps(model.state_dict(), indent=2)
    with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".tmp", delete=False) as f:
        temporary = f.name
        try:
            f.write(text + "\n")
        except BaseException:
            f.close()
            os.remove(temporary)
            raise
    os.replace(temporary, path)


def load(path: PathLike, *, expanded: bool = False) -> Module:
    """A new model built from the architecture in the JSON file at `path`, with its
    parameters. Any problem (unreadable JSON, unknown type, bad shapes or numbers) raises
    ValueError or TypeError naming the file. `expanded` is passed to the constructor."""
    with open(path, encoding="utf-8") as f:
        try:
            state = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"load: {path!s} is not valid JSON: {e}") from None
    architecture = state.get("architecture") if isinstance(state, Mapping) else None
    if not isinstance(architecture, Mapping) or architecture.get("type") not in _MODULE_TYPES:
        known = ", ".join(_MODULE_TYPES)
        raise ValueError(
            f"load: {path!s} has no architecture of a known type ({known}): {architecture!r}"
        )
    arguments = {k: v for k, v in architecture.items() if k != "type"}
    try:
        model = _MODULE_TYPES[architecture["type"]](**arguments, expanded=expanded)
        model.load_state_dict(state)
    except (TypeError, ValueError) as e:
        raise type(e)(f"load: {path!s}: {e}") from None
    return model
