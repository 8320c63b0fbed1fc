"""The workspace's FastAPI application: endpoints, sign-in, roles, audit and error answers.

docs/serve-api.md is the contract with the page. Every data endpoint runs inside
:func:`graphrisk.privacy.guard.guarded` with the signed-in user's own
:class:`~graphrisk.privacy.session.Session`: the role is checked there (a refusal is logged and
answered 403), one audit entry is written, and, unless the request carries ``X-Reveal-Reason``,
the answer is pseudonymised by the guard's redactor before it leaves. Names and ids from the data
are untrusted: the API answers JSON only and never builds HTML from them.
"""

from __future__ import annotations

import contextlib
import copy
import io
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from graphrisk import __version__
from graphrisk.errors import (
    AccessDeniedError,
    AuditLogBrokenError,
    GraphriskError,
    PrivacyError,
    QueryError,
    QueryTimeoutError,
    StoreError,
    StoreNotFoundError,
    UsageError,
)
from graphrisk.limits import EXPLORE_MAX_HOPS, EXPLORE_MAX_NODES, EXPLORE_MAX_PER_GROUP, PATHS_MAX_HOPS
from graphrisk.privacy.access import allowed, os_user
from graphrisk.privacy.files import PrivacyPaths
from graphrisk.privacy.pseudonyms import PseudonymMap, load_key, normalise_pseudonym
from graphrisk.privacy.session import Session
from graphrisk.serve import models, views
from graphrisk.serve.auth import (
    COOKIE,
    CSRF_HEADER,
    Credentials,
    RateLimiter,
    SessionData,
    Sessions,
    file_stamp,
)
from graphrisk.serve.triage import (
    CLOSED,
    DISMISS_REASONS,
    RECORD_TOP,
    STATES,
    Conflict,
    NotFound,
    TriageStore,
    now,
    open_triage,
)

__all__ = ["Config", "Workspace", "create_app"]

log = logging.getLogger("graphrisk.serve")

STATIC = Path(__file__).parent / "static"
VENDOR = Path(__file__).parents[1] / "reports" / "vendor"
REVEAL_HEADER = "X-Reveal-Reason"
#: What the page may show, by the role's actions (``GET /api/session``'s ``actions``).
PAGE_ACTIONS = {
    "alerts": "triage",
    "triage": "triage",
    "reveal": "reveal",
    "explore": "explore",
    "queries": "query",
    "trends": "trends",
    "audit": "audit.read",
}
#: ``/api/meta`` is open to every role with a page; its audit entry names the first action allowed.
META_ACTIONS = ("triage", "trends", "audit.read", "explore", "query")
#: How long the Neo4j store's employee list is reused before it is read again (seconds).
EMPLOYEES_TTL = 60.0
#: At most this many redacted texts and dossier snapshots are remembered per store version.
MEMO_MAX = 200_000
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@dataclass
class Config:
    """How ``graphrisk serve`` was started."""

    idle_timeout_min: float = 30.0
    insecure_cookies: bool = False
    top: int = 50
    login_limit: int = 5
    login_window_s: float = 300.0


