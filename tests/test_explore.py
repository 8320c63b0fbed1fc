"""Neighbourhoods, paths and exports: worked out by hand on the micro world, and the same on both stores."""

from __future__ import annotations

import csv
import json

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import MICRO

from graphrisk.analyst import find_paths, neighbourhood, parse_types
from graphrisk.analyst.explore import DEFAULT_TYPES, STRUCTURAL_TYPES
from graphrisk.analyst.export import FORMATS, write_graph
from graphrisk.analyst.source import ALL_TYPES, LABELS, EmbeddedSource, Neo4jSource, node_id
from graphrisk.cli import main
from graphrisk.cypher import cypher_text, query_names
from graphrisk.errors import UsageError
from graphrisk.graph import NODES
from graphrisk.ingest import read_dataset


@pytest.fixture(scope="module")
def micro():
    return read_dataset(MICRO)


@pytest.fixture(scope="module")
def source(micro):
    return EmbeddedSource(micro.tables)


def _nodes(hood) -> list[str]:
    return sorted(hood.graph.nodes)


# --- neighbourhoods --------------------------------------------------------------------------


def test_one_hop_from_a_person(source):
    hood = neighbourhood(source, "Person:P1", hops=1)
    # own employee record, address, partner; the municipality (LIVES_IN) is structural, left out
    assert _nodes(hood) == ["Address:A1", "Employee:E1", "Person:P1", "Person:P4"]
    # edges are all relationships among the nodes shown, including P4 -LIVES_AT-> A1
    edges = sorted((u, v, d["type"]) for u, v, d in hood.graph.edges(data=True))
    assert edges == [
        ("Employee:E1", "Person:P1", "IS_PERSON"),
        ("Person:P1", "Address:A1", "LIVES_AT"),
        ("Person:P1", "Person:P4", "RELATED_TO"),
        ("Person:P4", "Address:A1", "LIVES_AT"),
    ]
    partner = hood.graph.get_edge_data("Person:P1", "Person:P4")[0]
    assert (partner["kind"], partner["since"], partner["rel_source"]) == ("partner", "2012-06-01", "BRP")
    assert hood.notes() == []


def test_structural_types_only_when_asked(source):
    hood = neighbourhood(source, "Person:P1", hops=1, types=parse_types("all"))
    assert "Area:M1" in hood.graph
    assert set(DEFAULT_TYPES) | set(STRUCTURAL_TYPES) == set(ALL_TYPES)


def test_large_groups_are_collapsed_and_said(source):
    hood = neighbourhood(source, "Case:C1", hops=1, per_group=1)
    # C1 is justified by X2 and X5 and targeted by X3: one Access shown per type, the rest collapsed
    collapsed = {(c.type, c.label): (c.total, c.shown) for c in hood.collapsed}
    assert collapsed == {("JUSTIFIED_BY", "Access"): (2, 1), ("SUBJECT_OF", "Person"): (2, 1)}
    placeholder = hood.graph.nodes["+Case:C1>JUSTIFIED_BY>Access"]
    assert (placeholder["type"], placeholder["count"], placeholder["label"]) == (
        "Collapsed",
        1,
        "+1 more Access (JUSTIFIED_BY)",
    )
    assert (
        "collapsed" in hood.notes()[0] and "Case:C1: 2 Access via JUSTIFIED_BY, showing 1" in hood.notes()[0]
    )


def test_the_walk_stops_at_max_nodes_and_says_so(source):
    hood = neighbourhood(source, "Employee:E1", hops=3, max_nodes=5)
    assert hood.real_nodes() == 5
    # hop 1 of E1 holds X1, X3, P1, T1 and C2: one too many
    assert (hood.truncated_at_hop, hood.not_shown) == (1, 1)
    assert "stopped at 5 nodes (--max-nodes)" in hood.notes()[0]


def test_bad_requests_are_refused(source):
    with pytest.raises(UsageError, match="no Employee with id 'E9'"):
        neighbourhood(source, "Employee:E9")
    with pytest.raises(UsageError, match="--hops 0 is less than 1"):
        neighbourhood(source, "Employee:E1", hops=0)
    with pytest.raises(UsageError, match="unknown relationship type"):
        parse_types("KNOWS")
    assert source.resolve("E1") == "Employee:E1"
    assert source.resolve("case:C1") == "Case:C1"
    with pytest.raises(UsageError, match="'P1' is a Person, expected a Employee"):
        source.resolve("P1", labels=["Employee"])
    with pytest.raises(UsageError, match="no node with id 'nobody'"):
        source.resolve("nobody")


