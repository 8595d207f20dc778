"""Latency of `GET /units/{unit_id}/why` on a swept Neo4j store, at 1 and 8 concurrent clients.

Point the settings at a loaded and swept Neo4j (NEO4J_URI, MRVTRACE_STORE=neo4j; e.g. after
`mrvtrace load DIR --bulk` and `bench/sweep.py --skip-load`). The benchmark starts
`mrvtrace serve` on 127.0.0.1 in a subprocess with a fresh national API key, picks flagged and
unflagged unit-months of the current sweep, warms up, then sends a bounded number of requests
per concurrency level and writes p50/p95/p99 and errors to bench/results/api.json.
The server and the clients share this machine's cores: the figures include that contention.
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from app.settings import StoreKind, get_settings
from app.stores.neo4j import Neo4jStore

RESULTS = Path(__file__).parent / "results" / "api.json"
TARGET_P95_MS_AT_8 = 50.0
STARTUP_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sample_targets(count: int, seed: int) -> list[tuple[str, str]]:
    """Flagged unit-months (the analysts' case) and as many unflagged ones, shuffled."""
    store = Neo4jStore(get_settings())
    try:
        scores = store.read_unit_month_scores(flagged_only=False)
    finally:
        store.close()
    rng = np.random.default_rng(seed)
    flagged = scores[scores["flagged"].astype(bool)]
    quiet = scores[~scores["flagged"].astype(bool)]
    half = count // 2
    picked = [
        flagged.sample(min(half, len(flagged)), random_state=seed),
        quiet.sample(min(count - half, len(quiet)), random_state=seed),
    ]
    pairs = [(str(r.unit_id), str(r.period)) for part in picked for r in part.itertuples()]
    rng.shuffle(pairs)
    return pairs


def start_server(port: int, key: str, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"MRVTRACE_API_KEYS": f"national={key}"}
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError("the API did not become ready")


def run_level(
    base: str, key: str, targets: list[tuple[str, str]], clients: int, requests: int
) -> dict[str, Any]:
    """`requests` why-calls spread over `clients` threads, each with its own connection."""
    latencies: list[float] = []
    errors = 0

    def worker(offset: int) -> tuple[list[float], int]:
        seen: list[float] = []
        failed = 0
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
            for i in range(offset, requests, clients):
                unit_id, period = targets[i % len(targets)]
                started = time.perf_counter()
                reply = client.get(f"/units/{unit_id}/why", params={"period": period})
                seen.append((time.perf_counter() - started) * 1000)
                failed += reply.status_code >= 500
        return seen, failed

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for seen, failed in pool.map(worker, range(clients)):
            latencies.extend(seen)
            errors += failed
    wall = time.perf_counter() - started
    ms = np.array(latencies)
    return {
        "clients": clients,
        "requests": len(ms),
        "errors_5xx": errors,
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "mean_ms": round(float(ms.mean()), 1),
        "throughput_rps": round(len(ms) / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per concurrency level")
    parser.add_argument("--targets", type=int, default=400, help="distinct unit-months")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    settings = get_settings()
    if settings.store != StoreKind.NEO4J:
        raise SystemExit("set MRVTRACE_STORE=neo4j and NEO4J_URI to a loaded, swept Neo4j")
    targets = sample_targets(args.targets, args.seed)
    key = secrets.token_urlsafe(24)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, key, args.workers)
    try:
        run_level(base, key, targets, clients=2, requests=min(200, args.requests))
        levels = [run_level(base, key, targets, c, args.requests) for c in (1, 8)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    at_8 = next(level for level in levels if level["clients"] == 8)
    report = {
        "endpoint": "GET /units/{unit_id}/why?period=YYYY-MM",
        "store": "neo4j",
        "neo4j_uri": settings.neo4j_uri,
        "distinct_unit_months": len(targets),
        "server_workers": args.workers,
        "levels": levels,
        "target": f"p95 <= {TARGET_P95_MS_AT_8} ms at 8 clients",
        "within_target": at_8["p95_ms"] <= TARGET_P95_MS_AT_8,
        "load_average": os.getloadavg(),
        "note": "server and clients share the machine's 2 cores",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
