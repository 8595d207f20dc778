"""Review part of the Neo4j store: `Finding` nodes linked to their `UnitMonth` (ABOUT) and
their append-only `ReviewEvent`s (HAS_EVENT), each read and write one `cypher/` query.

A finding carries its unit-month's province and city, so that the queue of a jurisdiction is
one index range and scope is a WHERE clause of every query. A decision is a compare-and-set on
the finding's version under its write lock (review_event_record.cypher), so two concurrent
decisions on one version cannot both apply.
"""

from collections.abc import Sequence
from typing import Any

import pandas as pd

from app.infrastructure.stores.contract import (
    FindingConflict,
    FindingCursor,
    FindingFilters,
    Row,
    ScopeFilter,
)
from app.infrastructure.stores.neo4j.analyst_reads import Neo4jAnalystReads
from app.infrastructure.stores.review_frames import (
    event_frame,
    finding_frame,
    finding_records,
    finding_row,
    plain_record,
)
from graph_schema.keys import unit_month_key
from graph_schema.review import FINDING_COLUMNS, REVIEW_EVENT_COLUMNS, FindingStatus

_BATCH = 2_000


def _finding_out(row: Row) -> Row:
    return plain_record(finding_frame([row]).astype(object).iloc[0].to_dict())


def _properties(row: Row, columns: Sequence[str]) -> dict[str, Any]:
    return {c: row.get(c) for c in columns}


class Neo4jReviewRecords(Neo4jAnalystReads):
    def apply_schema(self) -> None:
        super().apply_schema()
        self.run_script("review_schema")
        self.run_autocommit("schema_await_indexes")

    def save_findings(self, findings: pd.DataFrame, events: pd.DataFrame) -> int:
        events_of: dict[str, list[dict[str, Any]]] = {}
        for event in finding_records(events):
            properties = _properties(event, REVIEW_EVENT_COLUMNS)
            events_of.setdefault(str(event["finding_id"]), []).append(properties)
        rows = [
            {
                "finding_id": row["finding_id"],
                "expected_version": row.get("expected_version"),
                "unit_month_key": unit_month_key(str(row["unit_id"]), str(row["period"])),
                "props": _properties(row, FINDING_COLUMNS),
                "events": events_of.get(str(row["finding_id"]), []),
            }
            for row in finding_records(findings)
        ]
        written = 0
        for start in range(0, len(rows), _BATCH):
            result = self.run_write("findings_save", rows=rows[start : start + _BATCH])
            written += int(result[0]["written"]) if result else 0
        return written

    def read_findings(self, scope: ScopeFilter) -> pd.DataFrame:
        rows = self.run_read("findings_read", **scope.parameters())
        return finding_frame([r["finding"] for r in rows])

    def list_findings(
        self,
        filters: FindingFilters,
        limit: int,
        cursor: FindingCursor | None,
        scope: ScopeFilter,
    ) -> list[Row]:
        # One query per scope level: each seeks its own index (see findings_queue_*.cypher).
        if scope.region_code is not None:
            query, where = "findings_queue_city", {"region_code": scope.region_code}
        elif scope.province_code is not None:
            query, where = "findings_queue_province", {"province_code": scope.province_code}
        else:
            query, where = "findings_queue_national", {}
        statuses = [filters.status] if filters.status else [s.value for s in FindingStatus]
        rows = self.run_read(
            query,
            statuses=statuses,
            region=filters.region,
            min_priority=filters.min_priority,
            opened_before=filters.opened_before,
            assignee=filters.assignee,
            after_priority=cursor[0] if cursor else None,
            after_id=cursor[1] if cursor else None,
            limit=limit,
            units_visible=scope.units_visible,
            **where,
        )
        return [finding_row(found) for found in rows[0]["findings"]] if rows else []

    def get_finding(self, finding_id: str, scope: ScopeFilter) -> Row | None:
        rows = self.run_read("finding_get", finding_id=finding_id, **scope.parameters())
        return _finding_out(rows[0]["finding"]) if rows else None

    def read_review_events(
        self, finding_ids: Sequence[str] | None, scope: ScopeFilter
    ) -> pd.DataFrame:
        ids = None if finding_ids is None else list(finding_ids)
        rows = self.run_read("review_events_read", finding_ids=ids, **scope.parameters())
        return event_frame([r["event"] for r in rows])

    def record_review_event(
        self, finding_id: str, expected_version: int, changes: Row, event: Row, scope: ScopeFilter
    ) -> Row | None:
        rows = self.run_write(
            "review_event_record",
            finding_id=finding_id,
            expected_version=expected_version,
            changes=plain_record(changes),
            event=_properties(plain_record(event), REVIEW_EVENT_COLUMNS),
            **scope.parameters(),
        )
        if not rows:
            return None
        finding = _finding_out(rows[0]["finding"])
        if not rows[0]["fresh"]:
            raise FindingConflict(finding)
        return finding
