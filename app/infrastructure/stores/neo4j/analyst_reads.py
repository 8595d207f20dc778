"""Analyst reads of the Neo4j store: the reads behind `why`, traces, anomaly lists and the public
lists, each one parameterised query from `cypher/`.

Scope travels into every query as parameters (the caller's ScopeFilter), so a unit outside the
scope is never returned by the server. Sweep scores sit in two property slots (see
sweep_results.py); the window query picks each month's slot from the current sweep's pointer
on the server, so one round trip brings only current scores.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import pandas as pd

from app.infrastructure.stores.contract import (
    AnomalyCursor,
    AnomalyFilters,
    ScopeFilter,
    UnitMonthWindow,
    results_token,
)
from app.infrastructure.stores.neo4j.graph_writes import Neo4jGraphWrites
from app.infrastructure.stores.neo4j.sweep_results import (
    SLOTS,
    Neo4jSweepResults,
    checks_frame,
    results_frame,
    slot_properties,
)
from graph_schema.frames import ANOMALY_COLUMNS, NODE_SCORE_COLUMNS, UNIT_MONTH_COLUMNS
from graph_schema.keys import edge_id, unit_month_key
from graph_schema.periods import window
from loaders.unit_month_frame import conform_unit_month_frame

_SLOT_NAMES = [slot_properties(slot) | {"name": slot} for slot in SLOTS]


def _nodes_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*NODE_SCORE_COLUMNS, "checks"])
    for col in ("value", "expected", "z", "score"):
        frame[col] = frame[col].astype(float)
    return frame


def _node_row(unit_id: str, period: str, parameter: Mapping[str, Any]) -> dict[str, Any]:
    return {"unit_id": unit_id, "period": period} | {
        name: parameter[name] for name in ("key", "name", "value", "expected", "z", "score")
    }


def _check_rows(unit_id: str, period: str, text: str | None) -> list[dict[str, Any]]:
    """Check rows from the JSON stored on their target node."""
    where = {"unit_id": unit_id, "period": period}
    return [
        {"edge_id": edge_id(unit_id, period, c["check_id"]), **where, **c}
        for c in orjson.loads(text or "[]")
    ]


class Neo4jAnalystReads(Neo4jSweepResults, Neo4jGraphWrites):
    def apply_schema(self) -> None:
        super().apply_schema()
        self.keep_pointer_lists()

    def results_version(self) -> str:
        row = self.run_read("results_version")[0]
        return results_token(row["results_of"], row["steps_json"], row["started"])

    def unit_context(self, unit_id: str, scope: ScopeFilter) -> dict[str, object] | None:
        """Unit → enterprise → group → city → province, or None when unknown or out of scope."""
        rows = self.run_read("tracing_unit_context", unit_id=unit_id, **scope.parameters())
        return rows[0] if rows else None

    def unit_periods(self, unit_id: str, scope: ScopeFilter) -> list[str]:
        """The unit's reported periods, oldest first (empty when unknown or out of scope)."""
        return [
            r["period"]
            for r in self.run_read("tracing_unit_periods", unit_id=unit_id, **scope.parameters())
        ]

    def unit_month_window(
        self, unit_id: str, period: str, depth: int, scope: ScopeFilter
    ) -> UnitMonthWindow | None:
        """The unit's month `period` and `depth` months before it, with their current scores,
        in one round trip; None when the unit-month is unknown or out of scope."""
        rows = self.run_read(
            "tracing_unit_month_window",
            keys=[unit_month_key(unit_id, p) for p in window(period, depth)],
            period=period,
            columns=list(UNIT_MONTH_COLUMNS),
            slots=_SLOT_NAMES,
            **scope.parameters(),
        )
        months = [dict(zip(UNIT_MONTH_COLUMNS, r["month"], strict=True)) for r in rows]
        focal = next((i for i, m in enumerate(months) if m["period"] == period), None)
        if focal is None:
            return None
        nodes, checks = [], []
        for row, month in zip(rows, months, strict=True):
            month["verifier_id"] = row["verifier_id"]
            for parameter in row["parameters"]:
                if parameter["key"] is None:
                    continue
                nodes.append(_node_row(unit_id, month["period"], parameter))
                checks.extend(_check_rows(unit_id, month["period"], parameter["checks"]))
        result = rows[focal]["result"]
        return UnitMonthWindow(
            unit_id,
            period,
            depth,
            months,
            nodes,
            checks,
            orjson.loads(result) if result else None,
            rows[0]["sweep_id"],
        )

    def scored_elements(self, periods: Sequence[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Current (node scores, edge scores) of every unit for `periods` (None: all); only
        the nodes the sweep stored (the others score 0)."""
        frame = _nodes_frame(
            self.run_read("tracing_scored_nodes", slots=self._slot_groups(periods))
        )
        return frame[NODE_SCORE_COLUMNS], checks_frame(
            frame["unit_id"], frame["period"], frame["checks"]
        )

    def scoped_unit_months(self, periods: Sequence[str] | None, scope: ScopeFilter) -> pd.DataFrame:
        """The unit-month frame restricted to the scope, with `verifier_id` and `allocated_t`."""
        rows = self.run_read(
            "tracing_scoped_unit_months",
            columns=list(UNIT_MONTH_COLUMNS),
            periods=list(periods) if periods is not None else None,
            **scope.parameters(),
        )
        raw = pd.DataFrame([r["values"] for r in rows], columns=list(UNIT_MONTH_COLUMNS))
        verifiers = pd.Series(
            [r["verifier_id"] for r in rows],
            index=pd.MultiIndex.from_frame(raw[["unit_id", "period"]].astype(str)),
            dtype="string",
        )
        frame = conform_unit_month_frame(raw)
        keys = pd.MultiIndex.from_frame(frame[["unit_id", "period"]].astype(str))
        frame["verifier_id"] = verifiers.reindex(keys).to_numpy()
        frame["verifier_id"] = frame["verifier_id"].astype("string")
        allocated = pd.Series(
            [r["allocated_t"] for r in rows], index=verifiers.index, dtype="float64"
        )
        frame["allocated_t"] = allocated.reindex(keys).to_numpy()
        return frame

    def list_anomalies(
        self,
        filters: AnomalyFilters,
        limit: int,
        cursor: AnomalyCursor | None,
        scope: ScopeFilter,
    ) -> pd.DataFrame:
        rows = self.run_read(
            "anomalies_list",
            slots=self._slot_groups([filters.period] if filters.period else None),
            region=filters.region,
            group=filters.group,
            enterprise=filters.enterprise,
            min_score=filters.min_score,
            after=dict(zip(("score", "unit_id", "period"), cursor, strict=True))
            if cursor
            else None,
            limit=limit,
            **scope.parameters(),
        )
        results = results_frame([r["result"] for r in rows])
        places = pd.DataFrame(
            rows, columns=["enterprise_id", "region_code", "province_code", "group_id"]
        )
        return pd.concat([results, places], axis=1)[ANOMALY_COLUMNS]

    def public_tables(self) -> dict[str, pd.DataFrame]:
        """What the public lists are computed from: `enterprises` (with province and unit
        count), `enterprise_years` (verification, allocation, compliance and the sum of reported
        unit-months), `verifiers`, and `units` (unit_id, enterprise_id)."""
        return {
            name: pd.DataFrame(self.run_read(query))
            for name, query in (
                ("enterprises", "public_enterprises"),
                ("enterprise_years", "public_enterprise_years"),
                ("verifiers", "public_verifiers"),
                ("units", "public_units"),
            )
        }
