"""Review statistics per province and month: how many unit-months were flagged, judged,
confirmed, dismissed and returned, the median time from flag to decision, and the audit
returns the data shows (unit-months resubmitted as a later revision), with their trend.

A month is the finding's data month (the regulator's chart runs over reporting months). A
finding counts as judged, confirmed, dismissed or returned once it ever reached that status,
whatever it became later, so a month's counts never fall as the loop moves on.
"""

import numpy as np
import pandas as pd

from app.infrastructure.stores.contract import Store
from app.services.access import Scope, scope_filter
from app.services.review_states import FindingStatus

_KEYS = ["province_code", "period"]
STATS_COLUMNS = [
    *_KEYS,
    "flagged",
    "judged",
    "confirmed",
    "dismissed",
    "returned",
    "median_hours_to_decision",
    "audit_returns",
    "audit_returns_change",
]
_JUDGED = {FindingStatus.CONFIRMED.value, FindingStatus.DISMISSED.value}


def _reached(events: pd.DataFrame, findings: pd.DataFrame, statuses: set[str]) -> pd.Series:
    ids = set(events.loc[events["to_status"].isin(list(statuses)), "finding_id"])
    return findings["finding_id"].isin(list(ids))


def _hours_to_decision(events: pd.DataFrame, findings: pd.DataFrame) -> pd.Series:
    decisions = events[events["to_status"].isin(list(_JUDGED))]
    first = decisions.groupby("finding_id")["at"].min()
    decided = pd.to_datetime(findings["finding_id"].map(first), utc=True, format="ISO8601")
    opened = pd.to_datetime(findings["opened"], utc=True, format="ISO8601")
    return (decided - opened).dt.total_seconds() / 3600.0


def audit_returns(unit_months: pd.DataFrame) -> pd.DataFrame:
    """Per province and month, the unit-months whose current revision is a resubmission."""
    revised = unit_months.assign(
        audit_returns=(unit_months["revision"].astype("Int64") > 1).fillna(False).astype(int)
    )
    return revised.groupby(_KEYS, as_index=False)["audit_returns"].sum()


def trend_per_month(table: pd.DataFrame) -> dict[str, float]:
    """Per province, the least-squares slope of audit returns per month (negative: falling)."""
    slopes: dict[str, float] = {}
    for province, rows in table.groupby("province_code"):
        counts = rows.sort_values("period")["audit_returns"].to_numpy(dtype=float)
        slopes[str(province)] = (
            float(np.polyfit(np.arange(len(counts)), counts, 1)[0]) if len(counts) > 1 else 0.0
        )
    return slopes


def review_stats(store: Store, scope: Scope) -> tuple[pd.DataFrame, dict[str, float]]:
    """(the per province and month table, STATS_COLUMNS; the audit-return trend per
    province), over the caller's jurisdiction."""
    where = scope_filter(scope)
    findings = store.read_findings(where)
    events = store.read_review_events(None, where)
    counted = findings.assign(
        flagged=1,
        judged=_reached(events, findings, _JUDGED).astype(int),
        confirmed=_reached(events, findings, {FindingStatus.CONFIRMED.value}).astype(int),
        dismissed=_reached(events, findings, {FindingStatus.DISMISSED.value}).astype(int),
        returned=_reached(events, findings, {FindingStatus.RETURNED.value}).astype(int),
        hours=_hours_to_decision(events, findings),
    )
    per_month = counted.groupby(_KEYS, as_index=False).agg(
        flagged=("flagged", "sum"),
        judged=("judged", "sum"),
        confirmed=("confirmed", "sum"),
        dismissed=("dismissed", "sum"),
        returned=("returned", "sum"),
        median_hours_to_decision=("hours", "median"),
    )
    months = store.scoped_unit_months(None, where).reindex(columns=[*_KEYS, "revision"])
    returns = audit_returns(months.astype({"province_code": "string", "period": "string"}))
    table = returns.merge(per_month.astype({k: "string" for k in _KEYS}), on=_KEYS, how="outer")
    counts = ["flagged", "judged", "confirmed", "dismissed", "returned", "audit_returns"]
    table[counts] = table[counts].fillna(0).astype(int)
    table = table.sort_values(_KEYS).reset_index(drop=True)
    table["audit_returns_change"] = (
        table.groupby("province_code")["audit_returns"].diff().fillna(0).astype(int)
    )
    return table[STATS_COLUMNS], trend_per_month(table)
