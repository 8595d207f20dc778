"""Tracing part of the embedded store: the reads behind `why`, traces, anomaly lists and the
public lists, on the Parquet frames in memory.

Every read takes the caller's ScopeFilter and applies it while selecting rows, so a row outside
the scope never leaves this module.
"""

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from app.infrastructure.stores.contract import (
    AnomalyCursor,
    AnomalyFilters,
    ScopeFilter,
    UnitMonthWindow,
    plain_rows,
    results_token,
)
from app.infrastructure.stores.embedded.graph_writes import EmbeddedGraphWrites
from app.infrastructure.stores.embedded.sweep_results import EmbeddedSweepResults
from graph_schema.frames import (
    ANOMALY_COLUMNS,
    CHECK_SCORE_COLUMNS,
    NODE_SCORE_COLUMNS,
)
from graph_schema.labels import NodeLabel
from graph_schema.periods import window
from loaders.unit_month_frame import conform_unit_month_frame

_ATTRIBUTES = ["enterprise_id", "region_code", "province_code", "group_id"]


def in_scope(frame: pd.DataFrame, scope: ScopeFilter) -> pd.Series:
    """Rows of a frame with `province_code` and `region_code` columns that the scope sees."""
    visible = pd.Series(scope.units_visible, index=frame.index)
    for column, code in (
        ("province_code", scope.province_code),
        ("region_code", scope.region_code),
    ):
        if code is not None:
            visible &= frame[column].astype("string").eq(str(code)).fillna(False).astype(bool)
    return visible


def after_cursor(rows: pd.DataFrame, cursor: AnomalyCursor) -> pd.Series:
    """Rows strictly after `cursor` in the order score desc, unit_id, period."""
    score, unit_id, period = cursor
    scores = rows["score"].to_numpy(dtype=float)
    units = rows["unit_id"].astype(str)
    periods = rows["period"].astype(str)
    same = scores == score
    later = (units > unit_id) | ((units == unit_id) & (periods > period))
    return pd.Series(scores < score, index=rows.index) | (same & later)


def _first_row(frame: pd.DataFrame, mask: pd.Series) -> dict[str, object]:
    """The first row where `mask` holds, or a row of nulls: the same work either way."""
    hits = mask.fillna(False).to_numpy(dtype=bool)
    position = int(hits.argmax())
    row = frame.iloc[position].to_dict()
    if not hits[position]:
        return {name: None for name in row}
    return {name: None if value is pd.NA else value for name, value in row.items()}


