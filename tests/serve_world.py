"""A workspace to test against: the micro data set loaded and scored, one user per role.

Used by tests/test_serve_api.py and tests/test_serve_triage.py. Everything is real: the embedded
store, ``graphrisk score`` through the CLI (which records the run in the triage store), the access
file with scrypt hashes (at a tiny cost, so that signing in is quick) and the audit log.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from conftest import MICRO

from graphrisk.privacy.access import hash_password
from graphrisk.privacy.files import PrivacyPaths

ROLES = ("analyst", "liaison", "manager", "auditor", "admin", "batch")
PASSWORD = "correct horse battery"
#: A person name and a unit name that would run as script if a page put them into HTML.
SCRIPT_NAME = "<script>alert('x')</script>"


@dataclass
class World:
    root: Path
    store: Path
    paths: PrivacyPaths

    def workspace(self, **config):
        from graphrisk.serve.app import Config, Workspace
        from graphrisk.store import open_store

        return Workspace(
            lambda: open_store(store_dir=self.store), Config(insecure_cookies=True, **config), self.paths
        )


def make_world(root: Path, users=ROLES) -> World:
    """Load the micro data set (one person's name made a script tag) and score it as ``batch``."""
    data = root / "micro"
    shutil.copytree(MICRO, data)
    persons = (data / "persons.csv").read_text(encoding="utf-8").splitlines()
    header = persons[0].split(",")
    name_at = header.index("name")
    first = persons[1].split(",")
    first[name_at] = '"' + SCRIPT_NAME + '"'
    persons[1] = ",".join(first)
    (data / "persons.csv").write_text("\n".join(persons) + "\n", encoding="utf-8")

    config = root / "config"
    config.mkdir()
    import os

    shutil.copy(Path(os.environ["GRAPHRISK_KEY_FILE"]), config / "site.key")
    paths = PrivacyPaths(
        config / "site.key",
        config / "access.json",
        root / "state" / "audit.jsonl",
        config / "audit-head.json",
    )
    cheap = hash_password(PASSWORD, log_n=4)
    access = {name: {"role": name, "added": "", "added_by": "tests", "password": cheap} for name in users}
    access["analyst2"] = {"role": "analyst", "added": "", "added_by": "tests", "password": cheap}
    access["runner"] = {"role": "analyst+batch", "added": "", "added_by": "tests"}
    paths.access_file.write_text(json.dumps({"version": 1, "users": access}), encoding="utf-8")
    store = root / "store"
    env = {
        "GRAPHRISK_KEY_FILE": str(paths.key_file),
        "GRAPHRISK_ACCESS_FILE": str(paths.access_file),
        "GRAPHRISK_AUDIT_LOG": str(paths.audit_log),
        "GRAPHRISK_AUDIT_HEAD": str(paths.audit_head),
        "GRAPHRISK_USER": "runner",
    }
    runner = CliRunner()
    for args in (["load", str(data), "--store", str(store), "-q"], ["score", "--store", str(store), "-q"]):
        result = runner.invoke(__import__("graphrisk.cli", fromlist=["main"]).main, args, env=env)
        assert result.exit_code == 0, result.output
    return World(root, store, paths)


def score_again(world: World) -> None:
    from graphrisk.cli import main

    env = {
        "GRAPHRISK_KEY_FILE": str(world.paths.key_file),
        "GRAPHRISK_ACCESS_FILE": str(world.paths.access_file),
        "GRAPHRISK_AUDIT_LOG": str(world.paths.audit_log),
        "GRAPHRISK_AUDIT_HEAD": str(world.paths.audit_head),
        "GRAPHRISK_USER": "runner",
    }
    result = CliRunner().invoke(main, ["score", "--store", str(world.store), "-q"], env=env)
    assert result.exit_code == 0, result.output


def sign_in(client, user: str) -> str:
    answer = client.post("/api/login", json={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()["csrf"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real uvicorn server on 127.0.0.1 in a thread, stopped at the end of the block."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
