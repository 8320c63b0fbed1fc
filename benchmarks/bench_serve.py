"""Workspace latency under load: p50/p95 of the alert queue and a dossier for 20 signed-in users.

Starts ``graphrisk serve``'s application in a separate process (uvicorn on 127.0.0.1, a free port)
over an existing, scored store, signs in N users (created with a cheap password hash in a private
access file beside the run), and lets each fetch the queue and a dossier in turn for a bounded
number of rounds. User ``u`` opens, in round ``i``, the queue's alert ``(u + i * N) mod len``, so the
users open different dossiers and each is opened first (not yet cached) before anyone opens it again.
Traffic goes to 127.0.0.1 only. The server runs in its own process so that the load generator
(httpx, parsing the answers) does not share the server's interpreter lock, as a browser would not.

    python benchmarks/bench_serve.py --store .graphrisk --users 20 --rounds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_SERVER = """
import sys, uvicorn
from pathlib import Path
from graphrisk.privacy.files import PrivacyPaths
from graphrisk.serve.app import Config, Workspace, create_app
from graphrisk.store import open_store
store, tmp, port = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
paths = PrivacyPaths(tmp / "site.key", tmp / "access.json", tmp / "audit.jsonl", tmp / "audit-head.json")
ws = Workspace(lambda: open_store(store_dir=store), Config(insecure_cookies=True), paths)
if hasattr(ws, "warm"):
    ws.warm()  # as graphrisk serve does before it listens
uvicorn.run(create_app(ws), host="127.0.0.1", port=port, log_level="warning")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    from graphrisk.privacy.access import hash_password
    from graphrisk.privacy.files import PrivacyPaths

    base = PrivacyPaths.from_env()
    tmp = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    shutil.copy(base.key_file, tmp / "site.key")
    cheap = hash_password("bench-password", log_n=4)
    users = {
        f"u{i}": {"role": "analyst", "added": "", "added_by": "bench", "password": cheap}
        for i in range(args.users)
    }
    (tmp / "access.json").write_text(json.dumps({"version": 1, "users": users}))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GRAPHRISK_KEY_FILE": str(tmp / "site.key")}
    server = subprocess.Popen([sys.executable, "-c", _SERVER, str(args.store), str(tmp), str(port)], env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(url, server)
        queue, dossier = asyncio.run(_load(url, list(users), args.rounds))
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    for name, times in (("alert queue", queue), ("dossier", dossier)):
        q = statistics.quantiles(times, n=20)
        p50, p95 = statistics.median(times) * 1000, q[18] * 1000
        print(f"{name:12s} n={len(times):4d}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")


def _wait(url: str, server: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server did not start")
        try:
            if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not answer within 120 s")


async def _load(url: str, users: list[str], rounds: int):
    import httpx

    queue: list[float] = []
    dossier: list[float] = []

    async def user(number: int, name: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            r = await client.post("/api/login", json={"username": name, "password": "bench-password"})
            r.raise_for_status()
            for i in range(rounds):
                t = time.perf_counter()
                alerts = (await client.get("/api/alerts")).json()
                queue.append(time.perf_counter() - t)
                pseudonym = alerts[(number + i * len(users)) % len(alerts)]["pseudonym"]
                t = time.perf_counter()
                (await client.get(f"/api/alerts/{pseudonym}")).raise_for_status()
                dossier.append(time.perf_counter() - t)

    await asyncio.gather(*(user(i, n) for i, n in enumerate(users)))
    return queue, dossier


if __name__ == "__main__":
    main()
