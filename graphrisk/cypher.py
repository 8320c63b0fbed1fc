"""The Cypher library: every statement graphrisk runs lives in ``cypher/`` and is loaded by name.

Names are paths below ``cypher/`` without the ``.cypher`` suffix, e.g.
``"schema"`` or ``"load/node_person"``. The directory is found beside the
package (a source checkout or editable install) or inside it (a wheel, where
it is packed as ``graphrisk/_cypher``), never relative to the working directory.

>>> "MERGE (n:Person" in cypher_text("load/node_person")
True
>>> len(statements("schema")) > 10
True
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from graphrisk.errors import UsageError

__all__ = ["cypher_dir", "cypher_text", "parameters_used", "query_names", "statements"]

_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT_RE = re.compile(r"//[^\n]*")


@cache
def cypher_dir() -> Path:
    """The directory holding the ``.cypher`` files."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_cypher", package.parent / "cypher"):
        if (candidate / "schema.cypher").is_file():
            return candidate
    raise FileNotFoundError("the cypher/ directory is missing from this installation of graphrisk")


@cache
def cypher_text(name: str) -> str:
    """The text of the Cypher file called ``name`` (e.g. ``"load/node_person"``)."""
    path = cypher_dir() / f"{name}.cypher"
    if not path.is_file():
        raise UsageError(f"no Cypher statement named {name!r} (looked for {path})")
    text = path.read_text(encoding="utf-8")
    if not strip_comments(text).strip():
        raise UsageError(f"the Cypher file {name!r} holds no statement")
    return text


def strip_comments(text: str) -> str:
    """Cypher text without ``//`` line comments (our files keep no ``//`` inside strings)."""
    return _COMMENT_RE.sub("", text)


def statements(name: str) -> list[str]:
    """The ``;``-separated statements of a file, comments removed, empty ones dropped."""
    body = strip_comments(cypher_text(name))
    return [s.strip() for s in body.split(";") if s.strip()]


def parameters_used(text: str) -> set[str]:
    """The ``$parameters`` a statement uses."""
    return set(_PARAM_RE.findall(strip_comments(text)))


def query_names(prefix: str = "") -> list[str]:
    """Names of all Cypher files below ``prefix`` (e.g. ``"load/"``), sorted."""
    root = cypher_dir()
    return sorted(
        p.relative_to(root).with_suffix("").as_posix()
        for p in root.rglob("*.cypher")
        if p.relative_to(root).as_posix().startswith(prefix)
    )
