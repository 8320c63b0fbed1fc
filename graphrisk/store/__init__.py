"""Stores: Neo4j and the embedded store behind one interface.

Selection is the same for every command: Neo4j when a URI is given (an empty
value counts as none), else the embedded store in the given directory.
"""

from __future__ import annotations

from pathlib import Path

from graphrisk.store.base import GraphStats, LoadSummary, Store
from graphrisk.store.embedded import EmbeddedStore

__all__ = [
    "DEFAULT_STORE_DIR",
    "EmbeddedStore",
    "GraphStats",
    "LoadSummary",
    "Store",
    "append_batch",
    "open_store",
]

DEFAULT_STORE_DIR = ".graphrisk"


def open_store(
    *,
    neo4j_uri: str | None = None,
    neo4j_user: str | None = None,
    neo4j_password: str | None = None,
    store_dir: str | Path | None = None,
) -> Store:
    """Open the store the options select (Neo4j when ``neo4j_uri`` is non-empty)."""
    if neo4j_uri and neo4j_uri.strip():
        from graphrisk.store.neo4j import Neo4jStore  # the driver is imported only when used

        store = Neo4jStore(neo4j_uri.strip(), neo4j_user or None, neo4j_password)
        try:
            store.verify()  # fail at once, not after the driver's retry budget
        except Exception:
            store.close()
            raise
        return store
    return EmbeddedStore(store_dir or DEFAULT_STORE_DIR)


def append_batch(store: Store, path, *, progress=None):
    """Append the batch in directory ``path`` to ``store`` (either kind); see :mod:`graphrisk.store.append`.

    Here and not in :mod:`graphrisk.store.append`, which the Neo4j append builds on: the choice
    of implementation sits above both, so that neither imports the other back.
    """
    if store.kind == "neo4j":
        from graphrisk.store.neo4j_append import append  # the driver is imported only when used

        return append(store, path, progress=progress)
    return store.append(path, progress=progress)
