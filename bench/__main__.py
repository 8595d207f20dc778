"""`python -m bench all`: scale, speed and tracing accuracy in one run, with a Markdown summary.

Stages, in turn: load (generate the dataset if missing; load it into Neo4j, by the bulk importer
and by MERGE batches, and into the embedded store), sweep (a full sweep on Neo4j), api (why-
latency at 1, 8 and 32 clients), queue (the review queue of one province key, at 1 and 8
clients, bench.review_queue), accuracy (detection and root cause against the generator's
faults, on the embedded store) and baselines (the same root-cause task by DoWhy and a naive
baseline, from `bench.root_cause_baselines`, which needs the `[bench]` extra). Each writes
bench/results/<scale>/<stage>.json; then summary.md and summary.json (headline figures) are
written there, also after a failure (with what finished).

The Neo4j stages run on a local server of their own (`mrvtrace neo4j start`'s code; bolt 7711,
http 7712 by default), with its home and a fresh MRVTRACE_HOME under the workdir; the server is
stopped at the end, also on failure. `--skip load` reuses the server's home from a previous run.

    python -m bench all --scale medium
    python -m bench all --scale national --skip accuracy baselines

`python -m bench generalisation` runs bench/generalisation.py (every world and the real sample,
through the CLI verbs only).
"""

import argparse
import json
import os
import shutil
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from types import FrameType
from typing import Any

from app.infrastructure.neo4j_local import LocalNeo4j
from app.infrastructure.stores.neo4j import Neo4jStore
from app.settings import StoreKind, get_settings
from bench import accuracy, api, generalisation, load, review_queue, sweep
from bench.machine import bolt_pid, machine_info, peak_rss_mb, reset_peak_rss
from bench.summary import headline, render

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("load", "sweep", "api", "queue", "accuracy", "baselines")
NEO4J_STAGES = frozenset({"load", "sweep", "api", "queue"})
# Heap and page cache of the run's Neo4j per scale (national as bench/load.py's bulk server).
SERVER_MEMORY = {"small": ("1g", "512m"), "medium": ("2g", "1g"), "national": ("4g", "6g")}
# MERGE batches at national scale take far longer than the run's budget: bulk only there.
LOAD_METHODS = {"national": ["bulk"]}
BASELINES_MODULE = "bench.root_cause_baselines"
# Where each stage's result goes under --out-dir (the baselines as their own script writes them).
RESULT_FILES = {stage: f"{stage}.json" for stage in STAGES} | {
    "baselines": "root_cause_baselines.json"
}

Result = dict[str, Any]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("all", help="run every benchmark stage and write the summary")
    run.add_argument("--scale", default="medium", choices=sorted(SERVER_MEMORY))
    run.add_argument("--seed", type=int, default=1, help="dataset seed of every stage")
    run.add_argument("--seeds", type=int, nargs="+", help="accuracy seeds (default: --seed)")
    run.add_argument("--workdir", type=Path, help="default: .cache/bench-all/<scale>")
    run.add_argument("--out-dir", type=Path, help="default: bench/results/<scale>")
    run.add_argument("--skip", nargs="+", default=[], choices=STAGES, metavar="STAGE")
    run.add_argument("--bolt-port", type=int, default=7711)
    run.add_argument("--http-port", type=int, default=7712)
    run.add_argument("--neo4j-heap", help="default per scale")
    run.add_argument("--neo4j-pagecache", help="default per scale")
    run.add_argument(
        "--load-methods", nargs="+", choices=("bulk", "merge"), help="default: both, national bulk"
    )
    run.add_argument("--api-requests", type=int, default=1000, help="per concurrency level")
    run.add_argument("--api-targets", type=int, default=400, help="distinct unit-months")
    run.add_argument("--api-levels", type=int, nargs="+", default=list(api.LEVELS))
    run.add_argument("--api-workers", type=int, default=2)
    run.add_argument(
        "--per-fault-type", type=int, default=15, help="baselines: anomalies per fault type"
    )
    worlds = commands.add_parser(
        "generalisation", help="detection and tracing on every world and on real data"
    )
    generalisation.add_arguments(worlds)
    args = parser.parse_args(argv)
    if args.command != "all":
        return args
    args.workdir = (args.workdir or ROOT / ".cache" / "bench-all" / args.scale).absolute()
    # Its own folder per scale: the stand-alone scripts' figures in bench/results/ stay.
    args.out_dir = args.out_dir or ROOT / "bench" / "results" / args.scale
    args.seeds = args.seeds or [args.seed]
    args.load_methods = args.load_methods or LOAD_METHODS.get(args.scale, ["bulk", "merge"])
    heap, pagecache = SERVER_MEMORY[args.scale]
    args.neo4j_heap = args.neo4j_heap or heap
    args.neo4j_pagecache = args.neo4j_pagecache or pagecache
    return args


