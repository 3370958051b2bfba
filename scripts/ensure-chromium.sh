#!/usr/bin/env bash
# Chromium runs the replay page's browser test (tests/test_replay_browser.py). Install
# Debian's package with apt-get when it is missing (through sudo only when not root);
# otherwise say in one line how to get it. Playwright drives it; it never downloads a
# browser of its own.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
[ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ] && exit 0  # the test's own override

how="install Chromium ('sudo apt-get install chromium' on Debian/Ubuntu), or set CHROMIUM to a Chromium or Chrome executable (pytest alone skips the browser test without one)"
problem="Chromium is missing"
"$(dirname "$0")/apt-install.sh" "$problem" "$how" chromium || exit 1
command -v chromium >/dev/null 2>&1 && exit 0
echo "$problem after installing chromium: $how" >&2
exit 1
