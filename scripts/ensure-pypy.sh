#!/usr/bin/env bash
# `make test-pypy` and `make bench` run the project on PyPy too. Check that the PyPy
# interpreter given as $1 (default pypy3) exists, is PyPy for Python 3.9 or newer, and
# can make a virtual environment; when not, install Debian's pypy3 and pypy3-venv (its
# venv/ensurepip, which Debian ships apart) with apt-get (through sudo only when not
# root); otherwise say in one line how to get it.
set -u
pypy="${1:-pypy3}"

usable() {
  command -v "$pypy" >/dev/null 2>&1 &&
    "$pypy" -c 'import sys, venv, ensurepip
sys.exit(sys.implementation.name != "pypy" or sys.version_info < (3, 9))' >/dev/null 2>&1
}
usable && exit 0

how="install PyPy 3.9 or newer with venv: 'sudo apt-get install pypy3 pypy3-venv' (Debian/Ubuntu), or from https://www.pypy.org/download.html; or name one with 'make PYPY=/path/to/pypy3 ...'"
if command -v "$pypy" >/dev/null 2>&1; then
  problem="'$pypy' is not PyPy for Python 3.9 or newer with venv and ensurepip"
else
  problem="PyPy ('$pypy') is missing"
fi
# Only Debian's own pypy3 is installed; a PyPy named by path is the user's to provide.
if [ "$pypy" = pypy3 ]; then
  "$(dirname "$0")/apt-install.sh" "$problem" "$how" pypy3 pypy3-venv || exit 1
  usable && exit 0
fi
echo "$problem and could not be installed here: $how" >&2
exit 1
