"""Every evidence path is true: each of its steps is in the store the findings came from.

The findings of every rule, on both engines, are walked step by step: each node must exist with
its label and id, and each relationship must exist with its type (and kind or role, when the
step names one) between the two nodes around it, in the stated direction (``TYPE`` forwards,
``TYPE<-`` or ``<-TYPE`` backwards), or either way for the undirected ``RELATED_TO``. The embedded
side is checked against the graph its tables define (graphrisk/graph.py), Neo4j with Cypher. The
Neo4j side runs in test_conformance.py's test of both engines, which loads the same data sets into
Neo4j and detects there anyway (a second load and detection here would double the cost).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest

from graphrisk.graph import NODE_BY_LABEL, NODES, RELATIONSHIPS, node_rows, rel_rows, with_synthetic_ids
from graphrisk.ingest import read_dataset
from graphrisk.rules import RULES, detect
from graphrisk.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "datasets" / "sample"

#: the relationship property a step may name after a colon (RELATED_TO:partner, SUBJECT_OF:suspect)
PROPERTY = {"RELATED_TO": "kind", "SUBJECT_OF": "role"}
UNDIRECTED = {"RELATED_TO"}
RELATIONSHIP_TYPES = {r.type for r in RELATIONSHIPS}

Node = tuple[str, str]  # (label, id)
Rel = tuple[str, Node, Node, str | None]  # (type, start, end, property value or None)


def parse(evidence: str) -> tuple[list[Node], list[Rel]]:
    """The nodes and the relationships (start and end as stored) of one evidence path."""
    steps = json.loads(evidence)
    assert len(steps) % 2 == 1, steps
    nodes = [tuple(s) for s in steps[0::2]]
    assert all(len(n) == 2 and isinstance(n[1], str) for n in nodes), steps
    rels = []
    for before, step, after in zip(nodes[:-1], steps[1::2], nodes[1:], strict=True):
        assert isinstance(step, str), steps
        backwards = step.startswith("<-") or step.endswith("<-")
        name = step.removeprefix("<-").removesuffix("<-")
        rel_type, _, value = name.partition(":")
        assert rel_type in RELATIONSHIP_TYPES, f"{step!r} is not a relationship type: {steps}"
        assert not value or rel_type in PROPERTY, f"{step!r} names a property {rel_type} lacks"
        start, end = (after, before) if backwards else (before, after)
        rels.append((rel_type, start, end, value or None))
    return nodes, rels


# ---------------------------------------------------------------- the graph of the embedded tables


class TableGraph:
    """Nodes and relationships as graphrisk/graph.py builds them from a store's tables."""

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        tables = {name: with_synthetic_ids(name, frame) for name, frame in tables.items()}
        self.nodes: set[Node] = set()
        for spec in NODES:
            if spec.table in tables:
                ids = node_rows(spec, tables[spec.table])[spec.key].dropna()
                self.nodes |= {(spec.label, str(i)) for i in ids}
        self.rels: dict[tuple[str, Node, Node], set] = defaultdict(set)
        for spec in RELATIONSHIPS:
            if spec.table not in tables:
                continue
            rows = rel_rows(spec, tables[spec.table])
            prop = PROPERTY.get(spec.type)
            values = rows[prop] if prop else pd.Series(None, index=rows.index, dtype=object)
            for s, e, v in zip(rows[spec.start_column], rows[spec.end_column], values, strict=True):
                start, end = (spec.start, str(s)), (spec.end, str(e))
                if start in self.nodes and end in self.nodes:  # created only where both ends exist
                    self.rels[(spec.type, start, end)].add(v)

    def existing_nodes(self, nodes: set[Node]) -> set[Node]:
        return nodes & self.nodes

    def existing_rels(self, rels: set[Rel]) -> set[Rel]:
        out = set()
        for rel in rels:
            rel_type, start, end, value = rel
            ways = [(start, end), (end, start)] if rel_type in UNDIRECTED else [(start, end)]
            for a, b in ways:
                found = self.rels.get((rel_type, a, b))
                if found is not None and (value is None or value in found):
                    out.add(rel)
        return out


# ---------------------------------------------------------------- the graph in Neo4j


class Neo4jGraph:
    """The same questions, asked of the Neo4j server in batches."""

    def __init__(self, store) -> None:
        self.store = store

    def existing_nodes(self, nodes: set[Node]) -> set[Node]:
        by_label = defaultdict(list)
        for label, key in nodes:
            by_label[label].append(key)
        out = set()
        for label, keys in by_label.items():
            if label not in NODE_BY_LABEL:
                continue
            prop = NODE_BY_LABEL[label].key
            found = self.store.read_text(
                f"UNWIND $keys AS key MATCH (n:`{label}` {{`{prop}`: key}}) RETURN DISTINCT key",
                {"keys": keys},
            )
            out |= {(label, k) for k in found.get("key", [])}
        return out

    def existing_rels(self, rels: set[Rel]) -> set[Rel]:
        groups = defaultdict(list)
        for rel_type, start, end, value in rels:
            groups[(rel_type, start[0], end[0])].append({"s": start[1], "e": end[1], "v": value})
        out = set()
        for (rel_type, start_label, end_label), rows in groups.items():
            if start_label not in NODE_BY_LABEL or end_label not in NODE_BY_LABEL:
                continue
            arrow = "-" if rel_type in UNDIRECTED else "->"
            prop = PROPERTY.get(rel_type)
            where = f"WHERE row.v IS NULL OR r.`{prop}` = row.v" if prop else ""
            found = self.store.read_text(
                f"UNWIND $rows AS row "
                f"MATCH (a:`{start_label}` {{`{NODE_BY_LABEL[start_label].key}`: row.s}})"
                f"-[r:`{rel_type}`]{arrow}(b:`{end_label}` {{`{NODE_BY_LABEL[end_label].key}`: row.e}}) "
                f"{where} RETURN DISTINCT row.s AS s, row.e AS e, row.v AS v",
                {"rows": rows},
            )
            for s, e, v in zip(found.get("s", []), found.get("e", []), found.get("v", []), strict=True):
                out.add((rel_type, (start_label, s), (end_label, e), v if isinstance(v, str) else None))
        return out


