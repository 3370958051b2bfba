"""The examples in the docstrings run as written."""

import doctest
from pathlib import Path

import pytest

import autograd.chain_rule
import autograd.checks
import autograd.define
import autograd.functional
import autograd.gradcheck

API_REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "api.md"


# The engine's examples live where its code does (`autograd.engine` only gathers names).
@pytest.mark.parametrize(
    "module",
    [
        autograd.chain_rule,
        autograd.checks,
        autograd.define,
        autograd.functional,
        autograd.gradcheck,
    ],
)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_api_reference_examples():
    result = doctest.testfile(str(API_REFERENCE), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 20 and result.failed == 0


def test_the_pictures_guide_examples():
    guide = API_REFERENCE.parent / "pictures.md"
    result = doctest.testfile(str(guide), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6 and result.failed == 0
