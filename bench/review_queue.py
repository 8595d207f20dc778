"""Latency of the review queue, `GET /findings?status=open`, with one province key, at 1 and 8
concurrent clients on a swept Neo4j store.

Point the settings at a loaded and swept Neo4j (NEO4J_URI, MRVTRACE_STORE=neo4j); the sweep
opened the findings (app.services.review_sweep). The benchmark picks the province with the
most open findings, starts `mrvtrace serve` (bench.api's way) with a reviewer key of that
province, warms up, sends a bounded number of requests per level, alternating the queue's first
page with the page after it (by its cursor), and writes p50/p95/p99 to
bench/results/review_queue.json. Server and clients share the machine's cores.
"""

import argparse
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

import httpx

from app.infrastructure.stores.contract import NATIONAL_FILTER
from app.infrastructure.stores.neo4j import Neo4jStore
from app.settings import StoreKind, get_settings
from bench.api import drive, figures, free_port, start_server

RESULTS = Path(__file__).parent / "results" / "review_queue.json"
TARGET_P95_MS_AT_8 = 50.0
LEVELS = (1, 8)
WARM_UP_REQUESTS = 200
PAGE_SIZE = 50


def busiest_province() -> tuple[str, int, int]:
    """(the province with the most open findings, its open findings, all findings)."""
    store = Neo4jStore(get_settings())
    try:
        findings = store.read_findings(NATIONAL_FILTER)
    finally:
        store.close()
    open_ones = findings[findings["status"] == "open"]
    if open_ones.empty:
        raise SystemExit("no open findings: sweep the store first (`mrvtrace sweep`)")
    counts = open_ones["province_code"].value_counts()
    return str(counts.index[0]), int(counts.iloc[0]), len(findings)


def run_level(base: str, key: str, clients: int, requests: int, limit: int) -> dict[str, Any]:
    """`requests` queue reads over `clients` threads, each with its own connection."""

    def worker(offset: int) -> tuple[list[float], int]:
        seen: list[float] = []
        failed = 0
        cursor: str | None = None
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
            for i in range(offset, requests, clients):
                params = {"status": "open", "limit": str(limit)}
                if i % 2 and cursor:
                    params["cursor"] = cursor
                started = time.perf_counter()
                reply = client.get("/findings", params=params)
                seen.append((time.perf_counter() - started) * 1000)
                failed += reply.status_code != 200
                if reply.status_code == 200 and not i % 2:
                    cursor = reply.json()["next_cursor"]
        return seen, failed

    ms, errors, wall = drive(worker, clients)
    return {"clients": clients, "requests": len(ms), "errors": errors} | figures(ms, wall)


def measure(requests: int, workers: int, levels: list[int], limit: int) -> dict[str, Any]:
    """Serve the store of the settings and measure each concurrency level in turn."""
    settings = get_settings()
    if settings.store != StoreKind.NEO4J:
        raise SystemExit("set MRVTRACE_STORE=neo4j and NEO4J_URI to a loaded, swept Neo4j")
    province, open_count, total = busiest_province()
    key = secrets.token_urlsafe(24)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"MRVTRACE_API_KEYS": f"province:{province}@reviewer={key}"}
    server = start_server(port, env, workers)
    try:
        run_level(base, key, 2, min(WARM_UP_REQUESTS, requests), limit)
        measured = [run_level(base, key, c, requests, limit) for c in levels]
    finally:
        server.terminate()
        server.wait(timeout=30)
    at_8 = next((level for level in measured if level["clients"] == 8), None)
    return {
        "endpoint": "GET /findings?status=open (first page and the next, by cursor)",
        "store": "neo4j",
        "province": province,
        "open_findings_in_province": open_count,
        "findings_total": total,
        "page_size": limit,
        "server_workers": workers,
        "levels": measured,
        "target": f"p95 <= {TARGET_P95_MS_AT_8} ms at 8 clients",
        "within_target": None if at_8 is None else at_8["p95_ms"] <= TARGET_P95_MS_AT_8,
        "load_average": os.getloadavg(),
        "note": "server and clients share the machine's 2 cores",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per concurrency level")
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS), help="clients")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--limit", type=int, default=PAGE_SIZE, help="page size")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    report = measure(args.requests, args.workers, args.levels, args.limit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
