"""Shared fixtures: the micro data set, temporary stores, and the real Neo4j server.

Neo4j tests take the server from GRAPHRISK_TEST_NEO4J_URI (scripts/test starts one and sets it).
With CI=true a missing or unreachable server fails the run; elsewhere those tests skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
MICRO = DATA / "micro"
BAD = DATA / "bad"


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch, tmp_path_factory):
    """Commands under test never pick up a developer's own store, server, site key or audit log."""
    for name in (
        *("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "GRAPHRISK_STORE", "GRAPHRISK_USER"),
        *("GRAPHRISK_FILE_MODE", "GRAPHRISK_LOCK_WAIT", "GRAPHRISK_FAULT", "GRAPHRISK_QUERY_TIMEOUT"),
    ):
        monkeypatch.delenv(name, raising=False)
    private = tmp_path_factory.mktemp("privacy")  # beside tmp_path, so tests listing it see no extra files
    monkeypatch.setenv("GRAPHRISK_KEY_FILE", str(private / "config" / "site.key"))
    monkeypatch.setenv("GRAPHRISK_ACCESS_FILE", str(private / "config" / "access.json"))
    monkeypatch.setenv("GRAPHRISK_AUDIT_HEAD", str(private / "config" / "audit-head.json"))
    monkeypatch.setenv("GRAPHRISK_AUDIT_LOG", str(private / "state" / "audit.jsonl"))


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


def _neo4j_uri() -> str | None:
    uri = os.environ.get("GRAPHRISK_TEST_NEO4J_URI", "").strip()
    return uri or None


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
def neo4j_store(neo4j_uri):
    """A Neo4j store on the test server, emptied before the test."""
    from graphrisk.store.neo4j import Neo4jStore

    store = Neo4jStore(neo4j_uri)
    store.clear()
    yield store
    store.close()
