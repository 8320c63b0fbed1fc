"""The triage store (graphrisk/serve/triage.py) on both stores, and the workspace over Neo4j.

The same tests run against SQLite beside an embedded store and against Neo4j nodes: a run is
recorded, a re-run keeps the state of alerts that persist and marks new ones new, a stale version
is refused with nothing written, concurrent updates never both win, and purge removes old events.
"""

from __future__ import annotations

import threading

import pytest

from graphrisk.serve.triage import AlertRecord, Conflict, Neo4jTriage, RunRecord, SQLiteTriage


def _alert(employee_id: str, score: float, rank: int) -> AlertRecord:
    return AlertRecord(
        employee_id,
        score,
        score >= 65,
        rank,
        "patrol|*|regional",
        "T1",
        ["+50 a reason"],
        ["off-shift"],
        [{"part": "findings", "key": "off-shift", "points": 50.0, "text": "x"}],
        [{"finding_id": f"F-{employee_id}", "rule": "off-shift", "evidence": []}],
    )


def _run(alerts: int) -> RunRecord:
    return RunRecord("2026-04-01T00:00:00+00:00", "30d", 65.0, 10, alerts, "test", "batch")


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def triage(request, tmp_path):
    if request.param == "sqlite":
        store = SQLiteTriage(tmp_path / "triage.sqlite")
        yield store
        store.close()
        return
    neo4j_store = request.getfixturevalue("neo4j_store")
    yield Neo4jTriage(neo4j_store)


def test_a_rerun_keeps_state_and_marks_new_alerts_new(triage):
    first = triage.record(
        _run(2),
        [_alert("E1", 90, 1), _alert("E2", 70, 2)],
        [{"finding_id": "F1", "month": "2026-03", "rule": "off-shift", "team": "T1", "unit": "U1"}],
        [{"month": "2026-03", "kind": "team", "group": "T1", "employees": 6}],
    )
    one = triage.alert("E1")
    assert one["state"] == "new" and one["version"] == 1 and one["last_run"] == first
    when = "2026-04-02T10:00:00Z"
    event = {"at": when, "user": "ann", "field": "state", "old": "new", "new": "confirmed", "text": None}
    triage.update("E1", 1, {"state": "confirmed", "closed_at": when}, [event], when)
    second = triage.record(_run(2), [_alert("E1", 88, 1), _alert("E3", 80, 2)], [], [])
    kept, new, dropped = triage.alert("E1"), triage.alert("E3"), triage.alert("E2")
    assert kept["state"] == "confirmed" and kept["version"] == 2 and kept["last_run"] == second
    assert kept["score"] == 88
    assert new["state"] == "new" and new["last_run"] == second
    assert dropped["state"] == "new" and dropped["last_run"] == first, "a dropped alert keeps its state"
    history = triage.events("E1")
    assert [(e["field"], e["new"]) for e in history] == [("state", "new"), ("state", "confirmed")]
    assert triage.closed_since("2026-01-01T00:00:00Z") == [{"state": "confirmed", "rules": ["off-shift"]}]
    assert triage.headcounts("team") == {("T1", "2026-03"): 6}
    assert triage.trend_counts("team")[0]["findings"] == 1


def test_a_stale_version_writes_nothing(triage):
    triage.record(_run(1), [_alert("E1", 90, 1)], [], [])
    when = "2026-04-02T10:00:00Z"
    note = {"at": when, "user": "ann", "field": "note", "old": None, "new": None, "text": "first"}
    triage.update("E1", 1, {}, [note], when)
    with pytest.raises(Conflict) as refused:
        triage.update("E1", 1, {"assignee": "bob"}, [{**note, "text": "second"}], when)
    assert refused.value.current["version"] == 2
    assert triage.alert("E1")["assignee"] is None
    assert [e["text"] for e in triage.events("E1") if e["field"] == "note"] == ["first"]


def test_concurrent_updates_never_both_win(triage):
    triage.record(_run(1), [_alert("E1", 90, 1)], [], [])
    when = "2026-04-02T10:00:00Z"
    barrier = threading.Barrier(4)
    outcomes = []

    def change(i: int) -> None:
        barrier.wait()
        note = {"at": when, "user": f"u{i}", "field": "note", "old": None, "new": None, "text": f"n{i}"}
        try:
            triage.update("E1", 1, {}, [note], when)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=change, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    assert triage.alert("E1")["version"] == 2
    assert len([e for e in triage.events("E1") if e["field"] == "note"]) == 1


