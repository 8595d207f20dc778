"""The bulk importer path gives the same graph as the MERGE path, and refuses unsafe targets.

The bulk path stops and starts its server, so it runs on the session's spare local server,
never on the shared one the other graph tests use.
"""

from pathlib import Path

import pandas as pd
import pytest

from app.infrastructure.neo4j_local import LocalNeo4j
from app.infrastructure.stores.neo4j import Neo4jStore
from app.infrastructure.stores.neo4j.bulk_import import BulkImportRefused, local_server_for
from app.services.bulk_loading import bulk_load_dataset
from app.services.loading import load_dataset
from app.settings import Settings, StoreKind
from tests.dataset_builders import UNITS, write_dataset


def _spare_settings(server: LocalNeo4j, home: Path) -> Settings:
    return Settings(NEO4J_URI=server.uri, MRVTRACE_STORE=StoreKind.NEO4J, MRVTRACE_HOME=home)


def test_bulk_import_builds_the_same_graph_as_merge(
    neo4j_store: Neo4jStore, spare_neo4j: LocalNeo4j, tmp_path: Path
) -> None:
    folder = write_dataset(tmp_path / "dataset")
    load_dataset(folder, neo4j_store)
    merged_counts = neo4j_store.counts()
    merged_frame = neo4j_store.read_unit_months()
    settings = _spare_settings(spare_neo4j, tmp_path)
    spare = Neo4jStore(settings)
    spare.clear()
    spare.close()

    report = bulk_load_dataset(folder, settings, server=spare_neo4j)

    bulk = Neo4jStore(settings)
    try:
        assert merged_counts.total_nodes > 0
        assert bulk.counts() == merged_counts
        assert report.total_nodes == merged_counts.total_nodes
        assert report.total_relationships == merged_counts.total_relationships
        frame = bulk.read_unit_months()
        pd.testing.assert_frame_equal(frame, merged_frame)
        assert {unit[0] for unit in UNITS} <= set(frame["unit_id"])
        assert bulk.schema_applied()
        with pytest.raises(BulkImportRefused, match="already holds"):
            bulk_load_dataset(folder, settings, server=spare_neo4j)
    finally:
        bulk.close()


def test_bulk_import_refuses_a_server_on_another_machine() -> None:
    with pytest.raises(BulkImportRefused, match="not on this machine"):
        local_server_for(Settings(NEO4J_URI="bolt://graph.example.org:7687"))
