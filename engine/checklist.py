"""Procedural findings: dates, deadlines and documents, for the compliance checklist.

A test report issued late, a sample taken outside its month or monthly data submitted after the
deadline is a matter for an inspector's checklist, not a value anomaly: it never enters a score
and never carries a CO2 impact. Items are listed per unit-month, and summed per unit-year and
per lab.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from models.rule_engine import evaluate_rules
from models.rules import RULES, Basis, Rule

ITEM_COLUMNS = [
    "unit_id",
    "enterprise_id",
    "period",
    "year",
    "lab_id",
    "rule_id",
    "rationale",
    "severity",
    "days_beyond",
    "province_code",
    "region_code",
]

PROCEDURAL_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.basis == Basis.PROCEDURAL)


def checklist_items(frame: pd.DataFrame, rules: Sequence[Rule] = PROCEDURAL_RULES) -> pd.DataFrame:
    """One row per procedural breach of `frame` (the unit-month frame), ITEM_COLUMNS."""
    rows = frame.reset_index(drop=True)
    parts = []
    for outcome in evaluate_rules(rows, rules):
        hit = np.flatnonzero(outcome.violated)
        if not hit.size:
            continue
        picked = rows.iloc[hit]
        parts.append(
            pd.DataFrame(
                {
                    "unit_id": picked["unit_id"].astype(str).to_numpy(),
                    "enterprise_id": picked["enterprise_id"].astype(str).to_numpy(),
                    "period": picked["period"].astype(str).to_numpy(),
                    "year": picked["period"].astype(str).str.slice(0, 4).astype(int).to_numpy(),
                    "lab_id": picked["lab_id"].astype("string").to_numpy(),
                    "rule_id": outcome.rule.rule_id,
                    "rationale": outcome.rule.rationale,
                    "severity": outcome.rule.severity,
                    "days_beyond": np.round(outcome.statistic[hit], 1),
                    "province_code": picked["province_code"].astype("string").to_numpy(),
                    "region_code": picked["region_code"].astype("string").to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    items = pd.concat(parts, ignore_index=True)
    return items.sort_values(["unit_id", "period", "rule_id"]).reset_index(drop=True)


def per_unit_year(items: pd.DataFrame) -> pd.DataFrame:
    """Items counted per unit, year and rule."""
    return (
        items.groupby(["unit_id", "enterprise_id", "year", "rule_id", "rationale"])
        .agg(months=("period", "nunique"), worst_days=("days_beyond", "max"))
        .reset_index()
    )


def per_lab(items: pd.DataFrame) -> pd.DataFrame:
    """Items counted per lab, year and rule (items without a lab are not counted)."""
    with_lab = items[items["lab_id"].notna()]
    return (
        with_lab.groupby(["lab_id", "year", "rule_id", "rationale"])
        .agg(reports=("period", "size"), units=("unit_id", "nunique"))
        .reset_index()
    )
