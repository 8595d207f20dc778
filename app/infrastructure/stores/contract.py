"""The store contract: the one `Store` protocol that business logic talks to, and every data
class that crosses it. Two adapters implement it (Neo4j, the system of record; embedded, the
zero-setup default) and one contract suite tests both (tests/test_store_contract.py and every
test that takes the `store` fixture).

The protocol is three parts composed into one:
- `GraphWrites`: schema, idempotent bulk upserts, the load ledger, counts, and the wide
  unit-month frame;
- `SweepResults`: sweeps, their score frames and fitted models, published atomically;
- `AnalystReads`: the scoped reads behind `why`, traces, anomaly lists and the public lists;
- `ReviewRecords`: the review loop's findings and their append-only events (graph_schema.review).
- `KnowledgeIndex` (knowledge_contract.py): the knowledge base's passages and searches.

Frames in and out are pandas DataFrames with the columns of `graph_schema.frames`: id columns
text, value columns float64. Scope travels into every analyst read as a `ScopeFilter`, applied
inside the store's own query, so a row outside the scope never leaves the adapter.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import pandas as pd

from app.infrastructure.stores.knowledge_contract import KnowledgeIndex
from graph_schema.labels import NodeLabel, RelType


def results_token(
    results_of: str | None, ledger_steps: str | None, ledger_started: str | None
) -> str:
    """`results_version` of a store from the sweep whose results are current
    (`SweepRecord.results_of`) and its load ledger's state."""
    text = f"{results_of}|{ledger_steps}|{ledger_started}"
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


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


@dataclass
class LoadLedger:
    """What a store knows of the loads written into it, kept beside the graph.

    `steps` maps each load step (a node label, or a relationship type between two labels) to
    the fingerprint of the frame last written in full by that step; `started` and `source` name
    a load begun and not finished (None and "" when there is none), so a crash mid-load shows.
    """

    steps: dict[str, str] = field(default_factory=dict)
    started: str | None = None
    source: str = ""

    @property
    def in_progress(self) -> bool:
        return self.started is not None


class SweepStatus(StrEnum):
    RUNNING = "running"
    PUBLISHED = "published"
    FAILED = "failed"


