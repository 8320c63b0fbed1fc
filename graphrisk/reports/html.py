"""Self-contained HTML pages: templates, the vendored JavaScript, data as embedded JSON.

A page needs nothing from the network: Cytoscape.js (the graph: layout, zoom, drag) and
Chart.js (the charts) are copied from their npm packages into ``vendor/`` with their
licences, and inlined. Templates in ``templates/`` hold ``{{ name }}`` slots, filled by
:func:`fill`; data reaches the page's scripts as JSON in a ``<script type="application/json">``.

Every page records its own JavaScript errors and console errors and warnings into
``#graphrisk-errors`` and, when drawn, its node count into ``#graphrisk-status``, so a test
with a headless browser can read both from the DOM.
"""

from __future__ import annotations

import getpass
import html
import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from graphrisk import __version__

__all__ = ["esc", "fill", "json_script", "page", "template", "vendor"]

HERE = Path(__file__).resolve().parent
_SLOT = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


@cache
def vendor(name: str) -> str:
    """A vendored JavaScript file, safe to put inside ``<script>``."""
    text = (HERE / "vendor" / name).read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script")


@cache
def template(name: str) -> str:
    return (HERE / "templates" / name).read_text(encoding="utf-8")


def fill(text: str, **values: str) -> str:
    """Fill every ``{{ name }}`` slot of ``text``; a slot without a value, or the reverse, is a bug.

    >>> fill("<h1>{{ title }}</h1>", title="x")
    '<h1>x</h1>'
    """
    slots = set(_SLOT.findall(text))
    if slots != set(values):
        raise KeyError(f"template slots {sorted(slots)} but values for {sorted(values)}")
    return _SLOT.sub(lambda m: values[m.group(1)], text)


def esc(value) -> str:
    """Text for HTML (``None`` is empty)."""
    return "" if value is None else html.escape(str(value))


def json_script(element_id: str, payload) -> str:
    """``payload`` as a JSON data block the page's scripts read with ``JSON.parse``."""
    text = json.dumps(payload, ensure_ascii=False, default=str, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def page(title: str, body: str, *, data: dict, scripts: tuple[str, ...], source: str = "") -> str:
    """A whole page: the shared style, ``body``, ``data`` as JSON and the scripts (vendored or ours).

    The HTML choke point: while a command runs pseudonymised, the title, body and data are
    redacted here (employee ids to pseudonyms), before the vendored scripts are added.
    """
    from graphrisk.privacy.redact import active

    redactor = active()
    if redactor is not None:
        title, body, data = redactor.text(title), redactor.text(body), redactor.value(data)
    inline = []
    for name in scripts:
        text = vendor(name) if (HERE / "vendor" / name).is_file() else template(name)
        inline.append(f"<script>\n{text}\n</script>")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    footer = (
        f"Generated {esc(generated)} by {esc(_user())} with graphrisk {esc(__version__)}"
        + (f" from {esc(source)}" if source else "")
        + ". Scores and findings are for triage by people, not verdicts; they flag behaviour "
        "(look-ups), never identity or acquaintance. This page is confidential monitoring data: "
        "share it only with those who need it."
    )
    return fill(
        template("page.html"),
        title=esc(title),
        style=template("style.css"),
        capture=template("capture.js"),
        body=body,
        footer=footer,
        data=json_script("graphrisk-data", data),
        scripts="\n".join(inline),
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container
        return "unknown user"
