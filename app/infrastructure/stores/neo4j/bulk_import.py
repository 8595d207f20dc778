"""Initial load of an EMPTY, locally provisioned Neo4j with the offline bulk importer.

Stages: validate and build frames (as the MERGE path), write importer CSVs, stop the server, run
`neo4j-admin database import full` with the server's own jars and JDK, start the server, apply
the schema (constraints and indexes, awaited). Each stage's seconds go into the LoadReport.
This is one to two orders of magnitude faster than MERGE batches, but it replaces the
database, so it refuses unless the database is empty and the server is one
app.infrastructure.neo4j_local runs
(it must be stopped and started, and its home, jars and ports must be known).
"""

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

from app.infrastructure.neo4j_local import JVM_FLAGS, LocalNeo4j, find_java
from app.infrastructure.stores.neo4j import Neo4jStore
from app.infrastructure.stores.neo4j.import_files import ImportFiles, write_import_files
from app.services.loading import LoadReport, Progress, read_frames
from app.settings import Settings

ADMIN_MAIN_CLASS = "org.neo4j.cli.AdminTool"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
IMPORT_FOLDER = "mrvtrace-bulk"
IMPORT_LOG = "bulk-import.log"
STAGES = ("validate", "frames", "csv", "stop", "import", "start", "schema")


class BulkImportRefused(RuntimeError):
    """The bulk importer cannot be used on this target; the message says why and what instead."""


class BulkImportFailed(RuntimeError):
    """neo4j-admin's import failed; the message carries the tail of its log."""


def local_server_for(settings: Settings) -> LocalNeo4j:
    """The locally provisioned server that `settings.neo4j_uri` points at, if it runs."""
    address = urlparse(settings.neo4j_uri)
    if address.hostname not in LOCAL_HOSTS or address.port is None:
        raise BulkImportRefused(
            f"--bulk needs the local server of `mrvtrace neo4j start`; {settings.neo4j_uri} "
            "is not on this machine. Load without --bulk (MERGE batches) instead."
        )
    server = LocalNeo4j.from_settings(settings, bolt_port=address.port)
    if not server.status().running:
        raise BulkImportRefused(
            f"no server provisioned by `mrvtrace neo4j start` runs on port {address.port} "
            f"(home {server.home}); start it, or load without --bulk."
        )
    return server


def ensure_empty(store: Neo4jStore) -> None:
    nodes = store.counts().total_nodes
    if nodes:
        raise BulkImportRefused(
            f"the database already holds {nodes:,} nodes; --bulk replaces a database, so it "
            "only loads into an empty one. Load without --bulk to upsert (idempotent)."
        )


def import_command(server: LocalNeo4j, database: str, files: ImportFiles, work: Path) -> list[str]:
    """The `neo4j-admin database import full` command line, run with the server's jars."""
    bad_rows = sum(f.rows for f in files.relationships) + 1
    return [
        str(find_java(server.version, server.java)),
        f"-Xmx{server.heap}",
        *JVM_FLAGS,
        "-cp",
        f"{server.home / 'plugins'}/*:{server.lib_dir}/*",
        ADMIN_MAIN_CLASS,
        "database",
        "import",
        "full",
        database,
        "--overwrite-destination=true",
        # A relationship whose end is missing is skipped, as the MERGE path's MATCH skips it.
        "--skip-bad-relationships=true",
        "--skip-duplicate-nodes=true",
        f"--bad-tolerance={bad_rows}",
        f"--report-file={work / 'import-report.txt'}",
        "--high-parallel-io=on",
        *files.arguments(),
    ]


def run_import(server: LocalNeo4j, database: str, files: ImportFiles, work: Path) -> None:
    """Run the offline importer on the stopped server's home; raise with its log on failure."""
    log = server.home / "logs" / IMPORT_LOG
    env = {
        **os.environ,
        "NEO4J_HOME": str(server.home),
        "NEO4J_CONF": str(server.home / "conf"),
    }
    with log.open("wb") as out:
        result = subprocess.run(
            import_command(server, database, files, work),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=server.home,
            env=env,
            check=False,
        )
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BulkImportFailed(f"neo4j-admin import exited {result.returncode}:\n{tail}")


def _prepare_files(
    folder: Path, work: Path, report: LoadReport, encoding: str, stage: Callable[[str], None]
) -> ImportFiles | None:
    """Validate, build frames and write the importer's files; None when nothing is valid."""
    stage("validate")
    frames = read_frames(folder, report, encoding)
    if frames is None:
        return None
    stage("csv")
    started = time.perf_counter()
    files = write_import_files(frames, work)
    report.seconds["csv"] = time.perf_counter() - started
    return files


def bulk_load_dataset(
    folder: Path,
    settings: Settings,
    server: LocalNeo4j | None = None,
    progress: Progress | None = None,
    encoding: str = "utf-8",
) -> LoadReport:
    """Bulk-import `folder` into the empty database of the local `server` (by default the one
    `settings.neo4j_uri` points at); returns the same report as the MERGE path, per stage."""
    server = server or local_server_for(settings)
    store = Neo4jStore(settings)
    try:
        ensure_empty(store)
    finally:
        store.close()

    def stage(name: str) -> None:
        if progress:
            progress(name, STAGES.index(name), len(STAGES))

    report = LoadReport()
    work = server.home / "import" / IMPORT_FOLDER
    shutil.rmtree(work, ignore_errors=True)
    # The server's shutdown mostly waits, so it runs while this process validates and
    # writes the files; "stop" then counts only the wait left after that.
    files: ImportFiles | None = None
    with ThreadPoolExecutor(max_workers=1) as pool:
        stopping = pool.submit(server.stop)
        try:
            files = _prepare_files(folder, work, report, encoding, stage)
        finally:
            stage("stop")
            started = time.perf_counter()
            stopping.result()
            report.seconds["stop"] = time.perf_counter() - started
            if files is None:
                # Nothing to import, or preparing failed: bring the server back as it was.
                server.start()
    if files is None:
        return report
    try:
        stage("import")
        started = time.perf_counter()
        try:
            run_import(server, settings.neo4j_database, files, work)
        finally:
            report.seconds["import"] = time.perf_counter() - started
            stage("start")
            started = time.perf_counter()
            server.start()
            report.seconds["start"] = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stage("schema")
    started = time.perf_counter()
    store = Neo4jStore(settings)
    try:
        store.apply_schema()
    finally:
        store.close()
    report.seconds["schema"] = time.perf_counter() - started
    for node_file in files.nodes:
        report.nodes_written[node_file.name] = node_file.rows
    for rel_file in files.relationships:
        report.relationships_written[rel_file.name] = (
            report.relationships_written.get(rel_file.name, 0) + rel_file.rows
        )
    if progress:
        progress("done", len(STAGES), len(STAGES))
    return report
