"""The examples in the docstrings run as written."""

import doctest

import pytest

import autograd.engine
import autograd.gradcheck


@pytest.mark.parametrize("module", [autograd.engine, autograd.gradcheck])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
