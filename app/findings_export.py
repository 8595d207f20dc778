"""The findings export of the data contract: the current sweep's flagged unit-months as CSV.

Columns (stable; benchmarks outside this repo read them): unit_id, period, score,
root_parameter, root_period, root_candidates (JSON list of up to 5 {"parameter", "period",
"score"}, best first), systemic_source (empty until tracing names a shared source).
"""

import json
from pathlib import Path

import pandas as pd

from app.stores.base import ScoringStore

FINDINGS_COLUMNS = [
    "unit_id",
    "period",
    "score",
    "root_parameter",
    "root_period",
    "root_candidates",
    "systemic_source",
]


def _first(candidates: str, field: str) -> str:
    parsed = json.loads(candidates) if candidates else []
    return str(parsed[0][field]) if parsed else ""


def findings_frame(store: ScoringStore) -> pd.DataFrame:
    """One row per flagged unit-month of the current results, highest score first."""
    flagged = store.read_unit_month_scores(flagged_only=True)
    candidates = flagged["candidates"].fillna("[]").astype(str)
    return pd.DataFrame(
        {
            "unit_id": flagged["unit_id"].astype(str),
            "period": flagged["period"].astype(str),
            "score": flagged["score"].astype(float).round(4),
            "root_parameter": candidates.map(lambda c: _first(c, "parameter")),
            "root_period": candidates.map(lambda c: _first(c, "period")),
            "root_candidates": candidates,
            "systemic_source": "",
        },
        columns=FINDINGS_COLUMNS,
    )


def write_findings(store: ScoringStore, out: Path) -> int:
    """Write the findings CSV to `out`; returns the number of rows."""
    findings = findings_frame(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    findings.to_csv(out, index=False, encoding="utf-8")
    return len(findings)
