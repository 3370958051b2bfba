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
import stat
import tempfile
from collections.abc import Mapping
from typing import Union

from autograd.engine import to_int
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
    # A temporary file is made private (0600); the saved one gets the mode a file written
    # with open() would: the old file's, or the default under the user's umask.
    os.chmod(temporary, _mode_for(path))
    os.replace(temporary, path)


def _mode_for(path: PathLike) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)  # (the only way to read it is to set it, then put it back)
        os.umask(umask)
        return 0o666 & ~umask


# What `load` accepts, checked before anything is built: a file that claims a billion
# inputs must fail at once, not after the memory for them has been taken.
MAX_FILE_BYTES = 64 * 1024 * 1024  # a file of a million parameters is about 25 MB
MAX_PARAMETERS = 10_000_000


def load(path: PathLike, *, expanded: bool = False) -> Module:
    """A new model built from the architecture in the JSON file at `path`, with its
    parameters. Any problem with the file (too large, not UTF-8, unreadable or too deeply
    nested JSON, unknown type, bad sizes, shapes or numbers) raises ValueError or TypeError
    naming the file; sizes are checked before the model is built. A file that cannot be
    opened raises the usual OSError. `expanded` is passed to the constructor."""
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise ValueError(
            f"load: {path!s} is {size} bytes, more than the limit of {MAX_FILE_BYTES} "
            "(nn.serialize.MAX_FILE_BYTES)"
        )
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    try:
        state = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ValueError(f"load: {path!s} is not UTF-8 text: {e}") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"load: {path!s} is not valid JSON: {e}") from None
    except RecursionError:
        raise ValueError(f"load: {path!s} is JSON nested too deeply to be a model") from None
    architecture = state.get("architecture") if isinstance(state, Mapping) else None
    if not isinstance(architecture, Mapping) or architecture.get("type") not in _MODULE_TYPES:
        known = ", ".join(_MODULE_TYPES)
        raise ValueError(
            f"load: {path!s} has no architecture of a known type ({known}): {_short(architecture)}"
        )
    arguments = {k: v for k, v in architecture.items() if k != "type"}
    try:
        _check_size(architecture, state.get("parameters"))
        model = _MODULE_TYPES[architecture["type"]](**arguments, expanded=expanded)
        model.load_state_dict(state)
    except (TypeError, ValueError) as e:
        raise type(e)(f"load: {path!s}: {e}") from None
    return model


def _check_size(architecture: Mapping, parameters: object) -> None:
    """The parameter count the architecture implies, checked against the file's own
    parameters and `MAX_PARAMETERS` before the model is built."""
    kind = architecture["type"]
    nin = to_int(architecture.get("nin"), f"{kind}: nin", minimum=1)
    if kind == "Neuron":
        widths = [1]
    elif kind == "Layer":
        widths = [to_int(architecture.get("nout"), "Layer: nout", minimum=1)]
    else:
        nouts = architecture.get("nouts")
        if not isinstance(nouts, list) or not nouts:
            raise TypeError(f"MLP: nouts must be a non-empty list of ints, got {_short(nouts)}")
        widths = [to_int(n, "MLP: nouts", minimum=1) for n in nouts]
    count, fan_in = 0, nin
    for width in widths:
        count += width * (fan_in + 1)
        fan_in = width
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"the architecture has {count} parameters, more than the limit of "
            f"{MAX_PARAMETERS} (nn.serialize.MAX_PARAMETERS)"
        )
    if isinstance(parameters, Mapping) and len(parameters) != count:
        raise ValueError(
            f"the architecture has {count} parameters but the file lists {len(parameters)}"
        )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
