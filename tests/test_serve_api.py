"""The workspace API (graphrisk serve, issue 13): sign-in, sessions, CSRF, roles per endpoint,
the audit log, escaping, concurrent triage against a real server, and a schema fuzz run.

The store is real (the micro data set, loaded and scored through the CLI, tests/serve_world.py);
the API matrix runs in-process through FastAPI's TestClient, the concurrency test against a real
uvicorn server on 127.0.0.1 with real threads.
"""

from __future__ import annotations

import contextlib
import json
import threading

import pytest
from fastapi.testclient import TestClient
from serve_world import PASSWORD, ROLES, SCRIPT_NAME, Server, make_world, score_again, sign_in

from graphrisk.privacy.audit import AuditLog
from graphrisk.serve.app import create_app


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return make_world(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def app(world):
    ws = world.workspace()
    yield create_app(ws)
    ws.close()


@pytest.fixture(scope="module")
def clients(app):
    """One signed-in client per role (and one without a session), with its CSRF token."""
    out = {}
    for role in (*ROLES, "analyst2"):
        client = TestClient(app)
        out[role] = (client, sign_in(client, role))
    out[None] = (TestClient(app), "")
    return out


@pytest.fixture(scope="module")
def top(clients) -> str:
    client, _ = clients["analyst"]
    alerts = client.get("/api/alerts").json()
    assert alerts, "the scored micro world has alerts"
    return alerts[0]["pseudonym"]


def _endpoints(top: str):
    """(method, path, json body or None, roles allowed)."""
    elements = {"nodes": [{"data": {"id": "Person:P1", "type": "Person"}}], "edges": []}
    return [
        ("GET", "/api/meta", None, {"analyst", "liaison", "manager", "auditor", "admin"}),
        ("GET", "/api/alerts", None, {"analyst"}),
        ("GET", f"/api/alerts/{top}", None, {"analyst"}),
        ("GET", f"/api/alerts/{top}/graph", None, {"analyst"}),
        ("PATCH", f"/api/alerts/{top}", {"version": 10**6, "note": "n"}, {"analyst"}),
        ("GET", "/api/rules/confirmed-share", None, {"analyst"}),
        ("GET", "/api/explore?kind=person&id=P4", None, {"analyst", "liaison"}),
        ("GET", "/api/paths?from=Person:P1&to=Person:P4", None, {"analyst", "liaison"}),
        ("POST", "/api/export", {"format": "json", "elements": elements}, {"analyst", "liaison"}),
        ("GET", "/api/queries", None, {"analyst", "liaison"}),
        (
            "POST",
            "/api/queries/who-looked-up-person",
            {"params": {"person_id": "P1"}},
            {"analyst", "liaison"},
        ),
        ("GET", "/api/trends", None, {"analyst", "liaison", "manager"}),
        ("GET", "/api/audit", None, {"auditor", "admin"}),
        ("GET", "/api/audit/verify", None, {"auditor", "admin"}),
    ]


ENDPOINT_IDS = [f"{m} {p.split('?')[0].replace('{', '').replace('}', '')}" for m, p, _, _ in _endpoints("P")]


@pytest.mark.parametrize("index", range(len(ENDPOINT_IDS)), ids=ENDPOINT_IDS)
def test_every_endpoint_per_role(index, clients, top):
    method, path, body, allowed = _endpoints(top)[index]
    client, _ = clients[None]
    assert client.request(method, path, json=body).status_code == 401, "no session: 401"
    for role in ROLES:
        client, csrf = clients[role]
        answer = client.request(method, path, json=body, headers={"X-CSRF-Token": csrf})
        if role in allowed:
            assert answer.status_code not in (401, 403, 500), (role, answer.status_code, answer.text)
        else:
            assert answer.status_code == 403, (role, answer.status_code, answer.text)
            assert answer.json()["code"] == "forbidden"


def test_health_and_fixed_endpoints(clients):
    client, _ = clients[None]
    assert client.get("/api/health").json() == {"ok": True}
    assert client.get("/api/alerts").status_code == 401
    assert client.get("/api/session").status_code == 401
    schema = client.get("/openapi.json").json()
    assert "/api/alerts/{pseudonym}" in schema["paths"]


def test_the_queue_pseudonymises_and_a_reveal_needs_a_reason(clients, world, top):
    client, _ = clients["analyst"]
    alerts = client.get("/api/alerts").json()
    assert all(a["pseudonym"].startswith("EMP-") and a.get("employee_id") is None for a in alerts)
    assert all(a["state"] in ("new", "in_review", "confirmed", "dismissed", "resolved") for a in alerts)
    text = json.dumps(client.get(f"/api/alerts/{top}").json())
    assert '"E1"' not in text and "E1," not in text
    short = client.get(f"/api/alerts/{top}", headers={"X-Reveal-Reason": "why"})
    assert short.status_code == 422
    revealed = client.get(f"/api/alerts/{top}", headers={"X-Reveal-Reason": "VIK 2026-014 interview"}).json()
    assert revealed["revealed"] and revealed["identity"]["employee_id"].startswith("E")
    manager, _ = clients["manager"]
    assert (
        manager.get("/api/trends", headers={"X-Reveal-Reason": "VIK 2026-014 interview"}).status_code == 200
    )
    liaison, _ = clients["liaison"]
    refused = liaison.get("/api/explore?kind=person&id=P4", headers={"X-Reveal-Reason": "a reason"})
    assert refused.status_code == 200 and refused.json()["revealed"]


def test_views_and_reveals_are_in_the_audit_log(clients, world, top):
    client, _ = clients["analyst"]
    reason = "VIK 2026-099 check before interview"
    assert client.get(f"/api/alerts/{top}", headers={"X-Reveal-Reason": reason}).status_code == 200
    assert client.get("/api/explore?kind=person&id=P4").status_code == 200
    entries = AuditLog(world.paths.audit_log, world.paths.audit_head).entries()
    dossier = [e for e in entries if e["command"] == "serve.dossier" and e["reveal_reason"] == reason]
    assert dossier and dossier[-1]["user"] == "analyst" and dossier[-1]["subjects"] == [top]
    assert any(e["command"] == "serve.explore" and e["user"] == "analyst" for e in entries)
    refused = [e for e in entries if e["outcome"] == "refused" and e["user"] == "manager"]
    assert refused, "a refusal is written to the log too"
    auditor, _ = clients["auditor"]
    found = auditor.get("/api/audit", params={"subject": top, "user": "analyst"}).json()
    assert found["total"] >= 1 and all(top in e["subjects"] for e in found["entries"])
    assert auditor.get("/api/audit/verify").json()["ok"] is True


def test_csrf_is_required_for_every_change(clients, top):
    client, _csrf = clients["analyst"]
    version = client.get(f"/api/alerts/{top}").json()["alert"]["version"]
    for headers in ({}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": clients["analyst2"][1]}):
        answer = client.patch(f"/api/alerts/{top}", json={"version": version, "note": "x"}, headers=headers)
        assert answer.status_code == 403 and answer.json()["code"] == "csrf"
        assert (
            client.post("/api/export", json={"format": "json", "elements": {}}, headers=headers).status_code
            == 403
        )
    assert client.get(f"/api/alerts/{top}").json()["alert"]["version"] == version, "nothing was written"


def test_triage_changes_and_their_history(clients, top):
    client, csrf = clients["analyst"]
    headers = {"X-CSRF-Token": csrf}
    alert = client.get(f"/api/alerts/{top}").json()["alert"]
    changed = client.patch(
        f"/api/alerts/{top}",
        headers=headers,
        json={
            "version": alert["version"],
            "state": "in_review",
            "assignee": "analyst2",
            "note": "first look",
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["state"] == "in_review" and changed.json()["version"] == alert["version"] + 1
    no_reason = client.patch(
        f"/api/alerts/{top}", headers=headers, json={"version": alert["version"] + 1, "state": "dismissed"}
    )
    assert no_reason.status_code == 422
    dismissed = client.patch(
        f"/api/alerts/{top}",
        headers=headers,
        json={
            "version": alert["version"] + 1,
            "state": "dismissed",
            "dismiss_reason": "explained by work",
            "dismiss_text": "team case",
        },
    )
    assert dismissed.status_code == 200 and dismissed.json()["dismiss_reason"] == "explained by work"
    dossier = client.get(f"/api/alerts/{top}").json()
    fields = [(e["field"], e["new"], e["user"]) for e in dossier["history"]]
    assert ("state", "in_review", "analyst") in fields and ("assignee", "analyst2", "analyst") in fields
    assert ("state", "dismissed", "analyst") in fields
    assert [n["text"] for n in dossier["notes"]][-1] == "first look"
    share = {r["rule"]: r for r in client.get("/api/rules/confirmed-share").json()}
    assert any(r["dismissed"] >= 1 for r in share.values())
    stale = client.patch(
        f"/api/alerts/{top}", headers=headers, json={"version": alert["version"], "note": "x"}
    )
    assert stale.status_code == 409 and stale.json()["current"]["version"] == alert["version"] + 2


def test_names_with_script_tags_come_back_as_json_data(clients, world, top):
    client, _ = clients["analyst"]
    hood = client.get("/api/explore?kind=person&id=P1", headers={"X-Reveal-Reason": "VIK 2026-1 check"})
    assert hood.headers["content-type"].startswith("application/json")
    assert hood.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in hood.headers["content-security-policy"]
    labels = [n["data"].get("name") for n in hood.json()["nodes"]]
    assert SCRIPT_NAME in labels, "the name is returned as it is, as data"
    hidden = client.get("/api/explore?kind=person&id=P1").json()
    assert SCRIPT_NAME not in json.dumps(hidden), "and hidden unless revealed"
    odd = client.get("/api/alerts/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert odd.status_code == 404 and odd.headers["content-type"].startswith("application/json")


def test_two_analysts_change_one_alert_at_once(world, top):
    """Real threads against a real server: one change wins, the other gets a 409 and nothing is lost."""
    import httpx

    ws = world.workspace()
    with Server(create_app(ws)) as server:
        clients = []
        for user in ("analyst", "analyst2"):
            c = httpx.Client(base_url=server.url)
            csrf = c.post("/api/login", json={"username": user, "password": PASSWORD}).json()["csrf"]
            clients.append((c, csrf, user))
        version = clients[0][0].get(f"/api/alerts/{top}").json()["alert"]["version"]
        barrier = threading.Barrier(2)
        answers: dict[str, httpx.Response] = {}

        def change(c, csrf, user):
            barrier.wait()
            answers[user] = c.patch(
                f"/api/alerts/{top}",
                headers={"X-CSRF-Token": csrf},
                json={"version": version, "note": f"note by {user}"},
            )

        threads = [threading.Thread(target=change, args=args) for args in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        codes = sorted(a.status_code for a in answers.values())
        assert codes == [200, 409], {u: a.text for u, a in answers.items()}
        loser = next(u for u, a in answers.items() if a.status_code == 409)
        current = answers[loser].json()["current"]
        assert current["version"] == version + 1
        c, csrf, _ = next(x for x in clients if x[2] == loser)
        retry = c.patch(
            f"/api/alerts/{top}",
            headers={"X-CSRF-Token": csrf},
            json={"version": current["version"], "note": f"note by {loser}"},
        )
        assert retry.status_code == 200
        notes = [n["text"] for n in clients[0][0].get(f"/api/alerts/{top}").json()["notes"]]
        assert "note by analyst" in notes and "note by analyst2" in notes
        for c, _, _ in clients:
            c.close()
    ws.close()


def test_sign_in_rate_limit_per_user_and_per_address(world):
    ws = world.workspace()
    client = TestClient(create_app(ws))
    for _ in range(5):
        assert client.post("/api/login", json={"username": "analyst", "password": "wrong"}).status_code == 401
    limited = client.post("/api/login", json={"username": "analyst", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.json()["code"] == "rate-limited"
    other = client.post("/api/login", json={"username": "liaison", "password": PASSWORD})
    assert other.status_code == 429, "the address is limited too"
    ws.close()


def test_unknown_user_and_wrong_password_answer_alike(world):
    ws = world.workspace()
    client = TestClient(create_app(ws))
    unknown = client.post("/api/login", json={"username": "nobody", "password": "x"})
    wrong = client.post("/api/login", json={"username": "analyst", "password": "x"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    ws.close()


def test_cookie_flags_idle_timeout_and_sign_out(world):
    ws = world.workspace(idle_timeout_min=1)
    now = [1000.0]
    ws.sessions._clock = lambda: now[0]
    client = TestClient(create_app(ws))
    answer = client.post("/api/login", json={"username": "analyst", "password": PASSWORD})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert client.get("/api/session").status_code == 200
    now[0] += 59
    assert client.get("/api/session").status_code == 200, "used within the minute: still live"
    now[0] += 61
    assert client.get("/api/session").status_code == 401, "idle for more than a minute: ended"
    csrf = sign_in(client, "analyst")
    assert client.post("/api/logout").status_code == 403, "sign-out needs the CSRF token"
    assert client.post("/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/session").status_code == 401
    secure = world.workspace()
    secure.config.insecure_cookies = False
    strict = TestClient(create_app(secure))
    assert (
        "secure"
        in strict.post("/api/login", json={"username": "analyst", "password": PASSWORD})
        .headers["set-cookie"]
        .lower()
    )
    secure.close()
    ws.close()


def test_a_rerun_of_score_keeps_the_triage_state(world, clients, top):
    client, _csrf = clients["analyst"]
    before = client.get(f"/api/alerts/{top}").json()
    score_again(world)
    after = client.get(f"/api/alerts/{top}").json()
    assert after["alert"]["state"] == before["alert"]["state"]
    assert after["alert"]["version"] == before["alert"]["version"]
    assert after["history"] == before["history"]
    meta = client.get("/api/meta").json()
    assert meta["run"]["id"] >= 2


def test_no_server_error_for_any_input(app, clients):
    """A bounded schemathesis run over /openapi.json, signed in as an analyst: no 500, and no answer a
    browser could render as a page (data only as JSON, files only as attachments, never sniffed), so
    fuzzed markup in a parameter cannot come back as live HTML."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    client, csrf = clients["analyst"]
    cookie = client.cookies.get("graphrisk_session")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema = schema.exclude(path_regex="^/api/(login|logout)$")
    headers = {"Cookie": f"graphrisk_session={cookie}", "X-CSRF-Token": csrf}
    failures = []

    for operation in schema.get_all_operations():
        op = operation.ok()
        strategy = op.as_strategy()

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=strategy)
        def run(case, op=op):
            response = case.call(headers=headers)
            kind = response.headers.get("content-type", "")
            attachment = response.headers.get("content-disposition", "").startswith("attachment")
            if not (kind.startswith("application/json") or attachment) or (
                response.headers.get("x-content-type-options") != "nosniff"
            ):
                failures.append(f"{op.method.upper()} {op.path}: {response.status_code} served as {kind!r}")
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except Exception as exc:  # collected, so that every operation is tried
                failures.append(f"{op.method.upper()} {op.path}: {exc}")
                raise

        with contextlib.suppress(Exception):
            run()
    assert not failures, "\n".join(failures[:5])