def point_settings_at(args: argparse.Namespace) -> None:
    """The stages (and the API server they start) read the settings from the environment."""
    os.environ.update(
        {
            "MRVTRACE_STORE": StoreKind.NEO4J.value,
            "NEO4J_URI": f"bolt://127.0.0.1:{args.bolt_port}",
            "MRVTRACE_NEO4J_BOLT_PORT": str(args.bolt_port),
            "MRVTRACE_NEO4J_HTTP_PORT": str(args.http_port),
            "MRVTRACE_HOME": str(args.workdir / "home"),
        }
    )
    get_settings.cache_clear()


def neo4j_server(args: argparse.Namespace) -> LocalNeo4j:
    base = LocalNeo4j.from_settings(
        get_settings(),
        bolt_port=args.bolt_port,
        http_port=args.http_port,
        home=args.workdir / "neo4j",
    )
    return replace(base, heap=args.neo4j_heap, pagecache=args.neo4j_pagecache)


def dataset(args: argparse.Namespace) -> Path:
    """The faulty dataset of --seed, where the accuracy stage looks for it (generated once)."""
    return accuracy.generated(
        args.workdir / f"{args.scale}-{args.seed}", args.scale, args.seed, None
    )


def load_stage(args: argparse.Namespace, server: LocalNeo4j) -> Result:
    started = time.perf_counter()
    folder = dataset(args)
    dataset_seconds = round(time.perf_counter() - started, 1)
    base = get_settings()
    runs = []
    # The bulk importer needs the empty database the fresh server starts with; MERGE clears.
    if "bulk" in args.load_methods:
        runs.append(load.bulk_into(server, args.scale, folder, base))
    if "merge" in args.load_methods:
        home = args.workdir / "home"
        runs.append(load.run(args.scale, StoreKind.NEO4J, folder, base, home))
    embedded_home = args.workdir / "home-load-embedded"
    runs.append(load.run(args.scale, StoreKind.EMBEDDED, folder, base, embedded_home))
    return load.load_report(runs) | {"dataset_seconds": dataset_seconds}


def sweep_stage(args: argparse.Namespace, server: LocalNeo4j) -> Result:
    store = Neo4jStore(get_settings())
    try:
        return sweep.measure(store, args.scale)
    finally:
        store.close()


def api_stage(args: argparse.Namespace, server: LocalNeo4j) -> Result:
    return api.measure(
        args.api_requests, args.api_targets, args.seed, args.api_workers, args.api_levels
    )


def queue_stage(args: argparse.Namespace, server: LocalNeo4j) -> Result:
    return review_queue.measure(
        args.api_requests, args.api_workers, list(review_queue.LEVELS), review_queue.PAGE_SIZE
    )


def accuracy_stage(args: argparse.Namespace, server: LocalNeo4j) -> Result:
    # A benchmark sweeps afresh: drop swept stores a previous run left (datasets stay).
    for seed in args.seeds:
        for suffix in ("", "-clean"):
            shutil.rmtree(args.workdir / f"home-{args.scale}-{seed}{suffix}", ignore_errors=True)
    return accuracy.run(args.scale, args.seeds, args.workdir)


def baselines_stage(args: argparse.Namespace, server: LocalNeo4j) -> Result:
    # Imported here: it is optional, and DoWhy comes with the `[bench]` extra only.
    if find_spec("dowhy") is None:
        raise ModuleNotFoundError("DoWhy is not installed", name="dowhy")
    from bench.root_cause_baselines import run_baselines

    return run_baselines(args.scale, args.seed, args.workdir, args.per_fault_type)


