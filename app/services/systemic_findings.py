"""Traced root causes and systemic findings of the current sweep's flags, computed in one place
for the analysis service (`GET /systemic-sources`, why answers) and the findings export.

Flags are traced with their unit's rows only (the frames are cut to the flagged units before
tracing), and the systemic test runs over the whole population in scope (flagged or not), so a
lab with many clients is only systemic when its clients are flagged more often than chance.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from app.infrastructure.stores.contract import NATIONAL_FILTER, ScopeFilter, Store
from app.services.tracing.batch import TRACE_COLUMNS, trace_many
from app.services.tracing.systemic import FINDING_COLUMNS, find_systemic_sources


@dataclass(frozen=True)
class FlagAnalysis:
    """The scope's flags (unit-month score rows), their traced roots (TRACE_COLUMNS), the
    systemic findings among them (FINDING_COLUMNS) and the population they were tested in."""

    flags: pd.DataFrame
    roots: pd.DataFrame
    findings: pd.DataFrame
    population: pd.DataFrame


_NODE_KEYS = ["unit_id", "period", "name"]


def _of_units(rows: pd.DataFrame, units: set[str]) -> pd.DataFrame:
    return rows[rows["unit_id"].astype(str).isin(units)]


def with_edge_expectations(nodes: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Node scores whose missing expected value is taken from the node's strongest incoming
    mechanism (non-formula edge with an expected value), as tracing reads a node's check:
    a node flagged by rules alone keeps no expected value, and tracing cannot test the
    counterfactual of a candidate without one."""
    missing = nodes["expected"].isna()
    if not missing.any() or edges.empty:
        return nodes
    mechanisms = edges[(edges["kind"].astype(str) != "formula") & edges["expected"].notna()]
    strongest = (
        mechanisms.assign(
            unit_id=mechanisms["unit_id"].astype(str),
            period=mechanisms["period"].astype(str),
            name=mechanisms["child"].astype(str),
        )
        .sort_values("score", ascending=False, kind="stable")
        .drop_duplicates(_NODE_KEYS)[[*_NODE_KEYS, "expected"]]
    )
    keys = pd.DataFrame({k: nodes[k].astype(str).to_numpy() for k in _NODE_KEYS})
    fill = keys.merge(strongest, on=_NODE_KEYS, how="left")["expected"].to_numpy()
    return nodes.assign(expected=nodes["expected"].where(~missing, fill))


def trace_flags(store: Store, flags: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Traced roots (TRACE_COLUMNS) of `flags` (unit-month score rows), read from the store's
    current scores; `frame` is the unit-month frame holding at least the flagged units."""
    if flags.empty:
        return pd.DataFrame(columns=TRACE_COLUMNS)
    units = set(flags["unit_id"].astype(str))
    nodes, edges = store.scored_elements(None)
    edges = _of_units(edges, units)
    nodes = with_edge_expectations(_of_units(nodes, units), edges)
    return trace_many(flags, nodes, edges, _of_units(frame, units))


def analyse_flags(
    store: Store,
    periods: Sequence[str] | None = None,
    scope: ScopeFilter = NATIONAL_FILTER,
) -> FlagAnalysis:
    """Trace every flag of `periods` (None: all) in `scope` (a scope filter of
    app.services.access) and test which shared entities explain more of them than chance allows."""
    frame = store.scoped_unit_months(None, scope)
    population = (
        frame
        if periods is None
        else frame[frame["period"].astype(str).isin(set(periods))].reset_index(drop=True)
    )
    scores = store.read_unit_month_scores(periods=periods, flagged_only=True)
    flags = scores.merge(
        population[["unit_id", "period"]].astype(str),
        on=["unit_id", "period"],
    )
    roots = trace_flags(store, flags, frame)
    findings = (
        pd.DataFrame(columns=FINDING_COLUMNS)
        if roots.empty
        else find_systemic_sources(roots, population)
    )
    return FlagAnalysis(flags, roots, findings, population)
