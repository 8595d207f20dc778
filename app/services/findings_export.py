"""The findings export of the data contract: the current sweep's flagged unit-months as CSV.

Columns (stable; benchmarks outside this repo read them): unit_id, period, score,
root_parameter, root_period, root_candidates (JSON list of up to 5 {"parameter", "period",
"score"}, best first), systemic_source (id of the shared entity a systemic finding names as
explaining the flag, else empty).

Root columns come from tracing each flag (counterfactual re-propagation, app.services.tracing);
a flag
tracing finds no root for keeps the sweep's node-score candidates. `RootSource.NODE_SCORES`
exports the node-score candidates alone (bench/accuracy.py measures both).
"""

import json
from enum import StrEnum
from pathlib import Path

import pandas as pd

from app.infrastructure.stores.contract import NATIONAL_FILTER, Store
from app.services.systemic_findings import trace_flags
from app.services.tracing.systemic import (
    ENTITY_COLUMNS,
    FINDING_COLUMNS,
    find_systemic_sources,
    systemic_links,
)

FINDINGS_COLUMNS = [
    "unit_id",
    "period",
    "score",
    "root_parameter",
    "root_period",
    "root_candidates",
    "systemic_source",
]
_KEYS = ["unit_id", "period"]


class RootSource(StrEnum):
    TRACING = "tracing"
    NODE_SCORES = "node_scores"


def _node_score_roots(flags: pd.DataFrame) -> pd.DataFrame:
    """Root columns from the sweep's node-score candidates (JSON text, best first)."""
    candidates = flags["candidates"].fillna("[]").astype(str)
    first = candidates.map(lambda text: (json.loads(text) or [{}])[0])
    return pd.DataFrame(
        {
            "unit_id": flags["unit_id"].astype(str),
            "period": flags["period"].astype(str),
            "root_parameter": first.map(lambda c: c.get("parameter")),
            "root_period": first.map(lambda c: c.get("period")),
            "root_candidates": candidates,
        }
    )


def _traced_roots(traced: pd.DataFrame, fallback: pd.DataFrame) -> pd.DataFrame:
    """Traced root columns, the node-score ones where tracing named no root."""
    columns = ["root_parameter", "root_period", "root_candidates"]
    merged = fallback.merge(traced[[*_KEYS, *columns]], on=_KEYS, how="left", suffixes=("", "_t"))
    found = merged["root_parameter_t"].notna()
    for column in columns:
        merged[column] = merged[column].where(~found, merged[f"{column}_t"])
    return merged[[*_KEYS, *columns]]


def _systemic_findings(roots: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Systemic findings among the flags of the population (the unit-months it holds), when it
    names any shared entity at all."""
    entities = [c for c in ENTITY_COLUMNS.values() if c in population.columns]
    tested = roots.merge(population[_KEYS].astype(str), on=_KEYS)
    if tested.empty or not population[entities].notna().any(axis=None):
        return pd.DataFrame(columns=FINDING_COLUMNS)
    return find_systemic_sources(tested, population)


def findings_frame(store: Store, root_source: RootSource = RootSource.TRACING) -> pd.DataFrame:
    """One row per flagged unit-month of the current results, highest score first; the
    systemic test runs on the exported roots over every unit-month."""
    flags = store.read_unit_month_scores(flagged_only=True)
    flags = flags.assign(
        unit_id=flags["unit_id"].astype(str), period=flags["period"].astype(str)
    ).sort_values(["score", "unit_id", "period"], ascending=[False, True, True])
    population = store.scoped_unit_months(None, NATIONAL_FILTER)
    roots = _node_score_roots(flags)
    if root_source == RootSource.TRACING:
        roots = _traced_roots(trace_flags(store, flags, population), roots)
    links = systemic_links(_systemic_findings(roots, population))
    out = (
        flags[_KEYS]
        .assign(score=flags["score"].astype(float).round(4))
        .merge(roots, on=_KEYS, how="left")
        .merge(links, on=_KEYS, how="left")
    )
    for column in ("root_parameter", "root_period", "systemic_source"):
        out[column] = out[column].fillna("").astype(str)
    out["root_candidates"] = out["root_candidates"].fillna("[]").astype(str)
    return out[FINDINGS_COLUMNS]


def write_findings(store: Store, out: Path) -> int:
    """Write the findings CSV to `out`; returns the number of rows."""
    findings = findings_frame(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    findings.to_csv(out, index=False, encoding="utf-8")
    return len(findings)
