"""The read-only path and the limits (issue 11, items 4 and 5).

Ad-hoc Cypher that does more than read the graph is refused before it is sent (the guard in
graphrisk/cypher.py), every refused form is tried through the CLI against the real server, and the
server itself refuses LOAD CSV of files even when the guard is bypassed (the launcher's hardening).
Every analyst command has a time limit and documented maxima (graphrisk/limits.py); each is
exceeded here through the CLI, on both stores where both apply.
"""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from conftest import MICRO
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability import covers

from graphrisk.analyst import find_paths, neighbourhood
from graphrisk.analyst.queries import get_query
from graphrisk.analyst.source import EmbeddedSource, Neo4jSource
from graphrisk.cli import main
from graphrisk.cypher import ALLOWED_PROCEDURES, check_read_only, parameters_used, tokenize
from graphrisk.errors import QueryError, QueryRefusedError, QueryTimeoutError, UsageError, WriteRefusedError
from graphrisk.ingest import read_dataset
from graphrisk.limits import (
    EXPLORE_MAX_HOPS,
    EXPLORE_MAX_NODES,
    EXPLORE_MAX_PER_GROUP,
    MAX_ROWS,
    MAX_TIMEOUT,
    PATHS_MAX_HOPS,
    PATHS_MAX_LIMIT,
    Deadline,
)
from graphrisk.store.neo4j import Mode, QueryRunner

#: A query that runs for many seconds on any server and reads nothing.
SLOW = "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 7 = 3 RETURN count(*) AS n"


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output, result.output


# --- refused forms: (text, class, words the message must hold) ------------------------------