def test_an_ambiguous_id_must_be_written_with_its_label(micro):
    tables = dict(micro.tables)
    orgs = tables["organisations"].copy()
    orgs.loc[len(orgs)] = ["P1", "Same id as a person", "gang"]
    tables["organisations"] = orgs
    with pytest.raises(UsageError, match=r"names several nodes \(Organisation:P1, Person:P1\)"):
        EmbeddedSource(tables).resolve("P1")


# --- paths -----------------------------------------------------------------------------------


def test_the_personal_path_from_an_employee_to_a_gang(source):
    found = find_paths(
        source, "Employee:E1", "Organisation:O1", via=parse_types("IS_PERSON,RELATED_TO,MEMBER_OF")
    )
    assert [p.nodes for p in found.paths] == [
        ["Employee:E1", "Person:P1", "Person:P4", "Person:P7", "Organisation:O1"]
    ]
    steps = found.paths[0].steps
    partner = {"kind": "partner", "rel_source": "BRP", "since": "2012-06-01"}
    assert steps[1] == [{"type": "RELATED_TO", "forward": True, "props": partner}]
    assert found.searched_hops == 6  # the search saw every path up to --max-hops
    assert sorted(found.graph.nodes) == sorted(found.paths[0].nodes)


def test_shortest_first_and_look_ups_count_as_links(source):
    found = find_paths(source, "Employee:E1", "Person:P7", limit=10)
    hops = [p.hops for p in found.paths]
    assert hops == sorted(hops) and hops[0] == 3
    chains = [p.chain() for p in found.paths]
    assert any("-[:PERFORMED]-> (Access X1 BRP view 2026-03-02 08:15)" in c for c in chains)


def test_no_path_within_the_hops_is_said(source):
    found = find_paths(source, "Employee:E3", "Person:P1", max_hops=2)
    assert found.paths == [] and found.notes()[0].startswith("no path of at most 2 hops")
    with pytest.raises(UsageError, match="same node"):
        find_paths(source, "Employee:E1", "Employee:E1")


# --- exports ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
def test_exports_open_in_the_tools_they_are_for(source, tmp_path, suffix):
    hood = neighbourhood(source, "Case:C1", hops=2, per_group=2)
    path = write_graph(hood.graph, tmp_path / f"c1{suffix}", title="C1", notes=hood.notes(), centre="Case:C1")
    n, m = hood.graph.number_of_nodes(), hood.graph.number_of_edges()
    if suffix == ".graphml":
        back = nx.read_graphml(path)
        assert (back.number_of_nodes(), back.number_of_edges()) == (n, m)
        assert back.nodes["Person:P7"]["label"] == "P7 Gijs Mulder"
    elif suffix == ".gexf":
        back = nx.read_gexf(path)
        assert (back.number_of_nodes(), back.number_of_edges()) == (n, m)
    elif suffix == ".json":
        elements = json.loads(path.read_text())["elements"]
        assert (len(elements["nodes"]), len(elements["edges"])) == (n, m)
        ids = {e["data"]["id"] for e in elements["nodes"]}
        assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in elements["edges"])
    elif suffix == ".csv":
        rows = list(csv.DictReader(path.open()))
        assert len(rows) == m
        assert {
            "source",
            "source_type",
            "source_label",
            "type",
            "target",
            "target_type",
            "target_label",
        } <= set(rows[0])
    else:
        text = path.read_text()
        assert (
            text.startswith("<!DOCTYPE html>")
            and "cytoscape" in text
            and "https://" not in text.split("<footer")[1]
        )


def test_export_refuses_an_unknown_format(source, tmp_path):
    hood = neighbourhood(source, "Case:C1", hops=1)
    with pytest.raises(UsageError, match=r"export as \.graphml, \.gexf"):
        write_graph(hood.graph, tmp_path / "c1.png")


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    runner.invoke(main, ["load", str(MICRO), "-q"], catch_exceptions=False)

    def invoke(*args):
        return runner.invoke(main, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)

    return invoke


