#!/usr/bin/env bash
# `make dist-check`: what a user gets from PyPI. Build the wheel and the sdist, check their
# metadata with twine, install the wheel (no extras) into a fresh virtual environment, import
# both packages from there and run the README's first example with it, outside the checkout;
# `python -m nn.demo` there must stop at once, naming the extra it needs.
# Usage: scripts/dist-check.sh BUILD_PYTHON FRESH_PYTHON
set -euo pipefail
build_python=$1 fresh_python=$2
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$build_python" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; echo "dist-check: python -m build failed" >&2; exit 1; }
"$build_python" -m twine check --strict "$work"/dist/*
wheel=$(ls "$work"/dist/*.whl)
tar -tzf "$work"/dist/*.tar.gz >"$work/sdist.txt"
grep -q '/docs/api.md$' "$work/sdist.txt" ||
  { echo "dist-check: the sdist lacks docs/api.md" >&2; exit 1; }

"$fresh_python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --quiet "$wheel"
# The README's first python block, run from an empty folder so that nothing of the checkout
# can be imported in place of the installed wheel.
"$build_python" - "$work/first_example.py" <<'PY'
import re, sys
readme = open("README.md", encoding="utf-8").read()
first = re.search(r"^```python\n(.*?)^```", readme, re.S | re.M).group(1)
open(sys.argv[1], "w", encoding="utf-8").write(first)
PY
mkdir "$work/empty"
(cd "$work/empty" && "$work/venv/bin/python" - <<'PY'
import autograd, nn, os, sys
for module in (autograd, nn):
    assert module.__file__.startswith(sys.prefix), f"{module.__name__} from {module.__file__}"
print(f"dist-check: import autograd, nn: from {os.path.dirname(os.path.dirname(autograd.__file__))}")
PY
)
(cd "$work/empty" && "$work/venv/bin/python" "$work/first_example.py")
# Without extras, the demo stops before any work and names the extra that it needs.
if (cd "$work/empty" && "$work/venv/bin/python" -m nn.demo >"$work/demo.log" 2>&1); then
  echo "dist-check: python -m nn.demo ran without matplotlib; expected it to name [demo]" >&2; exit 1
fi
grep -q "pip install 'backprop-lens\[demo\]'" "$work/demo.log" ||
  { cat "$work/demo.log" >&2; echo "dist-check: nn.demo's error does not name the [demo] extra" >&2; exit 1; }
test ! -e "$work/empty/out" || { echo "dist-check: nn.demo wrote out/ before failing" >&2; exit 1; }
echo "dist-check: $(basename "$wheel") and the sdist build and pass twine check; the wheel installs,"
echo "dist-check: runs the README's first example, and its demo asks for the [demo] extra"
