"""Latency of `GET /units/{unit_id}/why` on a swept Neo4j store, at 1, 8 and 32 concurrent clients.

Point the settings at a loaded and swept Neo4j (NEO4J_URI, MRVTRACE_STORE=neo4j; e.g. after
`mrvtrace load DIR --bulk` and `python -m bench.sweep --skip-load`). The benchmark starts
`mrvtrace serve` on 127.0.0.1 in a subprocess with a fresh national API key, picks flagged and
unflagged unit-months of the current sweep, warms up, then sends a bounded number of requests
per concurrency level (--levels) and writes p50/p95/p99, errors, and the peak memory of the API
server's processes and of the Neo4j server to bench/results/api.json. It does so twice: with the
answer cache off (every answer traced afresh: `levels_every_answer_built`) and as the server
runs by default (`levels`, with the share of answers served as kept at each level).
The server and the clients share this machine's cores: the figures include that contention, and
each level says how much CPU the API server, Neo4j and the load generator spent per request.
"""

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import numpy as np

from app.infrastructure.stores.neo4j import Neo4jStore
from app.settings import StoreKind, get_settings
from bench.machine import (
    ConnectionSplit,
    CpuSteal,
    bolt_pid,
    cpu_seconds,
    reset_peak_rss,
    server_peak_rss_mb,
    tree_peak_rss_mb,
)

RESULTS = Path(__file__).parent / "results" / "api.json"
TARGET_P95_MS_AT_8 = 25.0
STARTUP_TIMEOUT_S = 60.0
LEVELS = (1, 8, 32)
WARM_UP_CLIENTS, WARM_UP_REQUESTS = 2, 200


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


def start_server(
    port: int, env: dict[str, str], workers: int = 1, timeout_s: float = STARTUP_TIMEOUT_S
) -> subprocess.Popen[bytes]:
    """`mrvtrace serve` on 127.0.0.1:`port` with `env`, returned once `/ready` answers 200."""
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        [sys.executable, "-m", "app.presentation.cli.main", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError("the API did not become ready")


def timed_gets(
    base: str, key: str, gets: list[tuple[str, dict[str, str]]], clients: int
) -> dict[str, Any]:
    """One GET per (path, query), spread over `clients` threads, each with its own keep-alive
    connection: latency percentiles, 5xx answers and throughput. The clients are the standard
    library's `http.client`, which spends about a quarter of httpx's CPU per request: they share
    the cores with the server, so a heavier client would slow the server it measures."""
    address = urlsplit(base)

    def worker(offset: int) -> tuple[list[float], int]:
        seen: list[float] = []
        failed = 0
        connection = HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)
        try:
            for path, params in gets[offset::clients]:
                started = time.perf_counter()
                connection.request("GET", f"{path}?{urlencode(params)}", headers={"X-API-Key": key})
                reply = connection.getresponse()
                reply.read()
                seen.append((time.perf_counter() - started) * 1000)
                failed += reply.status >= 500
        finally:
            connection.close()
        return seen, failed

    steal = CpuSteal()
    ms, errors, wall = drive(worker, clients)
    return (
        {"clients": clients, "requests": len(ms), "errors_5xx": errors}
        | figures(ms, wall)
        | {"cpu_steal_share": steal.share()}
    )


Worker = Callable[[int], tuple[list[float], int]]


def drive(worker: Worker, clients: int) -> tuple[np.ndarray, int, float]:
    """Run `worker(offset)` on `clients` threads at once: (every latency in ms, the errors
    the workers counted, the wall time in s)."""
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for seen, failed in pool.map(worker, range(clients)):
            latencies.extend(seen)
            errors += failed
    return np.array(latencies), errors, time.perf_counter() - started


def figures(ms: np.ndarray, wall: float) -> dict[str, float]:
    """Percentiles, mean and throughput of one level's latencies."""
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "mean_ms": round(float(ms.mean()), 1),
        "throughput_rps": round(len(ms) / wall, 1),
    }


def run_level(
    base: str,
    key: str,
    targets: list[tuple[str, str]],
    clients: int,
    requests: int,
    processes: dict[str, tuple[int | None, bool]] | None = None,
    server_pid: int | None = None,
) -> dict[str, Any]:
    """`requests` why-calls spread over `clients` threads, each with its own connection; with
    `processes` (role: pid, with its children), the CPU each role spent per request, which
    says where the machine's cores went while the level ran; with `server_pid`, how the
    connections fell over its workers."""
    picked = [targets[i % len(targets)] for i in range(requests)]
    gets = [(f"/units/{unit_id}/why", {"period": period}) for unit_id, period in picked]
    watched = processes or {}
    before = {role: cpu_seconds(pid, tree) for role, (pid, tree) in watched.items()}
    if server_pid is None:
        level = timed_gets(base, key, gets, clients)
    else:
        with ConnectionSplit(server_pid, int(urlsplit(base).port or 80)) as split:
            level = timed_gets(base, key, gets, clients)
        level["connections_per_worker"] = split.summary()
    if watched:
        level["cpu_ms_per_request"] = {
            role: round((cpu_seconds(pid, tree) - before[role]) * 1000 / requests, 2)
            for role, (pid, tree) in watched.items()
        }
    return level


