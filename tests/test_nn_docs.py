"""The examples in nn's docstrings run as written."""

import doctest

import pytest

import nn
import nn.data
import nn.losses
import nn.metrics
import nn.module
import nn.optim
import nn.serialize
import nn.train


@pytest.mark.parametrize(
    "module", [nn, nn.data, nn.losses, nn.metrics, nn.module, nn.optim, nn.serialize, nn.train]
)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
