"""Systemic sources by a direct test: are a lab's (or verifier's) own records shifted against
their peers'?

A lab that lowers carbon content for its clients moves the carbon-per-heat residuals of the
reports it issued, all in one direction; a verifier that signs off lowered figures leaves its
clients' residuals shifted the same way. Each entity's units of one period (a month for labs,
a year for verifiers) are compared with every unit of the same period: the shift of the median
of their mean normal scores over the period's own robust spread, then Benjamini–Hochberg runs
across every entity and period tested. Because the
comparison is with peers in the same period, a fleet whose flags are many makes no entity
systemic by itself; on an honest fleet the expected number of sources named is below the
policy's false-discovery rate.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from engine.combine import benjamini_hochberg

CARBON_EDGE = "statistical:coal_ncv_gj_t->coal_carbon_pct"
CARBON_ROOTS = frozenset({"coal_carbon_pct", "report_carbon_pct"})
MIN_UNITS = 3
MAD_TO_SIGMA = 1.4826
# Standard error of a normal sample's median, in units of σ/√n.
MEDIAN_EFFICIENCY = 1.2533
FINDING_COLUMNS = [
    "entity_type",
    "entity_id",
    "periods",
    "units",
    "n",
    "shift",
    "p_value",
    "q_value",
    "explained_flags",
]


@dataclass(frozen=True)
class EntityTest:
    entity_type: str
    column: str
    # How a period is spelled for the test: months for labs, years for verifiers.
    period_length: int


TESTS = (EntityTest("lab", "lab_id", 7), EntityTest("verifier", "verifier_id", 4))


def _shift_tests(records: pd.DataFrame) -> pd.DataFrame:
    """Per (entity, period): its units, the shift of the median of their mean scores against
    the median of every unit of the period, and its two-sided p-value. Medians over units, so
    that one unit's own fault (many months, large residuals) cannot make its lab or verifier
    look shifted; only a shift shared by most of an entity's units does. The spread is the
    period's own, robust (1.4826 × MAD of the units' means), and the median's standard error
    is 1.2533 σ/√n (its asymptotic efficiency against the mean)."""
    per_unit = records.groupby(["entity", "period", "unit_id"], as_index=False)["value"].mean()
    groups = per_unit.groupby(["entity", "period"])["value"].agg(["median", "count"])
    groups = groups.rename(columns={"median": "centre", "count": "units"})
    centre = per_unit.groupby("period")["value"].median()
    spread = (
        MAD_TO_SIGMA
        * (per_unit["value"] - per_unit["period"].map(centre))
        .abs()
        .groupby(per_unit["period"])
        .median()
    )
    period = groups.index.get_level_values("period")
    n = groups["units"].to_numpy(dtype=float)
    shift = groups["centre"].to_numpy() - centre.reindex(period).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = shift / (MEDIAN_EFFICIENCY * spread.reindex(period).to_numpy() / np.sqrt(n))
    groups["n"] = records.groupby(["entity", "period"])["value"].size()
    groups["shift"] = shift
    groups["p"] = np.where(np.isfinite(z), 2 * stats.norm.sf(np.abs(z)), 1.0)
    return groups.reset_index()


def find_systemic_sources(records: pd.DataFrame, flags: pd.DataFrame, fdr: float) -> pd.DataFrame:
    """Systemic findings (FINDING_COLUMNS), strongest first.

    `records`: one row per unit-month with `unit_id`, `period`, the entity columns and `score`
    (the normal score of its carbon-per-heat residual; NaN where none). `flags`: the flagged
    unit-months with their `root_parameter`.
    """
    tests = []
    for test in TESTS:
        if test.column not in records:
            continue
        rows = records[records[test.column].notna() & records["score"].notna()]
        if rows.empty:
            continue
        found = _shift_tests(
            pd.DataFrame(
                {
                    "entity": rows[test.column].astype(str).to_numpy(),
                    "period": rows["period"]
                    .astype(str)
                    .str.slice(0, test.period_length)
                    .to_numpy(),
                    "unit_id": rows["unit_id"].astype(str).to_numpy(),
                    "value": rows["score"].to_numpy(dtype=float),
                }
            )
        )
        found = found[found["units"] >= MIN_UNITS]
        tests.append(found.assign(entity_type=test.entity_type, column=test.column))
    if not tests:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    table = pd.concat(tests, ignore_index=True)
    table["q"] = benjamini_hochberg(table["p"].to_numpy(dtype=float))
    significant = table[table["q"] <= fdr]
    return _findings(significant, records, flags)


def _findings(
    significant: pd.DataFrame, records: pd.DataFrame, flags: pd.DataFrame
) -> pd.DataFrame:
    out = []
    for (entity_type, column, entity), group in significant.groupby(
        ["entity_type", "column", "entity"]
    ):
        periods = sorted(group["period"].astype(str))
        ties = records[records[column].astype(str) == entity]
        in_periods = ties["period"].astype(str).str.slice(0, len(periods[0])).isin(periods)
        months = ties[in_periods][["unit_id", "period"]].astype(str)
        explained = flags.merge(months, on=["unit_id", "period"])
        if entity_type == "lab":
            explained = explained[explained["root_parameter"].isin(CARBON_ROOTS)]
        out.append(
            {
                "entity_type": entity_type,
                "entity_id": entity,
                "periods": periods,
                "units": sorted(months["unit_id"].unique().tolist()),
                "n": int(group["n"].sum()),
                "shift": float(group["shift"].mean()),
                "p_value": float(group["p"].min()),
                "q_value": float(group["q"].min()),
                "explained_flags": sorted(
                    [u, p] for u, p in explained[["unit_id", "period"]].to_numpy()
                ),
            }
        )
    findings = pd.DataFrame(out, columns=FINDING_COLUMNS)
    return findings.sort_values(["p_value", "entity_id"]).reset_index(drop=True)


def systemic_links(findings: pd.DataFrame) -> pd.DataFrame:
    """Per explained flag, the strongest finding's entity id (`unit_id, period,
    systemic_source`), for the findings export."""
    if findings.empty:
        return pd.DataFrame(columns=["unit_id", "period", "systemic_source"])
    flags = (
        findings[["entity_id", "p_value", "explained_flags"]].explode("explained_flags").dropna()
    )
    if flags.empty:
        return pd.DataFrame(columns=["unit_id", "period", "systemic_source"])
    flags["unit_id"] = flags["explained_flags"].str[0]
    flags["period"] = flags["explained_flags"].str[1]
    strongest = flags.sort_values("p_value").drop_duplicates(["unit_id", "period"])
    return strongest.rename(columns={"entity_id": "systemic_source"})[
        ["unit_id", "period", "systemic_source"]
    ].reset_index(drop=True)