LOAD_CSV = [
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row LIMIT 3",
    "load csv from 'file:///etc/passwd' as row return row",
    "/* a note */ LOAD\n\t CSV WITH HEADERS FROM 'https://example.org/x.csv' AS r RETURN r",
    "MATCH (n:Person) WITH n LIMIT 1 LOAD // comment\nCSV FROM 'file:///etc/hosts' AS r RETURN r",
    "ＬＯＡＤ CSV FROM 'file:///etc/passwd' AS r RETURN r",  # full-width letters
]
ADMIN = [
    ("SHOW TRANSACTIONS YIELD currentQuery, parameters", "SHOW TRANSACTIONS"),
    ("show transactions", "SHOW TRANSACTIONS"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE TRANSACTIONS"),
    ("SHOW USERS", "SHOW USERS"),
    ("SHOW SETTINGS YIELD name, value", "SHOW SETTINGS"),
    ("SHOW DATABASES", "SHOW DATABASES"),
    ("SHOW PROCEDURES", "SHOW PROCEDURES"),
    ("SHOW FUNCTIONS", "SHOW FUNCTIONS"),
    ("SHOW PRIVILEGES", "SHOW PRIVILEGES"),
    ("SHOW ROLES", "SHOW ROLES"),
    ("SHOW SERVERS", "SHOW SERVERS"),
    ("SHOW ALIASES FOR DATABASE", "SHOW ALIASES"),
    ("EXPLAIN SHOW USERS", "SHOW USERS"),
    ("CYPHER runtime=slotted SHOW TRANSACTIONS", "SHOW TRANSACTIONS"),
    ("CREATE USER mallory SET PASSWORD 'secret123'", "CREATE USER"),
    ("CREATE INDEX person_name FOR (p:Person) ON (p.name)", "CREATE INDEX"),
    ("DROP CONSTRAINT person_id", "DROP CONSTRAINT"),
    ("ALTER USER neo4j SET PASSWORD 'x'", "ALTER USER"),
    ("GRANT ROLE admin TO mallory", "GRANT ROLE"),
    ("STOP DATABASE neo4j", "STOP DATABASE"),
    ("RETURN 1 AS x UNION START DATABASE neo4j", "START DATABASE"),
    ("USE system SHOW USERS", "USE switches to another database"),
    ("MATCH (n) CALL { USE system MATCH (m) RETURN m } RETURN n", "USE switches"),
]
PROCEDURES = [
    ("CALL dbms.listConfig()", "CALL dbms.listConfig"),
    ("CALL dbms.listConnections() YIELD connectionId RETURN connectionId", "CALL dbms.listConnections"),
    ("call DBMS.components()", "CALL DBMS.components"),
    ("CALL `dbms`.`listConfig`() YIELD name RETURN name", "CALL dbms.listConfig"),
    ("CALL db.clearQueryCaches()", "CALL db.clearQueryCaches"),
    ("MATCH (n) WITH n LIMIT 1 CALL dbms.killConnections(['x']) YIELD message RETURN message", "dbms.kill"),
    ("CALL apoc.load.json('file:///etc/passwd')", "CALL apoc.load.json"),
]
WRITES = [
    ("CREATE (n:Intruder {x: 1}) RETURN n", "CREATE"),
    ("MERGE (n:Intruder {x: 2})", "MERGE"),
    ("MATCH (p:Person) SET p.touched = true", "SET"),
    ("MATCH (e:Employee) WITH e LIMIT 1 DETACH DELETE e", "DETACH"),
    ("MATCH (p:Person) WITH p LIMIT 1 REMOVE p.name RETURN p", "REMOVE"),
    ("FOREACH (x IN [1, 2] | CREATE (:Intruder))", "FOREACH"),
    ("match (p:Person) /* hidden */ set\np.touched = 1", "SET"),
]
OTHER = [
    ("UNWIND [1, 2] AS x CALL (x) { RETURN x AS y } IN TRANSACTIONS OF 1 ROW RETURN y", "IN TRANSACTIONS"),
    ("MATCH (n) CALL { WITH n RETURN n AS m } IN CONCURRENT TRANSACTIONS RETURN m", "IN TRANSACTIONS"),
    ("RETURN 1 AS x; RETURN 2 AS y", "one statement at a time"),
    ("(n) RETURN n", "a query starts with one of"),
    ("RETURN 'not closed", "is not closed"),
]
REFUSED = (
    [(t, QueryRefusedError, "LOAD CSV") for t in LOAD_CSV]
    + [(t, QueryRefusedError, w) for t, w in ADMIN]
    + [(t, QueryRefusedError, w) for t, w in PROCEDURES]
    + [(t, WriteRefusedError, w) for t, w in WRITES]
    + [(t, QueryError, w) for t, w in OTHER]
)

#: Queries that must still run: keywords only in strings, comments, backticks and properties.
ALLOWED = [
    "MATCH (p:Person) WHERE p.name <> 'LOAD CSV FROM x' RETURN count(p) AS n",
    "MATCH (p:Person) RETURN count(p) AS n // SHOW USERS; TERMINATE TRANSACTIONS\n",
    "/* CALL dbms.listConfig() */ MATCH (p:Person) RETURN count(p) AS n",
    "CALL { MATCH (p:Person) RETURN p } RETURN count(p) AS n",
    "MATCH (e:Employee) CALL (e) { MATCH (e)-[:PERFORMED]->(a) RETURN count(a) AS k } RETURN sum(k) AS n",
    "CALL db.labels() YIELD label RETURN count(label) AS n",
    "CALL db.relationshipTypes() YIELD relationshipType RETURN count(*) AS n",
    "CALL db.schema.visualization() YIELD nodes RETURN size(nodes) AS n",
    "MATCH (p:Person) RETURN count(p.`load`) AS `LOAD CSV`, count(p) AS n",
    "WITH 1 AS start, {start: 2, stop: 3} AS m RETURN start + m.start AS n",
    "MATCH (p:Person) RETURN count { (p)--() } AS n ORDER BY n DESC LIMIT 1",
    "RETURN 1 AS n UNION ALL RETURN 2 AS n",
    "EXPLAIN MATCH (p:Person) RETURN p",
    "MATCH (p:Person) RETURN count(p) AS n;",
]


# --- the guard, without a server ---------------------------------------------------------------


@covers("cypher-refused-before-sending")
@pytest.mark.parametrize(("text", "kind", "words"), REFUSED, ids=lambda v: str(v)[:40])
def test_the_guard_refuses(text, kind, words):
    with pytest.raises(kind) as caught:
        check_read_only(text)
    assert words in str(caught.value)


@pytest.mark.parametrize("text", ALLOWED)
def test_the_guard_allows_reads(text):
    check_read_only(text)


@covers("cypher-hidden-keywords")
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="'\\\r\n"), max_size=40))
def test_anything_inside_a_string_literal_is_data(inner):
    check_read_only(f"MATCH (p:Person) WHERE p.name = 'LOAD CSV {inner}' RETURN p")
    assert parameters_used(f"RETURN '$x {inner}' AS a") == set()


