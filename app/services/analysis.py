"""The analysis service the API and the CLI share: why a unit is flagged, traces from an edge,
anomaly pages, systemic sources and the public lists.

Business logic here never knows which store it has: it talks to the `Store` protocol of
app.infrastructure.stores.contract, and passes the caller's scope into every read so that scope
is applied inside the store query.
"""

import base64
import binascii
import json
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import cypher
from app.infrastructure.stores.contract import AnomalyCursor, AnomalyFilters, Store, UnitMonthWindow
from app.services.access import Scope, scope_filter
from app.services.systemic_findings import analyse_flags
from app.services.tracing.impact import DEFAULT_ALLOWANCE_PRICE_CNY, root_impact
from app.services.tracing.root_causes import TraceResult, trace_root_causes
from app.services.tracing.subgraph import DEFAULT_DEPTH, build_unit_month_graph
from app.services.tracing.systemic import FINDING_COLUMNS
from graph_schema.periods import window
from graph_schema.transfer_edges import TRANSFER_EDGES

EDGE_TYPES = frozenset(e.edge_type for e in TRANSFER_EDGES)
# Relative gap between verified and reported emissions that counts as a discrepancy (the EU
# ETS materiality level, docs/domain.md).
MATERIALITY = 0.05
MAX_PAGE = 500


class NotFound(LookupError):
    """The unit, unit-month or edge is unknown, or outside the caller's scope (never told
    apart, so a scope learns nothing about units it does not see)."""


class BadCursor(ValueError):
    """A pagination cursor this service did not issue."""


@dataclass(frozen=True)
class BrowserStatement:
    """A parameterised Cypher statement that opens the same subgraph in Neo4j Browser."""

    statement: str
    parameters: dict[str, object]


@dataclass(frozen=True)
class Impact:
    reported_co2_t: float
    counterfactual_co2_t: float
    co2_delta_t: float
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
    # Systemic findings (rows of FINDING_COLUMNS) that explain this flag, when computed.
    systemic: list[dict[str, object]] = field(default_factory=list)


def browser_statement(unit_id: str, period: str, depth: int = DEFAULT_DEPTH) -> BrowserStatement:
    return BrowserStatement(
        cypher.load("why_unit_month"), {"unit_id": unit_id, "periods": window(period, depth)}
    )


def _impact(trace: TraceResult, found: UnitMonthWindow, price: float) -> Impact | None:
    root = trace.root
    month = found.month(root.period) if root is not None else None
    if root is None or month is None:
        return None
    reported, counterfactual = root_impact(month, root.parameter, root.expected)
    delta = counterfactual - reported
    if not np.isfinite(delta):
        return None
    return Impact(reported, counterfactual, delta, delta * price, price)


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
        trace = trace_root_causes(build_unit_month_graph(found), symptom=symptom)
    except KeyError:
        raise NotFound(f"no edge {symptom}") from None
    return WhyAnswer(
        unit_id,
        period,
        found.score,
        found.flagged,
        trace,
        _impact(trace, found, price),
        browser_statement(unit_id, period, depth),
        _systemic_for(store, found, scope),
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
    """(unit_id, period, edge_type) of an edge id `unit|period|edge_type`; NotFound when it
    cannot be one."""
    parts = edge_id.rsplit("|", 2)
    if len(parts) != 3 or parts[2] not in EDGE_TYPES or not parts[0]:
        raise NotFound(f"no edge {edge_id}")
    unit_id, period, edge_type = parts
    if len(period) != 7 or period[4] != "-" or not (period[:4] + period[5:]).isdigit():
        raise NotFound(f"no edge {edge_id}")
    return unit_id, period, edge_type


def trace_edge(
    store: Store,
    edge_id: str,
    scope: Scope,
    price_cny: float = DEFAULT_ALLOWANCE_PRICE_CNY,
    depth: int = DEFAULT_DEPTH,
) -> WhyAnswer:
    """The root cause behind one data-transfer edge's anomaly."""
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


def encode_cursor(cursor: AnomalyCursor) -> str:
    text = json.dumps(list(cursor), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> AnomalyCursor:
    try:
        padded = text + "=" * (-len(text) % 4)
        score, unit_id, period = json.loads(base64.urlsafe_b64decode(padded).decode())
        cursor = (float(score), str(unit_id), str(period))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(f"not a cursor of this service: {text!r}") from error
    if not np.isfinite(cursor[0]):
        raise BadCursor(f"not a cursor of this service: {text!r}")
    return cursor


def anomalies_page(
    store: Store,
    filters: AnomalyFilters,
    limit: int,
    cursor: str | None,
    scope: Scope,
) -> tuple[pd.DataFrame, str | None]:
    """One page of flagged unit-months (score desc, unit_id, period) and the cursor of the
    next page (None on the last one)."""
    after = decode_cursor(cursor) if cursor else None
    rows = store.list_anomalies(filters, limit + 1, after, scope_filter(scope))
    page = rows.head(limit).reset_index(drop=True)
    if len(rows) <= limit:
        return page, None
    last = page.iloc[-1]
    return page, encode_cursor((float(last["score"]), str(last["unit_id"]), str(last["period"])))


# --- systemic sources -----------------------------------------------------------------------

_SYSTEMIC_CACHE: dict[tuple[int, str, str | None, str], pd.DataFrame] = {}
_SYSTEMIC_LOCK = threading.Lock()


def _systemic_key(
    store: Store, sweep_id: str | None, period: str | None, scope: Scope
) -> tuple[int, str, str | None, str] | None:
    return None if sweep_id is None else (id(store), sweep_id, period, str(scope))


def systemic_sources(store: Store, period: str | None, scope: Scope) -> pd.DataFrame:
    """Systemic findings (FINDING_COLUMNS) among the scope's flags (of one period or all),
    computed once per current sweep and cached."""
    current = store.current_sweep()
    key = _systemic_key(store, current.sweep_id if current else None, period, scope)
    if key is None:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    with _SYSTEMIC_LOCK:
        if key in _SYSTEMIC_CACHE:
            return _SYSTEMIC_CACHE[key]
        periods = [period] if period else None
        findings = analyse_flags(store, periods, scope_filter(scope)).findings
        _SYSTEMIC_CACHE[key] = findings
        return findings


def _systemic_for(store: Store, found: UnitMonthWindow, scope: Scope) -> list[dict[str, object]]:
    """Already-computed systemic findings that explain this flag (a why answer never waits for
    the whole-population computation)."""
    key = _systemic_key(store, found.sweep_id, None, scope)
    findings = _SYSTEMIC_CACHE.get(key) if key else None
    if findings is None or findings.empty:
        return []
    flag = [found.unit_id, found.period]
    hit = findings["explained_flags"].map(lambda flags: flag in flags)
    return list(findings[hit].to_dict("records"))


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
