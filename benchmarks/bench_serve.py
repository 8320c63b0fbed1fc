"""Workspace latency under load: p50/p95 of the alert queue and a dossier for 20 signed-in users.

Starts ``graphrisk serve`` in-process (uvicorn on 127.0.0.1, a free port) over an existing,
scored store, signs in N users (created with a cheap password hash in a private access file beside
the run), and lets each fetch the queue and a dossier in turn for a bounded number of rounds.
Traffic goes to 127.0.0.1 only.

    python benchmarks/bench_serve.py --store .graphrisk --users 20 --rounds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    import os

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
    paths = PrivacyPaths(tmp / "site.key", tmp / "access.json", tmp / "audit.jsonl", tmp / "audit-head.json")
    os.environ["GRAPHRISK_KEY_FILE"] = str(paths.key_file)

    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
    from serve_world import Server

    from graphrisk.serve.app import Config, Workspace, create_app
    from graphrisk.store import open_store

    ws = Workspace(lambda: open_store(store_dir=args.store), Config(insecure_cookies=True), paths)
    with Server(create_app(ws)) as server:
        queue, dossier = asyncio.run(_load(server.url, list(users), args.rounds))
    ws.close()
    shutil.rmtree(tmp, ignore_errors=True)
    for name, times in (("alert queue", queue), ("dossier", dossier)):
        q = statistics.quantiles(times, n=20)
        p50, p95 = statistics.median(times) * 1000, q[18] * 1000
        print(f"{name:12s} n={len(times):4d}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")


async def _load(url: str, users: list[str], rounds: int):
    import httpx

    queue: list[float] = []
    dossier: list[float] = []

    async def user(name: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            r = await client.post("/api/login", json={"username": name, "password": "bench-password"})
            r.raise_for_status()
            for i in range(rounds):
                t = time.perf_counter()
                alerts = (await client.get("/api/alerts")).json()
                queue.append(time.perf_counter() - t)
                pseudonym = alerts[i % len(alerts)]["pseudonym"]
                t = time.perf_counter()
                (await client.get(f"/api/alerts/{pseudonym}")).raise_for_status()
                dossier.append(time.perf_counter() - t)

    await asyncio.gather(*(user(n) for n in users))
    return queue, dossier


if __name__ == "__main__":
    main()