# ---------------------------------------------------------------- the walk


def check(findings: pd.DataFrame, graph) -> tuple[Counter, list[str]]:
    """Walk every evidence path; return the steps checked per rule and what does not hold."""
    problems: list[str] = []
    counts: Counter = Counter()
    paths = []
    for f in findings.itertuples():
        nodes, rels = parse(f.evidence)
        paths.append((f, nodes, rels))
        counts[f.rule_id] += len(nodes) + len(rels)
        # the path is about this finding: its employee, access and target, and what it names
        target = (f.target_type.capitalize(), f.target_id)
        if nodes[:3] != [("Employee", f.employee_id), ("Access", f.access_ids[0]), target]:
            problems.append(f"{f.rule_id} {f.finding_id}: does not start at its access: {f.evidence}")
        named = [("Person", f.person_id), ("Case", f.case_id), ("Organisation", f.organisation_id)]
        for node in named:
            if isinstance(node[1], str) and node not in nodes:
                problems.append(f"{f.rule_id} {f.finding_id}: {node} is not on its path: {f.evidence}")
        ends_at_employee = nodes[-1] == ("Employee", f.employee_id)
        ends_at_employee = ends_at_employee and rels[-1] == ("IS_PERSON", nodes[-1], nodes[-2], None)
        if RULES[f.rule_id].evidence_kind in ("relation-path", "organisation") and not ends_at_employee:
            problems.append(f"{f.rule_id} {f.finding_id}: does not end at the employee: {f.evidence}")
    all_nodes = {n for _, nodes, _ in paths for n in nodes}
    all_rels = {r for _, _, rels in paths for r in rels}
    nodes_found = graph.existing_nodes(all_nodes)
    rels_found = graph.existing_rels(all_rels)
    for f, nodes, rels in paths:
        for n in nodes:
            if n not in nodes_found:
                problems.append(f"{f.rule_id} {f.finding_id}: no node {n}")
        for r in rels:
            if r not in rels_found:
                problems.append(f"{f.rule_id} {f.finding_id}: no relationship {r}")
    return counts, problems


def _report(counts: Counter, problems: list[str]) -> str:
    by_rule = Counter(p.split(" ", 1)[0] for p in problems)
    return f"{len(problems)} problems {dict(by_rule)} in {dict(counts)} steps; first: {problems[:5]}"


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    from graphrisk.generate import generate

    d = tmp_path_factory.mktemp("tiny1")
    generate(d, preset="tiny", seed=1)
    out = {"tiny-1": d}
    if SAMPLE.is_dir():
        out["sample"] = SAMPLE
    return out


def assert_true_paths(findings: pd.DataFrame, graph) -> None:
    counts, problems = check(findings, graph)
    assert not problems, _report(counts, problems)
    assert set(counts) == set(RULES), counts  # every rule found something whose path was walked


@pytest.mark.parametrize("name", ["tiny-1", "sample"])
def test_every_evidence_step_exists_in_the_embedded_store(name, datasets, tmp_path):
    if name not in datasets:
        pytest.skip("no committed sample")
    store = EmbeddedStore(tmp_path / "store")
    store.load(read_dataset(datasets[name]), replace=True)
    assert_true_paths(detect(store).findings, TableGraph(store.tables()))


def test_the_checker_catches_invented_steps(datasets, tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    store.load(read_dataset(datasets["tiny-1"]), replace=True)
    graph = TableGraph(store.tables())
    findings = detect(store, ["own-network"]).findings
    findings = findings[findings.evidence.map(lambda e: len(json.loads(e)) == 11)].head(1)  # two hops
    steps = json.loads(findings.evidence.iloc[0])
    assert steps[5].startswith("RELATED_TO:") and steps[7].startswith("RELATED_TO:"), steps

    def problems(path: list) -> list[str]:
        return check(findings.assign(evidence=json.dumps(path)), graph)[1]

    assert problems(steps) == []
    assert problems([*steps[:-1], ["Employee", "nobody"]])  # no such node
    assert problems([*steps[:4], ["Vehicle", steps[4][1]], *steps[5:]])  # a person is no vehicle
    assert problems([*steps[:3], "TARGETED<-", *steps[4:]])  # the wrong direction
    assert problems([*steps[:5], "RELATED_TO:nonsense", *steps[6:]])  # a relation of another kind
    assert problems([*steps[:6], *steps[-3:]])  # a shortcut: a shortest path of two hops has none
    with pytest.raises(AssertionError, match="not a relationship type"):
        problems([*steps[:5], "MEMBER_OF|SUBJECT_OF", *steps[6:]])
