"""A page with one interactive graph: what ``graphrisk export ... --out FILE.html`` writes."""

from __future__ import annotations

import networkx as nx

from graphrisk.reports.html import esc, fill, page, template

__all__ = ["GRAPH_SCRIPTS", "cytoscape_elements", "graph_page", "graph_section"]

#: The scripts a page with a graph needs, in order.
GRAPH_SCRIPTS = ("cytoscape.min.js", "graph.js")


def graph_section(prefix: str, heading: str, notes: list[str]) -> str:
    """The HTML of a graph with its tools (layout, search, fit, legend, hover details)."""
    note_html = "".join(f'<p class="notice warn">{esc(n)}</p>' for n in notes)
    return fill(template("graph_section.html"), prefix=prefix, heading=esc(heading), notes=note_html)


def graph_page(graph: nx.MultiDiGraph, *, title: str, notes: list[str], centre: str | None = None) -> str:
    """A self-contained page drawing ``graph``."""
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    body = (
        f'<header class="top"><h1>{esc(title)}</h1><div class="sub">{n:,} nodes, {m:,} relationships'
        "</div></header><main>" + graph_section("graph", "Network", notes) + "</main>"
    )
    data = {"centre": centre, "elements": cytoscape_elements(graph)}
    return page(title, body, data=data, scripts=(*GRAPH_SCRIPTS, "graph_page.js"))


def cytoscape_elements(graph: nx.MultiDiGraph, *, highlight: set[str] | frozenset = frozenset()) -> dict:
    """Nodes and edges as Cytoscape.js element data; nodes in ``highlight`` get ``finding: true``.

    The one form every graph drawing takes (this page, the dossier, the workspace, ``.json``
    exports); here, beside the page that draws it, so that exports depend on reports and not back.

    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("Employee:E1", "Person:P1", type="IS_PERSON")
    0
    >>> cytoscape_elements(g, highlight={"Person:P1"})["nodes"][1]
    {'data': {'id': 'Person:P1', 'finding': True}}
    """
    nodes = []
    for n, d in graph.nodes(data=True):
        data = {**d, "id": n}
        if n in highlight:
            data["finding"] = True
        nodes.append({"data": data})
    edges = []
    for i, (u, v, d) in enumerate(graph.edges(data=True)):
        edges.append({"data": {**d, "id": f"e{i}", "source": u, "target": v}})
    return {"nodes": nodes, "edges": edges}
