"""The live page's config: its keys, their defaults and limits, the check, the URL form.

A config is a dict with the keys of `DEFAULTS` (the page's URL state). `check_config`
returns the full, checked config or raises `ConfigError` naming the key, the value and the
limit; `Session(config)` (`nn.live.session`), the page's messages and `python -m nn.live`'s
flags all go through it, so a set-up too big or malformed is refused before anything is
built. `config_to_query` and `config_from_query` turn a config into the page's URL
parameters and back (`main.js` has their JavaScript twins).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any

from autograd.engine import is_int, is_number

DATASETS = ("moons", "circles", "xor", "spiral", "students", "custom")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
LOSSES = ("hinge", "bce", "cross_entropy")
OPTIMIZERS = ("sgd", "adam")

# Sane limits, each said in the error message when exceeded.
MAX_LAYERS = 6
MAX_NEURONS = 32
MIN_SAMPLES, MAX_SAMPLES = 4, 1000
MAX_NOISE = 2.0
MAX_LR = 10.0
MAX_L2 = 1.0
MAX_POINTS = 1000  # points added by hand or from a CSV
MAX_MESSAGE = 256 * 1024  # characters of a page's message (the page checks a CSV's first)
MAX_SEED = 2**31 - 1
MAX_COORDINATE = 1e6
# One step's work: parameters x training points (each a multiply-add through the
# engine). 2,000,000 is about a second a plain step here and a few to trace. Every limit
# above may be at its maximum, but not all at once: 6 x 32 neurons (5,409 parameters)
# took 0.7 s a step and 4.7 s and 150 MB to trace with 300 points, growing with the
# points, of which there could be 1,800.
MAX_WORK = 2_000_000

# The moons demo (micrograd's): 2-16-16-1 ReLU, max-margin loss, L2 1e-4, SGD.
DEFAULTS: dict[str, Any] = {
    "dataset": "moons",
    "samples": 100,
    "noise": 0.1,
    "split": 0.8,  # the fraction of the generated points that trains; the rest tests
    "data_seed": 1,
    "seed": 1,  # the weights' (and the minibatches') seed
    "layers": [16, 16],
    "activation": "relu",
    "loss": "hinge",
    "optimizer": "sgd",
    "lr": 0.1,
    "momentum": 0.9,  # SGD's
    "l2": 1e-4,
    "batch": 100,  # at least the training set's size: full batch
    "points": [],  # [x, y, class] added by hand or loaded: they always train
    "removed": [],  # indices of generated points taken out
}


class ConfigError(ValueError):
    """A config the session cannot train: says which key and why."""


def check_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The full config: `config` over the defaults, every value checked.

    Unknown keys, wrong types and values out of range raise `ConfigError` naming the key,
    the value and the limit. Nothing is half-applied: this returns a new dict.
    """
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise ConfigError(f"config must be a dict, got {type(config).__name__}")
    unknown = sorted(str(k) for k in config if k not in DEFAULTS)
    if unknown:
        raise ConfigError(f"unknown config key(s): {cut(', '.join(unknown))}")
    full = copy.deepcopy(DEFAULTS)
    full.update(copy.deepcopy(dict(config)))
    c: dict[str, Any] = {}
    c["dataset"] = _choice(full, "dataset", DATASETS)
    c["samples"] = _int(full, "samples", MIN_SAMPLES, MAX_SAMPLES)
    c["noise"] = _number(full, "noise", 0.0, MAX_NOISE)
    c["split"] = _number(full, "split", 0.1, 1.0)
    c["data_seed"] = _int(full, "data_seed", 0, MAX_SEED)
    c["seed"] = _int(full, "seed", 0, MAX_SEED)
    layers = full["layers"]
    if not isinstance(layers, (list, tuple)):
        raise ConfigError(f"layers must be a list of hidden layer sizes, got {shown(layers)}")
    if len(layers) > MAX_LAYERS:
        raise ConfigError(f"layers: at most {MAX_LAYERS} hidden layers, got {len(layers)}")
    for size in layers:
        if not is_int(size) or not 1 <= int(size) <= MAX_NEURONS:
            raise ConfigError(
                f"layers: each hidden layer has 1 to {MAX_NEURONS} neurons, got {shown(size)}"
            )
    c["layers"] = [int(size) for size in layers]
    c["activation"] = _choice(full, "activation", ACTIVATIONS)
    c["loss"] = _choice(full, "loss", LOSSES)
    c["optimizer"] = _choice(full, "optimizer", OPTIMIZERS)
    c["lr"] = _number(full, "lr", 0.0, MAX_LR, low_open=True)
    c["momentum"] = _number(full, "momentum", 0.0, 0.999)
    c["l2"] = _number(full, "l2", 0.0, MAX_L2)
    c["batch"] = _int(full, "batch", 1, MAX_SAMPLES + MAX_POINTS)
    removed = full["removed"]
    if not isinstance(removed, (list, tuple)) or len(removed) > MAX_SAMPLES:
        raise ConfigError(f"removed must be a list of at most {MAX_SAMPLES} indices")
    for i in removed:
        if not is_int(i) or not 0 <= int(i) < MAX_SAMPLES:
            raise ConfigError(f"removed: {shown(i)} is not a point index")
    c["removed"] = sorted({int(i) for i in removed})
    classes = class_count(c)
    c["points"] = _points(full["points"], classes)
    if classes > 2 and c["loss"] != "cross_entropy":
        raise ConfigError(
            f"loss {c['loss']!r} is for two classes; {c['dataset']} has {classes}: "
            "use cross_entropy"
        )
    if classes <= 2 and c["loss"] == "cross_entropy" and c["dataset"] != "custom":
        raise ConfigError("loss cross_entropy is for three classes; use hinge or bce")
    params, points = parameter_count(c), training_points(c)
    if params * points > MAX_WORK:
        raise ConfigError(
            f"this set-up is too big to train live: {params:,} parameters x {points:,} "
            f"training points = {params * points:,} per step, over {MAX_WORK:,}; "
            "use fewer neurons, layers or samples"
        )
    return c


