"""Checking a state dict against a module before anything is changed.

A state dict is plain JSON-ready data:

    {"architecture": {"type": "MLP", "nin": 2, "nouts": [2, 1], ...},
     "parameters": {"L0.N0.w0": 0.25, "L0.N0.w1": -0.5, "L0.N0.b": 0.0, ...}}

The parameter names are the module's structural names (the same text as the labels it
gave its parameters), so a file can be read and edited by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from autograd.engine import to_float

STATE_KEYS = ("architecture", "parameters")


def checked_parameter_values(module: Any, state: object) -> list[float]:
    """The parameter values of `state`, as floats in `module.parameters()` order.

    Raises TypeError or ValueError naming the first problem: `state` is not a mapping, a key
    is missing or unexpected, the architecture differs from the module's, a parameter is
    missing, unexpected, not a number, or not finite.
    """
    where = f"{type(module).__name__}.load_state_dict"
    if not isinstance(state, Mapping):
        raise TypeError(f"{where}: expected a dict, got {_short(state)} ({type(state).__name__})")
    _check_keys(where, "state dict", state, STATE_KEYS)

    architecture = state["architecture"]
    if not isinstance(architecture, Mapping):
        raise TypeError(
            f"{where}: 'architecture' must be a dict, got {_short(architecture)} "
            f"({type(architecture).__name__})"
        )
    expected = module.architecture()
    if dict(architecture) != expected:
        raise ValueError(
            f"{where}: the state dict is for a different architecture: it has "
            f"{dict(architecture)!r}, the model is {expected!r}"
        )

    parameters = state["parameters"]
    if not isinstance(parameters, Mapping):
        raise TypeError(
            f"{where}: 'parameters' must be a dict of name -> number, got "
            f"{_short(parameters)} ({type(parameters).__name__})"
        )
    names = [name for name, _ in module.named_parameters()]
    _check_keys(where, "'parameters'", parameters, names)
    return [_finite_float(where, name, parameters[name]) for name in names]


def _check_keys(where: str, what: str, mapping: Mapping, expected: list | tuple) -> None:
    known = set(expected)
    missing = [k for k in expected if k not in mapping]
    unexpected = [k for k in mapping if k not in known]
    if missing:
        raise ValueError(f"{where}: {what} is missing {_listed(missing)}")
    if unexpected:
        raise ValueError(f"{where}: {what} has unexpected {_listed(unexpected)}")


def _finite_float(where: str, name: str, value: object) -> float:
    try:
        number = to_float(value, f"{where}: parameter {name!r}")  # TypeError unless a number
    except OverflowError:  # an int beyond any float: a bad value, as load_state_dict promises
        raise ValueError(
            f"{where}: parameter {name!r} = {value!r} is too large for a float"
        ) from None
    if not math.isfinite(number):
        raise ValueError(f"{where}: parameter {name!r} = {number!r} is not a finite number")
    return number


def _listed(keys: list) -> str:
    shown = ", ".join(repr(k) for k in keys[:5])
    more = f" and {len(keys) - 5} more" if len(keys) > 5 else ""
    return f"key{'s' if len(keys) > 1 else ''} {shown}{more}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
