#!/usr/bin/env bash
# Chromium runs the replay page's browser test (tests/test_replay_browser.py). Install
# Debian's package with apt-get when it is missing (through sudo only when not root);
# otherwise say in one line how to get it. Playwright drives it; it never downloads a
# browser of its own.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
[ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ] && exit 0  # the test's own override

how="install Chromium ('sudo apt-get install chromium' on Debian/Ubuntu), or set CHROMIUM to a Chromium or Chrome executable (pytest alone skips the browser test without one)"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "Chromium is missing and apt-get needs root (no password-less sudo here): $how" >&2
    exit 1
  fi
  echo "Chromium is missing: installing it with apt-get..."
  export DEBIAN_FRONTEND=noninteractive
  if $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq chromium >/dev/null; then
    command -v chromium >/dev/null 2>&1 && exit 0
  fi
fi
echo "Chromium is missing and could not be installed here: $how" >&2
exit 1