def changed(config: Mapping[str, Any], message: Mapping[str, Any]) -> dict[str, Any]:
    """`config` with a set-up change applied (not yet checked): a `config` message's
    fields, or an `add_point` message's point."""
    if message["type"] == "config":
        return {**config, **message["config"]}
    point = [float(message["x"]), float(message["y"]), int(message["class"])]
    return {**config, "points": [*config["points"], point]}


def parameter_count(config: Mapping[str, Any]) -> int:
    """The model's parameters: weights and biases of every layer."""
    out = class_count(config) if config["loss"] == "cross_entropy" else 1
    sizes = [2, *config["layers"], out]
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def training_points(config: Mapping[str, Any]) -> int:
    """At most how many points train (`Session` rounds the split the same way)."""
    generated = {"spiral": 3 * max(1, config["samples"] // 3), "students": 6, "custom": 0}
    n = max(0, generated.get(config["dataset"], config["samples"]) - len(config["removed"]))
    if n and config["split"] < 1.0:
        n = max(1, round(config["split"] * n))
    return n + len(config["points"])


def class_count(config: Mapping[str, Any]) -> int:
    """How many classes the config's data has: 3 for the spiral and for a custom set whose
    points use class 2, else 2."""
    if config["dataset"] == "spiral":
        return 3
    if config["dataset"] == "custom" and config["loss"] == "cross_entropy":
        return 3
    return 2


def shown(value: object, limit: int = 60) -> str:
    """`repr(value)`, cut to `limit` characters: an error message never echoes a huge
    value back to the page."""
    return cut(repr(value), limit)


def cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _choice(config: Mapping[str, Any], key: str, choices: Sequence[str]) -> str:
    value = config[key]
    if value not in choices:
        raise ConfigError(f"{key} must be one of {', '.join(choices)}; got {shown(value)}")
    return str(value)


def _int(config: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = config[key]
    if not is_int(value) or not low <= int(value) <= high:
        raise ConfigError(f"{key} must be an integer from {low} to {high}, got {shown(value)}")
    return int(value)


def _number(
    config: Mapping[str, Any], key: str, low: float, high: float, low_open: bool = False
) -> float:
    value = config[key]
    if not is_number(value):
        raise ConfigError(f"{key} must be a number, got {shown(value)}")
    x = float(value)
    inside = (low < x if low_open else low <= x) and x <= high  # also refuses nan
    if not inside:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise ConfigError(f"{key} must be in {interval}, got {shown(value)}")
    return x


def _points(points: object, classes: int) -> list[list[float]]:
    if not isinstance(points, (list, tuple)):
        raise ConfigError(f"points must be a list of [x, y, class], got {shown(points)}")
    if len(points) > MAX_POINTS:
        raise ConfigError(f"points: at most {MAX_POINTS} points, got {len(points)}")
    checked = []
    for i, p in enumerate(points):
        if not isinstance(p, (list, tuple)) or len(p) != 3:
            raise ConfigError(f"points[{i}] must be [x, y, class], got {shown(p)}")
        x, y, k = p
        for what, v in (("x", x), ("y", y)):
            if not is_number(v) or not abs(float(v)) <= MAX_COORDINATE:
                raise ConfigError(f"points[{i}]: {what} must be a number, got {shown(v)}")
        if not is_int(k) or not 0 <= int(k) < classes:
            raise ConfigError(f"points[{i}]: class must be 0 to {classes - 1}, got {shown(k)}")
        checked.append([float(x), float(y), int(k)])
    return checked


# --- the URL state ----------------------------------------------------------------------

_LIST_KEYS = ("layers", "removed")


def config_to_query(config: Mapping[str, Any]) -> dict[str, str]:
    """The config as the page's URL parameters (what `main.js` writes): lists as
    comma-separated numbers, `points` as JSON, everything else as its text."""
    query = {}
    for key, value in check_config(config).items():
        if key in _LIST_KEYS:
            query[key] = ",".join(str(v) for v in value)
        elif key == "points":
            query[key] = json.dumps(value, separators=(",", ":"))
        else:
            query[key] = str(value)
    return query


def config_from_query(query: Mapping[str, str]) -> dict[str, Any]:
    """The config a page's URL parameters describe (the inverse of `config_to_query`,
    and what the page sends when it opens): unknown parameters, the token among them, are
    left out; numbers are read as JSON reads them."""
    config: dict[str, Any] = {}
    for key, text in query.items():
        if key not in DEFAULTS:
            continue
        if key in _LIST_KEYS:
            config[key] = [_json_number(v) for v in text.split(",") if v.strip()]
        elif key == "points":
            config[key] = json.loads(text)
        elif isinstance(DEFAULTS[key], str):
            config[key] = text
        else:
            config[key] = _json_number(text)
    return config


def _json_number(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text  # check_config says what is wrong with it
