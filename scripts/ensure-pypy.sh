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
if [ "$pypy" = pypy3 ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "$problem and apt-get needs root (no password-less sudo here): $how" >&2
    exit 1
  fi
  echo "$problem: installing pypy3 and pypy3-venv with apt-get..."
  export DEBIAN_FRONTEND=noninteractive
  if $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq pypy3 pypy3-venv >/dev/null; then
    usable && exit 0
  fi
fi
echo "$problem and could not be installed here: $how" >&2
exit 1
