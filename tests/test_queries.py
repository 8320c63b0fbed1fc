"""The named query library and ad-hoc Cypher: headers, parameters, read-only runs on the sample."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import MICRO

from graphrisk.analyst.queries import (
    PARAM_TYPES,
    get_query,
    load_queries,
    parse_assignments,
    parse_query,
    queries_reference,
    search_queries,
)
from graphrisk.cli import main
from graphrisk.cypher import cypher_dir, parameters_used, query_names
from graphrisk.errors import UsageError, WriteRefusedError
from graphrisk.ingest import read_dataset

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "datasets" / "sample"
FILES = sorted((cypher_dir() / "queries").glob("*.cypher"))


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


# --- the library's files ---------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_query_file_has_a_checked_header(path):
    q = parse_query(path.stem, path.read_text(encoding="utf-8"))
    assert q.name == path.stem
    assert q.description and q.category
    assert {p.name for p in q.params} == parameters_used(q.text)
    for p in q.params:
        assert p.type in PARAM_TYPES and p.doc
    assert q in load_queries().values()


def test_there_are_at_least_twelve_queries_with_unique_names():
    names = [p.stem for p in FILES]
    assert len(names) >= 12
    assert len({n.lower() for n in names}) == len(names)
    assert sorted(load_queries()) == names == [n.removeprefix("queries/") for n in query_names("queries/")]


def test_the_reference_names_every_query_and_parameter():
    text = queries_reference()
    for q in load_queries().values():
        assert f"## {q.name}\n" in text
        for p in q.params:
            assert f"| `{p.name}` | {p.type} |" in text


GOOD = """// name: q
// description: A query
//   over two lines.
// category: tests
// param: unit_id string  the unit
// param: limit int (default: 5) (range: 1..100)  how many
MATCH (u:Unit {unit_id: $unit_id}) RETURN u LIMIT $limit
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("// name: q\n// description: d\n// category: c\n", "holds no query"),
        ("// description: d\n// category: c\nRETURN 1", "exactly one '// name:'"),
        ("// name: other\n// description: d\n// category: c\nRETURN 1", "must be the file name"),
        ("// name: q\n// description: d\n// category: c\n// author: me\nRETURN 1", "is not 'FIELD: value'"),
        (GOOD.replace("LIMIT $limit", ""), r"declared but not used: \$limit"),
        (GOOD.replace("$unit_id}", "$unit_id, x: $other}"), r"used but not declared: \$other"),
        (GOOD.replace("limit int", "limit integer"), "unknown type 'integer'"),
        (GOOD.replace("unit_id string  the unit", "unit_id string"), "needs a description"),
        (GOOD.replace("(default: 5)", "(default: five)"), "not an int"),
        (
            GOOD.replace("// category", "// param: limit int (range: 1..2)  again\n// category"),
            "declared twice",
        ),
        (GOOD.replace("RETURN u", "SET u.x = 1 RETURN u"), "only reads, but this one uses SET"),
        (GOOD.replace("MATCH", "MERGE"), "uses MERGE"),
        (
            GOOD.replace(" (range: 1..100)", ""),
            r"int parameter limit needs its values: \(range: LOW\.\.HIGH\)",
        ),
        (GOOD.replace("1..100", "100..1"), "a range is LOW..HIGH"),
        (GOOD.replace("(default: 5)", "(default: 500)"), "default of limit=500: must be from 1 to 100"),
        (GOOD.replace("RETURN u", "WITH u LOAD CSV FROM 'file:///etc/passwd' AS r RETURN u"), "LOAD CSV"),
        (GOOD.replace("RETURN u", "CALL dbms.listConfig() YIELD name RETURN u"), "CALL dbms.listConfig"),
    ],
)
def test_the_loader_refuses_bad_files(text, message):
    with pytest.raises(UsageError, match=message):
        parse_query("q", text)


def test_a_good_file_parses_with_continued_description_and_defaults():
    q = parse_query("q", GOOD)
    assert q.description == "A query over two lines."
    assert [(p.name, p.type, p.required, p.default) for p in q.params] == [
        ("unit_id", "string", True, None),
        ("limit", "int", False, 5),
    ]


# --- parameters ------------------------------------------------------------------------------


def test_parameters_are_converted_to_their_types():
    q = get_query("who-looked-up-person")
    values = q.bind({"person_id": "007", "since": "2026-03-01T08:00:00+01:00", "limit": "3"})
    assert values["person_id"] == "007"  # an id stays text
    assert values["since"] == pd.Timestamp("2026-03-01T07:00:00Z").to_pydatetime()
    assert values["limit"] == 3 and values["until"] is None


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, r"needs -p person_id=\.\.\. — person_id \(string\)"),
        ({"person_id": "P1", "limit": "ten"}, "-p limit='ten': not an int"),
        ({"person_id": "P1", "since": "yesterday"}, "-p since='yesterday': not a datetime"),
        ({"person_id": "P1", "colour": "red"}, "has no parameter 'colour'; its parameters: person_id, since"),
    ],
)
def test_parameter_mistakes_get_clear_messages(given, message):
    with pytest.raises(UsageError, match=message):
        get_query("who-looked-up-person").bind(given)