@covers("cypher-hidden-keywords")
@pytest.mark.parametrize(
    "text",
    [
        "LOAD/* */CSV FROM 'x' AS r RETURN r",
        "LOAD\u00a0CSV FROM 'x' AS r RETURN r",  # a no-break space
        "RETURN 1 AS x // a comment ends at a carriage return\rLOAD CSV FROM 'x' AS r RETURN r",
        "RETURN 1 AS x // \u2028LOAD CSV FROM 'x' AS r RETURN r",  # ends earlier here than there: refuse
        "MATCH (n) RETURN n.x UNION lOaD CSV FROM 'x' AS r RETURN r",
        "RETURN 'a\\'' + '' AS s LOAD CSV FROM 'x' AS r RETURN r",  # an escaped quote does not end it
    ],
)
def test_keywords_are_found_however_they_are_written(text):
    with pytest.raises(QueryRefusedError, match="LOAD CSV"):
        check_read_only(text)


def test_the_tokenizer_keeps_strings_names_and_parameters_whole():
    tokens = tokenize('MATCH (n:`LOAD CSV`) WHERE n.x = "SHOW USERS" AND n.y = $`my param` RETURN n')
    assert [(t.kind, t.text) for t in tokens if t.kind != "punct"] == [
        ("word", "MATCH"), ("word", "n"), ("name", "LOAD CSV"), ("word", "WHERE"), ("word", "n"),
        ("word", "x"), ("string", '"SHOW USERS"'), ("word", "AND"), ("word", "n"), ("word", "y"),
        ("param", "my param"), ("word", "RETURN"), ("word", "n"),
    ]  # fmt: skip
    assert tokenize("RETURN 1\n  // x\n  , 2")[-1].line == 3


def test_a_name_spelled_like_a_keyword_is_told_to_use_backticks():
    with pytest.raises(QueryRefusedError, match="write it in backticks: `show`"):
        check_read_only("WITH 1 AS show RETURN show")
    check_read_only("WITH 1 AS `show` RETURN `show`")


def test_the_allow_list_is_the_launchers():
    from pathlib import Path

    launcher = (Path(__file__).parents[1] / "scripts" / "neo4j" / "Launcher.java").read_text()
    for name in ALLOWED_PROCEDURES:
        assert f'"{name}"' in launcher


# --- against the real server ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def micro_neo4j(neo4j_uri):
    from graphrisk.store.neo4j import Neo4jStore

    store = Neo4jStore(neo4j_uri)
    store.clear()
    store.load(read_dataset(MICRO))
    yield store
    store.close()


@pytest.fixture
def sent(monkeypatch):
    """The tags of every transaction the runner sends (to the real server) during a test."""
    calls: list[str] = []
    original = QueryRunner._transact

    def spy(self, work, mode, tag, *args, **kwargs):
        calls.append(tag)
        return original(self, work, mode, tag, *args, **kwargs)

    monkeypatch.setattr(QueryRunner, "_transact", spy)
    return calls


@pytest.mark.neo4j
@covers("cypher-load-csv")
@covers("cypher-admin-commands")
@covers("cypher-procedures")
@covers("cypher-writes")
@covers("cypher-in-transactions")
@pytest.mark.parametrize(("text", "kind", "words"), REFUSED, ids=lambda v: str(v)[:40])
def test_each_refused_form_through_the_cli(text, kind, words, micro_neo4j, neo4j_uri, sent):
    before = micro_neo4j.stats().to_dict()
    sent.clear()
    result = run("cypher", text, env={"NEO4J_URI": neo4j_uri})
    _no_traceback(result)
    assert result.exit_code == 5, result.output
    assert words in result.stderr
    assert "nothing was sent" in result.stderr or "is not closed" in result.stderr
    assert sent == []  # refused before anything reached the server
    assert micro_neo4j.stats().to_dict() == before


