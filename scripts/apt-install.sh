#!/usr/bin/env bash
# Install Debian packages for the front door's ensure-* scripts, the same way for each:
# apt-get, through sudo only when not root. On failure, one line on stderr that says what
# is missing ($1) and how to get it ($2), and exit 1.
#   scripts/apt-install.sh "Graphviz's 'dot' is missing" "install Graphviz: ..." graphviz
set -u
problem="$1"
how="$2"
shift 2

if ! command -v apt-get >/dev/null 2>&1; then
  echo "$problem and could not be installed here: $how" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "$problem and apt-get needs root (no password-less sudo here): $how" >&2
  exit 1
fi
echo "$problem: installing $* with apt-get..."
export DEBIAN_FRONTEND=noninteractive
if $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq "$@" >/dev/null; then
  exit 0
fi
echo "$problem and could not be installed here: $how" >&2
exit 1
