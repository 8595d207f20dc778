"""The analysis service the API and the CLI share: why a unit is flagged, traces from an edge,
anomaly pages, systemic sources and the public lists.

Business logic here never knows which store it has: it talks to the `Store` protocol of
app.infrastructure.stores.contract, and passes the caller's scope into every read so that scope
is applied inside the store query.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import cypher
from app.infrastructure.stores.contract import (
    AnomalyCursor,
    AnomalyFilters,
    Row,
    Store,
    UnitMonthWindow,
)
from app.services.access import Scope, scope_filter
from app.services.page_cursors import decode_ranked_cursor, encode_cursor
from app.services.tracing.trace import TraceResult, trace_unit_month
from engine.catalogue import catalogue
from graph_schema.periods import window

# Months before the asked one that a trace reads (a slip carried into next month's history).
DEFAULT_DEPTH = 2
DEFAULT_ALLOWANCE_PRICE_CNY = 90.0
# Relative gap between verified and reported emissions that counts as a discrepancy (the EU
# ETS materiality level, docs/domain.md).
MATERIALITY = 0.05
MAX_PAGE = 500


class NotFound(LookupError):
    """The unit, unit-month or check is unknown, or outside the caller's scope (never told
    apart, so a scope learns nothing about units it does not see)."""


@dataclass(frozen=True)
class BrowserStatement:
    """A parameterised Cypher statement that opens the same subgraph in Neo4j Browser."""

    statement: str
    parameters: dict[str, object]


@dataclass(frozen=True)
class Impact:
    """What the root means: the emissions it moves (counterfactual minus reported: positive =
    under-reported tonnes), the allowances it moves through the supply, and their value."""

    reported_co2_t: float
    counterfactual_co2_t: float
    co2_delta_t: float
    allocation_delta_t: float
    impact_t: float
    allowance_value_cny: float
    price_cny_per_t: float


@dataclass(frozen=True)
class WhyAnswer:
    unit_id: str
    period: str
    score: float | None
    flagged: bool
    trace: TraceResult
    impact: Impact | None
    browser: BrowserStatement
    # Systemic findings of the current sweep that explain this flag.
    systemic: list[dict[str, Any]] = field(default_factory=list)
    status: str = "clear"
    p_value: float | None = None
    # Persistent conditions of this unit the sweep reported instead of monthly flags.
    patterns: list[dict[str, Any]] = field(default_factory=list)
    # The month whose own evidence flags this one: itself, or a later month of the same
    # fault's run (a slow fault's first months are weak alone); None when not flagged or
    # flagged through a shared source.
    proved_in: str | None = None


def browser_statement(unit_id: str, period: str, depth: int = DEFAULT_DEPTH) -> BrowserStatement:
    return BrowserStatement(
        cypher.load("why_unit_month"), {"unit_id": unit_id, "periods": window(period, depth)}
    )


def _float(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return np.nan
    return number


def _impact(result: Row | None, found: UnitMonthWindow, price: float) -> Impact | None:
    if result is None or not np.isfinite(_float(result.get("impact_t"))):
        return None
    month = found.month(found.period) or {}
    reported = _float(month.get("reported_co2_t"))
    reported = reported if np.isfinite(reported) else _float(month.get("total_co2_t"))
    co2 = _float(result.get("co2_delta_t"))
    impact = _float(result.get("impact_t"))
    return Impact(
        reported,
        reported + co2,
        co2,
        _float(result.get("allocation_delta_t")),
        impact,
        impact * price,
        price,
    )


@dataclass(frozen=True)
class FleetFindings:
    """What the current sweep found across the fleet: its systemic sources and patterns."""

    sweep_id: str | None
    systemic: list[dict[str, Any]]
    patterns_by_unit: dict[str, list[dict[str, Any]]]


# The fleet findings of the last sweeps answered for, by sweep id: a sweep record of a
# national fleet carries thousands of patterns, too many to read and parse per request.
_FLEET_CACHE: dict[str | None, FleetFindings] = {}
_FLEET_CACHE_SIZE = 4


def _fleet_findings(store: Store, sweep_id: str | None) -> FleetFindings:
    cached = _FLEET_CACHE.get(sweep_id)
    if cached is not None:
        return cached
    current = store.current_sweep()
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for pattern in current.patterns if current else []:
        if pattern.get("unit_id"):
            by_unit.setdefault(str(pattern["unit_id"]), []).append(pattern)
    found = FleetFindings(
        current.sweep_id if current else None, list(current.systemic) if current else [], by_unit
    )
    if found.sweep_id == sweep_id and sweep_id is not None:
        if len(_FLEET_CACHE) >= _FLEET_CACHE_SIZE:
            _FLEET_CACHE.pop(next(iter(_FLEET_CACHE)))
        _FLEET_CACHE[sweep_id] = found
    return found


def _answer(
    store: Store,
    unit_id: str,
    period: str,
    scope: Scope,
    symptom: str | None,
    price: float,
    depth: int,
) -> WhyAnswer:
    found = store.unit_month_window(unit_id, period, depth, scope_filter(scope))
    if found is None:
        raise NotFound(f"no unit-month {unit_id} {period}")
    try:
        trace = trace_unit_month(found, symptom)
    except KeyError:
        raise NotFound(f"no check {symptom}") from None
    result = found.result or {}
    fleet = _fleet_findings(store, found.sweep_id)
    flag = [unit_id, period]
    systemic = [f for f in fleet.systemic if flag in f["explained_flags"]]
    patterns = fleet.patterns_by_unit.get(unit_id, [])
    return WhyAnswer(
        unit_id,
        period,
        _float(result.get("score")) if found.result else None,
        bool(result.get("flagged", False)),
        trace,
        _impact(found.result, found, price),
        browser_statement(unit_id, period, depth),
        systemic,
        str(result.get("status", "clear")),
        _float(result.get("p_value")) if found.result else None,
        patterns,
        proved if isinstance(proved := result.get("proved_in"), str) else None,
    )


def explain_unit(
    store: Store,
    unit_id: str,
    period: str | None,
    scope: Scope,
    price_cny: float = DEFAULT_ALLOWANCE_PRICE_CNY,
    depth: int = DEFAULT_DEPTH,
) -> list[WhyAnswer]:
    """Why the unit is flagged in `period` (one answer), or in every flagged month of it
    (None). Raises NotFound for a unit or unit-month unknown to the scope."""
    if period is not None:
        return [_answer(store, unit_id, period, scope, None, price_cny, depth)]
    if store.unit_context(unit_id, scope_filter(scope)) is None:
        raise NotFound(f"no unit {unit_id}")
    flagged = store.read_unit_month_scores(unit_ids=[unit_id], flagged_only=True)
    periods = sorted(flagged["period"].astype(str).unique())
    return [_answer(store, unit_id, p, scope, None, price_cny, depth) for p in periods]


def parse_edge_id(edge_id: str) -> tuple[str, str, str]:
    """(unit_id, period, check_id) of a check's id `unit|period|check_id` (a data-transfer
    edge's type or a rule id); NotFound when it cannot be one."""
    parts = edge_id.rsplit("|", 2)
    if len(parts) != 3 or parts[2] not in catalogue() or not parts[0]:
        raise NotFound(f"no check {edge_id}")
    unit_id, period, check_id = parts
    if len(period) != 7 or period[4] != "-" or not (period[:4] + period[5:]).isdigit():
        raise NotFound(f"no check {edge_id}")
    return unit_id, period, check_id


