"""Writing a neighbourhood or a set of paths for other tools: Gephi, Cytoscape, yEd, a spreadsheet, a browser.

The format follows the file name's ending:

``.graphml``  GraphML (yEd, Gephi, Cytoscape desktop, networkx)
``.gexf``     GEXF (Gephi)
``.json``     Cytoscape.js elements (``{"elements": {"nodes": [...], "edges": [...]}}``) for web tools
``.csv``      an edge list: one row per relationship, with both ends' type and name
``.html``     one self-contained page with the interactive graph (no network access needed)

Every node carries ``type`` (its label), ``key`` (its id), ``label`` (a display name) and its
properties; every edge ``type`` and its properties. Collapsed groups are nodes of type
``Collapsed`` with a ``count``.

A character XML 1.0 cannot hold (a control character such as NUL; ``load`` refuses them, but a
store loaded by an older version may still have one) is written into GraphML and GEXF as the
visible text ``\\x00``, so the file stays valid XML; the CSV edge list neutralises spreadsheet
formulas (:mod:`graphrisk.outputs`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pandas as pd

from graphrisk.errors import UsageError
from graphrisk.outputs import write_csv, written
from graphrisk.reports.graph_page import cytoscape_elements, graph_page

__all__ = ["FORMATS", "cytoscape_elements", "edge_list", "write_graph"]

FORMATS = (".graphml", ".gexf", ".json", ".csv", ".html")


def write_graph(
    graph: nx.MultiDiGraph, path: str | Path, *, title: str = "graphrisk", notes=(), centre: str | None = None
) -> Path:
    """Write ``graph`` to ``path`` in the format its ending names (see the module docstring)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"{path}: export as {', '.join(FORMATS)} (chosen by the file name's ending)")
    from graphrisk.privacy.redact import active

    redactor = active()
    if redactor is not None:  # the graph files' choke point: node ids, keys, labels and properties
        graph = redactor.graph(graph)
        title, notes = redactor.text(title), [redactor.text(n) for n in notes]
        centre = redactor.text(centre) if centre is not None else None
    suffix = path.suffix.lower()
    page = None
    if suffix == ".html":  # built before the file is opened: its errors are not the output's
        page = graph_page(graph, title=title, notes=list(notes), centre=centre)
    with written(path) as tmp:
        if suffix == ".graphml":
            nx.write_graphml(_scalar(graph), tmp, named_key_ids=True)
        elif suffix == ".gexf":
            nx.write_gexf(_scalar(graph), tmp)
        elif suffix == ".json":
            payload = {
                "title": title,
                "centre": centre,
                "notes": list(notes),
                "elements": cytoscape_elements(graph),
            }
            tmp.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        elif suffix == ".csv":
            write_csv(edge_list(graph), tmp)
        else:
            tmp.write_text(page, encoding="utf-8")
    return path


def edge_list(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """One row per edge: both ends (id, type, name), the relationship type, then its properties."""
    rows = []
    for u, v, d in graph.edges(data=True):
        su, sv = graph.nodes[u], graph.nodes[v]
        row = {
            "source": u,
            "source_type": su.get("type"),
            "source_label": su.get("label"),
            "type": d.get("type"),
            "target": v,
            "target_type": sv.get("type"),
            "target_label": sv.get("label"),
        }
        row.update({k: x for k, x in d.items() if k not in ("type", "label")})
        rows.append(row)
    columns = ["source", "source_type", "source_label", "type", "target", "target_type", "target_label"]
    frame = pd.DataFrame(rows, columns=None if rows else columns)
    extra = sorted(c for c in frame.columns if c not in columns)
    return frame[columns + extra]


def _scalar(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose ids and attribute values are str, int, float or bool (GraphML and GEXF need it),
    every text valid in XML 1.0."""
    out = nx.MultiDiGraph()
    for n, d in graph.nodes(data=True):
        out.add_node(_xml_text(n), **{k: _value(v) for k, v in d.items() if v is not None})
    for u, v, k, d in graph.edges(keys=True, data=True):
        out.add_edge(
            _xml_text(u), _xml_text(v), key=k, **{a: _value(x) for a, x in d.items() if x is not None}
        )
    return out


def _value(value):
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return _xml_text("; ".join(str(v) for v in value))
    return _xml_text(str(value))


# what XML 1.0 cannot hold: C0 controls but tab, newline and carriage return; lone surrogates;
# U+FFFE and U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value):
    r"""``value`` with each character XML cannot hold written as a visible escape.

    >>> print(_xml_text("Anna\x00de Vries\x1b"))
    Anna\x00de Vries\x1b
    >>> _xml_text(7)
    7
    """
    if not isinstance(value, str):
        return value
    return _NOT_XML.sub(_escape, value)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
