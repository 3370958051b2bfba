"""The live page's front end as one ES module, for hosts that load a single module.

The app serves `nn/live/static/*.js` and `autograd/static/graph_view.js` as separate ES
modules. A notebook widget (anywidget's `_esm`) gets one module's text instead, which
cannot import its neighbours by a relative path; `bundle()` is then those same files
joined in dependency order, their relative imports dropped (the names they import are
defined above them) and their `export`s kept, so `mount` is exported as in `ui.js`.
No build tool: the files are the source, read as they ship.
"""

from __future__ import annotations

import re
from pathlib import Path

import autograd

STATIC = Path(__file__).parent / "static"
# Each module after the ones it imports.
MODULES = (
    Path(autograd.__file__).parent / "static" / "graph_view.js",
    STATIC / "draw.js",
    STATIC / "ui.js",
)
# `import { a, b } from "./x.js";`, over one line or several.
_RELATIVE_IMPORT = re.compile(r'^import\s*\{[^}]*\}\s*from\s*"\./[^"]*";\n', re.M)


def bundle() -> str:
    """graph_view.js, draw.js and ui.js as one module that exports `mount`."""
    parts = []
    for path in MODULES:
        text = path.read_text(encoding="utf-8")
        parts.append(f"// --- {path.name} ---\n" + _RELATIVE_IMPORT.sub("", text))
    return "\n".join(parts)


def css() -> str:
    """The page's stylesheet (every rule is scoped under `.nn-live`)."""
    return (STATIC / "live.css").read_text(encoding="utf-8")
