"""Arrays (numpy's, or anything like them) read as the lists nn works on.

numpy is not a dependency, so nothing here imports it: an object that is not a `Sequence`
but has a `tolist()` method (a numpy array, a torch tensor) is read through that method, as
`autograd.transforms` reads its points. A 1-d array becomes a list of Python numbers; a 2-d
array a list of rows. Everything else comes back unchanged, for the caller's own checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import Value


def as_list_if_array(x: Any) -> Any:  # Any: the caller checks what comes back
    """`x.tolist()` when `x` is array-like (not a Sequence, not a Value); else `x` itself.

    >>> class Row:  # what numpy's 1-d array looks like to nn
    ...     def tolist(self):
    ...         return [1.0, 2.0]
    >>> as_list_if_array(Row())
    [1.0, 2.0]
    >>> as_list_if_array((1.0, 2.0))
    (1.0, 2.0)
    """
    if isinstance(x, (Sequence, Value)):
        return x
    tolist = getattr(x, "tolist", None)
    return tolist() if callable(tolist) else x
