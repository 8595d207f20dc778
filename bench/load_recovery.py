"""Load recovery benchmark: kill -9 a `mrvtrace load` into Neo4j at 5 points, re-run it, and
compare the graph with a clean load of the same dataset (counts and content per load step).

Writes `bench/results/load_recovery.json`: per kill point the steps finished when it was killed,
what the partial graph held, the re-run's seconds and whether counts and content equal the
clean load's; plus the clean load's and an identical re-load's seconds and what they wrote, and
the batch sizing read from the server. Runs on the server of `NEO4J_URI` (its graph is cleared
before every load); the dataset is bench/load.py's, generated once into `.cache/bench-data`.

    NEO4J_URI=bolt://127.0.0.1:7687 python -m bench.load_recovery --scale medium
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.infrastructure.stores.neo4j import Neo4jStore
from app.services.load_steps import LoadStep, graph_steps
from app.services.loading import LoadReport, load_dataset, read_frames
from app.settings import Settings, StoreKind, get_settings
from bench.graph_content import graph_content
from bench.load import dataset
from bench.machine import machine_info

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "load_recovery.json"
# Kill once the ledger shows this many finished steps (of 35): at the start, amid the
# Parameter nodes, amid HAS_PARAMETER, amid TRANSFERS_TO (the largest step), near the end.
KILL_AFTER_STEPS = (0, 11, 23, 25, 32)
POLL_S = 0.05


def _env(settings: Settings, home: Path) -> dict[str, str]:
    chosen = settings.model_copy(update={"store": StoreKind.NEO4J, "home": home})
    return os.environ | chosen.store_environment()


def _command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "app.presentation.cli.main", "load", str(folder)]


def _load(folder: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(_command(folder), env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _kill_at(store: Neo4jStore, folder: Path, env: dict[str, str], steps_done: int) -> float:
    """Start a load, kill -9 it once the ledger shows `steps_done` finished steps; its age."""
    started = time.perf_counter()
    process = subprocess.Popen(
        _command(folder), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while process.poll() is None:
            ledger = store.load_ledger()
            if ledger.in_progress and len(ledger.steps) >= steps_done:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(POLL_S)
    finally:
        process.wait()
    return time.perf_counter() - started


def run(folder: Path, settings: Settings, home: Path) -> dict[str, object]:
    env = _env(settings, home)
    frames = read_frames(folder, LoadReport())
    assert frames is not None
    steps: list[LoadStep] = list(graph_steps(frames))
    store = Neo4jStore(settings)
    try:
        store.clear()
        clean_s = _load(folder, env)
        clean_counts, clean = store.counts(), graph_content(store, steps)
        started = time.perf_counter()
        again: LoadReport = load_dataset(folder, store)
        reload_s = time.perf_counter() - started
        points = []
        for steps_done in KILL_AFTER_STEPS:
            store.clear()
            killed_after_s = _kill_at(store, folder, env, steps_done)
            ledger, partial = store.load_ledger(), store.counts()
            rerun_s = _load(folder, env)
            counts, content = store.counts(), graph_content(store, steps)
            points.append(
                {
                    "kill_after_steps": steps_done,
                    "killed_after_s": round(killed_after_s, 1),
                    "incomplete_when_killed": ledger.in_progress,
                    "steps_finished_when_killed": len(ledger.steps),
                    "partial_nodes": partial.total_nodes,
                    "partial_relationships": partial.total_relationships,
                    "rerun_s": round(rerun_s, 1),
                    "rerun_incomplete": store.load_ledger().in_progress,
                    "counts_equal": counts == clean_counts,
                    "content_equal": content == clean,
                    "steps_differing": sorted(k for k in clean if content.get(k) != clean[k]),
                }
            )
            print(json.dumps(points[-1]))
        limit = store.transaction_limit()
        return {
            "machine": machine_info(),
            "server": store.server_info(),
            "steps": len(steps),
            "transaction_limit_mib": round(limit / 1024**2, 1),
            "batch_rows": {step.key: store.batch_rows(len(step.rows.columns)) for step in steps},
            "clean": {
                "seconds": round(clean_s, 1),
                "nodes": clean_counts.total_nodes,
                "relationships": clean_counts.total_relationships,
            },
            "identical_reload": {
                "seconds": round(reload_s, 1),
                "nodes_written": again.total_nodes,
                "relationships_written": again.total_relationships,
                "steps_skipped": len(again.unchanged_steps),
                "counts_equal": store.counts() == clean_counts,
            },
            "kills": points,
            "recovered": sum(p["counts_equal"] and p["content_equal"] for p in points),
        }
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    settings = get_settings().model_copy(update={"store": StoreKind.NEO4J})
    home = ROOT / ".cache" / "bench-home" / f"{args.scale}-load-recovery"
    result = {"scale": args.scale, "seed": args.seed} | run(
        dataset(args.scale, args.seed), settings, home
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    recovered = f"{result['recovered']} of {len(KILL_AFTER_STEPS)} kills recovered"
    print(f"{recovered}; written to {args.out}")


if __name__ == "__main__":
    main()