@pytest.mark.neo4j
@covers("cypher-allowed-reads")
@pytest.mark.parametrize("text", ALLOWED)
def test_reads_still_run_on_the_server(text, micro_neo4j, neo4j_uri):
    result = run("cypher", text, "--format", "json", env={"NEO4J_URI": neo4j_uri})
    _no_traceback(result)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


@pytest.mark.neo4j
@covers("cypher-load-csv-server")
@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "file:///../../../../etc/passwd", "file:///import/../../etc/passwd"]
)
def test_the_server_refuses_load_csv_of_files_when_the_guard_is_bypassed(url, micro_neo4j):
    # the runner, not read_text: this is the server's own refusal (scripts/neo4j/Launcher.java)
    with pytest.raises(QueryError, match="allow_csv_import_from_file_urls") as caught:
        micro_neo4j.runner.run_text(f"LOAD CSV FROM '{url}' AS row RETURN row LIMIT 3", mode=Mode.READ)
    assert "root:" not in str(caught.value)


# --- time limits -----------------------------------------------------------------------------------


@pytest.mark.neo4j
@covers("limit-timeout-query")
def test_a_slow_ad_hoc_query_is_stopped_at_its_timeout(micro_neo4j, neo4j_uri):
    started = time.monotonic()
    result = run("cypher", SLOW, "--timeout", "0.5", env={"NEO4J_URI": neo4j_uri})
    _no_traceback(result)
    assert result.exit_code == 5, result.output
    assert "cypher: stopped after 0.5 s" in result.stderr
    assert "--timeout SECONDS or GRAPHRISK_QUERY_TIMEOUT" in result.stderr
    assert time.monotonic() - started < 30
    result = run("cypher", SLOW, env={"NEO4J_URI": neo4j_uri, "GRAPHRISK_QUERY_TIMEOUT": "0.3"})
    assert result.exit_code == 5 and "stopped after 0.3 s" in result.stderr


@pytest.mark.neo4j
@covers("limit-timeout-query")
def test_a_named_query_gets_what_is_left_of_the_time(micro_neo4j):
    q = get_query("who-looked-up-person")
    micro_neo4j.runner.deadline = Deadline(0.1)
    try:
        time.sleep(0.15)
        with pytest.raises(QueryTimeoutError, match=r"queries/who-looked-up-person: stopped after 0\.1 s"):
            micro_neo4j.read(q.cypher_name, q.bind({"person_id": "P7"}))
        micro_neo4j.runner.deadline = Deadline(30)
        assert len(micro_neo4j.read(q.cypher_name, q.bind({"person_id": "P7"}))) == 2
    finally:
        micro_neo4j.runner.deadline = None


def _slow(monkeypatch, cls):
    original = cls.expand

    def expand(self, *args, **kwargs):
        time.sleep(0.3)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "expand", expand)


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def any_store(request, tmp_path):
    """CLI arguments and environment for the micro world on each store."""
    if request.param == "embedded":
        store = ["--store", str(tmp_path / "store")]
        assert run("load", str(MICRO), "-q", *store).exit_code == 0
        return request.param, store, None
    uri = request.getfixturevalue("neo4j_uri")
    request.getfixturevalue("micro_neo4j")
    return request.param, [], {"NEO4J_URI": uri}


@covers("limit-timeout-explore-paths")
@pytest.mark.parametrize(
    "args",
    [
        ["explore", "person", "P1", "--hops", "3", "--timeout", "0.2"],
        ["export", "person", "P1", "--timeout", "0.2", "--out", "x.graphml"],
        ["paths", "E1", "O1", "--timeout", "0.2"],
    ],
    ids=["explore", "export", "paths"],
)
def test_a_slow_walk_is_stopped_at_its_timeout(args, any_store, monkeypatch, tmp_path):
    kind, store, env = any_store
    _slow(monkeypatch, EmbeddedSource if kind == "embedded" else Neo4jSource)
    args = [str(tmp_path / a) if a == "x.graphml" else a for a in args]
    result = run(*args, *store, env=env)
    _no_traceback(result)
    assert result.exit_code == 5, result.output
    assert f"{args[0]}: stopped after 0.2 s" in result.stderr
    assert not (tmp_path / "x.graphml").exists()