@dataclass
class SweepRecord:
    """One sweep: which periods it scored, with which engine, what it found, how it ended.

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
    # What the sweep found beyond monthly scores: conventions and persistent unit conditions
    # (engine.prevalence), systemic sources (engine.systemic), and the engine's fitted nulls.
    patterns: list[dict[str, Any]] = field(default_factory=list)
    systemic: list[dict[str, Any]] = field(default_factory=list)
    calibration: dict[str, Any] = field(default_factory=dict)
    # The counts of each jurisdiction (`province:<code>`, `city:<code>`), so that a regional
    # caller reads its own counts, never the national ones.
    scope_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    # The sweep whose scores and fleet-wide findings this one publishes when it scored nothing
    # (None: its own), so that publishing it leaves every answer, and `results_version`, as
    # they were.
    carries: str | None = None

    @property
    def results_of(self) -> str:
        """The sweep whose results this record publishes."""
        return self.carries or self.sweep_id


@dataclass(frozen=True)
class ScopeFilter:
    """Which units a read may return: those of one province or one city (None: no such
    restriction), and none at all for a public caller (`units_visible` False)."""

    province_code: str | None = None
    region_code: str | None = None
    units_visible: bool = True

    def parameters(self) -> dict[str, object]:
        """The filter as query parameters."""
        return asdict(self)


# Every unit, every region: what the sweep and the findings export read.
NATIONAL_FILTER = ScopeFilter()


@dataclass(frozen=True)
class AnomalyFilters:
    """Filters of an anomaly list; None means no filter. `region` is a city or province."""

    period: str | None = None
    region: str | None = None
    group: str | None = None
    enterprise: str | None = None
    min_score: float | None = None


# Where an anomaly page ends: (score, unit_id, period) of its last row.
AnomalyCursor = tuple[float, str, str]
Row = dict[str, Any]


def plain_rows(frame: pd.DataFrame) -> list[Row]:
    """A frame's rows as dicts (pandas' missing markers stay; readers treat them as missing)."""
    return frame.astype(object).to_dict("records")  # type: ignore[return-value]


@dataclass(frozen=True)
class UnitMonthWindow:
    """What tracing reads of one unit-month and the `depth` months before it, as plain rows:
    the request path builds no frames (one store round trip, then straight into the graph).

    `months` are unit-month rows (UNIT_MONTH_COLUMNS, plus `verifier_id`), `nodes` node-score
    rows (NODE_SCORE_COLUMNS) of every month, `checks` check rows (CHECK_SCORE_COLUMNS) of the
    month `period` (the one a trace explains), `result` the
    unit-month's current sweep result (a UNIT_MONTH_SCORE_COLUMNS row; None before any sweep),
    `sweep_id` the current sweep.
    """

    unit_id: str
    period: str
    depth: int
    months: list[Row]
    nodes: list[Row]
    checks: list[Row]
    result: Row | None = None
    sweep_id: str | None = None

    def month(self, period: str) -> Row | None:
        return next((m for m in self.months if str(m["period"]) == period), None)


class GraphWrites(Protocol):
    def ping(self) -> None:
        """Raise StoreUnavailable unless the store answers."""

    def server_info(self) -> dict[str, str]:
        """Which store this is: `version`, `edition` and `address`."""

    def apply_schema(self) -> None:
        """Create the constraints and indexes of graph_schema; idempotent."""

    def schema_applied(self) -> bool: ...

    def close(self) -> None: ...

    def clear(self) -> None:
        """Delete every node and relationship, and the load ledger (tests and `load --replace`)."""

    def upsert_nodes(self, label: NodeLabel, rows: pd.DataFrame) -> int:
        """MERGE one node per row on the label's key column; other columns become properties.
        Returns the number of rows written."""

    def upsert_relationships(self, spec: RelationshipSpec, rows: pd.DataFrame) -> int:
        """MERGE one relationship per row between `start_key` and `end_key`; other columns are
        properties. Rows with an `edge_id` column are merged on it (one edge per id)."""

    def load_ledger(self) -> LoadLedger:
        """The ledger of loads (empty on a new or cleared store)."""

    def save_load_ledger(self, ledger: LoadLedger) -> None:
        """Replace the ledger in one atomic step: a crash leaves the old one or the new one."""

    def counts(self) -> GraphCounts: ...

    def read_unit_months(self, periods: Sequence[str] | None = None) -> pd.DataFrame:
        """The wide unit-month frame (UNIT_MONTH_COLUMNS) of `periods` (None: all)."""


class SweepResults(Protocol):
    def data_fingerprints(self) -> dict[str, str]:
        """Per period, the data fingerprint its current published results were computed on."""

    def begin_sweep(self, record: SweepRecord) -> None:
        """Record a running sweep; nothing it writes is visible until publish_sweep."""

    def write_scores(
        self,
        sweep_id: str,
        unit_month_scores: pd.DataFrame,
        node_scores: pd.DataFrame,
        check_scores: pd.DataFrame,
    ) -> None:
        """Write one batch of results (UNIT_MONTH_SCORE_COLUMNS, NODE_SCORE_COLUMNS,
        CHECK_SCORE_COLUMNS) into the sweep's own, invisible space; callable many times per
        sweep. Every check's target node is among the node scores (require_edge_children). The
        store keeps every row it is given, no more, no fewer: which rows are worth keeping is
        the sweep's policy, the same whatever the store."""

    def publish_sweep(self, record: SweepRecord) -> None:
        """Make the sweep's periods current in one atomic step."""

    def fail_sweep(self, record: SweepRecord) -> None:
        """Mark the sweep failed; the previous results stay current."""

    def current_sweep(self) -> SweepRecord | None:
        """The latest published sweep."""

    def results_version(self) -> str:
        """A short token that changes whenever an analyst's answer may: at every publish of new
        results and every step of a load (the current sweep's `results_of` and the load
        ledger); a sweep that scored nothing leaves it as it was. One cheap read."""

    def list_sweeps(self) -> list[SweepRecord]:
        """All sweeps, newest first."""

    def get_sweep(self, sweep_id: str) -> SweepRecord | None: ...

    def delete_sweeps(self, sweep_ids: Sequence[str]) -> list[str]:
        """Delete these sweeps: their records, stored scores and models. A sweep whose results
        are current for any period is skipped (never deleted). Returns the ids deleted."""

    def stored_sweep_ids(self) -> set[str]:
        """The sweeps that still hold stored scores or a saved model (what retention frees)."""

    def save_model(self, version: str, payload: bytes) -> None:
        """Keep the serialised fitted models of one sweep under `version`."""

    def load_model(self, version: str) -> bytes | None:
        """The serialised models saved under `version`, None when there are none."""

    def read_unit_month_scores(
        self,
        periods: Sequence[str] | None = None,
        unit_ids: Sequence[str] | None = None,
        *,
        flagged_only: bool,
    ) -> pd.DataFrame:
        """Current results per unit-month (UNIT_MONTH_SCORE_COLUMNS), score descending, then
        unit_id and period."""

    def read_node_scores(self, unit_id: str, periods: Sequence[str]) -> pd.DataFrame:
        """Current stored node scores of one unit (NODE_SCORE_COLUMNS), by period and name."""

    def read_check_scores(self, unit_id: str, periods: Sequence[str]) -> pd.DataFrame:
        """Current stored check rows of one unit (CHECK_SCORE_COLUMNS), by period and check."""

    def scored_elements(self, periods: Sequence[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Current stored (node scores, check rows) of every unit for `periods` (None: all)."""


class AnalystReads(Protocol):
    def unit_context(self, unit_id: str, scope: ScopeFilter) -> dict[str, object] | None:
        """Unit → enterprise → group → city → province, or None when unknown or out of scope."""

    def unit_periods(self, unit_id: str, scope: ScopeFilter) -> list[str]:
        """The unit's reported periods, oldest first (empty when unknown or out of scope)."""

    def unit_month_window(
        self, unit_id: str, period: str, depth: int, scope: ScopeFilter
    ) -> UnitMonthWindow | None:
        """The unit's month `period` and `depth` months before it, with their current scores;
        None when the unit-month is unknown or out of scope."""

    def scoped_unit_months(self, periods: Sequence[str] | None, scope: ScopeFilter) -> pd.DataFrame:
        """The unit-month frame restricted to the scope, with the `verifier_id` and the
        `allocated_t` of its enterprise-year (NaN without an allocation that year)."""

    def list_anomalies(
        self,
        filters: AnomalyFilters,
        limit: int,
        cursor: AnomalyCursor | None,
        scope: ScopeFilter,
    ) -> pd.DataFrame:
        """Up to `limit` flagged unit-months (ANOMALY_COLUMNS) in the order score desc,
        unit_id, period, strictly after `cursor`."""

    def public_tables(self) -> dict[str, pd.DataFrame]:
        """What the public lists are computed from: `enterprises` (with province and unit
        count), `enterprise_years` (verification, allocation, compliance and the sum of reported
        unit-months), `verifiers`, and `units` (unit_id, enterprise_id)."""


@dataclass(frozen=True)
class FindingFilters:
    """Filters of the review queue; None means no filter. `region` is a city or province;
    `opened_before` an ISO timestamp (the queue's age filter)."""

    status: str | None = None
    region: str | None = None
    min_priority: float | None = None
    opened_before: str | None = None
    assignee: str | None = None


# Where a queue page ends: (priority, finding_id) of its last row; the queue runs priority
# descending, then finding_id.
FindingCursor = tuple[float, str]


class FindingConflict(RuntimeError):
    """A change decided on a version of a finding that is no longer its current one."""

    def __init__(self, current: Row) -> None:
        super().__init__(f"finding {current['finding_id']} is at version {current['version']}")
        self.current = current


class ReviewRecords(Protocol):
    def save_findings(self, findings: pd.DataFrame, events: pd.DataFrame) -> int:
        """Write findings (FINDING_COLUMNS plus `expected_version`) with their new events
        (REVIEW_EVENT_COLUMNS). A row with no `expected_version` creates its finding when there
        is none yet; any other row replaces the finding only while the stored version still is
        `expected_version`. Events are appended only with their finding's row; a skipped row
        (someone decided meanwhile) leaves the stored finding as it was. Returns rows written."""

    def read_findings(self, scope: ScopeFilter) -> pd.DataFrame:
        """Every finding in the scope (FINDING_COLUMNS), by finding_id."""

    def list_findings(
        self,
        filters: FindingFilters,
        limit: int,
        cursor: FindingCursor | None,
        scope: ScopeFilter,
    ) -> list[Row]:
        """Up to `limit` findings of the scope in the queue's order, strictly after `cursor`,
        as plain rows (FINDING_COLUMNS keys): the queue is a request path, and builds no frames."""

    def get_finding(self, finding_id: str, scope: ScopeFilter) -> Row | None:
        """One finding (FINDING_COLUMNS), None when unknown or out of scope."""

    def read_review_events(
        self, finding_ids: Sequence[str] | None, scope: ScopeFilter
    ) -> pd.DataFrame:
        """Events (REVIEW_EVENT_COLUMNS) of these findings (None: all) in the scope, by
        finding_id and version."""

    def record_review_event(
        self, finding_id: str, expected_version: int, changes: Row, event: Row, scope: ScopeFilter
    ) -> Row | None:
        """Apply `changes` to the finding and append `event`, in one atomic step, only while
        its version is `expected_version`; FindingConflict (with the current finding) when it
        is not. Returns the finding as changed; None when unknown or out of scope."""


class Store(GraphWrites, SweepResults, AnalystReads, ReviewRecords, KnowledgeIndex, Protocol):
    """Everything business logic may ask of a store."""


def require_edge_children(node_scores: pd.DataFrame, check_scores: pd.DataFrame) -> None:
    """Raise ValueError unless every check's target node is among the node scores: the
    contract of `write_scores`, so that both stores keep the same rows."""
    children = check_scores["unit_id"] + "|" + check_scores["period"] + "|" + check_scores["child"]
    orphans = children[~children.isin(node_scores["key"])]
    if len(orphans):
        raise ValueError(f"checks without their target node's score: {orphans.iloc[0]}, ...")
