"""Notebooks run in a Jupyter kernel that nbmake starts in this directory, with this
process's environment. A relative PYTHONPATH entry (`PYTHONPATH=. pytest --nbmake ...`,
run from the checkout's root) would then name `notebooks/` in the kernel, and the kernel
would import the project from wherever the environment's editable install points,
possibly another checkout. Making the entries absolute here, before any kernel starts,
gives the kernel the same code as the tests."""

from __future__ import annotations

import os

_entries = os.environ.get("PYTHONPATH")
if _entries:
    # An empty entry keeps its meaning (the current directory) and stays as it is.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        os.path.abspath(entry) if entry else entry for entry in _entries.split(os.pathsep)
    )
