"""Systemic sources: an upstream entity (lab, verifier, group, city, province) behind more root
causes of one kind than chance allows.

Counting is per unit, not per unit-month, because one unit's fault repeats month after month and
would otherwise make any entity that holds it look systemic. For entity e and root parameter r:
k = distinct units with an r-rooted flag in a month tied to e; under the null each unit carries
such a flag with the population rate p_r (units with an r-rooted flag / all units), spread over
its months, so the expected count is λ = p_r × Σ_units (share of the unit's months tied to e).
The p-value is the upper tail P(X ≥ k) of a Poisson(λ) (the binomial's limit, slightly
conservative). Benjamini–Hochberg controls the false-discovery rate over every entity and root
tested; a finding also needs `min_units` distinct units. Significant entities then explain away
weaker ones in order of strength (a lab's units also sit in its city: once the lab explains
them, the city is left with nothing of its own).
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import poisson

# Entity type -> the unit-month frame column that names it.
ENTITY_COLUMNS: Mapping[str, str] = {
    "lab": "lab_id",
    "verifier": "verifier_id",
    "group": "group_id",
    "city": "region_code",
    "province": "province_code",
}
FINDING_COLUMNS = [
    "entity_type",
    "entity_id",
    "root_parameter",
    "periods",
    "units",
    "k",
    "n",
    "expected",
    "p_value",
    "q_value",
    "explained_flags",
]
DEFAULT_ALPHA = 0.01
DEFAULT_MIN_UNITS = 3
_KEYS = ["entity_type", "entity_id"]


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """BH-adjusted q-values, in the input order."""
    m = len(p_values)
    if m == 0:
        return np.array([], dtype=float)
    order = np.argsort(p_values)
    scaled = p_values[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    q = np.empty(m, dtype=float)
    q[order] = np.minimum(adjusted, 1.0)
    return q


def _ties(memberships: pd.DataFrame, entity_columns: Mapping[str, str]) -> pd.DataFrame:
    """(unit_id, period, entity_type, entity_id) for every unit-month and entity it is tied to."""
    present = {t: c for t, c in entity_columns.items() if c in memberships.columns}
    long = memberships[["unit_id", "period", *present.values()]].melt(
        id_vars=["unit_id", "period"], var_name="column", value_name="entity_id"
    )
    long = long[long["entity_id"].notna() & (long["entity_id"].astype(str) != "")]
    by_column = {c: t for t, c in present.items()}
    return pd.DataFrame(
        {
            "unit_id": long["unit_id"].astype(str),
            "period": long["period"].astype(str),
            "entity_type": long["column"].map(by_column),
            "entity_id": long["entity_id"].astype(str),
        }
    )


def _exposure(ties: pd.DataFrame, memberships: pd.DataFrame) -> pd.DataFrame:
    """Per entity: n distinct units and Σ over them of the share of the unit's months tied to
    the entity."""
    months = memberships.groupby(memberships["unit_id"].astype(str))["period"].nunique()
    # astype: on an empty frame map() keeps the text dtype of unit_id.
    shares = ties.assign(share=1.0 / ties["unit_id"].map(months).astype(float))
    return shares.groupby(_KEYS).agg(n=("unit_id", "nunique"), exposure=("share", "sum"))


def _explain_away(tests: pd.DataFrame, hits: pd.DataFrame, cutoff: float, min_units: int) -> list:
    """Accept findings strongest first; each keeps only the units no stronger finding explains."""
    explained: set[tuple[str, str]] = set()
    accepted = []
    for row in tests.sort_values(["p_value", "k"], ascending=[True, False]).itertuples():
        mine = hits[
            (hits["entity_type"] == row.entity_type)
            & (hits["entity_id"] == row.entity_id)
            & (hits["root_parameter"] == row.root_parameter)
        ]
        fresh = [u for u in mine["unit_id"].unique() if (u, row.root_parameter) not in explained]
        p_fresh = float(poisson.sf(len(fresh) - 1, row.expected))
        if len(fresh) < min_units or p_fresh > cutoff:
            continue
        explained.update((u, row.root_parameter) for u in fresh)
        accepted.append((row, mine[mine["unit_id"].isin(fresh)]))
    return accepted


def find_systemic_sources(
    roots: pd.DataFrame,
    memberships: pd.DataFrame,
    alpha: float = DEFAULT_ALPHA,
    min_units: int = DEFAULT_MIN_UNITS,
    entity_columns: Mapping[str, str] = ENTITY_COLUMNS,
) -> pd.DataFrame:
    """Systemic findings (columns FINDING_COLUMNS), strongest first.

    `roots`: one row per traced flag with `unit_id, period, root_parameter` (trace_many's
    output). `memberships`: the population, one row per unit-month in scope (flagged or not)
    with the entity columns (the unit-month frame, plus `verifier_id` when known).
    `explained_flags` lists the `[unit_id, period]` flags each finding explains.
    """
    ties = _ties(memberships, entity_columns)
    flagged = roots.dropna(subset=["root_parameter"])
    flagged = pd.DataFrame(
        {
            "unit_id": flagged["unit_id"].astype(str),
            "period": flagged["period"].astype(str),
            "root_parameter": flagged["root_parameter"].astype(str),
        }
    )
    units = memberships["unit_id"].astype(str).nunique()
    if flagged.empty or units == 0:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    rate = flagged.groupby("root_parameter")["unit_id"].nunique() / units
    hits = flagged.merge(ties, on=["unit_id", "period"])
    tests = hits.groupby([*_KEYS, "root_parameter"])["unit_id"].nunique().rename("k").reset_index()
    tests = tests.merge(_exposure(ties, memberships).reset_index(), on=_KEYS)
    tests["expected"] = tests["root_parameter"].map(rate) * tests["exposure"]
    tests["p_value"] = poisson.sf(tests["k"] - 1, tests["expected"])
    tests["q_value"] = benjamini_hochberg(tests["p_value"].to_numpy(dtype=float))
    significant = tests[(tests["q_value"] <= alpha) & (tests["k"] >= min_units)]
    if significant.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    cutoff = float(significant["p_value"].max())
    findings = [
        {
            "entity_type": row.entity_type,
            "entity_id": row.entity_id,
            "root_parameter": row.root_parameter,
            "periods": sorted(mine["period"].unique().tolist()),
            "units": sorted(mine["unit_id"].unique().tolist()),
            "k": int(row.k),
            "n": int(row.n),
            "expected": float(row.expected),
            "p_value": float(row.p_value),
            "q_value": float(row.q_value),
            "explained_flags": sorted(
                [u, p] for u, p in mine[["unit_id", "period"]].drop_duplicates().to_numpy()
            ),
        }
        for row, mine in _explain_away(significant, hits, cutoff, min_units)
    ]
    return pd.DataFrame(findings, columns=FINDING_COLUMNS)


def systemic_links(findings: pd.DataFrame) -> pd.DataFrame:
    """Per explained flag, the strongest finding's entity id (`unit_id, period,
    systemic_source`), for the findings export."""
    if findings.empty:
        return pd.DataFrame(columns=["unit_id", "period", "systemic_source"])
    flags = findings[["entity_id", "p_value", "explained_flags"]].explode("explained_flags")
    flags["unit_id"] = flags["explained_flags"].str[0]
    flags["period"] = flags["explained_flags"].str[1]
    strongest = flags.sort_values("p_value").drop_duplicates(["unit_id", "period"])
    return strongest.rename(columns={"entity_id": "systemic_source"})[
        ["unit_id", "period", "systemic_source"]
    ].reset_index(drop=True)
