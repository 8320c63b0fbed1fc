"""``graphrisk watch DIR``: a planted pre-action look-up gives exactly its alert, a second run and a
restart give nothing, a refused batch goes to rejected/ and the next one is still processed, a POST
that fails first is delivered exactly once, and the rules on the new look-ups alone find what the
whole store finds for them. Real embedded stores, real files, a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import MICRO
from world import DAY, World

from graphrisk.cli import main
from graphrisk.rules import detect
from graphrisk.store import EmbeddedStore, append_batch
from graphrisk.watch import ALERT_RULES, READY, AlertSinks, Watcher, detect_new


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def base_world() -> World:
    """The test world with a raid planned on C1 (owned by U2) the morning after DAY."""
    w = World()
    w.add("case_actions", case_id="C1", ts=f"{DAY}T23:00:00+00:00", kind="raid")
    w.access("E2", "P11", case="C1", at="09:00", access_id="X0")  # assigned: no finding
    return w


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "store"
    result = run("load", base_world().write(tmp_path / "base"), "--store", path, "-q")
    assert result.exit_code == 0, result.output
    return path


def drop(watched: Path, name: str, rows: list[dict], *, ready: bool = True) -> Path:
    """A batch directory of look-ups, handed over as a producer does: files first, the marker last."""
    batch = watched / name
    batch.mkdir(parents=True)
    columns = ["access_id", "ts", "employee_id", "system", "target_type", "target_id", "action", "case_id"]
    pd.DataFrame(rows, columns=columns).to_csv(batch / "access_log.csv", index=False)
    if ready:
        (batch / READY).touch()
    return batch


def look_up(access_id: str, employee: str, target: str, at: str = "10:00", kind: str = "person") -> dict:
    return {
        "access_id": access_id,
        "ts": f"{DAY}T{at}:00+00:00",
        "employee_id": employee,
        "system": "BVH",
        "target_type": kind,
        "target_id": target,
        "action": "view",
        "case_id": "",
    }


#: E1 (basisteam T1, not assigned to C1, not in its unit U2) looks up C1's suspect P11 13 hours
#: before the raid: pre-action-lookup (critical); its open-case finding is medium (a normal case)
PLANTED = look_up("X100", "E1", "P11")
HARMLESS = look_up("X101", "E2", "P10", at="11:00")  # outside-territory at most: low, no alert


def watch_once(watched: Path, store: Path, *extra):
    return run("watch", watched, "--once", "--store", store, *extra)


def alert_lines(text: str) -> list[dict]:
    return [json.loads(x) for x in text.splitlines() if x.startswith("{")]


def test_a_planted_pre_action_look_up_gives_exactly_its_alert(tmp_path, store):
    watched = tmp_path / "in"
    drop(watched, "2026-03-02T10", [PLANTED, HARMLESS])
    result = watch_once(watched, store)
    assert result.exit_code == 0, result.output
    alerts = alert_lines(result.stdout)
    assert len(alerts) == 1
    (alert,) = alerts
    assert alert["rule"] == "pre-action-lookup"
    assert alert["severity"] == "critical"
    assert alert["access_ids"] == ["X100"]
    assert alert["target_type"] == "person" and alert["target_id"] == "P11"
    assert alert["case_id"] == "C1"
    assert alert["ts"] == f"{DAY}T10:00:00+00:00"
    assert alert["reason"] == "Look-up right before a planned action: raid planned"
    # no one's name, and the employee as the pseudonym every output uses
    assert alert["employee_id"].startswith("EMP-") and '"E1"' not in json.dumps(alert)
    assert "Person" not in json.dumps(alert)
    assert (watched / "done" / "2026-03-02T10" / "access_log.csv").is_file()
    assert not (watched / "2026-03-02T10").exists()
    # appended: the store holds the batch's look-ups and records the batch
    assert {"X100", "X101"} <= set(EmbeddedStore(store).table("access_log")["access_id"])
    # the batch is one audit entry naming the alerted employee (by pseudonym) and the finding
    log = Path(os.environ["GRAPHRISK_AUDIT_LOG"]).read_text(encoding="utf-8").splitlines()
    entries = [e for e in map(json.loads, log) if e.get("command") == "watch"]
    assert len(entries) == 1 and entries[0]["subjects"] == [alert["employee_id"]]
    assert entries[0]["params"]["alerts"] == 1
    assert entries[0]["params"]["finding_ids"] == [alert["finding_id"]]


def test_a_second_run_a_restart_and_the_same_batch_again_give_nothing(tmp_path, store):
    watched = tmp_path / "in"
    batch = drop(watched, "a", [PLANTED])
    kept = tmp_path / "copy"
    shutil.copytree(batch, kept)
    assert len(alert_lines(watch_once(watched, store).stdout)) == 1
    assert alert_lines(watch_once(watched, store).stdout) == []
    shutil.copytree(kept, watched / "b")  # the same files under another name: the same batch id
    result = watch_once(watched, store)
    assert result.exit_code == 0 and alert_lines(result.stdout) == []
    assert (watched / "done" / "b").is_dir()


def test_a_batch_appended_by_load_append_is_not_alerted_by_the_watcher(tmp_path, store):
    watched = tmp_path / "in"
    batch = drop(watched, "a", [PLANTED])
    assert run("load", "--append", batch, "--store", store, "-q").exit_code == 0
    result = watch_once(watched, store)
    assert result.exit_code == 0 and alert_lines(result.stdout) == []
    assert (watched / "done" / "a").is_dir()


def test_a_batch_without_its_marker_is_left_alone(tmp_path, store):
    watched = tmp_path / "in"
    drop(watched, "half", [PLANTED], ready=False)
    drop(watched, ".incoming", [PLANTED])  # hidden: being copied, even with a marker
    result = watch_once(watched, store)
    assert result.exit_code == 0 and alert_lines(result.stdout) == []
    assert (watched / "half" / "access_log.csv").is_file() and (watched / ".incoming").is_dir()
    assert "X100" not in set(EmbeddedStore(store).table("access_log")["access_id"])


def test_a_bad_batch_goes_to_rejected_and_the_next_is_still_processed(tmp_path, store):
    watched = tmp_path / "in"
    drop(watched, "1-bad", [look_up("X200", "E77", "P11")])  # E77 is in neither batch nor store
    drop(watched, "2-good", [PLANTED])
    result = watch_once(watched, store)
    assert result.exit_code == 3  # --once says a batch was refused, after doing the rest
    assert "1-bad/access_log.csv:2:3: employee_id: 'E77' is not an id in employees" in result.stderr
    error = (watched / "rejected" / "1-bad" / "ERROR.txt").read_text()
    assert "access_log.csv:2:3: employee_id: 'E77' is not an id in employees" in error
    assert [a["access_ids"] for a in alert_lines(result.stdout)] == [["X100"]]
    assert (watched / "done" / "2-good").is_dir()
    assert "X200" not in set(EmbeddedStore(store).table("access_log")["access_id"])


def test_a_watcher_stopped_after_the_append_alerts_on_restart_exactly_once(tmp_path, store):
    watched = tmp_path / "in"
    drop(watched, "a", [PLANTED])

    def crash(line: str) -> None:
        raise KeyboardInterrupt  # killed after the append, before the alert went out

    crashing = Watcher(watched, EmbeddedStore(store), AlertSinks(echo=crash))
    with crashing.running() as w, pytest.raises(KeyboardInterrupt):
        w.round()
    assert "X100" in set(EmbeddedStore(store).table("access_log")["access_id"])  # appended
    got: list[str] = []
    with Watcher(watched, EmbeddedStore(store), AlertSinks(echo=got.append)).running() as w:
        w.round()
        w.round()
    assert [json.loads(x)["access_ids"] for x in got] == [["X100"]]


def test_the_alerts_file_gets_one_whole_line_per_alert(tmp_path, store):
    watched, alerts = tmp_path / "in", tmp_path / "alerts.jsonl"
    drop(watched, "a", [PLANTED])
    drop(watched, "b", [look_up("X300", "E3", "P11", at="12:00")])  # E3 (national) before the raid too
    result = watch_once(watched, store, "--alerts-file", alerts)
    assert result.exit_code == 0 and alert_lines(result.stdout) == []
    lines = alerts.read_text().splitlines()
    assert [json.loads(x)["access_ids"] for x in lines] == [["X100"], ["X300"]]
    assert alerts.stat().st_mode & 0o777 == 0o600


class _Receiver:
    """A real HTTP server on 127.0.0.1 that answers 500 to the first ``failures`` POSTs."""

    def __init__(self, failures: int) -> None:
        self.failures, self.received, self.attempts = failures, [], 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.attempts += 1
                if receiver.attempts <= receiver.failures:
                    self.send_response(500)
                else:
                    receiver.received.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_post_that_fails_first_then_succeeds_is_delivered_exactly_once(tmp_path, store):
    watched = tmp_path / "in"
    drop(watched, "a", [PLANTED])
    receiver = _Receiver(failures=2)
    try:
        sinks = AlertSinks(post_url=receiver.url, spool=tmp_path / "spool.jsonl", retries=3, backoff=0.01)
        with Watcher(watched, EmbeddedStore(store), sinks).running() as w:
            w.round()
            w.round()
    finally:
        receiver.close()
    assert [a["access_ids"] for a in receiver.received] == [["X100"]]
    assert receiver.attempts == 3
    assert not (tmp_path / "spool.jsonl").exists() or (tmp_path / "spool.jsonl").read_text() == ""


def test_alerts_the_server_cannot_take_are_spooled_and_sent_on_the_next_round(tmp_path, store):
    watched = tmp_path / "in"
    drop(watched, "a", [PLANTED, look_up("X300", "E3", "P11", at="12:00")])  # two alerts
    receiver = _Receiver(failures=10**6)  # down for this run (500 to everything)
    try:
        result = watch_once(watched, store, "--post", receiver.url, "--post-retries", 1, "--post-timeout", 5)
        assert result.exit_code == 0, result.output
        spool = watched / ".watch" / "spool.jsonl"
        assert [json.loads(x)["access_ids"] for x in spool.read_text().splitlines()] == [["X100"], ["X300"]]
        assert receiver.received == []
        assert receiver.attempts == 2  # the first alert and its one retry; the second went to the spool
        receiver.failures = 0  # back up
        result = watch_once(watched, store, "--post", receiver.url)
        assert result.exit_code == 0, result.output
        assert [a["access_ids"] for a in receiver.received] == [["X100"], ["X300"]]
        assert spool.read_text() == ""
        watch_once(watched, store, "--post", receiver.url)
        assert len(receiver.received) == 2
    finally:
        receiver.close()


def test_a_second_watcher_on_the_same_directory_is_refused(tmp_path, store):
    watched = tmp_path / "in"
    watched.mkdir()
    with Watcher(watched, EmbeddedStore(store), AlertSinks()).running():
        result = watch_once(watched, store)
    assert result.exit_code == 2
    assert "another graphrisk watch is running on" in result.stderr


@pytest.mark.parametrize("source", ["micro", "flagged"])
def test_the_rules_on_the_new_look_ups_alone_find_what_the_whole_store_finds_for_them(tmp_path, source):
    """The alert rules judge a look-up against the registers only: run on the batch's look-ups alone
    they give exactly the full store's alerting findings of those look-ups."""
    if source == "micro":
        data = MICRO
    else:  # the test world with every kind of alerting finding planted
        w = base_world()
        w.add("cases", case_id="C9", name="Onderzoek Top", status="open", opened_on="2026-01-01",
              closed_on="", unit_id="U2", sensitivity="top")  # fmt: skip
        w.add("case_subjects", case_id="C9", person_id="P10", role="witness")
        w.rows["persons"] = [
            dict(r, flags="informant") if r["person_id"] == "P6" else r for r in w.rows["persons"]
        ]
        w.access("E1", "P11")
        w.relate("P4", "P20", "friend")  # E1's partner knows the club member P20: two hops
        w.access("E1", "P20")
        w.access("E3", "P6")
        w.access("E3", "C9", kind="case")
        w.access("E1", "P10")
        data = w.write(tmp_path / "world")
    store = tmp_path / "store"
    assert run("load", data, "--store", store, "-q").exit_code == 0
    s = EmbeddedStore(store)
    full = detect(s, list(ALERT_RULES)).findings
    floor = {"critical": 3, "high": 2}
    rank = {"low": 0, "medium": 1, "high": 2, "critical": 3}
    full = full[
        [rank[sv] >= floor[ALERT_RULES[r]] for r, sv in zip(full.rule_id, full.severity, strict=True)]
    ]
    log = s.table("access_log")
    half = set(log["access_id"].iloc[len(log) // 2 :])
    expected = {f for f, a in zip(full.finding_id, full.access_ids, strict=True) if set(a) & half}
    got = detect_new(s, half)
    assert set(got.finding_id) == expected
    if source == "flagged":
        assert set(full.rule_id) == set(ALERT_RULES)  # every alert rule is exercised
    assert set(detect_new(s, set(log["access_id"])).finding_id) == set(full.finding_id)


def test_append_batch_is_what_the_watcher_uses(tmp_path, store):
    """Sanity: the same batch through the watcher and through load --append is the same store."""
    watched = tmp_path / "in"
    batch = drop(watched, "a", [PLANTED, HARMLESS])
    other = tmp_path / "store2"
    shutil.copytree(store, other)
    append_batch(EmbeddedStore(other), batch)
    watch_once(watched, store)
    a = EmbeddedStore(store).table("access_log").sort_values("access_id").reset_index(drop=True)
    b = EmbeddedStore(other).table("access_log").sort_values("access_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--post", "ftp://x/alerts"), "--post 'ftp://x/alerts': give an http:// or https:// URL"),
        (("--param", "pre-action-lookup.hours=3"), "no such rule parameter"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, store, args, message):
    watched = tmp_path / "in"
    watched.mkdir()
    result = watch_once(watched, store, *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_a_missing_watch_directory_is_a_usage_error(tmp_path, store):
    result = watch_once(tmp_path / "nowhere", store)
    assert result.exit_code == 2
    assert "is not a directory" in result.stderr


@pytest.mark.neo4j
def test_a_planted_pre_action_look_up_alerts_once_on_neo4j(neo4j_store, tmp_path):
    from graphrisk.ingest import read_dataset

    neo4j_store.load(read_dataset(base_world().write(tmp_path / "base")))
    watched = tmp_path / "in"
    drop(watched, "a", [PLANTED, HARMLESS])
    got: list[str] = []
    with Watcher(watched, neo4j_store, AlertSinks(echo=got.append)).running() as w:
        w.round()
        drop(watched, "b", [PLANTED, HARMLESS])  # the same batch again
        w.round()
    assert [(a["rule"], a["access_ids"]) for a in map(json.loads, got)] == [("pre-action-lookup", ["X100"])]
    assert sorted(p.name for p in (watched / "done").iterdir()) == ["a", "b"]
