"""Shared fixtures: the micro data set, temporary stores, and the real Neo4j server.

Neo4j tests take the server from GRAPHRISK_TEST_NEO4J_URI (scripts/test starts one per xdist worker
and sets them all, separated by spaces). With CI=true a missing or unreachable server fails the run;
elsewhere those tests skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# No deadline for any property test: a test is not a timer (speed lives in benchmarks/), and on a
# shared two-core machine a 200 ms default failed a pure arithmetic property under load.
settings.register_profile("graphrisk", deadline=None)
settings.load_profile("graphrisk")

DATA = Path(__file__).parent / "data"
MICRO = DATA / "micro"
BAD = DATA / "bad"


#: The roles of the test suite's user: one person doing the batch, analyst and liaison jobs (a user
#: may hold several roles; docs/privacy.md), so that a test can load, score and explore in a row.
TEST_USER = "tester"
TEST_ROLES = "analyst+liaison+batch"
#: Modules that set up (or test the absence of) the key and the access file themselves.
_OWN_SITE = ("test_privacy",)
_PRIVACY_VARS = ("GRAPHRISK_KEY_FILE", "GRAPHRISK_ACCESS_FILE", "GRAPHRISK_AUDIT_HEAD", "GRAPHRISK_AUDIT_LOG")


@pytest.fixture(scope="session", autouse=True)
def _site(tmp_path_factory):
    """One site key and access file with the test user for the whole run, set before any fixture runs
    a command (module-scoped stores included), as `graphrisk keys init` and `users add` leave them:
    every command checks the role and pseudonymises with this key."""
    import json

    from graphrisk.privacy.pseudonyms import create_key

    site = tmp_path_factory.mktemp("site")
    values = {
        "GRAPHRISK_KEY_FILE": site / "config" / "site.key",
        "GRAPHRISK_ACCESS_FILE": site / "config" / "access.json",
        "GRAPHRISK_AUDIT_HEAD": site / "config" / "audit-head.json",
        "GRAPHRISK_AUDIT_LOG": site / "state" / "audit.jsonl",
    }
    saved = {name: os.environ.get(name) for name in (*_PRIVACY_VARS, "GRAPHRISK_USER")}
    create_key(values["GRAPHRISK_KEY_FILE"])
    access = {"version": 1, "users": {TEST_USER: {"role": TEST_ROLES, "added": "", "added_by": "tests"}}}
    values["GRAPHRISK_ACCESS_FILE"].write_text(json.dumps(access), encoding="utf-8")
    os.environ.update({k: str(v) for k, v in values.items()}, GRAPHRISK_USER=TEST_USER)
    yield site
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def _hermetic_env(request, monkeypatch, tmp_path_factory):
    """Commands under test never pick up a developer's own store, server, site key or audit log."""
    for name in (
        *("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "GRAPHRISK_STORE"),
        *("GRAPHRISK_FILE_MODE", "GRAPHRISK_LOCK_WAIT", "GRAPHRISK_FAULT", "GRAPHRISK_QUERY_TIMEOUT"),
    ):
        monkeypatch.delenv(name, raising=False)
    private = tmp_path_factory.mktemp("privacy")  # beside tmp_path, so tests listing it see no extra files
    # each test its own audit log (and head): a test reading the log sees its own entries only
    monkeypatch.setenv("GRAPHRISK_AUDIT_HEAD", str(private / "config" / "audit-head.json"))
    monkeypatch.setenv("GRAPHRISK_AUDIT_LOG", str(private / "state" / "audit.jsonl"))
    key, access = private / "config" / "site.key", private / "config" / "access.json"
    if request.node.get_closest_marker("no_site") or request.module.__name__.endswith(_OWN_SITE):
        monkeypatch.delenv("GRAPHRISK_USER", raising=False)
    else:
        # a copy of the run's key and access file: a test may change its own (add users, replace the
        # key) without changing them for the others; the same key gives module fixtures' pseudonyms
        site = request.getfixturevalue("_site")
        access.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(site / "config" / "site.key", key)
        shutil.copy(site / "config" / "access.json", access)
        monkeypatch.setenv("GRAPHRISK_USER", TEST_USER)
    monkeypatch.setenv("GRAPHRISK_KEY_FILE", str(key))
    monkeypatch.setenv("GRAPHRISK_ACCESS_FILE", str(access))


def names_of(ids):
    """The pseudonyms of employee ids under the test site's key."""
    from graphrisk.privacy.pseudonyms import load_key, pseudonym

    key = load_key(Path(os.environ["GRAPHRISK_KEY_FILE"]))
    return {e: pseudonym(key, e) for e in ids}


@pytest.fixture
def micro_dir(tmp_path) -> Path:
    """A private copy of the hand-made micro data set (tests may edit it)."""
    target = tmp_path / "micro"
    shutil.copytree(MICRO, target)
    return target


def overlay(case: str, tmp_path: Path) -> Path:
    """The micro data set with the files of tests/data/bad/CASE laid over it.

    A file ``_delete`` in the case lists micro files to remove, one per line.
    """
    target = tmp_path / case
    shutil.copytree(MICRO, target)
    for src in (BAD / case).iterdir():
        if src.name == "_delete":
            for name in src.read_text().split():
                (target / name).unlink()
        elif src.name != "_expect":
            shutil.copy(src, target / src.name)
    return target


def _neo4j_uris() -> list[str]:
    return os.environ.get("GRAPHRISK_TEST_NEO4J_URI", "").split()


def _server_per_worker() -> bool:
    """Whether every xdist worker has a Neo4j server of its own (the i-th URI for worker gwi): then
    Neo4j tests run on any worker, in parallel; otherwise they all share the first server, on one
    worker. Under one process there is one "worker"."""
    return len(_neo4j_uris()) >= int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))