# --- bounds ----------------------------------------------------------------------------------------


@covers("limit-explore-paths-bounds")
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["explore", "person", "P1", "--hops", str(EXPLORE_MAX_HOPS + 1)], "'--hops'"),
        (["explore", "person", "P1", "--hops", "1000000", "--max-nodes", "100000000"], "'--hops'"),
        (["explore", "person", "P1", "--max-nodes", str(EXPLORE_MAX_NODES + 1)], "'--max-nodes'"),
        (["explore", "person", "P1", "--per-group", str(EXPLORE_MAX_PER_GROUP + 1)], "'--per-group'"),
        (["explore", "person", "P1", "--hops", "0"], "'--hops'"),
        (["export", "person", "P1", "--hops", "99", "--out", "x.json"], "'--hops'"),
        (["paths", "E1", "O1", "--max-hops", "1000000"], "'--max-hops'"),
        (["paths", "E1", "O1", "--max-hops", str(PATHS_MAX_HOPS + 1)], "'--max-hops'"),
        (["paths", "E1", "O1", "--limit", str(PATHS_MAX_LIMIT + 1)], "'--limit'"),
        (["explore", "person", "P1", "--timeout", str(MAX_TIMEOUT + 1)], "'--timeout'"),
        (["paths", "E1", "O1", "--timeout", "0"], "'--timeout'"),
    ],
)
def test_values_beyond_the_maxima_are_usage_errors(args, words, any_store):
    _, store, env = any_store
    result = run(*args, *store, env=env)
    _no_traceback(result)
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "is not in the range" in result.stderr


@covers("limit-explore-paths-bounds")
def test_the_library_enforces_the_same_maxima():
    source = EmbeddedSource(read_dataset(MICRO).tables)
    with pytest.raises(UsageError, match=f"--hops 7 is more than {EXPLORE_MAX_HOPS}"):
        neighbourhood(source, "Person:P1", hops=7)
    with pytest.raises(UsageError, match="--max-nodes"):
        neighbourhood(source, "Person:P1", max_nodes=EXPLORE_MAX_NODES + 1)
    with pytest.raises(UsageError, match="--max-hops 9 is more than 8"):
        find_paths(source, "Employee:E1", "Organisation:O1", max_hops=9)
    deadline = Deadline(0.1)
    time.sleep(0.15)
    with pytest.raises(QueryTimeoutError, match=r"paths: stopped after 0\.1 s"):
        find_paths(source, "Employee:E1", "Organisation:O1", deadline=deadline)


@covers("limit-option-values")
@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        (["cypher", "RETURN 1", "--max-rows", str(MAX_ROWS + 1)], {}, "'--max-rows'"),
        (["cypher", "RETURN 1", "--max-rows", "0"], {}, "'--max-rows'"),
        (["query", "who-looked-up-person", "-p", "person_id=P7", "--timeout", "1e9"], {}, "'--timeout'"),
        (["explore", "person", "P1"], {"GRAPHRISK_QUERY_TIMEOUT": "soon"}, "'--timeout'"),
    ],
)
def test_bad_limit_options_are_usage_errors(args, env, words, tmp_path):
    result = run(*args, "--store", str(tmp_path / "s"), env=env)
    _no_traceback(result)
    assert result.exit_code == 2, result.output
    assert words in result.stderr


