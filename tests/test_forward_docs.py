"""The examples in the docstrings of forward mode, the transforms and their views run as
written."""

import doctest

import pytest

import autograd.cost
import autograd.forward
import autograd.forward_replay
import autograd.paths
import autograd.transforms

MODULES = [
    autograd.forward,
    autograd.transforms,
    autograd.forward_replay,
    autograd.paths,
    autograd.cost,
]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