def test_assignments_from_the_command_line():
    assert parse_assignments(["a=1", "b = x=y"]) == {"a": "1", "b": " x=y"}
    assert parse_assignments(["n:int=2", "d:date=2026-03-01", "f:bool=yes"], typed=True) == {
        "n": 2,
        "d": pd.Timestamp("2026-03-01").date(),
        "f": True,
    }
    with pytest.raises(UsageError, match="write NAME=VALUE"):
        parse_assignments(["novalue"])
    with pytest.raises(UsageError, match="given twice"):
        parse_assignments(["a=1", "a=2"])
    with pytest.raises(UsageError, match="unknown type 'long'"):
        parse_assignments(["n:long=2"], typed=True)


def test_search_by_word_and_category():
    assert [q.name for q in search_queries("informant")] == ["flagged-person-lookups"]
    cases = search_queries(category="cases")
    assert cases and all(q.category == "cases" for q in cases)
    assert search_queries("organisation", "network")
    with pytest.raises(UsageError, match="no query category 'nope'"):
        search_queries(category="nope")


# --- the command line without a server -------------------------------------------------------


def test_query_list_and_show_need_no_store(tmp_path):
    result = run("query", "--list", "informant", "--json", "--store", str(tmp_path / "none"))
    assert result.exit_code == 0
    assert [q["name"] for q in json.loads(result.stdout)["queries"]] == ["flagged-person-lookups"]
    result = run("query", "top-scorers-in-unit", "--show")
    assert result.exit_code == 0 and result.stdout.startswith("// name: top-scorers-in-unit")


def test_query_mistakes_exit_2_without_a_traceback(tmp_path):
    store = ["--store", str(tmp_path / "s")]
    cases = [
        (["query", "who-looked-up"], "no query named 'who-looked-up'; did you mean who-looked-up-person?"),
        (["query", "who-looked-up-person"], "needs -p person_id="),
        (["query", "who-looked-up-person", "-p", "person_id=P1", "-p", "limit=x"], "not an int"),
        (["query", "who-looked-up-person", "-p", "person_id=P1", "-p", "x=1"], "has no parameter 'x'"),
        (["query", "who-looked-up-person", "-p", "person_id=P1"], "run on Neo4j: set NEO4J_URI"),
        (["cypher", "MATCH (n) RETURN n"], "run on Neo4j: set NEO4J_URI"),
        (["cypher"], "give the Cypher as an argument or with --file"),
    ]
    run("load", str(MICRO), "-q", *store)
    for args, message in cases:
        result = run(*args, *store)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr
        assert "Traceback" not in result.output


# --- against a real server: every query on the sample, and nothing written ------------------


def _sample_cut():
    """The sample data set with two days of its access log (and shifts): every table, a short load."""
    data = read_dataset(SAMPLE if SAMPLE.is_dir() else MICRO)
    log = data.tables["access_log"]
    end = log["ts"].min() + pd.Timedelta(days=2)
    data.tables["access_log"] = log[log["ts"] < end].reset_index(drop=True)
    if "shifts" in data.tables:
        shifts = data.tables["shifts"]
        data.tables["shifts"] = shifts[shifts["start_ts"] < end].reset_index(drop=True)
    return data


@pytest.fixture(scope="module")
def sample_store(neo4j_uri):
    from graphrisk.store.neo4j import Neo4jStore

    data = _sample_cut()
    store = Neo4jStore(neo4j_uri)
    store.clear()
    store.load(data)
    yield store, data
    store.close()


def _example_values(data) -> dict:
    """Ids that exist in the data and have activity, for the required parameters."""
    log = data.tables["access_log"]
    persons = log.loc[log["target_type"] == "person", "target_id"]
    subjects = data.tables["case_subjects"]
    return {
        "employee_id": str(log["employee_id"].value_counts().index[0]),
        "person_id": str(persons.value_counts().index[0]),
        "case_id": str(subjects["case_id"].value_counts().index[0]),
        "unit_id": str(data.tables["units"]["unit_id"].iloc[0]),
        "organisation_id": str(data.tables["memberships"]["organisation_id"].value_counts().index[0]),
    }