@pytest.mark.neo4j
@covers("limit-int-parameters")
@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("99999999999999999999", "-p limit=99999999999999999999: must be from 1 to 100000"),
        ("-1", "-p limit=-1: must be from 1 to 100000"),
        ("0", "-p limit=0: must be from 1 to 100000"),
        ("100001", "-p limit=100001: must be from 1 to 100000"),
    ],
)
def test_out_of_range_int_parameters_are_refused_by_name(value, words, micro_neo4j, neo4j_uri, sent):
    sent.clear()
    result = run(
        "query",
        "who-looked-up-person",
        "-p",
        "person_id=P7",
        "-p",
        f"limit={value}",
        env={"NEO4J_URI": neo4j_uri},
    )
    _no_traceback(result)
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert sent == []
    result = run(
        "query", "employees-related-to-case-subjects", "-p", "max_hops=5", env={"NEO4J_URI": neo4j_uri}
    )
    assert result.exit_code == 2 and "-p max_hops=5: must be from 1 to 4" in result.stderr


@pytest.mark.neo4j
@covers("cypher-int-parameter-range")
@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808", "-9999999999999999999999"])
def test_ad_hoc_int_parameters_beyond_64_bits_are_refused_by_name(value, micro_neo4j, neo4j_uri, sent):
    sent.clear()
    result = run("cypher", "RETURN $n AS n", "-p", f"n:int={value}", env={"NEO4J_URI": neo4j_uri})
    _no_traceback(result)
    assert result.exit_code == 2, result.output
    assert f"-p n={value}: an int must be from -9223372036854775808 to 9223372036854775807" in result.stderr
    assert sent == []  # refused before anything was sent
    result = run("cypher", "RETURN $n AS n", "-p", "n:int=9223372036854775807", env={"NEO4J_URI": neo4j_uri})
    assert result.exit_code == 0, result.output


@pytest.mark.neo4j
@covers("cypher-negative-limit")
@pytest.mark.parametrize("clause", ["LIMIT", "SKIP"])
def test_a_negative_limit_parameter_is_a_query_error_naming_it(clause, micro_neo4j, neo4j_uri):
    text = f"MATCH (n) RETURN n {clause} $n"
    result = run("cypher", text, "-p", "n:int=-1", env={"NEO4J_URI": neo4j_uri})
    _no_traceback(result)
    assert result.exit_code == 5, result.output
    assert "a value the query cannot use for $n (-p n=-1)" in result.stderr
    assert f"{clause}: Invalid input. '-1' is not a valid value" in result.stderr
    assert "Neo.ClientError" not in result.stderr


@pytest.mark.neo4j
@covers("limit-rows")
def test_rows_beyond_max_rows_are_cut_and_said(micro_neo4j, neo4j_uri):
    env = {"NEO4J_URI": neo4j_uri}
    result = run("cypher", "UNWIND range(1, 2500) AS x RETURN x", "--format", "csv", env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [str(i) for i in range(1, 1001)]  # the default, 1000
    assert "showing the first 1,000 rows; the query returned more" in result.stderr
    assert "--max-rows (at most 100,000)" in result.stderr
    result = run("cypher", "UNWIND range(1, 2500) AS x RETURN x", "--max-rows", "5", "--json", env=env)
    payload = json.loads(result.stdout)
    assert payload["truncated"] is True and payload["rows"] == [{"x": i} for i in range(1, 6)]
    result = run("cypher", "UNWIND range(1, 5) AS x RETURN x", "--max-rows", "5", "--json", env=env)
    assert json.loads(result.stdout)["truncated"] is False
    result = run("query", "who-looked-up-person", "-p", "person_id=P7", "--max-rows", "1", "--json", env=env)
    payload = json.loads(result.stdout)
    assert payload["truncated"] is True and len(payload["rows"]) == 1
    assert payload["rows"][0]["ts"].endswith("+00:00")  # timestamps as without the cap


@pytest.mark.neo4j
def test_capped_frames_equal_uncapped_ones(micro_neo4j):
    q = get_query("who-looked-up-person")
    values = q.bind({"person_id": "P7"})
    full = micro_neo4j.read(q.cypher_name, values)
    capped = micro_neo4j.read(q.cypher_name, values, max_rows=10)
    assert "truncated_at" not in capped.attrs
    assert capped.dtypes.to_dict() == full.dtypes.to_dict()
    assert capped.equals(full)