class ApiError(Exception):
    """An answer other than 200: status, code and a sentence a person can act on."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None, extra=None):
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(message)


# ------------------------------------------------------------------------------------- state


class Workspace:
    """What the server keeps between requests: the store, the triage store, sessions, caches.

    The embedded store is reopened when a load has published a new version (its manifest
    changed), so the workspace shows what the last load wrote without a restart.
    """

    def __init__(self, open_store: Callable[[], object], config: Config, paths: PrivacyPaths | None = None):
        self.config = config
        self.paths = paths or PrivacyPaths.from_env()
        self._open_store = open_store
        self._lock = threading.Lock()
        self._building = threading.RLock()
        self._store = open_store()
        self._stamp = self._manifest_stamp()
        self._cache: dict = {}
        self._files: dict = {}
        self.triage: TriageStore = open_triage(self._store)
        self.sessions = Sessions(config.idle_timeout_min * 60)
        self.by_user = RateLimiter(config.login_limit, config.login_window_s)
        self.by_address = RateLimiter(config.login_limit, config.login_window_s)
        self.credentials = Credentials(self.paths)

    @property
    def kind(self) -> str:
        return self._store.kind

    def _manifest_stamp(self):
        return self._store.published_version()

    def store(self):
        """The store, reopened when a load published a new version since it was opened.

        A store that cannot tell its version (Neo4j: None every time) is live and never reopened.
        """
        stamp = self._manifest_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    old, self._store = self._store, self._open_store()
                    self._stamp, self._cache = stamp, {}
                    old.close()
        return self._store

    def _cached(self, name: str, make: Callable[[], object], ttl: float | None = None):
        entry = self._cache.get(name)
        if entry is not None and (ttl is None or time.monotonic() - entry[1] < ttl):
            return entry[0]
        with self._building:  # one request builds it; the others arriving meanwhile wait and reuse it
            entry = self._cache.get(name)
            if entry is not None and (ttl is None or time.monotonic() - entry[1] < ttl):
                return entry[0]
            value = make()
            self._cache[name] = (value, time.monotonic())
            return value

    def warm(self) -> None:
        """Read the employees and build their pseudonyms and redactor now, before the first request
        (5,000 employees: about half a second), so that the first users do not wait for it."""
        try:
            self._redactor_and_memo(self.session(os_user()))
        except GraphriskError as exc:  # no key yet, no store yet: the first request will say so
            log.info("not warmed up: %s", exc)

    def employees(self, session: Session) -> dict[str, str | None]:
        from graphrisk.privacy.guard import employee_persons

        store = self.store()
        # a live store changes under us: its employees are read again after a while
        ttl = EMPLOYEES_TTL if store.published_version() is None else None
        return self._cached("employees", lambda: employee_persons(store), ttl)

    def names(self, session: Session) -> PseudonymMap:
        employees = self.employees(session)
        key = session.key
        cached = self._cache.get("names")
        if cached is not None and cached[0][0] is employees and cached[0][1] == key.secret:
            return cached[0][2]
        with self._building:
            cached = self._cache.get("names")
            if cached is not None and cached[0][0] is employees and cached[0][1] == key.secret:
                return cached[0][2]
            names = PseudonymMap(key, employees)  # one HMAC per employee
            self._cache["names"] = ((employees, key.secret, names), time.monotonic())
            return names

    def _redactor_and_memo(self, session: Session):
        """A redactor of its own for one request, and the memo shared by requests under the same one."""
        from graphrisk.privacy.redact import Redactor

        names = self.names(session)
        cached = self._cache.get("redactor")
        if cached is None or cached[0][0] is not names:
            with self._building:
                cached = self._cache.get("redactor")
                if cached is None or cached[0][0] is not names:
                    employees = self.employees(session)
                    persons = {p: e for e, p in employees.items() if p is not None}
                    # the memo of redacted texts and snapshots lives and dies with this redactor
                    # (one store version, one key): what it holds cannot go stale
                    cached = ((names, Redactor(names, persons), {}), time.monotonic())
                    self._cache["redactor"] = cached
        redactor = copy.copy(cached[0][1])
        redactor.person_names = set()  # a query may add names it found: not for the next request
        return redactor, cached[0][2]

    def redacted_text(self, guard, text: str) -> str:
        """``guard.pseudonymiser.text(text)``, remembered: reasons repeat on every queue request."""
        memo = guard.memo
        found = memo.get(("text", text))
        if found is None:
            found = guard.pseudonymiser.text(text)
            if len(memo) < MEMO_MAX:
                memo[("text", text)] = found
        return found

    def snapshot(self, guard, employee_id: str, row: dict) -> dict:
        """A dossier's parts, reasons and findings as scored (redacted unless revealed).

        They change only with a scoring run (``last_run``, ``last_seen``), so they are parsed and
        redacted once per run and employee, not at every request.
        """
        key = ("snapshot", employee_id, row.get("last_run"), row.get("last_seen"), guard.revealed)
        memo = guard.memo
        found = memo.get(key)
        if found is None:
            full = self.triage.alert(employee_id, full=True) or {}
            found = {
                "parts": views.dossier_parts(full.get("parts") or []),
                "reasons": list(full.get("reasons") or []),
                "findings": [
                    {**f, "evidence": [f.get("evidence") or []]} for f in full.get("findings") or []
                ],
            }
            if not guard.revealed:
                found = guard.pseudonymiser.value(found)
            if len(memo) < MEMO_MAX:
                memo[key] = found
        return found

    def session(self, user: str) -> Session:
        """The signed-in user's :class:`Session`, with the access file and key read once per change."""
        session = Session(user, os_user(), self.paths)
        session.__dict__["access"] = self.credentials.access()
        session.__dict__["key"] = self._cached_file("key", self.paths.key_file, load_key)
        return session

    def _cached_file(self, name: str, path: Path, read: Callable[[Path], object]):
        stamp = file_stamp(path)
        entry = self._files.get(name)
        if entry is not None and stamp is not None and entry[0] == stamp:
            return entry[1]
        value = read(path)
        self._files[name] = (stamp, value)
        return value

    def source(self):
        """The graph source; persons' names and birth dates left out while a request is redacted."""
        from graphrisk.analyst.source import _HidingSource
        from graphrisk.privacy.redact import active

        # an embedded store builds its source once per version it reads; the store object lives
        # until a load publishes a new one (store() above)
        source = self.store().graph_source()
        return source if active() is None else _HidingSource(source)

    @contextlib.contextmanager
    def guarded(
        self, user: SessionData, command: str, action: str, *, reveal: str | None = None, **kwargs
    ) -> Iterator[object]:
        """:func:`~graphrisk.privacy.guard.guarded` for the signed-in user, with the cached pseudonyms."""
        from graphrisk.privacy.guard import guarded

        session = self.session(user.user)
        with guarded(
            command, action=action, store=self.store(), reveal=reveal, session=session, **kwargs
        ) as guard:
            guard.__dict__["employees"] = self.employees(session)
            guard.__dict__["names"] = self.names(session)
            guard.__dict__["pseudonymiser"], guard.memo = self._redactor_and_memo(session)
            yield guard

    def close(self) -> None:
        self.triage.close()
        self._store.close()


# ------------------------------------------------------------------------------- dependencies


def _workspace(request: Request) -> Workspace:
    return request.app.state.workspace


def signed_in(request: Request) -> SessionData:
    """The request's live session (401 ``not-signed-in`` without one)."""
    ws = _workspace(request)
    data = ws.sessions.get(request.cookies.get(COOKIE))
    if data is None:
        raise ApiError(401, "not-signed-in", "sign in first (or again: the session ended)")
    if data.user not in ws.credentials.access().users:  # removed from the access file meanwhile
        ws.sessions.end(data.id)
        raise ApiError(401, "not-signed-in", "this account no longer exists; sign in with another")
    return data