def trace_edge(
    store: Store,
    edge_id: str,
    scope: Scope,
    price_cny: float = DEFAULT_ALLOWANCE_PRICE_CNY,
    depth: int = DEFAULT_DEPTH,
) -> WhyAnswer:
    """The root cause behind one check's anomaly (a data-transfer edge or a rule)."""
    unit_id, period, _ = parse_edge_id(edge_id)
    return _answer(store, unit_id, period, scope, edge_id, price_cny, depth)


def unit_summary(store: Store, unit_id: str, scope: Scope) -> dict[str, object]:
    """The unit's entity chain, its months and its latest scores (newest month first)."""
    context = store.unit_context(unit_id, scope_filter(scope))
    if context is None:
        raise NotFound(f"no unit {unit_id}")
    periods = store.unit_periods(unit_id, scope_filter(scope))
    scores = store.read_unit_month_scores(unit_ids=[unit_id], flagged_only=False)
    scores = scores.sort_values("period", ascending=False)
    return {
        **context,
        "periods": periods,
        "scores": [
            {
                "period": str(r["period"]),
                "score": float(r["score"]),
                "flagged": bool(r["flagged"]),
                "top_parameter": None if pd.isna(r["top_parameter"]) else r["top_parameter"],
            }
            for r in scores.to_dict("records")
        ],
    }


# --- anomaly pages --------------------------------------------------------------------------


def _anomaly_after(text: str) -> AnomalyCursor:
    score, (unit_id, period) = decode_ranked_cursor(text, 3)
    return score, unit_id, period


def anomalies_page(
    store: Store,
    filters: AnomalyFilters,
    limit: int,
    cursor: str | None,
    scope: Scope,
) -> tuple[pd.DataFrame, str | None]:
    """One page of flagged unit-months (score desc, unit_id, period) and the cursor of the
    next page (None on the last one)."""
    after = _anomaly_after(cursor) if cursor else None
    rows = store.list_anomalies(filters, limit + 1, after, scope_filter(scope))
    page = rows.head(limit).reset_index(drop=True)
    if len(rows) <= limit:
        return page, None
    last = page.iloc[-1]
    return page, encode_cursor([float(last["score"]), str(last["unit_id"]), str(last["period"])])