@pytest.mark.neo4j
@pytest.mark.parametrize("name", [p.stem for p in FILES])
def test_every_query_runs_on_the_sample(name, sample_store):
    store, data = sample_store
    q = get_query(name)
    examples = _example_values(data)
    frame = store.read(q.cypher_name, q.bind({p.name: examples[p.name] for p in q.params if p.required}))
    assert isinstance(frame, pd.DataFrame)  # queries about written-back scores may be empty


@pytest.mark.neo4j
def test_queries_answer_what_the_data_says(sample_store):
    store, data = sample_store
    examples = _example_values(data)
    q = get_query("who-looked-up-person")
    frame = store.read(q.cypher_name, q.bind({"person_id": examples["person_id"], "limit": "1000"}))
    log = data.tables["access_log"]
    direct = set(
        log.loc[(log["target_type"] == "person") & (log["target_id"] == examples["person_id"]), "access_id"]
    )
    assert direct <= set(frame["access_id"])  # plus look-ups through the person's vehicles and address
    assert (frame.loc[frame["access_id"].isin(direct), "via"] == "person").all()


WRITES = [
    "CREATE (n:Intruder {x: 1}) RETURN n",
    "MATCH (p:Person) SET p.touched = true RETURN count(p)",
    "MATCH (e:Employee) WITH e LIMIT 1 DETACH DELETE e",
    "MERGE (n:Intruder {x: 2})",
    "MATCH (p:Person) WITH p LIMIT 1 REMOVE p.name RETURN p",
]


@pytest.mark.neo4j
@pytest.mark.parametrize("text", WRITES)
def test_a_query_that_writes_is_refused_and_changes_nothing(text, sample_store):
    store, _ = sample_store
    before = store.stats().to_dict()
    with pytest.raises(WriteRefusedError, match=r"tries to write.*nothing was changed"):
        store.read_text(text)
    assert store.stats().to_dict() == before
    touched = store.read_text(
        "MATCH (p:Person) WHERE p.touched IS NOT NULL OR p.name IS NULL RETURN count(p) AS n"
    )
    assert int(touched.iloc[0]["n"]) == 0


@pytest.mark.neo4j
def test_the_cypher_command_reads_and_refuses_writes(sample_store, neo4j_uri):
    env = {"NEO4J_URI": neo4j_uri}
    result = run("cypher", "MATCH (e:Employee) RETURN count(e) AS employees", "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == [{"employees": len(sample_store[1].tables["employees"])}]
    result = run("cypher", "CREATE (n:Intruder) RETURN n", env=env)
    assert result.exit_code == 5
    assert (
        "tries to write (CREATE at line 1, column 1), and only read-only queries are allowed" in result.stderr
    )
    assert "nothing was changed" in result.stderr
    result = run("cypher", "MATCH (n:Intruder) RETURN count(n) AS n", "--format", "csv", env=env)
    assert result.stdout == "n\n0\n"
    result = run("cypher", "MATCH (p:Person {person_id: $id}) RETURN p.name AS name", env=env)
    assert result.exit_code == 5 and "missing parameter(s): $id" in result.stderr
    result = run("cypher", "RETURN $n + 1 AS m", "-p", "n:int=41", "--format", "csv", env=env)
    assert result.stdout == "m\n42\n"
    result = run("cypher", "MATCH (n RETURN n", env=env)
    assert result.exit_code == 5 and "SyntaxError" in result.stderr


@pytest.mark.neo4j
def test_the_query_command_on_neo4j(sample_store, neo4j_uri):
    env = {"NEO4J_URI": neo4j_uri}
    examples = _example_values(sample_store[1])
    result = run(
        "query", "who-looked-up-person", "-p", f"person_id={examples['person_id']}", "--json", env=env
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["query"] == "who-looked-up-person" and payload["params"]["limit"] == 100
    assert payload["rows"] and payload["rows"][0]["ts"].endswith("+00:00")
    result = run("query", "exports-without-case", "--format", "csv", env=env)
    assert result.exit_code == 0 and result.stdout.startswith(
        "employee_id,rank,unit,exports,systems,first,last\n"
    )


@pytest.mark.neo4j
def test_who_looked_up_a_person_on_the_micro_world(neo4j_store):
    neo4j_store.load(read_dataset(MICRO))
    q = get_query("who-looked-up-person")
    frame = neo4j_store.read(q.cypher_name, q.bind({"person_id": "P7"}))
    rows = {r.access_id: r for r in frame.itertuples()}
    assert set(rows) == {"X4", "X5"}  # his vehicle V1 and his address A3, both by E3
    assert (rows["X4"].via, rows["X5"].via) == ("vehicle", "address")
    assert rows["X5"].cited_case == "C1" and rows["X5"].person_in_case and not rows["X5"].assigned_that_day
