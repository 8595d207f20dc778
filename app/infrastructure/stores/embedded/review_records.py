"""Review part of the embedded store: findings and their events in one SQLite file beside the
graph's Parquet files (`<home>/reviews.sqlite3`).

Decisions arrive from every worker process of a server at once, and a change must apply only
to the version it was decided on: SQLite gives that compare-and-set across processes
(`BEGIN IMMEDIATE`, then an UPDATE on the expected version), which Parquet files rewritten
whole would not. Events are append-only, enforced by triggers. A finding is linked to its
unit-month by (unit_id, period), as the graph's frames link everything by key. Scope is part of
every statement's WHERE clause.
"""

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from app.infrastructure.stores.contract import (
    FindingConflict,
    FindingCursor,
    FindingFilters,
    Row,
    ScopeFilter,
)
from app.infrastructure.stores.embedded.analyst_reads import EmbeddedAnalystReads
from app.infrastructure.stores.review_frames import (
    event_frame,
    finding_frame,
    finding_records,
    finding_row,
    plain_record,
)
from graph_schema.review import FINDING_COLUMNS, REVIEW_EVENT_COLUMNS

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS finding (finding_id TEXT PRIMARY KEY, "
    + ", ".join(c for c in FINDING_COLUMNS if c != "finding_id")
    + ")",
    "CREATE INDEX IF NOT EXISTS finding_queue ON finding (status, priority, finding_id)",
    "CREATE TABLE IF NOT EXISTS review_event (event_id TEXT PRIMARY KEY, "
    + ", ".join(c for c in REVIEW_EVENT_COLUMNS if c != "event_id")
    + ")",
    "CREATE INDEX IF NOT EXISTS review_event_finding ON review_event (finding_id, version)",
    "CREATE TRIGGER IF NOT EXISTS review_event_no_update BEFORE UPDATE ON review_event "
    "BEGIN SELECT RAISE(ABORT, 'review events are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS review_event_no_delete BEFORE DELETE ON review_event "
    "BEGIN SELECT RAISE(ABORT, 'review events are append-only'); END",
)
_IN_SCOPE = (
    ":units_visible AND (:province_code IS NULL OR f.province_code = :province_code) "
    "AND (:region_code IS NULL OR f.region_code = :region_code)"
)
_FINDING_FIELDS = ", ".join(f"f.{c}" for c in FINDING_COLUMNS)
_INSERT_FINDING = (
    f"INSERT OR IGNORE INTO finding ({', '.join(FINDING_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in FINDING_COLUMNS)})"
)
_REPLACE_FINDING = (
    "UPDATE finding SET "
    + ", ".join(f"{c} = :{c}" for c in FINDING_COLUMNS if c != "finding_id")
    + " WHERE finding_id = :finding_id AND version = :expected_version"
)
_INSERT_EVENT = (
    f"INSERT INTO review_event ({', '.join(REVIEW_EVENT_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in REVIEW_EVENT_COLUMNS)})"
)
_QUEUE = f"""SELECT {_FINDING_FIELDS} FROM finding f
WHERE {_IN_SCOPE}
  AND (:status IS NULL OR f.status = :status)
  AND (:region IS NULL OR f.region_code = :region OR f.province_code = :region)
  AND (:min_priority IS NULL OR f.priority >= :min_priority)
  AND (:opened_before IS NULL OR f.opened < :opened_before)
  AND (:assignee IS NULL OR f.assignee = :assignee)
  AND (:after_priority IS NULL OR f.priority < :after_priority
       OR (f.priority = :after_priority AND f.finding_id > :after_id))
ORDER BY f.priority DESC, f.finding_id
LIMIT :limit"""


def _sqlite_value(value: Any) -> Any:
    value = plain_record({"v": value})["v"]
    return int(value) if isinstance(value, bool) else value


def _sqlite_row(row: Row, columns: Sequence[str]) -> Row:
    return {c: _sqlite_value(row.get(c)) for c in columns}


def _finding_out(row: sqlite3.Row) -> Row:
    found = dict(row)
    if found.get("flagged_now") is not None:
        found["flagged_now"] = bool(found["flagged_now"])
    return plain_record(finding_frame([found]).astype(object).iloc[0].to_dict())