# --- systemic sources -----------------------------------------------------------------------


def systemic_sources(store: Store, period: str | None, scope: Scope) -> list[dict[str, Any]]:
    """The current sweep's systemic findings, each cut to the flags and units the scope sees
    (and to one period's flags when given); findings with nothing left in scope are dropped."""
    current = store.current_sweep()
    if current is None or not current.systemic:
        return []
    visible = store.scoped_unit_months([period] if period else None, scope_filter(scope))
    units = set(visible["unit_id"].astype(str))
    shown = []
    for finding in current.systemic:
        flags = [
            f
            for f in finding["explained_flags"]
            if f[0] in units and (period is None or f[1] == period)
        ]
        if period and not flags:
            continue
        in_scope = [u for u in finding["units"] if u in units]
        if not in_scope:
            continue
        shown.append({**finding, "units": in_scope, "explained_flags": flags})
    return shown


# --- public lists ---------------------------------------------------------------------------


def public_enterprises(store: Store) -> pd.DataFrame:
    """Covered enterprises: id, name, sector, group, city, province, number of units."""
    listed = store.public_tables()["enterprises"]
    return listed.sort_values("enterprise_id").reset_index(drop=True)


def public_compliance(store: Store) -> pd.DataFrame:
    """Per enterprise-year: verified emissions, allocation, surrendered allowances, completion
    date and status (`completed`, `short` when fewer allowances than verified tonnes were
    surrendered, `open` when not completed)."""
    years = store.public_tables()["enterprise_years"]
    years = years[years["verified_co2_t"].notna() | years["surrendered_t"].notna()].copy()
    verified = pd.to_numeric(years["verified_co2_t"], errors="coerce")
    surrendered = pd.to_numeric(years["surrendered_t"], errors="coerce")
    done = years["completed_on"].notna() & (years["completed_on"].astype(str) != "")
    years["status"] = np.where(
        ~done, "open", np.where(surrendered.fillna(0) + 1e-6 < verified, "short", "completed")
    )
    columns = [
        "enterprise_id",
        "year",
        "verified_co2_t",
        "allocated_t",
        "surrendered_t",
        "completed_on",
        "status",
    ]
    return years[columns].sort_values(["enterprise_id", "year"]).reset_index(drop=True)


def public_verifiers(store: Store) -> pd.DataFrame:
    """Per verifier, computed from the data: enterprise-years verified, the share whose verified
    CO2 differs from the sum of reported unit-months by more than MATERIALITY, and the share of
    flagged unit-months among its clients' months."""
    tables = store.public_tables()
    years = tables["enterprise_years"]
    years = years[years["verifier_id"].notna()].copy()
    years["year"] = years["year"].astype(int)
    reported = pd.to_numeric(years["reported_co2_t"], errors="coerce")
    verified = pd.to_numeric(years["verified_co2_t"], errors="coerce")
    years["discrepant"] = (verified - reported).abs() > MATERIALITY * reported.abs()
    flagged = store.read_unit_month_scores(flagged_only=True)
    owners = tables["units"].astype({"unit_id": str, "enterprise_id": str})
    flags = (
        flagged[["unit_id", "period"]]
        .astype(str)
        .merge(owners, on="unit_id")
        .assign(year=lambda f: f["period"].str[:4].astype(int))
        .groupby(["enterprise_id", "year"])
        .size()
        .rename("flagged")
        .reset_index()
    )
    years = years.astype({"enterprise_id": str}).merge(
        flags, on=["enterprise_id", "year"], how="left"
    )
    years["flagged"] = years["flagged"].fillna(0)
    per = years.groupby(years["verifier_id"].astype(str)).agg(
        enterprise_years=("enterprise_id", "size"),
        discrepant=("discrepant", "sum"),
        flagged=("flagged", "sum"),
        unit_months=("unit_months", "sum"),
    )
    verifiers = tables["verifiers"].astype({"verifier_id": str})
    out = verifiers.merge(per, left_on="verifier_id", right_index=True, how="left")
    out["enterprise_years"] = out["enterprise_years"].fillna(0).astype(int)
    out["discrepancy_share"] = np.where(
        out["enterprise_years"] > 0, out["discrepant"] / out["enterprise_years"].clip(lower=1), 0.0
    )
    months = pd.to_numeric(out["unit_months"], errors="coerce").fillna(0)
    out["flagged_share"] = np.where(
        months > 0, out["flagged"].fillna(0) / months.clip(lower=1), 0.0
    )
    columns = [
        "verifier_id",
        "name",
        "region_code",
        "enterprise_years",
        "discrepancy_share",
        "flagged_share",
    ]
    return out[columns].sort_values("verifier_id").reset_index(drop=True)