STAGE_RUNNERS: dict[str, Callable[[argparse.Namespace, LocalNeo4j], Result]] = {
    "load": load_stage,
    "sweep": sweep_stage,
    "api": api_stage,
    "queue": queue_stage,
    "accuracy": accuracy_stage,
    "baselines": baselines_stage,
}


def stage_peaks(server: LocalNeo4j) -> dict[str, float | None]:
    neo4j = bolt_pid(server.uri)
    return {"bench": peak_rss_mb(), "neo4j": None if neo4j is None else peak_rss_mb(neo4j)}


def reset_stage_peaks(server: LocalNeo4j) -> None:
    reset_peak_rss()
    neo4j = bolt_pid(server.uri)
    if neo4j is not None:
        reset_peak_rss(neo4j)


def write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2, default=float), encoding="utf-8")


def run_stages(
    args: argparse.Namespace, server: LocalNeo4j, meta: Result, results: dict[str, Result]
) -> None:
    """Run the stages not skipped into `results`; record each one's status, seconds and peaks
    in `meta`."""
    for stage in STAGES:
        if stage in args.skip:
            meta["stage_status"][stage] = "skipped"
            continue
        print(f"== {stage}", flush=True)
        reset_stage_peaks(server)
        started = time.perf_counter()
        try:
            results[stage] = STAGE_RUNNERS[stage](args, server)
        except ModuleNotFoundError as error:
            if stage != "baselines" or error.name not in (BASELINES_MODULE, "dowhy"):
                raise
            meta["stage_status"][stage] = (
                f"not available ({error.name} is missing; `pip install -e '.[bench]'`)"
            )
            continue
        except BaseException:
            meta["stage_status"][stage] = "failed"
            meta["error"] = traceback.format_exc()
            raise
        finally:
            meta["stage_seconds"][stage] = round(time.perf_counter() - started, 1)
            meta["stage_peak_rss_mb"][stage] = stage_peaks(server)
        meta["stage_status"][stage] = "done"
        write_json(args.out_dir / RESULT_FILES[stage], results[stage])
        print(f"== {stage} done in {meta['stage_seconds'][stage]} s", flush=True)
        if not NEO4J_STAGES & (set(STAGES[STAGES.index(stage) + 1 :]) - set(args.skip)):
            # The later stages use the embedded store: give them the server's memory.
            server.stop()


def run_all(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    point_settings_at(args)
    server = neo4j_server(args)
    meta: Result = {
        "scale": args.scale,
        "seed": args.seed,
        "seeds": args.seeds,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "neo4j": {
            "version": server.version,
            "uri": server.uri,
            "heap": server.heap,
            "pagecache": server.pagecache,
        },
        "stage_status": {},
        "stage_seconds": {},
        "stage_peak_rss_mb": {},
    }
    results: dict[str, Result] = {}
    try:
        if NEO4J_STAGES - set(args.skip):
            if "load" not in args.skip:
                # A fresh, empty server (the bulk importer only loads into an empty database)
                # and a fresh home for the sweep's models.
                server.stop()
                shutil.rmtree(server.home, ignore_errors=True)
                shutil.rmtree(args.workdir / "home", ignore_errors=True)
            print(f"starting Neo4j on {server.uri} (home {server.home})", flush=True)
            start = time.perf_counter()
            server.start()
            meta["neo4j"]["start_seconds"] = round(time.perf_counter() - start, 1)
        run_stages(args, server, meta, results)
    finally:
        server.stop()
        meta["wall_seconds"] = round(time.perf_counter() - started, 1)
        write_json(
            args.out_dir / "summary.json", {"meta": meta, "headline": headline(meta, results)}
        )
        (args.out_dir / "summary.md").write_text(render(meta, results), encoding="utf-8")
        print(f"summary written to {args.out_dir / 'summary.md'}", flush=True)


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Turn SIGTERM into an exception so the finally blocks stop the servers.
    raise SystemExit(128 + signum)


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    if args.command == "generalisation":
        generalisation.write_report(args)
        return
    run_all(args)


if __name__ == "__main__":
    main()
