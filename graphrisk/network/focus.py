"""The focused subgraph: the part of the population graph that lies between police and crime.

The whole graph (every person the systems know, every relation) is large and
almost all of it is irrelevant to whether an employee sits between the police
and a criminal organisation. The focused subgraph keeps the persons on short
relation paths between an employee's own person record and a member of a
criminal organisation, the organisations and the cases against them, the
employees with their units, and the employees' unjustified look-ups of those
persons. Network measures are computed on it alone.

Node names are prefixed strings: ``E:`` employee, ``U:`` unit, ``P:`` person,
``O:`` organisation, ``C:`` case; every node has a ``kind`` attribute and every
edge a ``kind`` and a ``weight``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse

from graphrisk.frames import isin

__all__ = ["DEFAULT_HOPS", "focused_subgraph", "relation_distances"]

#: The longest relation path (in person-to-person hops) between an employee and a member kept.
DEFAULT_HOPS = 3


def relation_distances(edges: pd.DataFrame, sources, max_hops: int) -> pd.Series:
    """Breadth-first distances (in edges) from the nearest of ``sources``, up to ``max_hops``.

    Parameters
    ----------
    edges : frame with columns ``a`` and ``b``; read as undirected.
    sources : node names at distance 0.
    max_hops : nodes further away are left out.

    Returns
    -------
    Series of int indexed by node name, sorted by name.

    Examples
    --------
    >>> e = pd.DataFrame({"a": ["x", "y", "z"], "b": ["y", "z", "w"]})
    >>> relation_distances(e, ["x"], 2).to_dict()
    {'x': 0, 'y': 1, 'z': 2}
    """
    sources = pd.unique(pd.Series(list(sources), dtype=object))
    names, a, b = _coded(edges["a"], edges["b"], sources)
    dist = _distances(a, b, len(names), names.get_indexer(sources), max_hops)
    reached = dist >= 0
    return pd.Series(dist[reached], index=names[reached], dtype=int).sort_index()


def focused_subgraph(
    employees: pd.DataFrame,
    relations: pd.DataFrame,
    memberships: pd.DataFrame,
    case_subjects: pd.DataFrame | None = None,
    lookups: pd.DataFrame | None = None,
    *,
    hops: int = DEFAULT_HOPS,
) -> nx.Graph:
    """Build the focused subgraph between employees and criminal organisations.

    Parameters
    ----------
    employees : ``employee_id``, ``person_id``, ``unit_id``.
    relations : ``person_id``, ``other_person_id`` (undirected; parallel kinds merge).
    memberships : ``person_id``, ``organisation_id``.
    case_subjects : ``case_id``, ``person_id``, ``role``; the cases with a member as
        suspect join the graph, linked to their subjects.
    lookups : ``employee_id``, ``person_id``, ``weight``: unjustified look-ups; those
        of persons in the graph less than ``hops`` steps from a member become
        ``ACCESSED`` edges.
    hops : a person is kept when the relation distance to the nearest employee's
        own person plus that to the nearest member is at most ``hops``.

    Returns
    -------
    networkx.Graph
        Undirected; an employee always has its unit and own person, and each
        organisation its members, even when they are far from everything else.

    Notes
    -----
    Distances count person-to-person relations and person-case-person steps
    through a case against an organisation. A person :math:`p` is kept when
    :math:`d_{\\mathrm{emp}}(p) + d_{\\mathrm{crime}}(p) \\le k`: exactly the
    persons on some path of at most :math:`k` steps from an employee's own
    person to a member. Edge weights: 1 for ties, memberships and case links;
    ``weight`` for look-ups.

    Examples
    --------
    >>> emp = pd.DataFrame({"employee_id": ["E1"], "person_id": ["P1"], "unit_id": ["U1"]})
    >>> rel = pd.DataFrame({"person_id": ["P1", "P2", "P9"], "other_person_id": ["P2", "P3", "P8"]})
    >>> mem = pd.DataFrame({"person_id": ["P3"], "organisation_id": ["O1"]})
    >>> sorted(focused_subgraph(emp, rel, mem, hops=2))
    ['E:E1', 'O:O1', 'P:P1', 'P:P2', 'P:P3', 'U:U1']
    """
    g = nx.Graph()
    mem = memberships[["person_id", "organisation_id"]].drop_duplicates()
    own = "P:" + employees["person_id"].astype(str)
    members = "P:" + mem["person_id"].astype(str)
    # the distances on integer codes: the relation graph has millions of persons, the kept part a few
    # hundred thousand, so names are made (and sorted) only for the edges that stay
    sources = np.concatenate([own.str[2:].to_numpy(dtype=object), members.str[2:].to_numpy(dtype=object)])
    names, a, b, kind, coded = _steps(relations, case_subjects, mem, sources)
    own_codes, member_codes = coded[: len(own)], coded[len(own) :]
    d_emp = _distances(a, b, len(names), own_codes, hops)
    d_crime = _distances(a, b, len(names), member_codes, hops)
    kept = (d_emp >= 0) & (d_crime >= 0) & (d_emp + d_crime <= hops)
    kept[coded] = True
    inside = kept[a] & kept[b]
    ends = names.to_numpy()[a[inside]], names.to_numpy()[b[inside]]
    # each step from its smaller name to its larger: the order in which they join the graph below
    steps = pd.DataFrame(
        {"a": np.minimum(*ends), "b": np.maximum(*ends), "kind": np.asarray(_KINDS)[kind[inside]]}
    )

    for row in employees.sort_values("employee_id").itertuples(index=False):
        e, p, u = f"E:{row.employee_id}", f"P:{row.person_id}", f"U:{row.unit_id}"
        g.add_node(e, kind="employee")
        g.add_node(u, kind="unit")
        g.add_node(p, kind="person")
        g.add_edge(e, u, kind="WORKS_IN", weight=1.0)
        g.add_edge(e, p, kind="IS_PERSON", weight=1.0)
    for row in mem.sort_values(["organisation_id", "person_id"]).itertuples(index=False):
        g.add_node(f"O:{row.organisation_id}", kind="organisation")
        g.add_node(f"P:{row.person_id}", kind="person")
        g.add_edge(f"P:{row.person_id}", f"O:{row.organisation_id}", kind="MEMBER_OF", weight=1.0)
    inside = steps.sort_values(["a", "b"])
    for a, b, kind in inside[["a", "b", "kind"]].itertuples(index=False):
        for node in (a, b):
            if node not in g:
                g.add_node(node, kind="case" if node.startswith("C:") else "person")
        g.add_edge(a, b, kind=kind, weight=1.0)
    if lookups is not None and len(lookups):
        near_crime = set(names[(d_crime >= 0) & (d_crime < hops)]) & set(g.nodes)
        look = lookups.assign(p="P:" + lookups["person_id"].astype(str))
        look = look[isin(look["p"], near_crime)]
        look = look.groupby(["employee_id", "p"], sort=True)["weight"].sum().reset_index()
        for emp_id, p, w in look.itertuples(index=False):
            e = f"E:{emp_id}"
            if e in g and not g.has_edge(e, p):
                g.add_edge(e, p, kind="ACCESSED", weight=float(w))
    return g


# ---------------------------------------------------------------- helpers


#: The kinds of relation steps, by their code in :func:`_steps`.
_KINDS = ("RELATED_TO", "SUBJECT_OF")


def _steps(
    relations: pd.DataFrame, case_subjects: pd.DataFrame | None, mem: pd.DataFrame, sources: np.ndarray
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The relation steps (person-person, each pair once, and subject-case of the cases against a
    member) as integer codes: the node ``names`` (``P:``/``C:`` ids), both ends of each step, its
    kind (an index into :data:`_KINDS`) and the codes of the person ids ``sources``."""
    x = relations["person_id"].to_numpy(dtype=object)
    y = relations["other_person_id"].to_numpy(dtype=object)
    cases = _case_edges(case_subjects, mem)
    subjects = cases["b"].str[2:].to_numpy(dtype=object)
    # one factorisation of every person id (no look-up in an index of millions of names afterwards)
    codes, persons = pd.factorize(np.concatenate([x, y, subjects, sources]))
    m, k = len(x), len(subjects)
    a, b = codes[:m].astype(np.int64), codes[m : 2 * m].astype(np.int64)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    # each unordered pair once (the relation kinds merge), no self-loops
    once = ~pd.Series(lo * np.int64(max(len(persons), 1)) + hi).duplicated().to_numpy() & (lo != hi)
    case_codes, case_names = pd.factorize(cases["a"].to_numpy(dtype=object))
    names = ("P:" + pd.Index(persons, dtype=object)).append(pd.Index(case_names, dtype=object))
    a = np.concatenate([lo[once], case_codes.astype(np.int64) + len(persons)])
    b = np.concatenate([hi[once], codes[2 * m : 2 * m + k].astype(np.int64)])
    kind = np.concatenate([np.zeros(int(once.sum()), dtype=np.int64), np.ones(k, dtype=np.int64)])
    return names, a, b, kind, codes[2 * m + k :].astype(np.int64)


