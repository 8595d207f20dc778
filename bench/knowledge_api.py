"""The knowledge base at scale: indexing time of the store's corpus, and `GET /kb/search`
latency at 1 and 8 concurrent clients; figures to bench/results/knowledge_api.json.

    python -m bench.knowledge_api [--requests 800]

Point the settings at a loaded and swept store (MRVTRACE_STORE, MRVTRACE_HOME, NEO4J_URI), e.g.
a medium dataset of 36 months (about 5,000 findings). The benchmark indexes the corpus twice:
cold (an empty embedding cache, every text embedded) and warm (after a sweep, what changed
only). It then starts `mrvtrace serve` with a fresh national key (bench/api.py's starter) and
sends the relevance set's questions and questions naming findings' units:
- `repeated`: the question mix, each asked before (the server's query-vector cache is warm);
- `distinct`: every question new to the server (each one embedded on its request).
The server and the clients share this machine's 2 cores: the figures include that contention.
"""

import argparse
import json
import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np

from app.infrastructure.stores.factory import open_store
from app.services.knowledge.indexing import CACHE_FILE, index_knowledge
from app.settings import get_settings
from bench.api import free_port, start_server, timed_gets
from bench.knowledge_relevance import load_questions

RESULTS = Path(__file__).parent / "results" / "knowledge_api.json"
TARGET_P95_MS_AT_8 = 50.0
TARGET_INDEX_S = 60.0
LEVELS = (1, 8)


def index_twice() -> dict[str, Any]:
    """Cold and warm index times of the store's corpus."""
    settings = get_settings()
    cache = Path(settings.home) / CACHE_FILE
    cache.unlink(missing_ok=True)
    store = open_store(settings)
    try:
        cold = index_knowledge(store, settings)
        warm = index_knowledge(store, settings)
    finally:
        store.close()
    return {
        "passages": cold.passages,
        "by_kind": cold.by_kind,
        "cold": {"embedded": cold.embedded, "seconds": cold.seconds},
        "warm": {"embedded": warm.embedded, "seconds": warm.seconds},
        "target": f"index <= {TARGET_INDEX_S:g} s",
        "within_target": cold.seconds["total"] <= TARGET_INDEX_S,
    }


def question_mix(count: int, seed: int) -> list[str]:
    """The relevance questions and as many naming a finding's unit, shuffled."""
    store = open_store(get_settings())
    try:
        scores = store.read_unit_month_scores(flagged_only=True)
    finally:
        store.close()
    units = scores["unit_id"].astype(str).drop_duplicates()
    rng = np.random.default_rng(seed)
    picked = rng.choice(units.to_numpy(), size=min(count, len(units)), replace=False)
    texts = [q.text for q in load_questions()]
    mix = texts + [f"findings of unit {u}" for u in picked] + [f"机组 {u} 的疑点" for u in picked]
    rng.shuffle(mix)
    return mix


def run_level(base: str, key: str, questions: list[str], clients: int) -> dict[str, Any]:
    """One search per question, spread over `clients` threads with a connection each."""
    gets = [("/kb/search", {"q": q, "limit": "10"}) for q in questions]
    return timed_gets(base, key, gets, clients)


def measure_search(requests: int, workers: int, seed: int) -> dict[str, Any]:
    settings = get_settings()
    key = secrets.token_urlsafe(24)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    questions = question_mix(requests // 2, seed)
    server = start_server(port, os.environ | {"MRVTRACE_API_KEYS": f"national={key}"}, workers)
    try:
        run_level(base, key, questions, 2)  # every question once: the repeated mix is warm
        repeated = [run_level(base, key, questions, c) for c in LEVELS]
        distinct = [
            run_level(base, key, [f"{q} {c}{i}" for i, q in enumerate(questions)], c)
            for c in LEVELS
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    at_8 = {
        name: next(r for r in rows if r["clients"] == 8)
        for name, rows in (("repeated", repeated), ("distinct", distinct))
    }
    return {
        "endpoint": "GET /kb/search?q=&limit=10",
        "store": settings.store.value,
        "server_workers": workers,
        "questions": len(questions),
        "repeated": repeated,
        "distinct": distinct,
        "target": f"p95 <= {TARGET_P95_MS_AT_8:g} ms at 8 clients",
        "within_target": {name: row["p95_ms"] <= TARGET_P95_MS_AT_8 for name, row in at_8.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=800, help="questions per level")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-index", action="store_true", help="search latency only")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    report: dict[str, Any] = {"load_average_before": os.getloadavg()}
    if not args.skip_index:
        report["index"] = index_twice()
        print(json.dumps(report["index"], indent=2))
    report["search"] = measure_search(args.requests, args.workers, args.seed)
    report["load_average_after"] = os.getloadavg()
    report["note"] = "server and clients share the machine's 2 cores"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["search"], indent=2))


if __name__ == "__main__":
    main()