def with_csrf(
    request: Request,
    user: Annotated[SessionData, Depends(signed_in)],
    token: Annotated[str | None, Header(alias=CSRF_HEADER, include_in_schema=False)] = None,
) -> SessionData:
    """A signed-in user whose request carries the session's CSRF token (403 ``csrf`` otherwise)."""
    import hmac

    if token is None or not hmac.compare_digest(token.encode(), user.csrf.encode()):
        raise ApiError(403, "csrf", f"this change needs the {CSRF_HEADER} header of the session")
    return user


def reveal_reason(
    reason: Annotated[str | None, Header(alias=REVEAL_HEADER, max_length=500)] = None,
) -> str | None:
    """The reveal reason of the request, if any (at least 8 characters, one line)."""
    if reason is None:
        return None
    cleaned = " ".join(reason.split())
    if len(cleaned) < 8:
        raise ApiError(
            422, "invalid", "a reveal needs a reason of at least 8 characters (the VIK case and why)"
        )
    return cleaned


User = Annotated[SessionData, Depends(signed_in)]
Changing = Annotated[SessionData, Depends(with_csrf)]
Reveal = Annotated[str | None, Depends(reveal_reason)]
Ws = Annotated[Workspace, Depends(_workspace)]

_ERRORS = {
    401: {"model": models.Error, "description": "not signed in"},
    403: {"model": models.Error, "description": "the role may not, or the CSRF token is missing"},
    422: {"model": models.Error, "description": "a parameter is invalid"},
}


# ----------------------------------------------------------------------------------- the app


