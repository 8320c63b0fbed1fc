"""Retention (issue 12): ``graphrisk purge`` on both stores, and inputs that are not stored at all.

The data set is a generated tiny world of 8 days (2 to 9 March 2026, Amsterdam time); every purge
here is measured from ``--as-of 2026-03-25`` (the end of that day) back 20 days, so the cut is
6 March 2026 00:00 UTC and a little over half the look-ups and shifts, the case assignments that
ended before it and one departed employee go. The expected counts are computed here from the data
set, independently of graphrisk.privacy.retention. (8 days, not the 20 it had: two tests load the
world into Neo4j, and the time of a load goes with the look-ups.)
"""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from reliability import covers

from graphrisk.cli import main
from graphrisk.ingest import read_dataset
from graphrisk.privacy.access import add_user
from graphrisk.privacy.audit import AuditLog
from graphrisk.privacy.files import PrivacyPaths
from graphrisk.privacy.pseudonyms import create_key
from graphrisk.store.embedded import EmbeddedStore

AS_OF, PERIOD = "2026-03-25", "20d"
CUT = pd.Timestamp("2026-03-06", tz="UTC")
CUT_DAY = pd.Timestamp("2026-03-06")
#: a scoring window after the purge: the look-ups it leaves, from the cut to the end of the log
AFTER = {"as_of": "2026-03-09", "window": pd.Timedelta(days=4)}
PURGE = ("purge", "--older-than", PERIOD, "--as-of", AS_OF)
OTHER_ROLES = {"ann": "analyst", "lia": "liaison", "bob": "batch", "aud": "auditor"}


def run(*args, env: dict | None = None, user: str | None = None):
    env = dict(env or {})
    if user:
        env["GRAPHRISK_USER"] = user
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("purge") / "world"
    result = run("generate", out, "--preset", "tiny", "--seed", "3", "--days", "8", "-q")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def expected(world) -> dict:
    """What a purge with CUT must remove, and the look-ups it must leave, from the data set itself."""
    ds = read_dataset(world)
    acc, shifts, asg, emp = ds["access_log"], ds["shifts"], ds["case_assignments"], ds["employees"]
    acc_kept = acc[~(acc.ts < CUT)]
    shifts_kept = shifts[~(shifts.end_ts < CUT)]
    asg_kept = asg[~(asg.end_date < CUT_DAY)]
    named = set(acc_kept.employee_id) | set(shifts_kept.employee_id) | set(asg_kept.employee_id)
    departed = emp[(emp.end_date < CUT_DAY) & ~emp.employee_id.isin(named)]
    removed = {
        "accesses": len(acc) - len(acc_kept),
        "shifts": len(shifts) - len(shifts_kept),
        "case_assignments": len(asg) - len(asg_kept),
        "employees": len(departed),
    }
    assert all(removed.values()), f"the world must exercise every kind: {removed}"
    assert len(acc_kept), "and keep some look-ups"
    return {"removed": removed, "access_ids": set(acc_kept.access_id)}


@pytest.fixture
def admin(monkeypatch) -> PrivacyPaths:
    """A site with a key, root as admin (the acting user) and one user of every other role."""
    paths = PrivacyPaths.from_env()
    if not paths.key_file.exists():  # a shared fixture may have made the site already
        create_key(paths.key_file)
    paths.access_file.unlink(missing_ok=True)  # this module's own users, whatever was there
    add_user(paths.access_file, "root", "root", "admin", bootstrap=True)
    for name, role in OTHER_ROLES.items():
        add_user(paths.access_file, "root", name, role)
    monkeypatch.setenv("GRAPHRISK_USER", "root")
    return paths


def _embedded_env(tmp_path) -> dict:
    return {"GRAPHRISK_STORE": str(tmp_path / "store")}


def _loaded(world, env) -> None:
    result = run("load", world, "-q", env=env)
    assert result.exit_code == 0, result.output


