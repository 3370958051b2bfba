#!/usr/bin/env bash
# Graphviz's `dot` renders the computation graphs. Install it with apt-get when it is
# missing (through sudo only when not root); otherwise say in one line how to get it.
set -u
command -v dot >/dev/null 2>&1 && exit 0

how="install Graphviz: 'sudo apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS) or 'conda install -c conda-forge graphviz'"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "Graphviz's 'dot' is missing and apt-get needs root (no password-less sudo here): $how" >&2
    exit 1
  fi
  echo "Graphviz's 'dot' is missing: installing it with apt-get..."
  export DEBIAN_FRONTEND=noninteractive
  if $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq graphviz >/dev/null; then
    command -v dot >/dev/null 2>&1 && exit 0
  fi
fi
echo "Graphviz's 'dot' is missing and could not be installed here: $how" >&2
exit 1
