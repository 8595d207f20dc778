"""Load benchmark: generate datasets, load each into Neo4j and the embedded store, time it.

Writes `bench/results/load.json` (rows/s, nodes/s, relationships/s, seconds per stage, peak
RSS of this process and of the Neo4j server) and prints a table. Datasets are generated once
into `.cache/bench-data/<scale>` (outside git) and reused.

Neo4j loads by MERGE batches into the server of `NEO4J_URI`, except for the scales named by
`--bulk-scales` (default: national): those use the offline bulk importer on a fresh local server
of their own (`app.neo4j_local`, ports 7690/7477, 4 GB heap, 6 GB page cache), which is how an
initial national load is meant to run.

    python bench/load.py --scales medium national --stores neo4j embedded

Figures on a shared 2-core machine are noisy: run twice before trusting a difference.
"""

import argparse
import json
import platform
import resource
import shutil
import time
from dataclasses import replace
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

from app.loading import LoadReport, load_dataset
from app.neo4j_local import LocalNeo4j
from app.settings import Settings, StoreKind, get_settings
from app.stores.base import GraphCounts, GraphStore
from app.stores.factory import open_store
from app.stores.neo4j import Neo4jStore
from app.stores.neo4j.bulk_import import bulk_load_dataset
from app.stores.neo4j.loading import BATCH_SIZE
from loaders.generator import generate_dataset

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


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_peak_rss_mb(uri: str) -> float | None:
    """Peak resident memory (VmHWM) of the local process listening on the Bolt port."""
    port = int(uri.rsplit(":", 1)[-1])
    for conn in psutil.net_connections("tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
            if conn.pid is None:
                return None
            status = Path(f"/proc/{conn.pid}/status").read_text()
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    return None


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
        "peak_rss_mb": round(peak_rss_mb()),
    }


def run(scale: str, kind: StoreKind, folder: Path, base: Settings) -> dict[str, object]:
    settings = base.model_copy(update={"store": kind, "home": HOMES / scale})
    store: GraphStore = open_store(settings)
    try:
        store.clear()
        started = time.perf_counter()
        report = load_dataset(folder, store)
        seconds = time.perf_counter() - started
        counts = store.counts()
    finally:
        store.close()
    result = figures(scale, kind.value, report, counts, seconds)
    if kind is StoreKind.NEO4J:
        result["method"] = "merge"
        result["batch_size"] = BATCH_SIZE
        server = server_peak_rss_mb(settings.neo4j_uri)
        result["server_peak_rss_mb"] = None if server is None else round(server)
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
    settings = base.model_copy(update={"store": StoreKind.NEO4J, "neo4j_uri": server.uri})
    server.start()
    try:
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
        server_rss = server_peak_rss_mb(server.uri)
        result["server_peak_rss_mb"] = None if server_rss is None else round(server_rss)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    return result


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
                results.append(run(scale, StoreKind(name), folder, base))
            print(json.dumps(results[-1]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "machine": {
                    "cpus": psutil.cpu_count(),
                    "memory_gb": round(psutil.virtual_memory().total / 2**30),
                    "python": platform.python_version(),
                    "note": "2 cores shared with other work: figures are noisy",
                },
                "target": "national into Neo4j in at most 180 s",
                "runs": results,
            },
            indent=1,
        )
    )
    table = Table(title="Load benchmark")
    for header in (
        "scale",
        "store",
        "method",
        "s",
        "rows/s",
        "nodes/s",
        "rels/s",
        "RSS MB",
        "server MB",
    ):
        table.add_column(
            header, justify="left" if header in ("scale", "store", "method") else "right"
        )
    for r in results:
        table.add_row(
            str(r["scale"]),
            str(r["store"]),
            str(r.get("method", "-")),
            f"{r['seconds']:.1f}",
            f"{r['rows_per_s']:,}",
            f"{r['nodes_per_s']:,}",
            f"{r['relationships_per_s']:,}",
            f"{r['peak_rss_mb']:,}",
            f"{r.get('server_peak_rss_mb') or '-'}",
        )
    Console().print(table)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