def _coded(a: pd.Series, b: pd.Series, sources) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Edge ends as integer codes into ``names``, which holds every end and every source."""
    ends = np.concatenate(
        [a.to_numpy(dtype=object), b.to_numpy(dtype=object), np.asarray(sources, dtype=object)]
    )
    codes, uniques = pd.factorize(ends)
    n = len(a)
    return pd.Index(uniques, dtype=object), codes[:n].astype(np.int64), codes[n : 2 * n].astype(np.int64)


def _distances(a: np.ndarray, b: np.ndarray, n: int, sources: np.ndarray, max_hops: int) -> np.ndarray:
    """Breadth-first distances over the undirected edges ``a``-``b`` of nodes ``0..n-1`` from the
    nearest of ``sources``, up to ``max_hops``; -1 where farther or unreached."""
    adjacency = scipy.sparse.csr_array(
        (np.ones(2 * len(a), dtype=np.int8), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n)
    )
    dist = np.full(n, -1, dtype=np.int64)
    frontier = sources[sources >= 0]
    dist[frontier] = 0
    for hop in range(1, max_hops + 1):
        if not len(frontier):
            break
        reached = np.zeros(n, dtype=bool)
        reached[adjacency[frontier].indices] = True
        frontier = np.flatnonzero(reached & (dist < 0))
        dist[frontier] = hop
    return dist


def _case_edges(case_subjects: pd.DataFrame | None, mem: pd.DataFrame) -> pd.DataFrame:
    """Subject-case edges of the cases with a member of an organisation as suspect."""
    empty = pd.DataFrame({"a": pd.Series(dtype=object), "b": pd.Series(dtype=object), "kind": []})
    if case_subjects is None or case_subjects.empty or mem.empty:
        return empty
    subj = case_subjects[["case_id", "person_id", "role"]]
    suspect = (subj["role"] == "suspect").to_numpy()
    against = subj[suspect & isin(subj["person_id"], mem["person_id"])]["case_id"]
    s = subj[isin(subj["case_id"], set(against))].drop_duplicates(["case_id", "person_id"])
    out = pd.DataFrame({"a": "C:" + s["case_id"].astype(str), "b": "P:" + s["person_id"].astype(str)})
    return out.assign(kind="SUBJECT_OF").reset_index(drop=True)
