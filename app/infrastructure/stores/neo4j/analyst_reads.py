"""Analyst reads of the Neo4j store: the reads behind `why`, traces, anomaly lists and the public
lists, each one parameterised query from `cypher/`.

Scope travels into every query as parameters (the caller's ScopeFilter), so a unit outside the
scope is never returned by the server. Sweep scores sit in two property slots (see
scoring.py); the subgraph query returns both slots with the current pointer so that one round
trip is enough, and the slot the pointer names is kept here.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from app.infrastructure.stores.contract import (
    AnomalyCursor,
    AnomalyFilters,
    ScopeFilter,
    UnitMonthWindow,
)
from app.infrastructure.stores.neo4j.graph_writes import Neo4jGraphWrites
from app.infrastructure.stores.neo4j.sweep_results import (
    SLOTS,
    Neo4jSweepResults,
    checks_frame,
    results_frame,
    slot_properties,
)
from graph_schema.frames import ANOMALY_COLUMNS, NODE_SCORE_COLUMNS
from graph_schema.keys import edge_id, unit_month_key
from graph_schema.periods import window
from loaders.unit_month_frame import conform_unit_month_frame

_SLOT_NAMES = [slot_properties(slot) | {"name": slot} for slot in SLOTS]


def _nodes_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*NODE_SCORE_COLUMNS, "checks"])
    for col in ("value", "expected", "z", "score"):
        frame[col] = frame[col].astype(float)
    return frame


def _current_slot(pointer: Mapping[str, Any], period: str) -> tuple[str, str] | None:
    """(slot, sweep id) the current sweep's pointer names for `period`, if any."""
    entry = pointer.get(period)
    return (entry["slot"], entry["sweep_id"]) if entry else None


def _unit_month_result(
    month: Mapping[str, Any], current: tuple[str, str] | None
) -> dict[str, Any] | None:
    """A UnitMonth's result in the current slot, if the current sweep stamped it there."""
    if current is None or month.get(f"sweep_{current[0]}") != current[1]:
        return None
    text = month.get(f"result_{current[0]}")
    return json.loads(text) if text else None


def _node_row(
    unit_id: str, period: str, parameter: Mapping[str, Any], slot: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "key": parameter["key"],
        "unit_id": unit_id,
        "period": period,
        "name": parameter["name"],
        "value": parameter["value"],
        "expected": slot["expected"],
        "z": slot["z"],
        "score": slot["score"],
    }


def _check_rows(unit_id: str, period: str, text: str | None) -> list[dict[str, Any]]:
    """Check rows from the JSON stored on their target node."""
    where = {"unit_id": unit_id, "period": period}
    return [
        {"edge_id": edge_id(unit_id, period, c["check_id"]), **where, **c}
        for c in json.loads(text or "[]")
    ]


class Neo4jAnalystReads(Neo4jSweepResults, Neo4jGraphWrites):
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
            slots=_SLOT_NAMES,
            **scope.parameters(),
        )
        focal = next((r["month"] for r in rows if r["month"]["period"] == period), None)
        if focal is None:
            return None
        pointer = json.loads(rows[0]["pointer"] or "{}")
        months, nodes, checks = [], [], []
        for row in rows:
            month = row["month"]
            months.append(month | {"verifier_id": row["verifier_id"]})
            current = _current_slot(pointer, month["period"])
            for parameter in row["parameters"]:
                slot = next(
                    (s for s in parameter["slots"] if (s["slot"], s["stamp"]) == current), None
                )
                if parameter["key"] is None or slot is None:
                    continue
                nodes.append(_node_row(unit_id, month["period"], parameter, slot))
                checks.extend(_check_rows(unit_id, month["period"], slot["checks"]))
        result = _unit_month_result(focal, _current_slot(pointer, period))
        return UnitMonthWindow(
            unit_id, period, depth, months, nodes, checks, result, rows[0]["sweep_id"]
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
        """The unit-month frame restricted to the scope, with `verifier_id`."""
        rows = self.run_read(
            "tracing_scoped_unit_months",
            periods=list(periods) if periods is not None else None,
            **scope.parameters(),
        )
        frame = conform_unit_month_frame(pd.DataFrame([r["props"] for r in rows]))
        verifiers = pd.Series(
            [r["verifier_id"] for r in rows],
            index=pd.MultiIndex.from_tuples(
                [(r["props"]["unit_id"], r["props"]["period"]) for r in rows]
            )
            if rows
            else None,
            dtype="string",
        )
        keys = pd.MultiIndex.from_frame(frame[["unit_id", "period"]].astype(str))
        frame["verifier_id"] = verifiers.reindex(keys).to_numpy() if rows else pd.NA
        frame["verifier_id"] = frame["verifier_id"].astype("string")
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
