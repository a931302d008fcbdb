# SPDX-License-Identifier: Apache-2.0
"""`cardkit bench agent`: N desks, each a real agent (uvicorn on its own loopback port) over its
own in-process virtual card, doing check-ins concurrently against one shared registry and
journal; reports p50/p99 check-in latency (``POST /v1/read`` over HTTP, medians of several runs)
and checks that nothing was lost and no check-in id repeats.

The registry is a fresh SQLite file by default; pass ``--registry postgresql://...`` to share a
PostgreSQL server (each run uses its own schema there).
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import math
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


def register_bench(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser("agent", help="concurrent check-ins of N desk agents on one registry: p50/p99 latency")
    p.add_argument("--desks", type=int, default=20)
    p.add_argument("--checkins", type=int, default=5, help="check-ins per desk and run")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--registry", metavar="URL", help="postgresql://... (default: a fresh SQLite file per run)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


@dataclass
class DeskRun:
    """What the desks got back: (desk, checkin_id, seq, seconds) per check-in, and failures."""

    results: list[tuple[str, str, int, float]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def latencies_ms(self) -> list[float]:
        return sorted(r[3] * 1e3 for r in self.results)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, math.ceil(q / 100 * len(values)) - 1))
    return values[k]


def _bound_socket():
    """A loopback socket bound to a free port and kept: handed to uvicorn, so no other server can
    take the port between choosing it and binding it (20 desks choose at once)."""
    import socket

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _desk_server(i: int, image, registry_url: str, trust, trust_path: str, home: Path):
    import uvicorn

    from cardkit.agent.app import build_app
    from cardkit.agent.config import AgentConfig
    from cardkit.agent.owner import ReaderOwner
    from cardkit.agent.security import RateLimiter
    from cardkit.agent.sources import InProcessSource
    from cardkit.agent.tokens import TokenStore
    from cardkit.registry.store import open_store
    from cardkit.sim.factory import make_card
    from cardkit.station.config import StationConfig

    station = StationConfig(registry_url=registry_url, trust_path=trust_path, station=f"desk-{i:02d}", operator="bench")
    owner = ReaderOwner(InProcessSource(make_card(image)), station, functools.partial(open_store, registry_url), trust,
                        poll_interval=1.0)
    tokens = TokenStore(home / f"pairings-{i}.json")
    _, token = tokens.pair(f"app:desk-{i:02d}")
    sock = _bound_socket()
    port = sock.getsockname()[1]
    app = build_app(owner, AgentConfig(port=port), tokens, limiter=RateLimiter(1e6, 10**6))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_level="warning",
                                           ws="websockets-sansio", lifespan="on"))
    return server, port, token, sock


def _desk_loop(name: str, port: int, token: str, key: str, count: int, out: DeskRun, lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = json.dumps({"key": key})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for _ in range(count):
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/v1/read", body, headers)
            resp = conn.getresponse()
            doc = json.loads(resp.read())
        except (OSError, http.client.HTTPException, ValueError) as exc:
            with lock:
                out.failures.append(f"{name}: {type(exc).__name__}")
            conn.close()
            continue
        took = time.perf_counter() - t0
        with lock:
            if resp.status == 200:
                out.results.append((name, doc["checkin_id"], doc["seq"], took))
            else:
                out.failures.append(f"{name}: HTTP {resp.status} {doc.get('error', {}).get('code')}")
    conn.close()


def run_desks(registry_url: str, *, desks: int = 20, checkins: int = 3, images=None) -> DeskRun:
    """Start ``desks`` agents on one registry, run their check-ins concurrently, stop them."""
    from cardkit.person import PersonData
    from cardkit.registry.store import open_store
    from cardkit.sim.pki import TestPki
    from cardkit.sim.population import builtin_card
    from cardkit.trustdir import load_trust_store
    from cardkit.tui.demo import demo_resident

    images = images or [builtin_card()]
    home = Path(tempfile.mkdtemp(prefix="cardkit-bench-agent-"))
    trust_path = str(home / "trust")
    TestPki().write_trust(trust_path)
    trust = load_trust_store(trust_path)
    with open_store(registry_url) as store:  # migrate once, and the holders are registered residents
        store.upsert([demo_resident(PersonData.from_dict(img.meta["person"])) for img in images])
    servers = [_desk_server(i, images[i % len(images)], registry_url, trust, trust_path, home) for i in range(desks)]
    threads = [threading.Thread(target=functools.partial(s.run, sockets=[sock]), daemon=True) for s, _, _, sock in servers]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while not all(s.started for s, *_ in servers) and time.monotonic() < deadline:
        time.sleep(0.02)
    out, lock = DeskRun(), threading.Lock()
    try:
        workers = [threading.Thread(target=_desk_loop, args=(f"desk-{i:02d}", port, token,
                                                              images[i % len(images)].meta["id"], checkins, out, lock))
                   for i, (_, port, token, _) in enumerate(servers)]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        out.seconds = time.perf_counter() - t0
    finally:
        for s, *_ in servers:
            s.should_exit = True
        for t in threads:
            t.join(10)
        for *_, sock in servers:
            sock.close()
    return out


def _registry_for_run(base: str | None, n: int, tmp: Path) -> str:
    if not base:
        return str(tmp / f"bench-{n}.sqlite3")
    import os

    import psycopg

    schema = f"bench_agent_{os.getpid()}_{n}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def run(args: argparse.Namespace) -> int:
    from cardkit.registry.journal import Journal
    from cardkit.registry.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="cardkit-bench-agent-db-"))
    rows = []
    for n in range(args.runs):
        url = _registry_for_run(args.registry, n, tmp)
        r = run_desks(url, desks=args.desks, checkins=args.checkins)
        with open_store(url) as store:
            journal = Journal(store).list()
        ids = [x[1] for x in r.results]
        lat = r.latencies_ms()
        rows.append({"p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99), "checkins_per_s": len(ids) / r.seconds,
                     "ok": len(ids), "failed": len(r.failures), "failures": r.failures, "journaled": len(journal),
                     "unique_ids": len(set(ids)) == len(ids) == len({j.checkin_id for j in journal})})
    summary = {"desks": args.desks, "checkins_per_desk": args.checkins, "runs": args.runs,
               "registry": "postgresql" if args.registry else "sqlite",
               **{k: round(statistics.median(r[k] for r in rows), 1) for k in ("p50_ms", "p99_ms", "checkins_per_s")},
               # lost: answered as checked in but not in the journal; failed: answered with an error
               "lost": sum(r["ok"] - r["journaled"] for r in rows), "failed": sum(r["failed"] for r in rows),
               "failures": [f for r in rows for f in r["failures"]][:10],
               "unique_ids": all(r["unique_ids"] for r in rows)}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{summary['desks']} desks x {summary['checkins_per_desk']} check-ins, {summary['registry']}, "
              f"median of {summary['runs']} runs: p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, "
              f"{summary['checkins_per_s']} check-ins/s; lost {summary['lost']}, failed {summary['failed']} "
              f"{summary['failures']}, ids unique: {summary['unique_ids']}")
    return 0 if summary["lost"] == 0 and summary["failed"] == 0 and summary["unique_ids"] else 1