def _stats(env) -> dict:
    result = run("stats", "--json", env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {"nodes": data["nodes"], "relationships": data["relationships"]}


def _access_ids(store) -> set[str]:
    if store.kind == "embedded":
        return set(store.table("access_log")["access_id"])
    return set(store.read_text("MATCH (a:Access) RETURN a.access_id AS access_id")["access_id"])


def _purge_json(env, *extra, user=None) -> dict:
    result = run(*PURGE, *extra, "--json", env=env, user=user)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _check_purge(store, env, expected) -> None:
    """Dry run, purge, purge again: exact counts, nothing changed by the dry run or the second run."""
    before = _stats(env)
    dry = _purge_json(env, "--dry-run")
    assert _stats(env) == before, "a dry run changed the store"
    assert {k: dry["removed"][k] for k in expected["removed"]} == expected["removed"]
    assert dry["dry_run"] is True and dry["cut"] == CUT.isoformat()

    first = _purge_json(env)
    assert first["removed"] == dry["removed"], "the dry run must count what the purge removes"
    assert first["accesses_left"] == len(expected["access_ids"])
    assert _access_ids(store) == expected["access_ids"]
    after = _stats(env)
    assert after["nodes"]["Access"] == len(expected["access_ids"])
    assert after["nodes"]["Shift"] == before["nodes"]["Shift"] - expected["removed"]["shifts"]
    assert after["nodes"]["Employee"] == before["nodes"]["Employee"] - expected["removed"]["employees"]
    assert (
        after["relationships"]["ASSIGNED_TO"]
        == before["relationships"]["ASSIGNED_TO"] - expected["removed"]["case_assignments"]
    )
    assert after["relationships"]["PERFORMED"] == len(expected["access_ids"])
    # registrations the purge leaves alone
    for label in ("Person", "Case", "Vehicle", "Address", "Organisation", "Action", "Area", "Unit"):
        assert after["nodes"][label] == before["nodes"][label], label

    second = _purge_json(env)
    assert second["total"] == 0, f"a second purge removed {second['removed']}"
    assert _stats(env) == after


# --- both stores ------------------------------------------------------------------------------


@covers("purge-removes-what-is-older")
@covers("purge-idempotent")
@covers("purge-dry-run")
def test_purge_on_the_embedded_store(world, expected, admin, tmp_path):
    env = _embedded_env(tmp_path)
    _loaded(world, env)
    store = EmbeddedStore(env["GRAPHRISK_STORE"])
    _check_purge(store, env, expected)
    store.close()
    manifest = json.loads((tmp_path / "store" / "manifest.json").read_text())
    assert manifest["version"] == 2, "one load and one purge publish two versions; the second purge none"
    assert manifest["purged_before"] == CUT.isoformat()
    assert manifest["purged"] == expected["removed"]


@pytest.mark.neo4j
@covers("purge-removes-what-is-older")
@covers("purge-idempotent")
@covers("purge-dry-run")
@covers("purge-stores-agree")
def test_purge_on_neo4j_ends_equal_to_the_embedded_store(
    world, expected, admin, tmp_path, neo4j_store, neo4j_uri
):
    from graphrisk.scoring import score

    env = {"NEO4J_URI": neo4j_uri}
    _loaded(world, env)
    _check_purge(neo4j_store, env, expected)

    embedded_env = _embedded_env(tmp_path)
    _loaded(world, embedded_env)
    assert _purge_json(embedded_env)["total"] == sum(expected["removed"].values())
    assert _stats(env) == _stats(embedded_env)
    embedded = EmbeddedStore(embedded_env["GRAPHRISK_STORE"])
    assert _access_ids(embedded) == _access_ids(neo4j_store)

    # scoring still works after a purge, and both stores give the same scores
    scored = {}
    for store in (neo4j_store, embedded):
        result = score(store, **AFTER)
        scored[store.kind] = result.table.sort_index()[["score", "rank", "alert", "risk_units"]]
        assert len(scored[store.kind]) > 0
    embedded.close()
    pd.testing.assert_frame_equal(scored["neo4j"], scored["embedded"], check_dtype=False)


@covers("purge-scoring-after")
def test_scoring_works_after_a_purge_on_the_embedded_store(world, admin, tmp_path):
    from graphrisk.scoring import score

    env = _embedded_env(tmp_path)
    _loaded(world, env)
    assert _purge_json(env)["total"] > 0
    with EmbeddedStore(env["GRAPHRISK_STORE"]) as store:
        result = score(store, **AFTER)
    assert len(result.table) > 0 and result.table["score"].notna().all()


@pytest.mark.neo4j
@covers("purge-write-back")
def test_purge_removes_written_back_findings_and_scores(world, admin, neo4j_store, neo4j_uri):
    from graphrisk.scoring import score
    from graphrisk.scoring.explain import explain_all
    from graphrisk.scoring.output import score_rows
    from graphrisk.scoring.writeback import write_back

    env = {"NEO4J_URI": neo4j_uri}
    _loaded(world, env)
    result = score(neo4j_store, as_of="2026-03-21", window=pd.Timedelta(days=30))
    write_back(neo4j_store, result, score_rows(result, explain_all(result)))
    counts = neo4j_store.read_text(
        "MATCH (f:Finding) RETURN count(f) AS all, count(CASE WHEN f.ts < $cut THEN 1 END) AS old",
        {"cut": CUT.to_pydatetime()},
    ).iloc[0]
    scored = int(
        neo4j_store.read_text("MATCH (e:Employee) WHERE e.risk_score IS NOT NULL RETURN count(e) AS n").n[0]
    )
    assert 0 < counts.old < counts["all"], "the write-back must hold findings on both sides of the cut"

    first = _purge_json(env)
    assert first["removed"]["findings"] == counts.old
    assert first["removed"]["scores"] == 0, "scores as of 22 March are younger than the cut"
    left = neo4j_store.read_text(
        "MATCH (f:Finding) OPTIONAL MATCH (f)-[:CONCERNS]->(a:Access) "
        "RETURN count(DISTINCT f) AS findings, min(f.ts) AS oldest, count(a) AS concerns"
    ).iloc[0]
    assert left.findings == counts["all"] - counts.old
    assert pd.Timestamp(left.oldest) >= CUT and left.concerns == left.findings

    # measured from 30 April, the scoring run of 22 March is itself older than the period
    later = run("purge", "--older-than", PERIOD, "--as-of", "2026-04-30", "--json", env=env)
    removed = json.loads(later.stdout)["removed"]
    assert removed["findings"] == left.findings
    # scores go before departed employees are deleted; the one deleted by the first purge took its own
    assert removed["scores"] == scored - first["removed"]["employees"]
    assert (
        neo4j_store.read_text(
            "MATCH (e:Employee) UNWIND keys(e) AS k WITH k WHERE k STARTS WITH 'risk_' RETURN count(k) AS n"
        ).n[0]
        == 0
    )


# --- roles, audit, mistakes -------------------------------------------------------------------


def _purges(paths: PrivacyPaths) -> list[dict]:
    """The purge entries of the audit log (other commands write their own entries too)."""
    return [e for e in AuditLog(paths.audit_log, paths.audit_head).entries() if e["command"] == "purge"]


@covers("purge-refused-role")
@pytest.mark.parametrize("user", sorted(OTHER_ROLES))
def test_purge_is_refused_to_every_role_but_admin(world, admin, tmp_path, user):
    env = _embedded_env(tmp_path)
    _loaded(world, env)
    before = _stats(env)
    result = run(*PURGE, env=env, user=user)
    assert result.exit_code == 7
    assert result.stderr.startswith(f"Error: {user} (role {OTHER_ROLES[user]}) may not delete data")
    assert "roles that may: admin" in result.stderr and "Traceback" not in result.output
    assert _stats(env) == before
    last = _purges(admin)[-1]
    assert (last["user"], last["outcome"]) == (user, "refused")


@covers("purge-audited")
def test_purge_writes_an_audit_entry_with_its_counts(world, expected, admin, tmp_path):
    env = _embedded_env(tmp_path)
    _loaded(world, env)
    text = run(*PURGE, env=env)
    assert text.exit_code == 0, text.output
    assert f"{expected['removed']['accesses']:,} look-ups" in text.stdout
    assert f"{len(expected['access_ids']):,} look-ups left" in text.stdout
    log = AuditLog(admin.audit_log, admin.audit_head)
    entry = _purges(admin)[-1]
    assert (entry["action"], entry["outcome"], entry["user"]) == ("purge", "ok", "root")
    assert entry["params"]["removed"] == expected["removed"]
    assert entry["params"]["cut"] == CUT.isoformat() and entry["params"]["dry_run"] is False
    assert entry["rows"] == sum(expected["removed"].values())
    assert entry["subjects"] == []
    assert log.verify().ok
    entries = len(log.entries())
    run(*PURGE, env=env)
    assert len(log.entries()) == entries + 1, "the log is never purged, and every purge is in it"
    assert _purges(admin)[-1]["params"]["removed"] == dict.fromkeys(expected["removed"], 0)


@covers("purge-bad-period")
@pytest.mark.parametrize("period", ["18", "0m", "18min", "-3d", "eighteen months", "9999y"])
def test_a_malformed_period_is_a_usage_error(admin, tmp_path, period):
    result = run("purge", "--older-than", period, env=_embedded_env(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --older-than {period!r}")
    assert "Traceback" not in result.output


def test_purge_on_an_empty_store_says_what_to_do(admin, tmp_path):
    result = run("purge", env=_embedded_env(tmp_path))
    assert result.exit_code == 4
    assert "run 'graphrisk load DATASET_DIR' first" in result.stderr
    assert not (tmp_path / "store").exists(), "refusing must not create the store"


# --- minimisation: extra columns are never stored ---------------------------------------------

EXTRA = {"employees.csv": ("religion", "nationality"), "persons.csv": ("ethnicity",)}


def _with_extra_columns(micro_dir):
    for name, columns in EXTRA.items():
        path = micro_dir / name
        lines = path.read_text(encoding="utf-8").splitlines()
        lines = [lines[0] + "," + ",".join(columns)] + [
            line + "," + ",".join(f"secret-{c}-{i}" for c in columns) for i, line in enumerate(lines[1:])
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return micro_dir


@covers("extra-columns-not-stored")
def test_extra_columns_load_and_are_stored_by_no_store(micro_dir, tmp_path):
    data = _with_extra_columns(micro_dir)
    env = _embedded_env(tmp_path)
    result = run("load", data, "--json", env=env)
    assert result.exit_code == 0, result.output
    warnings = " ".join(json.loads(result.stdout)["warnings"])
    assert "religion, nationality" in warnings and "ethnicity" in warnings
    store = EmbeddedStore(env["GRAPHRISK_STORE"])
    for table in ("employees", "persons"):
        names = pq.read_schema(store.tables_dir / f"{table}.parquet").names
        assert not set(names) & {"religion", "nationality", "ethnicity"}, names
    for path in store.tables_dir.glob("*.parquet"):
        assert b"secret-" not in path.read_bytes(), f"an extra column's value is in {path.name}"
    store.close()


@pytest.mark.neo4j
@covers("extra-columns-not-stored")
def test_extra_columns_are_no_neo4j_property(micro_dir, neo4j_store, neo4j_uri):
    data = _with_extra_columns(micro_dir)
    result = run("load", data, "-q", env={"NEO4J_URI": neo4j_uri})
    assert result.exit_code == 0, result.output
    keys = set(neo4j_store.read_text("MATCH (n) UNWIND keys(n) AS k RETURN DISTINCT k")["k"]) | set(
        neo4j_store.read_text("MATCH ()-[r]->() UNWIND keys(r) AS k RETURN DISTINCT k")["k"]
    )
    assert "employee_id" in keys and "birth_date" in keys
    assert not keys & {"religion", "nationality", "ethnicity"}, keys
    values = neo4j_store.read_text(
        "MATCH (n) UNWIND keys(n) AS k WITH n[k] AS v WHERE toString(v) STARTS WITH 'secret-' "
        "RETURN count(*) AS n"
    )
    assert values.n[0] == 0


@pytest.mark.parametrize("kind", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_purge_removes_the_triage_store_and_a_dry_run_counts_it(micro_dir, admin, tmp_path, request, kind):
    """The workspace's triage store goes with the rest: an alert last seen and changed before the
    cut with its history, and trend rows of earlier months; a dry run counts the same and writes
    nothing; what is younger stays."""
    from graphrisk.serve.triage import AlertRecord, RunRecord, open_triage
    from graphrisk.store import open_store

    if kind == "neo4j":
        request.getfixturevalue("neo4j_store")  # emptied
        env = {"NEO4J_URI": request.getfixturevalue("neo4j_uri")}
    else:
        env = _embedded_env(tmp_path)
    _loaded(micro_dir, env)
    store = open_store(neo4j_uri=env.get("NEO4J_URI"), store_dir=env.get("GRAPHRISK_STORE"))
    triage = open_triage(store)
    for employee, scored_at, month in (
        ("E1", "2026-01-02T00:00:00Z", "2025-12"),
        ("E2", "2026-03-30T00:00:00Z", "2026-03"),
    ):
        run_record = RunRecord("2026-01-01", "30d", 65.0, 1, 1, kind, "bob", scored_at=scored_at)
        alert = AlertRecord(employee, 90.0, True, 1, "p", "U1", ["a reason"], ["off-shift"], [], [])
        trend = {
            "finding_id": f"F-{employee}",
            "month": month,
            "rule": "off-shift",
            "team": "T1",
            "unit": "U1",
        }
        count = {"month": month, "kind": "unit", "group": "U1", "employees": 6}
        triage.record(run_record, [alert], [trend], [count])
    expected = {"triage_events": 1, "triage_alerts": 1, "trend_findings": 1}  # E1's, before the cut

    dry = _purge_json(env, "--dry-run")
    assert dry["triage"] == expected
    assert {a["employee_id"] for a in triage.alerts()} == {"E1", "E2"}, "the dry run removed nothing"
    first = _purge_json(env)
    assert first["triage"] == expected
    assert first["total"] == sum(first["removed"].values()) + sum(expected.values())
    assert [a["employee_id"] for a in triage.alerts()] == ["E2"] and triage.events("E1") == []
    assert [r["month"] for r in triage.trend_counts("unit")] == ["2026-03"]
    assert list(triage.headcounts("unit")) == [("U1", "2026-03")]
    assert _purge_json(env)["triage"] == dict.fromkeys(expected, 0)
    assert _purges(admin)[-2]["params"]["triage"] == expected
    text = run(*PURGE, "--dry-run", env=env).stdout
    assert "Would remove from its triage store: 0 triage events, 0 triage alerts, 0 trend findings." in text
    triage.close()
    store.close()
