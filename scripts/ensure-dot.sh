#!/usr/bin/env bash
# Graphviz's `dot` renders the computation graphs. Install it with apt-get when it is
# missing (through sudo only when not root); otherwise say in one line how to get it.
set -u
command -v dot >/dev/null 2>&1 && exit 0

how="install Graphviz: 'sudo apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS) or 'conda install -c conda-forge graphviz'"
problem="Graphviz's 'dot' is missing"
"$(dirname "$0")/apt-install.sh" "$problem" "$how" graphviz || exit 1
command -v dot >/dev/null 2>&1 && exit 0
echo "$problem after installing graphviz: $how" >&2
exit 1
