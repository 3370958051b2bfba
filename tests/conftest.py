"""Shared test set-up: hypothesis profiles and the Graphviz check."""

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

# CI: derandomized (the same examples every run) and no deadline (a slow machine is not a
# failure). Locally: random examples, still no deadline. HYPOTHESIS_PROFILE overrides.
settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_sessionstart(session: pytest.Session) -> None:
    # Rendering tests and notebooks need Graphviz's `dot`: say so once, up front, rather
    # than failing deep inside a notebook.
    if shutil.which("dot") is None:
        pytest.exit(
            "Graphviz's 'dot' is missing: run 'make test' (it installs it), or install Graphviz "
            "('sudo apt-get install graphviz', 'brew install graphviz' or "
            "'conda install -c conda-forge graphviz')",
            returncode=4,
        )
