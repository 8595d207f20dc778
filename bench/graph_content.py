"""What a loaded graph holds, step by step, as digests: two loads are equal when these are.

Read through each store's own reads (the Neo4j store's `graph_content_*` queries, the embedded
store's frames), normalised (columns and rows sorted, values as text) so that only content
counts, not the order it was written in. For tests and bench/load_recovery.py only.
"""

from typing import Any

import pandas as pd

from app.infrastructure.stores.contract import RelationshipSpec, Store
from app.infrastructure.stores.embedded import EmbeddedStore
from app.infrastructure.stores.neo4j import Neo4jStore
from app.services.load_steps import LoadStep, frame_fingerprint
from graph_schema.labels import KEY_PROPERTY, NodeLabel


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[sorted(frame.columns)].astype("string").fillna("<null>")
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _neo4j_rows(store: Neo4jStore, target: NodeLabel | RelationshipSpec) -> pd.DataFrame:
    if isinstance(target, NodeLabel):
        rows = store.run_read("graph_content_nodes", label=target.value)
        return pd.DataFrame.from_records([r["props"] for r in rows])
    rows = store.run_read(
        "graph_content_relationships",
        type=target.rel_type.value,
        start=target.start_label.value,
        end=target.end_label.value,
        start_key=KEY_PROPERTY[target.start_label],
        end_key=KEY_PROPERTY[target.end_label],
    )
    records: list[dict[str, Any]] = [
        {"start_key": r["start_key"], "end_key": r["end_key"], **r["props"]} for r in rows
    ]
    return pd.DataFrame.from_records(records)


def _embedded_rows(store: EmbeddedStore, target: NodeLabel | RelationshipSpec) -> pd.DataFrame:
    if isinstance(target, NodeLabel):
        return store.node_frames().get(target, pd.DataFrame())
    return store.relationship_frames().get(target, pd.DataFrame())


def graph_content(store: Store, steps: list[LoadStep]) -> dict[str, str]:
    """Per load step, a digest of what the store holds of its node label or relationship."""
    content: dict[str, str] = {}
    for step in steps:
        if isinstance(store, Neo4jStore):
            rows = _neo4j_rows(store, step.target)
        else:
            assert isinstance(store, EmbeddedStore)
            rows = _embedded_rows(store, step.target)
        content[step.key] = frame_fingerprint(_normalised(rows))
    return content
