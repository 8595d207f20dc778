"""Load benchmark: generate datasets, load each into Neo4j and the embedded store, time it.

Writes `bench/results/load.json` (rows/s, nodes/s, relationships/s, seconds per stage, peak
RSS of this process and of the Neo4j server) and prints a table. Datasets are generated once
into `.cache/bench-data/<scale>` (outside git) and reused.

Neo4j loads by MERGE batches into the server of `NEO4J_URI`, except for the scales named by
`--bulk-scales` (default: national): those use the offline bulk importer on a fresh local server
of their own (`app.infrastructure.neo4j_local`, ports 7690/7477, 4 GB heap, 6 GB page cache),
which is how an
initial national load is meant to run.

    python -m bench.load --scales medium national --stores neo4j embedded

Figures on a shared 2-core machine are noisy: run twice before trusting a difference.
"""

import argparse
import json
import shutil
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from app.infrastructure.neo4j_local import LocalNeo4j
from app.infrastructure.stores.contract import GraphCounts, Store
from app.infrastructure.stores.factory import open_store
from app.infrastructure.stores.neo4j import Neo4jStore
from app.infrastructure.stores.neo4j.batch_sizing import MAX_ROWS
from app.services.bulk_loading import bulk_load_dataset
from app.services.loading import LoadReport, load_dataset
from app.settings import Settings, StoreKind, get_settings
from bench.machine import bolt_pid, machine_info, peak_rss_mb, reset_peak_rss, server_peak_rss_mb
from synthetic.dataset import generate_dataset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".cache" / "bench-data"
HOMES = ROOT / ".cache" / "bench-home"
RESULTS = ROOT / "bench" / "results" / "load.json"
BULK_BOLT_PORT, BULK_HTTP_PORT = 7690, 7477
BULK_HEAP, BULK_PAGECACHE = "4g", "6g"


def dataset(scale: str, seed: int) -> Path:
    folder = DATA / f"{scale}-seed{seed}"
    if not (folder / "unit_month.csv").exists() and not (folder / "unit_month.parquet").exists():
        generate_dataset(folder, scale=scale, seed=seed)
    return folder


def _mb(value: float | None) -> int | None:
    return None if value is None else round(value)


def figures(
    scale: str, store: str, report: LoadReport, counts: GraphCounts, seconds: float
) -> dict[str, object]:
    return {
        "scale": scale,
        "store": store,
        "seconds": round(seconds, 2),
        "stage_seconds": {k: round(v, 2) for k, v in report.seconds.items()},
        "rows": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        "nodes": report.total_nodes,
        "relationships": report.total_relationships,
        "nodes_in_store": counts.total_nodes,
        "relationships_in_store": counts.total_relationships,
        "rows_per_s": round(report.rows_loaded / seconds),
        "nodes_per_s": round(report.total_nodes / seconds),
        "relationships_per_s": round(report.total_relationships / seconds),
        "peak_rss_mb": _mb(peak_rss_mb()),
    }


def _reset_peaks(uri: str | None) -> None:
    """Count peaks from here, so each run reports its own (this process and the server)."""
    reset_peak_rss()
    pid = None if uri is None else bolt_pid(uri)
    if pid is not None:
        reset_peak_rss(pid)


def run(scale: str, kind: StoreKind, folder: Path, base: Settings, home: Path) -> dict[str, object]:
    """Clear the store of `kind` (its files under `home`), then time loading `folder` into it;
    into Neo4j by MERGE batches on the server of the settings."""
    settings = base.model_copy(update={"store": kind, "home": home})
    store: Store = open_store(settings)
    try:
        store.clear()
        _reset_peaks(settings.neo4j_uri if kind is StoreKind.NEO4J else None)
        started = time.perf_counter()
        report = load_dataset(folder, store)
        seconds = time.perf_counter() - started
        counts = store.counts()
    finally:
        store.close()
    result = figures(scale, kind.value, report, counts, seconds)
    if kind is StoreKind.NEO4J:
        result["method"] = "merge"
        result["max_batch_rows"] = MAX_ROWS
        result["server_peak_rss_mb"] = _mb(server_peak_rss_mb(settings.neo4j_uri))
    return result


def bulk_into(server: LocalNeo4j, scale: str, folder: Path, base: Settings) -> dict[str, object]:
    """Time the offline bulk import into the running local `server`, whose database is empty.
    The server restarts during the import: its peak counts from that restart."""
    settings = base.model_copy(update={"store": StoreKind.NEO4J, "neo4j_uri": server.uri})
    reset_peak_rss()
    started = time.perf_counter()
    report = bulk_load_dataset(folder, settings, server=server)
    seconds = time.perf_counter() - started
    store = Neo4jStore(settings)
    try:
        counts = store.counts()
    finally:
        store.close()
    result = figures(scale, StoreKind.NEO4J.value, report, counts, seconds)
    result["method"] = "bulk"
    result["server_peak_rss_mb"] = _mb(server_peak_rss_mb(server.uri))
    return result


def run_bulk(scale: str, folder: Path, base: Settings) -> dict[str, object]:
    """Bulk-import into a fresh local server (its home is wiped first, so it starts empty)."""
    home = HOMES / f"{scale}-neo4j-bulk"
    shutil.rmtree(home, ignore_errors=True)
    server = replace(
        LocalNeo4j.from_settings(
            base, bolt_port=BULK_BOLT_PORT, http_port=BULK_HTTP_PORT, home=home.absolute()
        ),
        heap=BULK_HEAP,
        pagecache=BULK_PAGECACHE,
    )
    server.start()
    try:
        return bulk_into(server, scale, folder, base)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def load_report(runs: list[dict[str, object]]) -> dict[str, object]:
    return {
        "machine": machine_info() | {"note": "2 cores shared with other work: figures are noisy"},
        "target": "national into Neo4j in at most 180 s",
        "runs": runs,
    }


def print_table(runs: list[dict[str, object]]) -> None:
    table = Table(title="Load benchmark")
    headers = (
        "scale",
        "store",
        "method",
        "s",
        "rows/s",
        "nodes/s",
        "rels/s",
        "RSS MB",
        "server MB",
    )
    for header in headers:
        table.add_column(
            header, justify="left" if header in ("scale", "store", "method") else "right"
        )
    for r in runs:
        table.add_row(
            str(r["scale"]),
            str(r["store"]),
            str(r.get("method", "-")),
            f"{r['seconds']:.1f}",
            f"{r['rows_per_s']:,}",
            f"{r['nodes_per_s']:,}",
            f"{r['relationships_per_s']:,}",
            f"{r['peak_rss_mb'] or '-'}",
            f"{r.get('server_peak_rss_mb') or '-'}",
        )
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["medium", "national"])
    parser.add_argument("--stores", nargs="+", default=["neo4j", "embedded"])
    parser.add_argument("--bulk-scales", nargs="*", default=["national"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    base = get_settings()
    results = []
    for scale in args.scales:
        started = time.perf_counter()
        folder = dataset(scale, args.seed)
        print(f"{scale}: dataset ready in {time.perf_counter() - started:.1f} s at {folder}")
        for name in args.stores:
            if name == StoreKind.NEO4J.value and scale in args.bulk_scales:
                results.append(run_bulk(scale, folder, base))
            else:
                results.append(run(scale, StoreKind(name), folder, base, HOMES / scale))
            print(json.dumps(results[-1]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(load_report(results), indent=1))
    print_table(results)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
