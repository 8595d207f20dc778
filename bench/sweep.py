"""A full sweep at national scale on Neo4j: seconds per stage and peak memory.

Generates `national` (unless --data points at an existing folder), loads it into the Neo4j
store of the settings (NEO4J_URI …), runs a full sweep and writes bench/results/sweep.json with
the sweep's seconds per stage as its record keeps them (read, fit, score, write, publish), its
counts, the share of CPU time the hypervisor took meanwhile (`cpu_steal_share`), the peak
memory of this process and of the Neo4j server during the sweep, and the target (≤ 120 s for
the sweep: issue 12, "no slower").

    python -m bench.sweep --scale national
"""

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from app.infrastructure.stores.neo4j import Neo4jStore
from app.services.loading import load_dataset
from app.services.sweep import run_sweep
from bench.machine import CpuSteal, bolt_pid, peak_rss_mb, reset_peak_rss, server_peak_rss_mb
from synthetic.dataset import generate_dataset

RESULTS = Path(__file__).parent / "results" / "sweep.json"
TARGET_SECONDS = 120.0


def measure(store: Neo4jStore, scale: str) -> dict[str, Any]:
    """A full sweep of the loaded `store`: seconds per stage, counts, peak memory."""
    reset_peak_rss()
    server = bolt_pid(store.uri)
    if server is not None:
        reset_peak_rss(server)
    steal = CpuSteal()
    started = time.perf_counter()
    record = run_sweep(store, full=True)
    seconds = round(time.perf_counter() - started, 1)
    return {
        "scale": scale,
        "target_seconds": TARGET_SECONDS,
        "sweep_seconds": seconds,
        "within_target": seconds <= TARGET_SECONDS,
        "stages": record.seconds,
        "counts": record.counts,
        "sweep_id": record.sweep_id,
        "cpu_steal_share": steal.share(),
        "peak_rss_mb": peak_rss_mb(),
        "server_peak_rss_mb": server_peak_rss_mb(store.uri),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, help="an existing dataset folder")
    parser.add_argument("--skip-load", action="store_true", help="the store is already loaded")
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
        report = measure(store, args.scale) | prepared
    finally:
        store.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=float), encoding="utf-8")
    print(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
