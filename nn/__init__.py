"""Neural networks built on the engine: modules, losses, optimizers, training.

>>> from nn import MLP
>>> from nn.losses import bce
>>> from nn.optim import SGD
>>> model = MLP(2, [2, 1], activation="relu", output_activation="sigmoid", rng=0)
>>> loss = bce(model([2.0, 5.0]), 0)
>>> loss.backward()
>>> SGD(model.parameters(), lr=0.1).step()

Submodules: `nn.losses` (bce, bce_with_logits, mse, hinge, l2, softmax, log_softmax,
cross_entropy), `nn.optim` (SGD, Adam), `nn.labels` (the parameter labels, and the
grouping `draw(loss, groups=...)` boxes them by), `nn.data` (students, make_moons, spiral,
xor, circles), `nn.metrics` (accuracy, predicted_class), `nn.train` (fit), `nn.serialize`
(save, load), `nn.draw` (draw_network: the network as neurons in layer columns),
`nn.demo` (`python -m nn.demo`).
"""

# `autograd` must be this project's engine. HIPS autograd (PyPI's `autograd`) has the same
# import name; where it wins, say so here instead of failing deep inside nn.
import autograd as _found

if not hasattr(_found, "define_op"):
    raise ImportError(
        f"nn needs backprop-lens's autograd (Value, grad, ...), but 'import autograd' found "
        f"{getattr(_found, '__file__', None) or _found!r}, which is not it: most likely HIPS "
        "autograd (PyPI's 'autograd'), whose import name is the same. The two cannot share "
        "one environment: pip uninstall autograd (HIPS), or use a separate virtual "
        "environment for each."
    )

from nn import data, labels, losses, metrics, optim
from nn.activations import ACTIVATIONS
from nn.draw import draw_network
from nn.module import MLP, Layer, Module, Neuron
from nn.serialize import load, save
from nn.train import fit

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "data",
    "draw_network",
    "fit",
    "labels",
    "load",
    "losses",
    "metrics",
    "optim",
    "save",
]
