"""Figures of `python -m bench generalisation`, from files only: a findings CSV (the contract's
export), `faults.csv` and the dataset's own tables, as an outside evaluator would score them.

A fault covers every unit-month of its unit from first_period to last_period. A ratio whose
denominator is empty (e.g. no drifting-CEMS unit-month detected) is None and its target
check is "n/a", never a pass.
"""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loaders.contract import ColumnType, table

KEY = ["unit_id", "period"]
GJ_PER_TCE = 29.271
LAB_FAULT = "lab_carbon_lowered"
EXTERNAL_FAULT = "cems_drift"
# How a flag exported without a root parameter is counted.
NO_ROOT = "(no root)"
# Parameters the enterprise reports: the numeric columns of `unit_month` in the contract.
ENTERPRISE_PARAMETERS = frozenset(
    c.name for c in table("unit_month").columns if c.type is ColumnType.FLOAT
)


@dataclass(frozen=True)
class Target:
    label: str
    compare: Callable[[float, float], bool]
    bound: float

    def check(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        return "pass" if self.compare(value, self.bound) else "fail"


# The targets ("How it is measured"), on every world and on the real sample.
TARGETS: dict[str, Target] = {
    "f1": Target("≥ 0.93", operator.ge, 0.93),
    "root_top1_macro": Target("≥ 0.93", operator.ge, 0.93),
    "systemic_recall": Target("≥ 0.9", operator.ge, 0.9),
    "external_blamed_on_enterprise": Target("≤ 2 %", operator.le, 0.02),
    "clean_flagged_share": Target("≤ 0.5 %", operator.le, 0.005),
    "clean_systemic_sources": Target("0", operator.le, 0),
    "real_flagged_share": Target("≤ 2 %", operator.le, 0.02),
    "real_idle_flagged_share": Target("≤ 1 %", operator.le, 0.01),
}


def ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def f1_score(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    if precision + recall == 0:
        return 0.0
    return round(2 * precision * recall / (precision + recall), 4)


def read_findings(path: Path) -> pd.DataFrame:
    """The findings export, one row per flagged unit-month, ids as text."""
    findings = pd.read_csv(path, dtype=str, keep_default_na=False)
    findings["score"] = pd.to_numeric(findings["score"])
    return findings.drop_duplicates(KEY).reset_index(drop=True)


def current_unit_months(folder: Path) -> pd.DataFrame:
    """The dataset's unit_month at the current (highest) revision, numbers as floats."""
    frame = pd.read_csv(folder / "unit_month.csv", dtype={"unit_id": str, "period": str})
    if "revision" in frame.columns:
        frame = frame.sort_values("revision", kind="stable")
    return frame.drop_duplicates(KEY, keep="last").reset_index(drop=True)


def fault_unit_months(faults: pd.DataFrame) -> pd.DataFrame:
    """One row per (unit_id, period) a fault covers, with its type, root parameter and root
    entity (empty when none)."""
    first = pd.PeriodIndex(faults["first_period"], freq="M").asi8
    last = pd.PeriodIndex(faults["last_period"], freq="M").asi8
    length = last - first + 1
    rows = faults.loc[faults.index.repeat(length)].reset_index(drop=True)
    step = np.arange(len(rows)) - np.repeat(np.cumsum(length) - length, length)
    months = pd.PeriodIndex.from_ordinals(np.repeat(first, length) + step, freq="M")
    rows["period"] = months.astype(str)
    rows["root_entity"] = rows["root_entity"].fillna("").astype(str)
    columns = [*KEY, "fault_type", "root_parameter", "root_entity"]
    return rows[columns].drop_duplicates(KEY).reset_index(drop=True)


def score_faulty(findings: pd.DataFrame, truth: pd.DataFrame, unit_months: int) -> dict[str, Any]:
    """Detection, root cause per fault type (and their macro mean), systemic recall and
    external faults blamed on the enterprise."""
    flagged = findings[[*KEY, "root_parameter", "systemic_source"]]
    detected = truth.merge(flagged, on=KEY, suffixes=("", "_found"))
    hits = len(detected)
    precision = ratio(hits, len(flagged))
    recall = ratio(hits, len(truth))
    per_type: dict[str, Any] = {}
    for fault_type, group in truth.groupby("fault_type"):
        found = detected[detected["fault_type"] == fault_type]
        right = (found["root_parameter_found"] == found["root_parameter"]).sum()
        per_type[str(fault_type)] = {
            "unit_months": len(group),
            "detected": len(found),
            "recall": ratio(len(found), len(group)),
            "root_top1": ratio(int(right), len(found)),
        }
    top1 = [t["root_top1"] for t in per_type.values() if t["root_top1"] is not None]
    lab = detected[detected["fault_type"] == LAB_FAULT]
    external = detected[detected["fault_type"] == EXTERNAL_FAULT]
    blamed = external["root_parameter_found"].isin(ENTERPRISE_PARAMETERS)
    return {
        "unit_months": unit_months,
        "fault_unit_months": len(truth),
        "flagged": len(flagged),
        "detected": hits,
        "precision": precision,
        "recall": recall,
        "f1": f1_score(precision, recall),
        "root_top1_macro": round(float(np.mean(top1)), 4) if top1 else None,
        "root_top1_types": len(top1),
        "systemic_recall": ratio(
            int((lab["systemic_source"] == lab["root_entity"]).sum()), len(lab)
        ),
        "lab_unit_months_detected": len(lab),
        "external_blamed_on_enterprise": ratio(int(blamed.sum()), len(external)),
        "external_unit_months_detected": len(external),
        "per_fault_type": per_type,
    }


def score_clean(findings: pd.DataFrame, unit_months: int) -> dict[str, Any]:
    """What the fault-free twin gets flagged for: share, systemic sources named, and the root
    parameters most blamed."""
    sources = findings["systemic_source"][findings["systemic_source"] != ""]
    roots = findings["root_parameter"].replace("", NO_ROOT).value_counts().head(5)
    return {
        "unit_months": unit_months,
        "flagged": len(findings),
        "clean_flagged_share": ratio(len(findings), unit_months),
        "clean_systemic_sources": int(sources.nunique()),
        "rows_with_systemic_source": len(sources),
        "top_root_parameters": {str(k): int(v) for k, v in roots.items()},
    }


def idle_months(unit_month: pd.DataFrame) -> pd.Series:
    """Idle unit-months: no hours on line and no positive net supply (station service)."""
    return (unit_month["operating_hours"] == 0) & (unit_month["power_supply_mwh"] <= 0)


def score_real(findings: pd.DataFrame, unit_month: pd.DataFrame) -> dict[str, Any]:
    idle = unit_month.loc[idle_months(unit_month), KEY]
    idle_flagged = idle.merge(findings[KEY], on=KEY)
    return {
        "unit_months": len(unit_month),
        "flagged": len(findings),
        "real_flagged_share": ratio(len(findings), len(unit_month)),
        "idle_unit_months": len(idle),
        "idle_flagged": len(idle_flagged),
        "real_idle_flagged_share": ratio(len(idle_flagged), len(idle)),
        "top_root_parameters": {
            str(k): int(v)
            for k, v in findings["root_parameter"]
            .replace("", NO_ROOT)
            .value_counts()
            .head(5)
            .items()
        },
    }


def top_flags(
    findings: pd.DataFrame, unit_month: pd.DataFrame, external: pd.DataFrame, top: int
) -> pd.DataFrame:
    """The first `top` flags of the findings export, in its order (score, then priority: the
    product's own ranking) with the raw figures around them:
    hours, gross and net generation, heat input (energy_monitor_tce, as GJ per gross MWh) and
    the unit's own median heat per gross MWh over its running months."""
    figures = unit_month[
        [*KEY, "operating_hours", "power_generation_mwh", "power_supply_mwh"]
    ].merge(external[[*KEY, "energy_monitor_tce"]], on=KEY, how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        heat_rate = figures["energy_monitor_tce"] * GJ_PER_TCE / figures["power_generation_mwh"]
    running = (figures["operating_hours"] > 0) & (figures["power_generation_mwh"] > 0)
    figures["heat_gj_per_mwh"] = heat_rate.where(running)
    figures["unit_median_heat_gj_per_mwh"] = figures.groupby("unit_id")[
        "heat_gj_per_mwh"
    ].transform("median")
    best = findings.head(top)
    columns = [*KEY, "score", "root_parameter", "root_period"]
    listing = best[columns].merge(figures, on=KEY, how="left")
    return listing.round(
        {
            "score": 4,
            "heat_gj_per_mwh": 2,
            "unit_median_heat_gj_per_mwh": 2,
            "energy_monitor_tce": 1,
        }
    )


def checks(figures: dict[str, Any]) -> dict[str, str]:
    """pass / fail / n/a of every target whose figure is in `figures`."""
    return {
        name: target.check(figures[name]) for name, target in TARGETS.items() if name in figures
    }