class EmbeddedAnalystReads(EmbeddedGraphWrites, EmbeddedSweepResults):
    def _frame(self, label: NodeLabel) -> pd.DataFrame:
        return self.node_frame(label)

    def results_version(self) -> str:
        ledger = self.load_ledger()
        steps = json.dumps(ledger.steps, sort_keys=True) if ledger.steps else None
        pointer = self._pointer()
        results_of = pointer.get("results_of", pointer["sweep_id"])
        return results_token(results_of, steps, ledger.started)

    def unit_context(self, unit_id: str, scope: ScopeFilter) -> dict[str, object] | None:
        """Unit → enterprise → group → city → province, or None when unknown or out of scope.
        An unknown unit goes through the same steps as one outside the scope, so the two take
        the same time and a caller cannot tell them apart."""
        units = self._frame(NodeLabel.UNIT)
        if units.empty:
            return None
        # An unknown id goes on as a row of nothing, through the very steps of a known one.
        found = units["unit_id"].astype(str) == unit_id
        exists = bool(found.fillna(False).any())
        row = _first_row(units, found)
        enterprises = self._frame(NodeLabel.ENTERPRISE)
        enterprise_found = enterprises["enterprise_id"] == row.get("enterprise_id")
        regions = self._frame(NodeLabel.REGION)
        names = dict(zip(regions["region_code"], regions["name"], strict=True))
        parents = dict(zip(regions["region_code"], regions["parent_code"], strict=True))
        groups = self._frame(NodeLabel.GROUP)
        group_names = dict(zip(groups["group_id"], groups["name"], strict=True))
        ent = _first_row(enterprises, enterprise_found)
        chain = pd.DataFrame(
            {
                "province_code": [parents.get(ent.get("region_code"))],
                "region_code": [ent.get("region_code")],
            }
        )
        if not (in_scope(chain, scope).iloc[0] and exists):
            return None
        city = ent.get("region_code")
        province = parents.get(city)
        group_id = ent.get("group_id")
        return _plain(
            {
                "unit_id": unit_id,
                "unit_class": row.get("unit_class"),
                "capacity_mw": row.get("capacity_mw"),
                "cooling": row.get("cooling"),
                "commissioned_year": row.get("commissioned_year"),
                "enterprise_id": row.get("enterprise_id"),
                "enterprise_name": ent.get("name"),
                "group_id": group_id,
                "group_name": group_names.get(group_id),
                "region_code": city,
                "region_name": names.get(city),
                "province_code": province,
                "province_name": names.get(province),
            }
        )

    def unit_periods(self, unit_id: str, scope: ScopeFilter) -> list[str]:
        """The unit's reported periods, oldest first (empty when unknown or out of scope)."""
        frame = self._frame(NodeLabel.UNIT_MONTH)
        if frame.empty:
            return []
        rows = frame[(frame["unit_id"].astype(str) == unit_id)]
        rows = rows[in_scope(rows, scope)]
        return sorted(rows["period"].astype(str).unique().tolist())

    def unit_month_window(
        self, unit_id: str, period: str, depth: int, scope: ScopeFilter
    ) -> UnitMonthWindow | None:
        """The unit's month `period` and `depth` months before it, with their current scores;
        None when the unit-month is unknown or out of scope."""
        periods = window(period, depth)
        frame = self._frame(NodeLabel.UNIT_MONTH)
        if frame.empty:
            return None
        rows = frame[(frame["unit_id"].astype(str) == unit_id) & frame["period"].isin(periods)]
        rows = rows[in_scope(rows, scope)]
        if not (rows["period"].astype(str) == period).any():
            return None
        months = conform_unit_month_frame(rows)
        months["verifier_id"] = self._verifiers_of(months)
        result = self.read_unit_month_scores(
            periods=[period], unit_ids=[unit_id], flagged_only=False
        )
        current = self.current_sweep()
        return UnitMonthWindow(
            unit_id,
            period,
            depth,
            plain_rows(months),
            plain_rows(self.read_node_scores(unit_id, periods)),
            plain_rows(self.read_check_scores(unit_id, [period])),
            result=plain_rows(result)[0] if len(result) else None,
            sweep_id=current.sweep_id if current else None,
        )

    def _verifiers_of(self, months: pd.DataFrame) -> pd.Series:
        return self._of_enterprise_year(months, NodeLabel.VERIFICATION, "verifier_id", "string")

    def _allocations_of(self, months: pd.DataFrame) -> pd.Series:
        return self._of_enterprise_year(months, NodeLabel.ALLOCATION, "allocated_t", "float64")

    def _of_enterprise_year(
        self, months: pd.DataFrame, label: NodeLabel, column: str, dtype: str
    ) -> pd.Series:
        """`column` of the first `label` record of each row's enterprise-year (NA if none)."""
        records = self._frame(label)
        if records.empty or months.empty or column not in records:
            return pd.Series(None, index=months.index, dtype=dtype)
        keys = months["enterprise_id"].astype(str) + "|" + months["period"].astype(str).str[:4]
        by_key = records.assign(
            key=records["enterprise_id"].astype(str) + "|" + records["year"].astype(str)
        ).drop_duplicates("key")
        return keys.map(by_key.set_index("key")[column]).astype(dtype)

    def scored_elements(self, periods: Sequence[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Current (node scores, edge scores) of every unit for `periods` (None: all)."""
        nodes = self._read_current("nodes", periods, None)
        checks = self._read_current("checks", periods, None)
        return (
            nodes[NODE_SCORE_COLUMNS] if len(nodes) else pd.DataFrame(columns=NODE_SCORE_COLUMNS),
            checks[CHECK_SCORE_COLUMNS]
            if len(checks)
            else pd.DataFrame(columns=CHECK_SCORE_COLUMNS),
        )

    def scoped_unit_months(self, periods: Sequence[str] | None, scope: ScopeFilter) -> pd.DataFrame:
        """The unit-month frame restricted to the scope, with `verifier_id` and `allocated_t`."""
        frame = self.read_unit_months(periods)
        frame = frame[in_scope(frame, scope)].reset_index(drop=True)
        frame["verifier_id"] = self._verifiers_of(frame)
        frame["allocated_t"] = self._allocations_of(frame)
        return frame

    def list_anomalies(
        self,
        filters: AnomalyFilters,
        limit: int,
        cursor: AnomalyCursor | None,
        scope: ScopeFilter,
    ) -> pd.DataFrame:
        scores = self.read_unit_month_scores(
            periods=[filters.period] if filters.period else None, flagged_only=True
        )
        if scores.empty:
            return pd.DataFrame(columns=ANOMALY_COLUMNS)
        frame = self._frame(NodeLabel.UNIT_MONTH)[["unit_id", "period", *_ATTRIBUTES]]
        rows = scores.merge(frame, on=["unit_id", "period"], how="inner")
        keep = in_scope(rows, scope)
        if filters.region:
            keep &= (rows["region_code"] == filters.region) | (
                rows["province_code"] == filters.region
            )
        for value, column in ((filters.group, "group_id"), (filters.enterprise, "enterprise_id")):
            if value:
                keep &= rows[column] == value
        if filters.min_score is not None:
            keep &= rows["score"].astype(float) >= filters.min_score
        if cursor is not None:
            keep &= after_cursor(rows, cursor)
        rows = rows[keep.fillna(False).astype(bool)]
        rows = rows.sort_values(["score", "unit_id", "period"], ascending=[False, True, True])
        return rows.head(limit)[ANOMALY_COLUMNS].reset_index(drop=True)

    def public_tables(self) -> dict[str, pd.DataFrame]:
        """What the public lists are computed from: `enterprises` (with province and unit
        count), `enterprise_years` (verification, allocation, compliance and the sum of reported
        unit-months), `verifiers`, and `units` (unit_id, enterprise_id)."""
        enterprises = self._frame(NodeLabel.ENTERPRISE)
        regions = self._frame(NodeLabel.REGION)
        units = self._frame(NodeLabel.UNIT)
        parents = dict(zip(regions["region_code"], regions["parent_code"], strict=True))
        unit_counts = units.groupby("enterprise_id").size()
        listed = enterprises.assign(
            province_code=enterprises["region_code"].map(parents).astype("string"),
            units=enterprises["enterprise_id"].map(unit_counts).fillna(0).astype(int),
        )
        months = self.read_unit_months()
        reported = (
            months.assign(year=months["period"].astype(str).str[:4].astype(int))
            .groupby(["enterprise_id", "year"])
            .agg(reported_co2_t=("reported_co2_t", "sum"), unit_months=("unit_id", "size"))
            .reset_index()
        )
        years = reported
        for label, columns in (
            (NodeLabel.VERIFICATION, ["verifier_id", "verified_co2_t", "nonconformities"]),
            (NodeLabel.ALLOCATION, ["allocated_t"]),
            (NodeLabel.COMPLIANCE, ["surrendered_t", "completed_on"]),
        ):
            table = self._frame(label)
            if table.empty:
                table = pd.DataFrame(columns=["enterprise_id", "year", *columns])
            table = table[["enterprise_id", "year", *columns]].astype({"year": "int64"})
            table = table.drop_duplicates(["enterprise_id", "year"], keep="last")
            years = years.merge(table, on=["enterprise_id", "year"], how="outer")
        return {
            "enterprises": listed,
            "enterprise_years": years,
            "verifiers": self._frame(NodeLabel.VERIFIER),
            "units": units[["unit_id", "enterprise_id"]],
        }


def _plain(values: dict[str, object]) -> dict[str, object]:
    """Missing markers become None and numpy scalars plain Python values."""
    out: dict[str, object] = {}
    for key, value in values.items():
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out[key] = None
        elif isinstance(value, np.generic):
            out[key] = value.item()
        else:
            out[key] = value
    return out
