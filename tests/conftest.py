"""Shared test set-up: hypothesis profiles. (What a test needs from the machine, such as
Graphviz's `dot`, is in the conftest.py at the top of the repository.)"""

import os

from hypothesis import HealthCheck, settings

# CI: derandomized (the same examples every run) and no deadline (a slow machine is not a
# failure). Locally: random examples, still no deadline. HYPOTHESIS_PROFILE overrides.
settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