def create_app(workspace: Workspace) -> FastAPI:
    """The application over ``workspace`` (docs/serve-api.md)."""
    app = FastAPI(
        title="graphrisk workspace",
        version=__version__,
        description="The analyst workspace of graphrisk (docs/serve-api.md).",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: not here
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.workspace = workspace
    _errors(app)
    _headers(app)
    _auth_routes(app)
    _alert_routes(app)
    _graph_routes(app)
    _query_routes(app)
    _trend_and_audit_routes(app)
    _static(app)
    return app


def _error_body(status: int, code: str, message: str, **extra) -> JSONResponse:
    return JSONResponse({"error": message, "code": code, **extra}, status_code=status)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        response = _error_body(exc.status, exc.code, exc.message, **exc.extra)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg', '')}"
            for e in exc.errors()[:10]
        ]
        return _error_body(422, "invalid", "; ".join(problems) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
        message = "no such page or endpoint" if exc.status_code == 404 else str(exc.detail)
        return _error_body(exc.status_code, code, message)

    @app.exception_handler(GraphriskError)
    async def graphrisk_error(request: Request, exc: GraphriskError):
        status, code = _status_of(exc)
        return _error_body(status, code, str(exc))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error_body(500, "internal", "the server failed; the error is in its log")


def _status_of(exc: GraphriskError) -> tuple[int, str]:
    if isinstance(exc, AccessDeniedError):
        return 403, "forbidden"
    if isinstance(exc, AuditLogBrokenError):
        return 409, "audit-broken"
    if isinstance(exc, QueryTimeoutError):
        return 504, "timeout"
    if isinstance(exc, UsageError | QueryError):
        return 422, "invalid"
    if isinstance(exc, StoreNotFoundError):
        return 503, "no-store"
    if isinstance(exc, StoreError | PrivacyError):
        return 503, "unavailable"
    return 422, "invalid"


def _headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _static(app: FastAPI) -> None:
    app.mount("/static/vendor", StaticFiles(directory=VENDOR, check_dir=False), name="vendor")
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")

    @app.get("/", include_in_schema=False)
    def index():
        page = STATIC / "index.html"
        if not page.is_file():
            return _error_body(404, "no-page", "the workspace page is not installed (graphrisk/serve/static)")
        return FileResponse(page, media_type="text/html; charset=utf-8")


# ----------------------------------------------------------------------------- sign-in, session


def _actions(role: str | None) -> list[str]:
    return [page for page, action in PAGE_ACTIONS.items() if allowed(role, action)]


def _session_info(ws: Workspace, data: SessionData) -> dict:
    role = ws.credentials.access().role_of(data.user)
    roles = [r for r in (role or "").split("+") if r]
    return {
        "user": data.user,
        "roles": roles,
        "csrf": data.csrf,
        "idle_timeout_s": int(ws.config.idle_timeout_min * 60),
        "actions": _actions(role),
    }


def _auth_routes(app: FastAPI) -> None:
    @app.get("/api/health", response_model=models.Health, tags=["session"])
    def health() -> dict:
        """200 ``{"ok": true}``, no session needed."""
        return {"ok": True}

    @app.post(
        "/api/login",
        response_model=models.SessionInfo,
        tags=["session"],
        responses={401: {"model": models.Error}, 429: {"model": models.Error}},
    )
    def login(body: models.Login, request: Request, response: Response, ws: Ws) -> dict:
        """Start a session; sets the ``graphrisk_session`` cookie. 401 for a wrong name or password."""
        address = request.client.host if request.client else "unknown"
        name_key = "user:" + body.username.lower()
        wait = max(ws.by_user.retry_after(name_key) or 0, ws.by_address.retry_after("ip:" + address) or 0)
        if wait:
            log.warning("sign-in refused (rate limit) for %r from %s", body.username, address)
            raise ApiError(
                429,
                "rate-limited",
                f"too many failed sign-ins; try again in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        found = ws.credentials.check(body.username, body.password)
        if found is None:
            ws.by_user.fail(name_key)
            ws.by_address.fail("ip:" + address)
            log.warning("sign-in failed for %r from %s", body.username, address)
            raise ApiError(401, "bad-credentials", "wrong user name or password")
        ws.by_user.clear(name_key)
        ws.sessions.end(request.cookies.get(COOKIE))  # a new id at every sign-in: no fixation
        data = ws.sessions.start(found[0])
        response.set_cookie(
            COOKIE,
            data.id,
            httponly=True,
            samesite="strict",
            secure=not ws.config.insecure_cookies,
            path="/",
        )
        log.info("signed in: %s from %s", data.user, address)
        return _session_info(ws, data)

    @app.post(
        "/api/logout", status_code=204, tags=["session"], responses={401: _ERRORS[401], 403: _ERRORS[403]}
    )
    def logout(user: Changing, ws: Ws) -> Response:
        """End the session (needs the CSRF token)."""
        ws.sessions.end(user.id)
        response = Response(status_code=204)
        response.delete_cookie(
            COOKIE, path="/", httponly=True, samesite="strict", secure=not ws.config.insecure_cookies
        )
        return response

    @app.get(
        "/api/session", response_model=models.SessionInfo, tags=["session"], responses={401: _ERRORS[401]}
    )
    def session(user: User, ws: Ws) -> dict:
        """Who is signed in, their roles, the CSRF token and what the page may show."""
        return _session_info(ws, user)


# ------------------------------------------------------------------------------------ alerts


def _employee_of(ws: Workspace, guard, pseudonym: str) -> str:
    """The employee id of an alert's pseudonym (404 when no alert has it)."""
    alias = normalise_pseudonym(pseudonym)
    if alias is None:
        raise ApiError(404, "not-found", "no alert has this pseudonym")
    employee_id = guard.names.known(alias)
    if employee_id is None:  # an alert of someone no longer in the store (departed, purged)
        for row in ws.triage.alerts():
            if guard.names.pseudonym(row["employee_id"]) == alias:
                return row["employee_id"]
        raise ApiError(404, "not-found", "no alert has this pseudonym")
    return employee_id


def _latest_run_id(ws: Workspace) -> int | None:
    run = ws.triage.latest_run()
    return int(run["id"]) if run else None


def _alert_out(ws: Workspace, guard, row: dict, latest: int | None) -> dict:
    out = views.alert_object(row, guard.names.pseudonym(row["employee_id"]), latest, guard.revealed)
    if not guard.revealed:
        out["reasons"] = [ws.redacted_text(guard, r) for r in out["reasons"]]
    return out


def _assignees(ws: Workspace) -> list[str]:
    users = ws.credentials.access().users.values()
    return sorted(u.name for u in users if allowed(u.role, "triage"))


def _alert_routes(app: FastAPI) -> None:
    @app.get("/api/meta", response_model=models.Meta, tags=["alerts"], responses=_ERRORS)
    def meta(user: User, ws: Ws) -> dict:
        """The store, the latest scoring run, rules, units, triage states and dismiss reasons."""
        from graphrisk.rules import RULES

        role = ws.credentials.access().role_of(user.user)
        action = next((a for a in META_ACTIONS if allowed(role, a)), "triage")
        with ws.guarded(user, "serve.meta", action, redact=False) as guard:
            run = ws.triage.latest_run()
            units = sorted({r["unit"] for r in ws.triage.alerts() if r.get("unit")})
            guard.done(rows=1)
        return {
            "store": ws.kind,
            "run": {
                k: run.get(k)
                for k in ("id", "as_of", "scored_at", "threshold", "employees", "alerts", "window")
            }
            if run
            else None,
            "rules": [{"name": r.id, "title": r.title, "severity": r.severity} for r in RULES.values()],
            "units": units,
            "triage_states": list(STATES),
            "dismiss_reasons": list(DISMISS_REASONS),
            "assignees": _assignees(ws) if allowed(role, "triage") else [],
            "top": ws.config.top,
        }

    @app.get("/api/alerts", response_model=list[models.Alert], tags=["alerts"], responses=_ERRORS)
    def alerts(
        user: User,
        ws: Ws,
        reveal: Reveal,
        unit: Annotated[str | None, Query(max_length=200)] = None,
        rule: Annotated[str | None, Query(max_length=200)] = None,
        state: Annotated[
            Literal["new", "in_review", "confirmed", "dismissed", "resolved"] | None, Query()
        ] = None,
        assignee: Annotated[str | None, Query(max_length=200)] = None,
        sort: Annotated[Literal["score", "-score", "updated"], Query()] = "-score",
        limit: Annotated[int, Query(ge=1, le=5000)] = 200,
        offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
        all_runs: Annotated[bool, Query(alias="all")] = False,
    ) -> list[dict]:
        """The alert queue: every alert of the latest run at or above the threshold, and its top N.

        ``all=true`` adds alerts that dropped out of the latest run (they keep their state).
        """
        with ws.guarded(user, "serve.alerts", "triage", reveal=reveal) as guard:
            guard.params(
                {
                    "unit": unit,
                    "rule": rule,
                    "state": state,
                    "assignee": assignee,
                    "sort": sort,
                    "limit": limit,
                    "offset": offset,
                    "all": all_runs,
                }
            )
            latest = _latest_run_id(ws)
            rows = [
                r
                for r in ws.triage.alerts()
                if (
                    all_runs
                    or (r.get("last_run") == latest and (r.get("alert") or r["rank"] <= ws.config.top))
                )
                and (unit is None or r.get("unit") == unit)
                and (rule is None or rule in (r.get("rules") or []))
                and (state is None or r["state"] == state)
                and (assignee is None or r.get("assignee") == assignee)
            ]
            if sort == "updated":
                rows.sort(key=lambda r: (r.get("updated_at") or "", r["employee_id"]), reverse=True)
            else:
                rows.sort(key=lambda r: (r.get("score") or 0.0, r["employee_id"]), reverse=sort == "-score")
            rows = rows[offset : offset + limit]
            guard.subjects(r["employee_id"] for r in rows)
            guard.done(rows=len(rows))
            return [_alert_out(ws, guard, r, latest) for r in rows]

    @app.get(
        "/api/alerts/{pseudonym}",
        response_model=models.Dossier,
        tags=["alerts"],
        responses={**_ERRORS, 404: {"model": models.Error}},
    )
    def dossier(pseudonym: str, user: User, ws: Ws, reveal: Reveal) -> dict:
        """One alert's dossier: score parts as sentences, findings with evidence, history, notes."""
        with ws.guarded(user, "serve.dossier", "triage", reveal=reveal) as guard:
            employee_id = _employee_of(ws, guard, pseudonym)
            row = ws.triage.alert(employee_id)
            if row is None:
                raise ApiError(404, "not-found", "no alert has this pseudonym")
            guard.subjects([employee_id])
            guard.done(rows=1)
            events = ws.triage.events(employee_id)
            identity = _identity(ws, guard, employee_id) if guard.revealed else None
            snapshot = ws.snapshot(guard, employee_id, row)
            changing = {
                "history": events,
                "notes": [
                    {"user": e["user"], "at": e["at"], "text": e["text"] or ""}
                    for e in events
                    if e["field"] == "note"
                ],
            }
            if not guard.revealed:
                changing = guard.pseudonymiser.value(changing)
            return {
                "alert": _alert_out(ws, guard, row, _latest_run_id(ws)),
                "parts": snapshot["parts"],
                "reasons": snapshot["reasons"],
                "findings": snapshot["findings"],
                **changing,
                "revealed": guard.revealed,
                "identity": identity,
            }

    @app.patch(
        "/api/alerts/{pseudonym}",
        response_model=models.Alert,
        tags=["alerts"],
        responses={**_ERRORS, 404: {"model": models.Error}, 409: {"model": models.Conflict}},
    )
    def change(pseudonym: str, body: models.TriageChange, user: Changing, ws: Ws) -> dict:
        """Change an alert's state, assignee or add a note, if ``version`` is current (else 409)."""
        with ws.guarded(user, "serve.triage", "triage") as guard:
            employee_id = _employee_of(ws, guard, pseudonym)
            guard.subjects([employee_id])
            current = ws.triage.alert(employee_id)
            if current is None:
                raise ApiError(404, "not-found", "no alert has this pseudonym")
            latest = _latest_run_id(ws)
            if current["version"] != body.version:
                guard.record.done(outcome="conflict")
                raise _conflict(ws, guard, current, latest)
            changes, events = _changes(ws, current, body, user.user)
            guard.params({"fields": sorted({e["field"] for e in events}), "version": body.version})
            try:
                updated = ws.triage.update(employee_id, body.version, changes, events, events[0]["at"])
            except Conflict as exc:
                guard.record.done(outcome="conflict")
                raise _conflict(ws, guard, exc.current, latest) from None
            except NotFound:
                raise ApiError(404, "not-found", "no alert has this pseudonym") from None
            guard.done(rows=1)
            return _alert_out(ws, guard, updated, latest)

    @app.get(
        "/api/rules/confirmed-share",
        response_model=list[models.ConfirmedShare],
        tags=["alerts"],
        responses=_ERRORS,
    )
    def confirmed_share(user: User, ws: Ws) -> list[dict]:
        """Per rule, alerts confirmed and dismissed in the last 365 days, and the confirmed share."""
        with ws.guarded(user, "serve.confirmed-share", "triage", redact=False) as guard:
            closed = ws.triage.closed_since(views.year_ago())
            guard.done(rows=len(closed))
        return views.confirmed_share(closed)


def _conflict(ws: Workspace, guard, current: dict, latest: int | None) -> ApiError:
    return ApiError(
        409,
        "conflict",
        f"someone else changed this alert (now version {current['version']}); reload it and try again",
        extra={"current": _alert_out(ws, guard, current, latest)},
    )


def _changes(ws: Workspace, current: dict, body: models.TriageChange, user: str) -> tuple[dict, list[dict]]:
    """The fields to set and one event per change; a request that changes nothing is a 422."""
    given = body.model_fields_set
    when = now()
    changes: dict = {}
    events: list[dict] = []
    state = body.state if "state" in given and body.state is not None else current["state"]
    if ("dismiss_reason" in given or "dismiss_text" in given) and state != "dismissed":
        raise ApiError(422, "invalid", "a dismiss reason goes with state dismissed")
    if (
        state == "dismissed"
        and current["state"] != "dismissed"
        and body.dismiss_reason not in DISMISS_REASONS
    ):
        raise ApiError(
            422, "invalid", f"dismissing needs dismiss_reason, one of: {', '.join(DISMISS_REASONS)}"
        )
    if "dismiss_reason" in given and body.dismiss_reason not in DISMISS_REASONS:
        raise ApiError(422, "invalid", f"dismiss_reason must be one of: {', '.join(DISMISS_REASONS)}")
    if "assignee" in given and body.assignee is not None and body.assignee not in _assignees(ws):
        raise ApiError(422, "invalid", "the assignee must be a user who may triage (see /api/meta assignees)")

    def change(field: str, new, text: str | None = None) -> None:
        old = current.get(field)
        if new != old:
            changes[field] = new
            events.append({"at": when, "user": user, "field": field, "old": old, "new": new, "text": text})

    if "state" in given and body.state is not None:
        text = None
        if body.state == "dismissed":
            text = body.dismiss_reason + (f": {body.dismiss_text}" if body.dismiss_text else "")
        change("state", body.state, text)
        if body.state != current["state"]:
            changes["closed_at"] = when if body.state in CLOSED else None
    if "dismiss_reason" in given:
        change("dismiss_reason", body.dismiss_reason)
    if "dismiss_text" in given:
        change("dismiss_text", body.dismiss_text)
    if state != "dismissed" and current.get("dismiss_reason") is not None:
        change("dismiss_reason", None)
        change("dismiss_text", None)
    if "assignee" in given:
        change("assignee", body.assignee)
    if body.note is not None:
        events.append(
            {"at": when, "user": user, "field": "note", "old": None, "new": None, "text": body.note}
        )
    if not events:
        raise ApiError(422, "invalid", "nothing to change: give a new state, assignee or a note")
    return changes, events


def _identity(ws: Workspace, guard, employee_id: str) -> dict:
    from graphrisk.analyst.source import node_id

    person = guard.employees.get(employee_id)
    name = None
    if person is not None:
        props = ws.source().nodes([node_id("Person", person)]).get(node_id("Person", person), {})
        name = props.get("name")
    return {"employee_id": employee_id, "name": name}


# ------------------------------------------------------------------------ graph, explore, paths


_KINDS = {
    "employee": "Employee",
    "person": "Person",
    "case": "Case",
    "organisation": "Organisation",
    "vehicle": "Vehicle",
    "address": "Address",
}


def _redacted_graph(guard, graph):
    return graph if guard.revealed else guard.pseudonymiser.graph(graph)


def _graph_routes(app: FastAPI) -> None:
    @app.get(
        "/api/alerts/{pseudonym}/graph",
        response_model=models.Graph,
        tags=["alerts"],
        responses={**_ERRORS, 404: {"model": models.Error}},
    )
    def dossier_graph(
        pseudonym: str,
        user: User,
        ws: Ws,
        reveal: Reveal,
        hops: Annotated[int, Query(ge=1, le=2)] = 1,
        max_nodes: Annotated[int, Query(ge=10, le=EXPLORE_MAX_NODES)] = 150,
    ) -> dict:
        """The dossier's network (as ``graphrisk report`` draws it), capped at ``max_nodes``."""
        from graphrisk.analyst.source import node_id
        from graphrisk.reports.dossier import dossier_network

        with ws.guarded(user, "serve.dossier-graph", "triage", reveal=reveal) as guard:
            employee_id = _employee_of(ws, guard, pseudonym)
            row = ws.triage.alert(employee_id, full=True)
            if row is None:
                raise ApiError(404, "not-found", "no alert has this pseudonym")
            source = ws.source()
            nid = node_id("Employee", employee_id)
            if nid not in source.nodes([nid]):
                raise ApiError(404, "not-found", "this employee is no longer in the store")
            types = ("IS_PERSON", "WORKS_IN", "ASSIGNED_TO", *(("PERFORMED",) if hops > 1 else ()))
            around = [nb.node for nb in source.expand([nid], types, 50).neighbours]
            net = dossier_network(source, nid, views.findings_frame(row.get("findings") or []), around)
            total = net.graph.number_of_nodes()
            graph, capped = views.cap_graph(net.graph, nid, max_nodes)
            guard.subjects(views.graph_employees(graph))
            guard.done(rows=graph.number_of_nodes())
            notes = [f"showing {max_nodes} of {total} nodes: the nearest to the employee"] if capped else []
            if len(net.shown) < len(row.get("findings") or []):
                notes.append(
                    f"the evidence of the {len(net.shown)} most severe (then newest) findings is drawn"
                )
            highlight = (
                {guard.pseudonymiser.text(n) for n in net.highlight} if not guard.revealed else net.highlight
            )
            out = views.graph_out(
                _redacted_graph(guard, graph), capped=capped, total=total, notes=notes, highlight=highlight
            )
            return {**out, "revealed": guard.revealed}

    @app.get("/api/explore", response_model=models.Graph, tags=["explore"], responses=_ERRORS)
    def explore(
        user: User,
        ws: Ws,
        reveal: Reveal,
        kind: Annotated[Literal["employee", "person", "case", "organisation", "vehicle", "address"], Query()],
        id: Annotated[str, Query(min_length=1, max_length=200)],
        hops: Annotated[int, Query(ge=1, le=EXPLORE_MAX_HOPS)] = 1,
        types: Annotated[str | None, Query(max_length=500)] = None,
        since: Annotated[str | None, Query(max_length=40)] = None,
        until: Annotated[str | None, Query(max_length=40)] = None,
        max_nodes: Annotated[int, Query(ge=1, le=EXPLORE_MAX_NODES)] = 150,
        per_group: Annotated[int, Query(ge=1, le=EXPLORE_MAX_PER_GROUP)] = 15,
    ) -> dict:
        """The network around a node, capped (``capped``, notes say where); filter by type and time."""
        from graphrisk.analyst import neighbourhood, parse_types
        from graphrisk.limits import Deadline

        with ws.guarded(user, "serve.explore", "explore", reveal=reveal) as guard:
            node = guard.resolve(id)
            guard.params(
                {"kind": kind, "node": node, "hops": hops, "types": types, "since": since, "until": until}
            )
            start, end = views.parse_day(since, "since"), views.parse_day(until, "until")
            source = ws.source()
            centre = source.resolve(node, labels=[_KINDS[kind]])
            hood = neighbourhood(
                source,
                centre,
                hops=hops,
                max_nodes=max_nodes,
                per_group=per_group,
                types=parse_types(types),
                deadline=Deadline(30.0, "explore"),
            )
            graph = views.filter_by_time(hood.graph, centre, start, end)
            guard.subjects(views.graph_employees(graph))
            guard.done(rows=graph.number_of_nodes())
            capped = hood.truncated_at_hop is not None or bool(hood.collapsed)
            notes = [
                n.replace("--max-nodes", "max nodes").replace("--per-group", "per group")
                for n in hood.notes()
            ]
            notes = [guard.pseudonymiser.text(n) for n in notes] if not guard.revealed else notes
            out = views.graph_out(
                _redacted_graph(guard, graph),
                capped=capped,
                total=hood.real_nodes() + hood.not_shown,
                notes=notes,
            )
            return {**out, "revealed": guard.revealed}

    @app.get("/api/paths", response_model=models.Paths, tags=["explore"], responses=_ERRORS)
    def paths(
        user: User,
        ws: Ws,
        reveal: Reveal,
        from_: Annotated[str, Query(alias="from", min_length=1, max_length=200)],
        to: Annotated[str, Query(min_length=1, max_length=200)],
        max_hops: Annotated[int, Query(ge=1, le=PATHS_MAX_HOPS)] = 4,
        types: Annotated[str | None, Query(max_length=500)] = None,
        limit: Annotated[int, Query(ge=1, le=10)] = 5,
    ) -> dict:
        """The shortest paths between two nodes (``Kind:id`` or an id), each as nodes and steps."""
        from graphrisk.analyst import find_paths, parse_types
        from graphrisk.limits import Deadline

        with ws.guarded(user, "serve.paths", "paths", reveal=reveal) as guard:
            start, end = guard.resolve(_labelled(from_)), guard.resolve(_labelled(to))
            guard.params({"from": start, "to": end, "max_hops": max_hops, "types": types})
            source = ws.source()
            a, b = source.resolve(start), source.resolve(end)
            found = find_paths(
                source,
                a,
                b,
                max_hops=max_hops,
                via=parse_types(types),
                limit=limit,
                deadline=Deadline(30.0, "paths"),
            )
            guard.subjects(views.graph_employees(found.graph))
            guard.done(rows=len(found.paths))
            payload = {
                "paths": [
                    {"hops": p["hops"], "nodes": p["nodes"], "edges": p["steps"], "chain": p["chain"]}
                    for p in found.to_dict()["paths"]
                ],
                "notes": found.notes(),
            }
            elements = views.graph_out(
                found.graph, capped=bool(found.stopped), total=found.graph.number_of_nodes()
            )
            if not guard.revealed:
                payload = guard.pseudonymiser.value(payload)
                elements = views.graph_out(
                    _redacted_graph(guard, found.graph),
                    capped=bool(found.stopped),
                    total=found.graph.number_of_nodes(),
                )
            return {**payload, "elements": elements, "revealed": guard.revealed}

    @app.post(
        "/api/export",
        tags=["explore"],
        responses={**_ERRORS, 200: {"content": {"application/octet-stream": {}}, "description": "the file"}},
        response_class=Response,
    )
    def export(body: models.ExportRequest, user: Changing, ws: Ws, reveal: Reveal) -> Response:
        """The elements shown as a GraphML, GEXF or JSON file (a download)."""
        from graphrisk.analyst.export import write_graph

        with ws.guarded(user, "serve.export", "export", reveal=reveal) as guard:
            graph = views.elements_graph(body.elements.nodes, body.elements.edges)
            shown = views.graph_employees(graph)
            guard.subjects(e for e in shown if e in guard.names or guard.names.known(e))
            guard.params({"format": body.format, "nodes": graph.number_of_nodes()})
            guard.done(rows=graph.number_of_nodes())
            with tempfile.TemporaryDirectory(prefix="graphrisk-export-") as folder:
                path = Path(folder) / f"graphrisk.{body.format}"
                write_graph(graph, path, title=body.title or "graphrisk workspace")  # redacted by the guard
                data = path.read_bytes()
        media = {
            "graphml": "application/graphml+xml",
            "gexf": "application/gexf+xml",
            "json": "application/json",
        }[body.format]
        return Response(
            data,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="graphrisk-export.{body.format}"'},
        )


def _labelled(text: str) -> str:
    """``kind:id`` with a lower-case kind as the store's label (``employee:E1`` -> ``Employee:E1``)."""
    label, sep, key = text.partition(":")
    if sep and label.lower() in _KINDS:
        return f"{_KINDS[label.lower()]}:{key}"
    return text


# ----------------------------------------------------------------------------------- queries


def _query_routes(app: FastAPI) -> None:
    @app.get("/api/queries", response_model=list[models.QueryInfo], tags=["queries"], responses=_ERRORS)
    def queries(user: User, ws: Ws) -> list[dict]:
        """The named query library, with each query's parameters from its header."""
        from graphrisk.analyst.queries import load_queries

        with ws.guarded(user, "serve.queries", "query", redact=False) as guard:
            found = list(load_queries().values())
            guard.done(rows=len(found))
        return [
            {
                "name": q.name,
                "title": q.name.replace("-", " ").capitalize(),
                "category": q.category,
                "description": q.description,
                "params": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "default": _json_value(p.default),
                        "required": p.required,
                        "doc": p.doc,
                        "low": p.low,
                        "high": p.high,
                    }
                    for p in q.params
                ],
            }
            for q in found
        ]

    @app.post(
        "/api/queries/{name}",
        response_model=models.QueryResult,
        tags=["queries"],
        responses={**_ERRORS, 404: {"model": models.Error}, 200: {"content": {"text/csv": {}}}},
    )
    def run_query(
        name: str,
        body: models.QueryRun,
        user: Changing,
        ws: Ws,
        reveal: Reveal,
        request: Request,
        format: Annotated[Literal["json", "csv"] | None, Query()] = None,
    ):
        """Run a named query (Neo4j) with typed parameters; the rows as JSON, or CSV."""
        from graphrisk.analyst.queries import load_queries
        from graphrisk.analyst.values import plain, plain_frame
        from graphrisk.commands.analyst import NEO4J_ONLY, _redacted_rows

        library = load_queries()
        if name not in library:
            raise ApiError(404, "not-found", f"no named query {name!r}; GET /api/queries lists them")
        q = library[name]
        with ws.guarded(user, "serve.query", "query", reveal=reveal, query=q.name) as guard:
            store = ws.store()
            given = {
                k: str(v) if isinstance(v, int | float | bool) else v
                for k, v in body.params.items()
                if v is not None
            }
            values = q.bind({k: guard.resolve(v) if isinstance(v, str) else v for k, v in given.items()})
            guard.params(plain(values))
            if store.kind != "neo4j":
                raise UsageError(NEO4J_ONLY)
            frame = store.read(q.cypher_name, values, max_rows=body.limit or 1000)
            frame = _redacted_rows(guard, store, frame)
            rows = plain_frame(frame)
            columns = [str(c) for c in frame.columns]
            truncated = frame.attrs.get("truncated_at") is not None
        if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
            return _csv(columns, rows)
        return {
            "columns": columns,
            "rows": [list(r.values()) for r in rows],
            "truncated": truncated,
            "revealed": guard.revealed,
        }