def test_purge_removes_old_events_and_trend_rows(triage):
    triage.record(
        _run(1),
        [_alert("E1", 90, 1)],
        [{"finding_id": "F1", "month": "2024-01", "rule": "off-shift", "team": "T1", "unit": "U1"}],
        [{"month": "2024-01", "kind": "team", "group": "T1", "employees": 6}],
    )
    removed = triage.purge("2099-01-01T00:00:00Z")
    assert removed["trend_findings"] == 1 and removed["triage_events"] >= 1
    assert triage.alert("E1") is None and triage.headcounts("team") == {}


def test_the_workspace_over_neo4j(neo4j_store, tmp_path):
    """Load and score the micro world on Neo4j, then triage through the API."""
    import json
    import os

    from click.testing import CliRunner
    from conftest import MICRO
    from fastapi.testclient import TestClient

    from graphrisk.cli import main
    from graphrisk.privacy.access import hash_password
    from graphrisk.privacy.files import PrivacyPaths
    from graphrisk.serve.app import Config, Workspace, create_app
    from graphrisk.store.neo4j import Neo4jStore

    uri = neo4j_store.uri
    runner = CliRunner()
    for args in (["load", str(MICRO), "-q"], ["score", "-q"]):
        result = runner.invoke(main, args, env={"NEO4J_URI": uri})
        assert result.exit_code == 0, result.output
    paths = PrivacyPaths.from_env()
    access = json.loads(paths.access_file.read_text())
    access["users"]["ann"] = {
        "role": "analyst",
        "added": "",
        "added_by": "t",
        "password": hash_password("pw", log_n=4),
    }
    paths.access_file.write_text(json.dumps(access))
    assert os.environ["GRAPHRISK_ACCESS_FILE"] == str(paths.access_file)
    ws = Workspace(lambda: Neo4jStore(uri), Config(insecure_cookies=True), paths)
    client = TestClient(create_app(ws))
    csrf = client.post("/api/login", json={"username": "ann", "password": "pw"}).json()["csrf"]
    assert client.get("/api/meta").json()["store"] == "neo4j"
    alerts = client.get("/api/alerts").json()
    assert alerts and alerts[0]["pseudonym"].startswith("EMP-")
    top = alerts[0]["pseudonym"]
    dossier = client.get(f"/api/alerts/{top}").json()
    assert dossier["alert"]["pseudonym"] == top
    assert client.get(f"/api/alerts/{top}/graph").status_code == 200
    version = dossier["alert"]["version"]
    headers = {"X-CSRF-Token": csrf}
    assert (
        client.patch(
            f"/api/alerts/{top}", headers=headers, json={"version": version, "state": "in_review"}
        ).status_code
        == 200
    )
    stale = client.patch(f"/api/alerts/{top}", headers=headers, json={"version": version, "note": "late"})
    assert stale.status_code == 409
    rows = client.post(
        "/api/queries/who-looked-up-person", headers=headers, json={"params": {"person_id": "P4"}}
    )
    assert rows.status_code == 200 and "columns" in rows.json()
    csv = client.post(
        "/api/queries/who-looked-up-person?format=csv", headers=headers, json={"params": {"person_id": "P4"}}
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert client.get("/api/explore?kind=person&id=P4").status_code == 200
    ws.close()


def test_trend_rows_name_each_findings_month_team_and_top_unit_once():
    """One row per finding, by distinct value: a team's top unit, a month per finding's UTC day,
    no team for an employee without one; sorted by finding id (the order SQLite inserts fastest)."""
    import pandas as pd

    from graphrisk.serve.triage import _trend_findings

    findings = pd.DataFrame(
        {
            "finding_id": ["f3", "f1", "f2", "f4"],
            "rule_id": ["off-shift", "own-network", "off-shift", "colleague-lookup"],
            "employee_id": ["E1", "E2", "E1", "E9"],
            "ts": pd.to_datetime(
                [
                    "2026-03-31T23:30:00-02:00",
                    "2026-03-31T22:00:00Z",
                    "2026-02-01T00:00:00Z",
                    "2026-03-02T12:00:00Z",
                ],
                utc=True,
            ),
        }
    )
    rows = _trend_findings(findings, {"E1": "T1", "E2": "T2", "E9": ""}, {"T1": "U1", "T2": "T1", "U1": None})
    assert rows == [
        {"finding_id": "f1", "month": "2026-03", "rule": "own-network", "team": "T2", "unit": "U1"},
        {"finding_id": "f2", "month": "2026-02", "rule": "off-shift", "team": "T1", "unit": "U1"},
        {"finding_id": "f3", "month": "2026-04", "rule": "off-shift", "team": "T1", "unit": "U1"},
        {"finding_id": "f4", "month": "2026-03", "rule": "colleague-lookup", "team": None, "unit": None},
    ]
