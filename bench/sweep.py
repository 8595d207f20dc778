"""A full sweep at national scale on Neo4j: seconds per stage, and what writing costs.

Generates `national` (unless --data points at an existing folder), loads it into the Neo4j
store of the settings (NEO4J_URI …), runs a full sweep and writes bench/results/sweep.json with
the sweep's seconds per stage (read, models, rules, edges, nodes, write, publish), its counts,
the peak memory of this process and of the Neo4j server during the sweep, and the target
(≤ 300 s for the sweep). Unless --no-write-sample, it also measures the write strategy: writing
every node score versus only the non-trivial ones the store keeps, on a sample written as
`bench_*` Parameter nodes, extrapolated; the sample is deleted afterwards.

    python -m bench.sweep --scale national
"""

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from app.infrastructure.stores.neo4j import Neo4jStore
from app.infrastructure.stores.neo4j.sweep_results import STORED_MIN_SCORE, slot_properties
from app.services.loading import load_dataset
from app.services.sweep import run_sweep
from bench.machine import bolt_pid, peak_rss_mb, reset_peak_rss, server_peak_rss_mb
from synthetic.dataset import generate_dataset

RESULTS = Path(__file__).parent / "results" / "sweep.json"
TARGET_SECONDS = 300.0
SAMPLE_ROWS = 100_000
SAMPLE_PREFIX = "bench_"


def write_strategy(store: Neo4jStore, node_rows: int, stored_rows: int) -> dict[str, Any]:
    """Time writing SAMPLE_ROWS node scores into a spare slot, extrapolate to both counts."""
    units = store.read_unit_months()[["unit_id", "period"]].head(SAMPLE_ROWS // 26 + 1)
    names = [f"{SAMPLE_PREFIX}{i}" for i in range(26)]
    sample = units.merge(pd.DataFrame({"name": names}), how="cross").head(SAMPLE_ROWS)
    sample["key"] = sample["unit_id"] + "|" + sample["period"] + "|" + sample["name"]
    rows = sample.assign(score=0.1, expected=1.0, z=0.2, edges=None).to_dict("records")
    prop = slot_properties("bench")
    started = time.perf_counter()
    for start in range(0, len(rows), 20_000):
        store.run_write(
            "scores_write_nodes", rows=rows[start : start + 20_000], sweep_id="bench", prop=prop
        )
    per_row = (time.perf_counter() - started) / len(rows)
    return {
        "sample_rows": len(rows),
        "seconds_per_1000_rows": round(per_row * 1000, 4),
        "all_node_scores": {"rows": node_rows, "seconds": round(per_row * node_rows, 1)},
        "stored_node_scores": {
            "rule": f"score >= {STORED_MIN_SCORE} or child of such an edge",
            "rows": stored_rows,
            "seconds": round(per_row * stored_rows, 1),
        },
    }


def remove_write_sample(store: Neo4jStore) -> int:
    """Delete the sample's Parameter nodes (they have no relationships); returns how many."""
    records, _, _ = store.driver.execute_query(
        "MATCH (p:Parameter) WHERE p.name STARTS WITH $prefix DELETE p RETURN count(*) AS n",
        prefix=SAMPLE_PREFIX,
        database_=store.database,
    )
    return int(records[0]["n"])


def measure(store: Neo4jStore, scale: str, write_sample: bool) -> dict[str, Any]:
    """A full sweep of the loaded `store`: seconds per stage, counts, peak memory; and, when
    `write_sample`, the write-strategy sample (removed again)."""
    reset_peak_rss()
    server = bolt_pid(store.uri)
    if server is not None:
        reset_peak_rss(server)
    started = time.perf_counter()
    record = run_sweep(store, full=True)
    seconds = round(time.perf_counter() - started, 1)
    report: dict[str, Any] = {
        "scale": scale,
        "target_seconds": TARGET_SECONDS,
        "sweep_seconds": seconds,
        "within_target": seconds <= TARGET_SECONDS,
        "stages": record.seconds,
        "counts": record.counts,
        "sweep_id": record.sweep_id,
        "peak_rss_mb": peak_rss_mb(),
        "server_peak_rss_mb": server_peak_rss_mb(store.uri),
    }
    if write_sample:
        stored = int(record.counts["anomalous_nodes"])
        strategy = write_strategy(store, int(record.counts["nodes"]), stored)
        strategy["sample_nodes_removed"] = remove_write_sample(store)
        report["write_strategy"] = strategy
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, help="an existing dataset folder")
    parser.add_argument("--skip-load", action="store_true", help="the store is already loaded")
    parser.add_argument(
        "--no-write-sample", action="store_true", help="skip the write-strategy sample"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    prepared: dict[str, Any] = {}
    store = Neo4jStore()
    with tempfile.TemporaryDirectory(prefix="mrvtrace-sweep-") as tmp:
        folder = args.data or Path(tmp) / args.scale
        if not args.skip_load:
            if args.data is None:
                started = time.perf_counter()
                generate_dataset(folder, scale=args.scale, seed=args.seed)
                prepared["generate_seconds"] = round(time.perf_counter() - started, 1)
            store.clear()
            started = time.perf_counter()
            load_dataset(folder, store)
            prepared["load_seconds"] = round(time.perf_counter() - started, 1)
    try:
        report = measure(store, args.scale, write_sample=not args.no_write_sample) | prepared
    finally:
        store.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=float), encoding="utf-8")
    print(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