def _neo4j_uri() -> str | None:
    uris = _neo4j_uris()
    if not uris:
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # gw0, gw1, ...
    return uris[int(worker.removeprefix("gw"))] if _server_per_worker() else uris[0]


@pytest.fixture(scope="session")
def neo4j_uri() -> str:
    uri = _neo4j_uri()
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if uri is None:
        if in_ci:
            pytest.fail("CI=true but GRAPHRISK_TEST_NEO4J_URI is not set: Neo4j tests must not skip in CI")
        pytest.skip("no Neo4j server: run scripts/test, or set GRAPHRISK_TEST_NEO4J_URI")
    from graphrisk.store.neo4j import Neo4jStore

    store = Neo4jStore(uri)
    try:
        store.verify()
    except Exception as exc:  # the reason goes into the failure or skip message
        if in_ci:
            pytest.fail(f"CI=true but Neo4j at {uri} is not reachable: {exc}")
        pytest.skip(f"Neo4j at {uri} is not reachable: {exc}")
    finally:
        store.close()
    return uri


@pytest.fixture
def neo4j_store(request, neo4j_uri):
    """A Neo4j store on the test server, emptied before the test."""
    from graphrisk.store.neo4j import Neo4jStore

    # a test that reaches the store only through request.getfixturevalue is not seen by the grouping
    # hook below unless it is marked: unmarked, it empties the one database under another worker's
    # Neo4j test (CI at 75deee0: two random failures on gw1)
    shared = "PYTEST_XDIST_WORKER" in os.environ and not _server_per_worker()
    if shared and not request.node.get_closest_marker("xdist_group"):
        pytest.fail(f"{request.node.nodeid} uses Neo4j: mark it (or its parameter) pytest.mark.neo4j")

    store = Neo4jStore(neo4j_uri)
    store.clear()
    yield store
    store.close()


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups into the node ids
def pytest_collection_modifyitems(config, items):
    """Neo4j tests that share one server must run on one xdist worker (scripts/test runs the suite on
    every core with ``--dist loadgroup``): they empty and fill the one test database. With a server
    per worker (scripts/test starts them) they need no group, and the run is not held up by one
    worker doing every Neo4j test.

    Spark tests (those taking the ``spark`` fixture) run on one worker: each worker that meets one
    starts a local JVM of its own, and its first detection runs twice as long as the next (the JVM
    compiles Spark's own code as it goes), work that two workers would both do. xdist hands out the
    largest group first (``--loadscope-reorder``, its default), so the group starts the run on one
    worker while the other takes the rest, and does not come late and end it alone."""
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("spark"))
    if _server_per_worker():
        return
    for item in items:
        fixtures = getattr(item, "fixturenames", ())  # doctests have none
        if "neo4j_uri" in fixtures or item.get_closest_marker("neo4j"):
            item.add_marker(pytest.mark.xdist_group("neo4j"))


@pytest.hookimpl(trylast=True)  # after xdist's hook: the groups must have reached the node ids
def pytest_collection_finish(session):
    """Stop a parallel run whose groups did not take (pytest 9 with pytest-xdist 3.8 did that
    silently, and the Neo4j tests then met on the one database as random failures)."""
    if not getattr(session.config.option, "loadgroup", False):  # set on xdist workers under loadgroup
        return
    lost = [i.nodeid for i in session.items if i.get_closest_marker("xdist_group") and "@" not in i.nodeid]
    if lost:
        raise pytest.UsageError(f"--dist loadgroup did not group {len(lost)} tests, e.g. {lost[0]}")
