"""The findings export of the data contract: the current sweep's flagged unit-months as CSV.

Columns (stable; benchmarks outside this repo read them): unit_id, period, score,
root_parameter, root_period, root_candidates (JSON list of up to 5 {"parameter", "period",
"score"}, best first), systemic_source (id of the shared entity a systemic finding names as
explaining the flag, else empty). Everything comes from the sweep's stored results: the root is
the engine's attribution, the one the `why` answers show.
"""

import json
from pathlib import Path

import pandas as pd

from app.infrastructure.stores.contract import Store

FINDINGS_COLUMNS = [
    "unit_id",
    "period",
    "score",
    "root_parameter",
    "root_period",
    "root_candidates",
    "systemic_source",
]
CANDIDATE_FIELDS = ("parameter", "period", "score")


def _contract_candidates(text: object) -> str:
    """The contract's candidate objects (parameter, period, score) of a stored candidate list."""
    items = json.loads(str(text)) if isinstance(text, str) and text else []
    return json.dumps([{k: item.get(k) for k in CANDIDATE_FIELDS} for item in items])


def findings_frame(store: Store) -> pd.DataFrame:
    """One row per flagged unit-month of the current results, highest score first (then the
    higher priority, unit and period)."""
    flags = store.read_unit_month_scores(flagged_only=True)
    if flags.empty:
        return pd.DataFrame(columns=FINDINGS_COLUMNS)
    flags = flags.assign(unit_id=flags["unit_id"].astype(str), period=flags["period"].astype(str))
    flags = flags.sort_values(
        ["score", "priority", "unit_id", "period"], ascending=[False, False, True, True]
    )
    out = pd.DataFrame(
        {
            "unit_id": flags["unit_id"],
            "period": flags["period"],
            "score": flags["score"].astype(float).round(4),
            "root_parameter": flags["top_parameter"].fillna("").astype(str),
            "root_period": flags["root_period"].fillna("").astype(str),
            "root_candidates": flags["candidates"].map(_contract_candidates),
            "systemic_source": flags["systemic_source"].fillna("").astype(str),
        }
    )
    return out[FINDINGS_COLUMNS].reset_index(drop=True)


def write_findings(store: Store, out: Path) -> int:
    """Write the findings CSV to `out`; returns the number of rows."""
    findings = findings_frame(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    findings.to_csv(out, index=False, encoding="utf-8")
    return len(findings)
