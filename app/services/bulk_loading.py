"""Initial load of an EMPTY, locally provisioned Neo4j with the offline bulk importer.

Stages: validate and build frames (as the MERGE path), write importer CSVs, stop the server, run
`neo4j-admin database import full` with the server's own jars and JDK, start the server, apply
the schema (constraints and indexes, awaited). Each stage's seconds go into the LoadReport.
One to two orders of magnitude faster than MERGE batches, but Neo4j-only and for an empty
database (app.infrastructure.stores.neo4j.bulk_import says why).
"""

import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.infrastructure.neo4j_local import LocalNeo4j
from app.infrastructure.stores.neo4j import Neo4jStore
from app.infrastructure.stores.neo4j.bulk_import import ensure_empty, local_server_for, run_import
from app.infrastructure.stores.neo4j.import_files import ImportFiles, write_import_files
from app.services.loading import LoadReport, Progress, read_frames
from app.settings import Settings

IMPORT_FOLDER = "mrvtrace-bulk"
STAGES = ("validate", "frames", "csv", "stop", "import", "start", "schema")


def _prepare_files(
    folder: Path, work: Path, report: LoadReport, encoding: str | None, stage: Callable[[str], None]
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
    encoding: str | None = None,
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