def _json_value(value):
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def _csv(columns: list[str], rows: list[dict]) -> Response:
    import csv

    from graphrisk.analyst.values import to_text
    from graphrisk.outputs import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([neutralise(to_text(v)) for v in row.values()])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="graphrisk-query.csv"'},
    )


# ----------------------------------------------------------------------------- trends, audit


def _trend_and_audit_routes(app: FastAPI) -> None:
    @app.get("/api/trends", response_model=models.Trends, tags=["trends"], responses=_ERRORS)
    def trends(
        user: User,
        ws: Ws,
        group: Annotated[Literal["unit", "team"], Query()] = "unit",
        rule: Annotated[str | None, Query(max_length=100)] = None,
        from_: Annotated[str | None, Query(alias="from", max_length=7)] = None,
        to: Annotated[str | None, Query(max_length=7)] = None,
    ) -> dict:
        """Findings per employee per unit or team, month and rule; cells under 5 employees suppressed."""
        with ws.guarded(user, "serve.trends", "trends", redact=False) as guard:
            guard.params({"group": group, "rule": rule, "from": from_, "to": to})
            result = views.trends(
                ws.triage.trend_counts(group),
                ws.triage.headcounts(group),
                group,
                rule,
                from_ or None,
                to or None,
            )
            guard.done(rows=len(result["cells"]))
        return result

    @app.get("/api/audit", response_model=models.AuditEntries, tags=["audit"], responses=_ERRORS)
    def audit(
        user: User,
        ws: Ws,
        user_: Annotated[str | None, Query(alias="user", max_length=200)] = None,
        subject: Annotated[str | None, Query(max_length=200)] = None,
        from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        to: Annotated[str | None, Query(max_length=40)] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
    ) -> dict:
        """Audit entries by user, subject (a pseudonym) and time, newest first."""
        from graphrisk.privacy.audit import parse_when, select

        with ws.guarded(user, "serve.audit", "audit.read", redact=False) as guard:
            guard.params({"user": user_, "subject": subject, "from": from_, "to": to})
            alias = None
            if subject:
                alias = normalise_pseudonym(subject)
                if alias is None:
                    raise ApiError(422, "invalid", "subject: give a pseudonym (EMP-XXXX-XXXX-XXXX)")
            entries = guard.session.log.entries()
            found = select(
                entries,
                subject=alias,
                user=user_ or None,
                since=parse_when(from_ or None, "from"),
                until=parse_when(to or None, "to"),
            )
            guard.done(rows=min(len(found), limit))
        return {"entries": list(reversed(found))[:limit], "total": len(found)}

    @app.get("/api/audit/verify", response_model=models.AuditVerify, tags=["audit"], responses=_ERRORS)
    def audit_verify(user: User, ws: Ws) -> dict:
        """Walk the audit log's hash chain and compare it with its head."""
        with ws.guarded(user, "serve.audit-verify", "audit.read", redact=False) as guard:
            result = guard.session.log.verify()
            guard.done(rows=result.entries)
        return {
            "ok": result.ok,
            "entries": result.entries,
            "problem": result.problem,
            "line": result.line,
            "note": result.note,
        }


__all__ += ["RECORD_TOP"]
