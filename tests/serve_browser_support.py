"""The world of the browser tests: a real `graphrisk serve` over a real store, and a real Chromium.

One generated tiny world per module, built by the commands a site runs (`keys init`, `users add`,
`load`, `score`) in its own folder with its own site key, access file and audit log, and one
server subprocess on a free loopback port. Every name in the data set (persons, organisations,
cases, units) ends in an HTML tag with an event handler, so that a page that parsed data as HTML
would run it (and set ``window.__xss``).

The browser is Debian's chromium driven by Playwright (``executable_path``: Playwright never
downloads a browser here). Every page records its console errors and uncaught exceptions; a
test ends by asserting there were none.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GRAPHRISK = Path(sys.executable).parent / "graphrisk"
ARTIFACTS = ROOT / "test-artifacts" / "serve"
PASSWORD = "correct horse battery"
#: appended to every person's name: a page that parsed it as HTML would set window.__xss
XSS = '<img src=x onerror="window.__xss=1">'
#: the test's accounts: name -> role
USERS = {"ann": "analyst", "bob": "analyst", "lia": "liaison", "man": "manager", "aud": "auditor"}
_CLEARED = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "GRAPHRISK_STORE", "GRAPHRISK_USER")


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("CI=true but no chromium: scripts/setup --test installs it; the browser tests must run")
    pytest.skip("no chromium on this machine (scripts/setup --test installs it)")


@dataclass
class World:
    """A served store: where it is, who may sign in, and the server's address."""

    folder: Path
    env: dict
    url: str = ""
    server: subprocess.Popen | None = None
    artifacts: Path = ARTIFACTS
    log: Path = field(init=False)

    def __post_init__(self):
        self.log = self.folder / "serve.log"

    def run(self, *args: str, user: str = "boss", stdin: str | None = None) -> str:
        """Runs a graphrisk command in this process (as a site would run it; no interpreter start-up)."""
        from click.testing import CliRunner

        from graphrisk.cli import main

        # CliRunner lays env over this process's environment: what the world does not set is unset
        mine = (*_CLEARED, *(k for k in os.environ if k.startswith("GRAPHRISK_")))
        unset = {k: None for k in mine if k not in self.env}
        env = {**unset, **self.env, "GRAPHRISK_USER": user}
        result = CliRunner().invoke(main, list(args), env=env, input=stdin)
        assert result.exit_code == 0, f"graphrisk {' '.join(args)}: {result.output[-3000:]}"
        return result.output

    def audit_lines(self) -> list[str]:
        return Path(self.env["GRAPHRISK_AUDIT_LOG"]).read_text(encoding="utf-8").splitlines()

    def screenshot(self, page, name: str) -> Path:
        """Saves a full-page screenshot as a test artefact (and a copy under $GRAPHRISK_ARTIFACTS)."""
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / name
        page.screenshot(path=str(path), full_page=True)
        extra = os.environ.get("GRAPHRISK_ARTIFACTS", "").strip()
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(extra) / name)
        return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _poison_names(dataset: Path) -> None:
    """Every name of a person, organisation, case and unit ends in an HTML tag with a handler."""
    for table in ("persons", "organisations", "cases", "units"):
        path = dataset / f"{table}.csv"
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            row["name"] = f"{row['name']} {XSS}"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def build_world(folder: Path) -> World:
    """A tiny generated world, loaded and scored, with the test's users and their passwords, served."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED and not k.startswith("GRAPHRISK_")}
    env.update(
        GRAPHRISK_KEY_FILE=str(folder / "config" / "site.key"),
        GRAPHRISK_ACCESS_FILE=str(folder / "config" / "access.json"),
        GRAPHRISK_AUDIT_HEAD=str(folder / "config" / "audit-head.json"),
        GRAPHRISK_AUDIT_LOG=str(folder / "state" / "audit.jsonl"),
        GRAPHRISK_STORE=str(folder / "store"),
    )
    world = World(folder, env)
    dataset = folder / "data"
    world.run("generate", str(dataset), "--preset", "tiny", "--seed", "1", "-q")
    _poison_names(dataset)
    world.run("keys", "init", "-q")  # makes boss the admin
    world.run("users", "add", "boss", "--role", "admin", "--role", "batch", "-q")
    # the accounts with passwords meanwhile, in a process of their own (scrypt takes a second each)
    accounts = _add_users(world)
    world.run("load", str(dataset), "-q")
    # the server starts (imports, opens the store) while score runs: the queue is read per request
    launch_server(world)
    try:
        world.run("score", "-q")
        out, _ = accounts.communicate(timeout=120)
        assert accounts.returncode == 0, f"graphrisk users add: {out[-3000:]}"
        return wait_for_server(world)
    except BaseException:
        stop_server(world)
        accounts.kill()
        raise


def _add_users(world: World) -> subprocess.Popen:
    """`graphrisk users add NAME --role ROLE --password-stdin` for each test account, in one process."""
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from graphrisk.cli import main\n"
        "for name, role in zip(sys.argv[1::2], sys.argv[2::2]):\n"
        "    args = ['users', 'add', name, '--role', role, '--password-stdin', '-q']\n"
        f"    r = CliRunner().invoke(main, args, input={PASSWORD + chr(10)!r})\n"
        "    if r.exit_code:\n"
        "        sys.exit(f'users add {name} --role {role}: {r.output}')\n"
    )
    pairs = [x for name, role in USERS.items() for x in (name, role)]
    return subprocess.Popen(
        [sys.executable, "-c", script, *pairs], env={**world.env, "GRAPHRISK_USER": "boss"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def launch_server(world: World) -> None:
    port = _free_port()
    world.url = f"http://127.0.0.1:{port}"
    out = world.log.open("w", encoding="utf-8")
    world.server = subprocess.Popen(
        [str(GRAPHRISK), "serve", "--port", str(port), "--insecure-cookies"],
        env=world.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def wait_for_server(world: World) -> World:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if world.server.poll() is not None:
            log = world.log.read_text()[-3000:]
            pytest.fail(f"graphrisk serve exited with {world.server.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(world.url + "/api/health", timeout=1) as answer:
                if answer.status == 200:
                    return world
        except OSError:
            time.sleep(0.1)  # polling a server that is starting: nothing to wait on but the port
    pytest.fail(f"graphrisk serve did not answer within 30 s:\n{world.log.read_text()[-3000:]}")


def stop_server(world: World) -> None:
    if world.server is None or world.server.poll() is not None:
        return
    world.server.terminate()
    try:
        world.server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        world.server.kill()
        world.server.wait()


class Console:
    """A page's console errors and uncaught exceptions, less the ones a test expects.

    A response with an error status is logged by Chromium as a console error ("Failed to load
    resource: ... 401"); a test names the statuses it expects (the first look at the session before
    signing in answers 401; a conflicting save answers 409), and every other one counts.
    """

    def __init__(self, page):
        self.errors: list[str] = []
        self.expected: set[tuple[int, str]] = {(401, "/api/session")}
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def expect(self, status: int, path: str) -> None:
        self.expected.add((status, path))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        for status, path in self.expected:
            if f"status of {status}" in message.text and url.split("?")[0].endswith(path):
                return
        self.errors.append(f"{message.text} ({url})")