def test_explore_paths_and_export_commands(cli, tmp_path):
    # revealed: this test reads names and ids (tests/test_privacy_outputs.py reads the pseudonyms)
    result = cli("explore", "person", "P1", "--hops", "1", "--reveal", "test")
    assert result.exit_code == 0, result.output
    assert "-[:RELATED_TO partner, since 2012-06-01, source BRP]-> Person P4 Daan de Vries" in result.stdout
    payload = json.loads(
        cli("explore", "employee", "E1", "--hops", "2", "--per-group", "1", "--json", "--reveal", "t").stdout
    )
    assert payload["centre"] == "Employee:E1" and payload["collapsed"] and payload["notes"]
    result = cli(
        "paths", "E1", "O1", "--via", "IS_PERSON,RELATED_TO,MEMBER_OF", "--out", "p.graphml", "--reveal", "t"
    )
    assert result.exit_code == 0
    assert "1 path(s) from Employee:E1 to Organisation:O1" in result.stdout
    assert nx.read_graphml(tmp_path / "p.graphml").number_of_nodes() == 5
    result = cli("export", "case", "C1", "--out", "c1.gexf")
    assert result.exit_code == 0 and (tmp_path / "c1.gexf").is_file()
    for args, message in [
        (("explore", "employee", "P1"), "'P1' is a Person, expected a Employee"),
        (("explore", "case", "C9"), "no node with id 'C9'"),
        (("paths", "E1", "O1", "--via", "LIKES"), "unknown relationship type(s) LIKES"),
        (("export", "case", "C1", "--out", "c1.pdf"), "export as .graphml"),
    ]:
        result = cli(*args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)


# --- both stores, one answer -----------------------------------------------------------------


def test_the_explore_queries_know_every_label():
    assert set(query_names("explore/")) >= {
        "explore/find",
        "explore/nodes",
        "explore/expand",
        "explore/induced",
    }
    for name in ("explore/find", "explore/nodes", "explore/expand", "explore/induced"):
        for spec in NODES:
            assert f"MATCH (n:{spec.label} {{{spec.key}: x.key}})" in cypher_text(name)
    assert set(LABELS) == {n.label for n in NODES}


def _same(embedded, neo, centres, pairs):
    assert embedded.employees().equals(neo.employees())
    assert embedded.units().equals(neo.units())
    for centre in centres:
        assert neo.find(centre.split(":", 1)[1]) == embedded.find(centre.split(":", 1)[1])
        for hops, per_group in ((1, None), (2, 3)):
            a = neighbourhood(embedded, centre, hops=hops, per_group=per_group, max_nodes=120).to_dict()
            b = neighbourhood(neo, centre, hops=hops, per_group=per_group, max_nodes=120).to_dict()
            assert a == b, (centre, hops)
    for start, end in pairs:
        a = find_paths(embedded, start, end, max_hops=5, limit=4).to_dict()
        b = find_paths(neo, start, end, max_hops=5, limit=4).to_dict()
        assert a == b, (start, end)


@pytest.mark.neo4j
def test_both_stores_give_the_same_answers_on_the_micro_world(neo4j_store, micro, source):
    neo4j_store.load(micro)
    neo = Neo4jSource(neo4j_store)
    centres = ["Employee:E1", "Person:P4", "Case:C1", "Vehicle:V1"]
    _same(source, neo, centres, [("Employee:E1", "Organisation:O1"), ("Employee:E3", "Person:P1")])
    assert neo.nodes(["Action:C1|2026-03-06T04:00:00+0000|raid"]) == source.nodes(
        ["Action:C1|2026-03-06T04:00:00+0000|raid"]
    )


@pytest.mark.neo4j
def test_both_stores_give_the_same_answers_on_a_generated_world(neo4j_store, tmp_path):
    from graphrisk.generate import generate
    from graphrisk.store import EmbeddedStore

    generate(tmp_path / "tiny", preset="tiny", seed=3, days=1)
    data = read_dataset(tmp_path / "tiny")
    neo4j_store.load(data)
    embedded = EmbeddedStore(tmp_path / "store")
    embedded.load(data)
    log = data.tables["access_log"]
    busy = [str(log["employee_id"].value_counts().index[0])]
    members = data.tables["memberships"]
    org = str(members["organisation_id"].value_counts().index[0])
    case = str(data.tables["case_subjects"]["case_id"].value_counts().index[0])
    person = str(log.loc[log["target_type"] == "person", "target_id"].value_counts().index[0])
    centres = [node_id("Employee", busy[0]), node_id("Case", case), node_id("Person", person)]
    pairs = [(node_id("Employee", busy[0]), node_id("Organisation", org))]
    _same(EmbeddedSource(embedded.tables()), Neo4jSource(neo4j_store), centres, pairs)
