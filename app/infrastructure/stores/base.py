"""The narrow protocol that business logic uses; it never knows which adapter it has.

Frames in and out are pandas DataFrames whose id columns are text (`string` dtype) and whose
value columns are float64. Each adapter implements the protocol in one module per concern
(schema, loading, scoring, tracing), combined in its package `__init__`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
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


# ---------------------------------------------------------------------------------------------
# Scoring: sweeps, their results and atomic publication (owned by the sweep engineer).
# ---------------------------------------------------------------------------------------------


class SweepStatus(StrEnum):
    RUNNING = "running"
    PUBLISHED = "published"
    FAILED = "failed"


@dataclass
class SweepRecord:
    """One sweep: which periods it scored, with which models, and how it ended.

    `fingerprints` maps each scored period to the hash of its unit-month rows, so that the
    next sweep re-scores only periods whose data changed.
    """

    sweep_id: str
    started: str
    status: SweepStatus = SweepStatus.RUNNING
    ended: str | None = None
    periods: list[str] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    model_version: str = ""
    full: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    error: str = ""


class ScoringStore(Protocol):
    def data_fingerprints(self) -> dict[str, str]:
        """Per period, the data fingerprint its current published results were computed on."""

    def begin_sweep(self, record: SweepRecord) -> None:
        """Record a running sweep; nothing it writes is visible until publish_sweep."""

    def write_scores(
        self,
        sweep_id: str,
        unit_month_scores: pd.DataFrame,
        node_scores: pd.DataFrame,
        edge_scores: pd.DataFrame,
    ) -> None:
        """Write one batch of results into the sweep's own (invisible) space; callable many
        times per sweep."""

    def publish_sweep(self, record: SweepRecord) -> None:
        """Make the sweep's periods current in one atomic step."""

    def fail_sweep(self, record: SweepRecord) -> None:
        """Mark the sweep failed; the previous results stay current."""

    def current_sweep(self) -> SweepRecord | None:
        """The latest published sweep."""

    def list_sweeps(self) -> list[SweepRecord]:
        """All sweeps, newest first."""

    def get_sweep(self, sweep_id: str) -> SweepRecord | None: ...

    def read_unit_month_scores(
        self,
        periods: Sequence[str] | None = None,
        unit_ids: Sequence[str] | None = None,
        flagged_only: bool = True,
    ) -> pd.DataFrame:
        """Current results per unit-month (columns of models.unit_month_scores), sorted by
        score descending."""

    def read_node_scores(self, unit_id: str, periods: Sequence[str]) -> pd.DataFrame:
        """Current node scores of one unit (columns of models.node_scores); nodes that were
        not stored score 0."""

    def read_edge_scores(self, unit_id: str, periods: Sequence[str]) -> pd.DataFrame:
        """Current edge scores of one unit (columns of models.edge_models)."""