class EmbeddedReviewRecords(EmbeddedAnalystReads):
    @property
    def reviews_path(self) -> Path:
        return Path(self.home) / "reviews.sqlite3"

    @contextmanager
    def _reviews(self) -> Iterator[sqlite3.Connection]:
        Path(self.home).mkdir(parents=True, exist_ok=True)
        with closing(
            sqlite3.connect(self.reviews_path, timeout=30, isolation_level=None)
        ) as connection:
            connection.row_factory = sqlite3.Row
            for statement in _SCHEMA:
                connection.execute(statement)
            yield connection

    def clear(self) -> None:
        """The graph's files, and the findings and events recorded on it."""
        super().clear()
        self.reviews_path.unlink(missing_ok=True)

    def save_findings(self, findings: pd.DataFrame, events: pd.DataFrame) -> int:
        rows = finding_records(findings.assign(expected_version=findings.get("expected_version")))
        events_of: dict[str, list[Row]] = {}
        for event in finding_records(events):
            events_of.setdefault(str(event["finding_id"]), []).append(event)
        written = 0
        with self._reviews() as connection:
            connection.execute("BEGIN IMMEDIATE")
            for row in rows:
                values = _sqlite_row(row, [*FINDING_COLUMNS, "expected_version"])
                if row["expected_version"] is None:
                    cursor = connection.execute(_INSERT_FINDING, _sqlite_row(row, FINDING_COLUMNS))
                else:
                    cursor = connection.execute(_REPLACE_FINDING, values)
                if cursor.rowcount != 1:
                    continue
                written += 1
                for event in events_of.get(str(row["finding_id"]), []):
                    connection.execute(_INSERT_EVENT, _sqlite_row(event, REVIEW_EVENT_COLUMNS))
            connection.commit()
        return written

    def read_findings(self, scope: ScopeFilter) -> pd.DataFrame:
        query = f"SELECT {_FINDING_FIELDS} FROM finding f WHERE {_IN_SCOPE} ORDER BY f.finding_id"
        with self._reviews() as connection:
            rows = [dict(r) for r in connection.execute(query, scope.parameters())]
        return finding_frame(rows)

    def list_findings(
        self,
        filters: FindingFilters,
        limit: int,
        cursor: FindingCursor | None,
        scope: ScopeFilter,
    ) -> list[Row]:
        params = {
            **scope.parameters(),
            "status": filters.status,
            "region": filters.region,
            "min_priority": filters.min_priority,
            "opened_before": filters.opened_before,
            "assignee": filters.assignee,
            "after_priority": cursor[0] if cursor else None,
            "after_id": cursor[1] if cursor else None,
            "limit": limit,
        }
        with self._reviews() as connection:
            return [finding_row(dict(r)) for r in connection.execute(_QUEUE, params)]

    def get_finding(self, finding_id: str, scope: ScopeFilter) -> Row | None:
        query = f"SELECT {_FINDING_FIELDS} FROM finding f WHERE f.finding_id = :id AND {_IN_SCOPE}"
        with self._reviews() as connection:
            row = connection.execute(query, {"id": finding_id, **scope.parameters()}).fetchone()
        return None if row is None else _finding_out(row)

    def read_review_events(
        self, finding_ids: Sequence[str] | None, scope: ScopeFilter
    ) -> pd.DataFrame:
        fields = ", ".join(f"e.{c}" for c in REVIEW_EVENT_COLUMNS)
        query = (
            f"SELECT {fields} FROM review_event e JOIN finding f ON f.finding_id = e.finding_id "
            f"WHERE {_IN_SCOPE} ORDER BY e.finding_id, e.version"
        )
        with self._reviews() as connection:
            rows = [dict(r) for r in connection.execute(query, scope.parameters())]
        frame = event_frame(rows)
        if finding_ids is not None:
            frame = frame[frame["finding_id"].isin(list(finding_ids))].reset_index(drop=True)
        return frame

    def record_review_event(
        self, finding_id: str, expected_version: int, changes: Row, event: Row, scope: ScopeFilter
    ) -> Row | None:
        query = f"SELECT {_FINDING_FIELDS} FROM finding f WHERE f.finding_id = :id AND {_IN_SCOPE}"
        with self._reviews() as connection:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute(query, {"id": finding_id, **scope.parameters()}).fetchone()
            if row is None:
                connection.rollback()
                return None
            current = _finding_out(row)
            if current["version"] != expected_version:
                connection.rollback()
                raise FindingConflict(current)
            changed = {**current, **changes}
            values = _sqlite_row(changed, FINDING_COLUMNS) | {"expected_version": expected_version}
            connection.execute(_REPLACE_FINDING, values)
            connection.execute(_INSERT_EVENT, _sqlite_row(event, REVIEW_EVENT_COLUMNS))
            connection.commit()
        return changed