def answers_kept(base: str, key: str) -> dict[str, float]:
    """The server's answer-cache counters (hit, shared, built), summed over its workers."""
    text = httpx.get(f"{base}/metrics", headers={"X-API-Key": key}, timeout=10).text
    found = re.findall(r'^mrvtrace_answer_cache_total\{outcome="(\w+)"\} (\S+)$', text, re.M)
    return {outcome: float(value) for outcome, value in found}


def serve_and_measure(
    picked: list[tuple[str, str]],
    requests: int,
    workers: int,
    levels: list[int],
    neo4j: int | None,
    cache_entries: int | None,
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Start a server (its answer cache at `cache_entries`, None: the default), warm it up and
    measure each level: (the levels, the server's peak memory per process)."""
    key = secrets.token_urlsafe(24)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"MRVTRACE_API_KEYS": f"national={key}"}
    if cache_entries is not None:
        env["MRVTRACE_ANSWER_CACHE_ENTRIES"] = str(cache_entries)
    server = start_server(port, env, workers)
    try:
        run_level(base, key, picked, WARM_UP_CLIENTS, min(WARM_UP_REQUESTS, requests))
        processes = {
            "api server": (server.pid, True),
            "neo4j": (neo4j, False),
            "load generator": (os.getpid(), False),
        }
        measured = []
        for clients in levels:
            before = answers_kept(base, key)
            level = run_level(base, key, picked, clients, requests, processes, server.pid)
            after = answers_kept(base, key)
            moved = {o: after.get(o, 0.0) - before.get(o, 0.0) for o in ("hit", "shared")}
            level["answers_kept_share"] = round((moved["hit"] + moved["shared"]) / requests, 3)
            level["answers_from_other_worker_share"] = round(moved["shared"] / requests, 3)
            measured.append(level)
        # Read before stopping: the peaks vanish with the processes.
        return measured, tree_peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _p95_at_8(levels: list[dict[str, Any]]) -> float | None:
    return next((level["p95_ms"] for level in levels if level["clients"] == 8), None)


def measure(
    requests: int, targets: int, seed: int, workers: int, levels: list[int]
) -> dict[str, Any]:
    """Serve the store of the settings and measure each concurrency level in turn, first with
    every answer built afresh (the answer cache off: each request traces), then as served (the
    cache on: the targets repeat, so after the first level most answers are kept ones)."""
    settings = get_settings()
    if settings.store != StoreKind.NEO4J:
        raise SystemExit("set MRVTRACE_STORE=neo4j and NEO4J_URI to a loaded, swept Neo4j")
    picked = sample_targets(targets, seed)
    neo4j = bolt_pid(settings.neo4j_uri)
    if neo4j is not None:
        reset_peak_rss(neo4j)
    built, _ = serve_and_measure(picked, requests, workers, levels, neo4j, cache_entries=0)
    measured, api_peaks = serve_and_measure(picked, requests, workers, levels, neo4j, None)
    at_8, built_at_8 = _p95_at_8(measured), _p95_at_8(built)
    return {
        "endpoint": "GET /units/{unit_id}/why?period=YYYY-MM",
        "store": "neo4j",
        "neo4j_uri": settings.neo4j_uri,
        "distinct_unit_months": len(picked),
        "server_workers": workers,
        "keep_alive_max_requests": settings.keep_alive_max_requests,
        "levels": measured,
        "levels_every_answer_built": built,
        "target": f"p95 <= {TARGET_P95_MS_AT_8} ms at 8 clients",
        "within_target": None if at_8 is None else at_8 <= TARGET_P95_MS_AT_8,
        "within_target_every_answer_built": (
            None if built_at_8 is None else built_at_8 <= TARGET_P95_MS_AT_8
        ),
        "api_peak_rss_mb": api_peaks,
        "api_peak_rss_mb_total": round(sum(api_peaks.values()), 1),
        "neo4j_peak_rss_mb": server_peak_rss_mb(settings.neo4j_uri),
        "load_average": os.getloadavg(),
        "note": "server and clients share the machine's 2 cores",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per concurrency level")
    parser.add_argument("--targets", type=int, default=400, help="distinct unit-months")
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS), help="clients")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    report = measure(args.requests, args.targets, args.seed, args.workers, args.levels)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
