"""The narrow protocol that business logic uses; it never knows which adapter it has.

Frames in and out are pandas DataFrames whose id columns are text (`string` dtype) and whose
value columns are float64. Each adapter implements the protocol in one module per concern
(schema, loading, scoring, tracing), combined in its package `__init__`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from graph_schema.labels import NodeLabel, RelType


class StoreUnavailable(RuntimeError):
    """The store cannot be reached (server down, files unreadable)."""


@dataclass(frozen=True)
class RelationshipSpec:
    """Which nodes a relationship frame connects: rows carry `start_key` and `end_key`."""

    rel_type: RelType
    start_label: NodeLabel
    end_label: NodeLabel


@dataclass
class GraphCounts:
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)

    @property
    def total_nodes(self) -> int:
        return sum(self.nodes.values())

    @property
    def total_relationships(self) -> int:
        return sum(self.relationships.values())


class GraphStore(Protocol):
    # Lifecycle and schema.
    def ping(self) -> None:
        """Raise StoreUnavailable unless the store answers."""

    def apply_schema(self) -> None:
        """Create constraints and indexes of graph_schema; idempotent."""

    def schema_applied(self) -> bool: ...

    def close(self) -> None: ...

    def clear(self) -> None:
        """Delete every node and relationship (tests and `load --replace`)."""

    # Loading: idempotent bulk upserts keyed by graph_schema.labels.KEY_PROPERTY.
    def upsert_nodes(self, label: NodeLabel, rows: pd.DataFrame) -> int:
        """MERGE one node per row on the label's key column; other columns become properties."""

    def upsert_relationships(self, spec: RelationshipSpec, rows: pd.DataFrame) -> int:
        """MERGE one relationship per row between `start_key` and `end_key`; other columns are
        properties. Rows with an `edge_id` column are merged on it (one edge per id)."""

    def counts(self) -> GraphCounts: ...

    # Scoring reads: the wide unit-month frame (see loaders.unit_month_frame).
    def read_unit_months(self, periods: Sequence[str] | None = None) -> pd.DataFrame: ...
