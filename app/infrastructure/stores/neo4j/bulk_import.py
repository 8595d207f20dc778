"""The offline bulk importer of a locally provisioned Neo4j: which server, whether it may be
used, and the `neo4j-admin database import full` run itself (app.services.bulk_loading drives
the stages). It replaces a database, so it is only for an EMPTY one on a server that
app.infrastructure.neo4j_local runs (it must be stopped and started, and its home, jars and
ports must be known).
"""

import os
import subprocess
from pathlib import Path
from urllib.parse import urlparse

from app.infrastructure.neo4j_local import JVM_FLAGS, LocalNeo4j, find_java
from app.infrastructure.stores.neo4j import Neo4jStore
from app.infrastructure.stores.neo4j.import_files import ImportFiles
from app.settings import Settings

ADMIN_MAIN_CLASS = "org.neo4j.cli.AdminTool"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
IMPORT_LOG = "bulk-import.log"


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
