"""Pseudonymised by default (issue 12): every command's outputs on the micro data set.

Each command runs with its text and JSON output and its output files; nothing may show an employee
id, an employee's own person id, a person's name or a birth date, unless the command is revealed
(with a reason, by a role that may), when they do show. Every role is refused what it may not do,
and every command leaves an audit entry.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MICRO, TEST_ROLES, TEST_USER, names_of

from graphrisk.cli import main
from graphrisk.privacy.access import ROLE_ACTIONS, ROLES

EMPLOYEES = {"E1": "P1", "E2": "P2", "E3": "P3"}
NAMES = ["Anna de Vries", "Bram Jansen", "Chris Bakker", "Daan de Vries", "Eva Smit", "Fleur Visser",
         "Gijs Mulder", "Hugo de Boer"]  # fmt: skip
BIRTH_DATES = ["1985-04-12", "1979-11-02", "1990-01-30", "1983-07-19", "1961-02-14", "1995-09-09",
               "1970-05-05", "1988-12-24"]  # fmt: skip
# an id as a token: E1 but not E10, X1E1 or the E1 inside a pseudonym's hex groups (EMP-..-E1..)
_ID = re.compile(r"(?<![A-Za-z0-9_-])(E[123]|P[123])(?![A-Za-z0-9_])")


def leaks(text: str) -> list[str]:
    found = [m.group(0) for m in _ID.finditer(text)]
    found += [n for n in NAMES if n in text]
    found += [d for d in BIRTH_DATES if d in text]
    return found


def cli(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("priv") / "store"
    result = cli("load", MICRO, "-q", "--store", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def work(tmp_path, monkeypatch, store):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _pseudonym(employee_id: str) -> str:
    return names_of([employee_id])[employee_id]


#: every command that reads the store, with arguments naming employees; {out} is a file to write
def commands(tmp: Path, scores: Path, findings: Path) -> list[tuple[str, list[str], list[Path]]]:
    e2 = _pseudonym("E2")
    out = []
    out.append(("detect", ["detect", "--out", tmp / "f.csv"], [tmp / "f.csv"]))
    out.append(("detect", ["detect", "--out", tmp / "f.json"], [tmp / "f.json"]))
    out.append(("score", ["score", "--top", "3", "--out", tmp / "s.csv"], [tmp / "s.csv"]))
    out.append(("score", ["score", "--top", "3", "--out", tmp / "s.json"], [tmp / "s.json"]))
    out.append(("explain", ["explain", e2], []))
    out.append(("explain", ["explain", e2.lower(), "--scores", scores], []))
    out.append(("report", ["report", e2, "--out", tmp / "d.html", "--scores", scores, "--findings", findings],
                [tmp / "d.html"]))  # fmt: skip
    out.append(
        ("report", ["report", "--top", "3", "--out", tmp / "o.html", "--scores", scores], [tmp / "o.html"])
    )
    out.append(("explore", ["explore", "employee", e2, "--hops", "3"], []))
    out.append(("explore", ["explore", "person", "P4", "--hops", "2"], []))
    for ext in ("graphml", "gexf", "json", "csv", "html"):
        out.append(
            ("export", ["export", "employee", e2, "--hops", "3", "-o", tmp / f"e.{ext}"], [tmp / f"e.{ext}"])
        )
    out.append(("paths", ["paths", e2, "O1", "-o", tmp / "p.graphml"], [tmp / "p.graphml"]))
    out.append(("paths", ["paths", f"Employee:{e2}", "P4"], []))
    return out


def _prepared(work: Path, store: Path) -> tuple[Path, Path]:
    scores, findings = work / "scores.parquet", work / "findings.parquet"
    assert cli("score", "--out", scores, "-q", "--store", store).exit_code == 0
    assert cli("detect", "--out", findings, "-q", "--store", store).exit_code == 0
    return scores, findings


def _audit() -> list[dict]:
    path = Path(os.environ["GRAPHRISK_AUDIT_LOG"])
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_output_is_pseudonymised_by_default(work, store):
    scores, findings = _prepared(work, store)
    for command, args, files in commands(work, scores, findings):
        for mode in ([], ["--json"]):
            result = cli(*args, *mode, "--store", store)
            assert result.exit_code == 0, (args, result.output)
            assert not leaks(result.output), (args, mode, leaks(result.output))
            for f in files:
                assert not leaks(f.read_text(encoding="utf-8")), (args, f.name, leaks(f.read_text()))
            entry = _audit()[-1]
            assert entry["command"] == command and entry["outcome"] == "ok", entry
            assert entry["user"] == TEST_USER and entry["reveal_reason"] is None
            assert not leaks(json.dumps(entry)), entry
        if command in ("explain", "explore", "export", "paths", "report") and "P4" not in args:
            assert _pseudonym("E2") in entry["subjects"], (args, entry)


def test_reveal_shows_identities_and_is_logged(work, store):
    scores, findings = _prepared(work, store)
    shown = ""
    for command, args, files in commands(work, scores, findings):
        result = cli(*args, "--reveal", "VIK-2026-001 test", "--store", store)
        assert result.exit_code == 0, (args, result.output)
        text = result.output + "".join(f.read_text(encoding="utf-8") for f in files)
        if command in ("explain", "explore", "export", "paths", "score", "detect"):
            assert "E2" in _ID.findall(text) or "E1" in _ID.findall(text), (args, text[:300])
        shown += text
        entry = _audit()[-1]
        assert entry["reveal_reason"] == "VIK-2026-001 test" and entry["command"] == command
        assert not leaks(json.dumps(entry)), entry  # the log holds pseudonyms, even for a reveal
    for value in ("E1", "E2", "P2", "Bram Jansen", "Daan de Vries", "Anna de Vries", "1983-07-19"):
        assert value in shown, value


def test_reveal_without_a_reason_is_refused(work, store):
    for args in (["explain", "E2"], ["explore", "employee", "E2"], ["score", "-q"], ["detect", "-q"]):
        result = cli(*args, "--reveal", "  ", "--store", store)
        assert result.exit_code == 7, (args, result.output)
        assert "reason" in result.output
        assert _audit()[-1]["outcome"] == "refused"


def test_a_graph_logs_the_employees_of_its_look_ups_beyond_the_hops(work, store):
    # one hop from P4 reaches the look-up X1 but not E1, who made it: E1 is still shown (employee_id)
    result = cli(
        "export", "person", "P4", "--hops", "1", "-o", work / "x.json", "--reveal", "test", "--store", store
    )
    assert result.exit_code == 0, result.output
    assert '"employee_id": "E1"' in (work / "x.json").read_text()
    assert _audit()[-1]["subjects"] == [_pseudonym("E1")]


def test_a_scores_file_logs_everyone_in_it(work, store):
    assert cli("score", "--top", "1", "-q", "--store", store).exit_code == 0
    assert len(_audit()[-1]["subjects"]) == 1  # only the one shown
    assert cli("score", "--top", "1", "--out", work / "s.csv", "-q", "--store", store).exit_code == 0
    assert sorted(_audit()[-1]["subjects"]) == sorted(_pseudonym(e) for e in EMPLOYEES)


#: the commands that read the store, and the action each needs
ACTIONS = {
    "stats": ["stats"],
    "load": ["load", MICRO],
    "detect": ["detect"],
    "score": ["score"],
    "explain": ["explain", "E1"],
    "report": ["report", "E1", "--out", "r.html"],
    "explore": ["explore", "employee", "E1"],
    "export": ["export", "employee", "E1", "-o", "x.gexf"],
    "paths": ["paths", "E1", "P4"],
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_is_refused_what_it_may_not_do(work, store, monkeypatch, role):
    access = work / "access.json"
    users = {TEST_USER: {"role": TEST_ROLES}, "someone": {"role": role}}
    access.write_text(json.dumps({"version": 1, "users": users}), encoding="utf-8")
    monkeypatch.setenv("GRAPHRISK_ACCESS_FILE", str(access))
    monkeypatch.setenv("GRAPHRISK_USER", "someone")
    import shutil

    own = work / "own-store"
    shutil.copytree(store, own)  # load may run: not on the shared store
    for action, args in ACTIONS.items():
        result = cli(*args, "-q", "--store", own)
        if action in ROLE_ACTIONS[role]:
            assert result.exit_code == 0, (role, action, result.output)
        else:
            assert result.exit_code == 7, (role, action, result.output)
            assert f"someone (role {role}) may not" in result.output
            assert _audit()[-1]["outcome"] == "refused"
    reveal = cli("explain", "E1", "--reveal", "VIK-1", "-q", "--store", own)
    assert reveal.exit_code == (0 if role == "analyst" else 7), (role, reveal.output)


def test_write_back_needs_its_own_action(work, store, monkeypatch):
    access = work / "access.json"
    access.write_text(json.dumps({"version": 1, "users": {"ann": {"role": "analyst"}}}), encoding="utf-8")
    monkeypatch.setenv("GRAPHRISK_ACCESS_FILE", str(access))
    monkeypatch.setenv("GRAPHRISK_USER", "ann")
    result = cli("score", "--write-back", "-q", "--store", store)
    assert result.exit_code == 7 and "write" in result.output
    assert _audit()[-1]["outcome"] == "refused"


def test_without_a_key_commands_say_how_to_create_one(work, store, monkeypatch):
    monkeypatch.setenv("GRAPHRISK_KEY_FILE", str(work / "nokey" / "site.key"))
    result = cli("score", "-q", "--store", store)
    assert result.exit_code == 6 and "keys init" in result.output
    assert cli("stats", "-q", "--store", store).exit_code == 0  # names no one: no key needed


def test_unknown_pseudonym_is_a_usage_error(work, store):
    result = cli("explain", "EMP-0000-0000-0000", "--store", store)
    assert result.exit_code == 2 and "another key" in result.output


def test_evaluate_maps_pseudonyms_back(work, store):
    scores = work / "s.csv"
    assert cli("score", "--out", scores, "-q", "--store", store).exit_code == 0
    assert "EMP-" in scores.read_text()
    result = cli("evaluate", MICRO, "--scores", scores, "--json")
    assert result.exit_code == 0, result.output
    assert _audit()[-1]["command"] == "evaluate"


@pytest.mark.neo4j
def test_neo4j_queries_cypher_and_write_back_are_pseudonymised(neo4j_store, neo4j_uri, work):
    from graphrisk.ingest import read_dataset

    neo4j_store.load(read_dataset(MICRO))
    uri = ["--neo4j-uri", neo4j_uri]
    e2 = _pseudonym("E2")
    runs = [
        ["cypher", "MATCH (e:Employee) RETURN e.employee_id AS id, e ORDER BY id"],
        ["cypher", "MATCH (p:Person) RETURN p.name, p.birth_date, p ORDER BY p.person_id"],
        ["cypher", "MATCH (p:Person) RETURN p.name AS who, p.person_id ORDER BY p.person_id"],
        ["cypher", "MATCH (s:Shift) RETURN s.shift_id"],
        ["cypher", "MATCH path = (e:Employee)-[:IS_PERSON]->(:Person) RETURN path"],
        ["cypher", "MATCH (e:Employee {employee_id: $id}) RETURN e.rank", "-p", f"id={e2}"],
        ["query", "who-looked-up-person", "-p", "person_id=P4"],
        ["explore", "employee", e2, "--hops", "3"],
        ["paths", e2, "O1"],
    ]
    for args in runs:
        for mode in ([], ["--json"], ["--format", "csv"] if args[0] in ("cypher", "query") else []):
            result = cli(*args, *mode, *uri)
            assert result.exit_code == 0, (args, result.output)
            assert not leaks(result.output), (args, mode, leaks(result.output))
        entry = _audit()[-1]
        assert entry["command"] == args[0] and not leaks(json.dumps(entry))
        if args[0] == "cypher":
            assert entry["cypher"] == args[1]
    revealed = cli(*runs[1], "--reveal", "VIK-9", *uri)
    assert "Bram Jansen" in revealed.output and "1979-11-02" in revealed.output
    result = cli("score", "--write-back", "-q", *uri)
    assert result.exit_code == 0, result.output
    frame = neo4j_store.read_text(
        "MATCH (e:Employee) RETURN e.risk_reasons AS reasons, e.risk_parts AS parts", {}
    )
    assert not leaks(frame.to_json()), leaks(frame.to_json())
