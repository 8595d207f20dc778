"""Systemic sources by a direct test: are a lab's (or verifier's) own records shifted against
their peers'?

A lab that lowers carbon content for its clients moves the carbon-per-heat residuals of the
reports it issued, all in one direction; a verifier that signs off lowered figures leaves its
clients' residuals shifted the same way. Each entity's client sites of one period (a month for
labs, whose reports are monthly; a compliance year for verifiers) are compared with the other
sites of that period by two rank tests, under the null that the entity's sites are a random draw
from the period's sites: a rank-sum (Mann–Whitney) test, strongest when all its clients move,
and the hypergeometric count of its sites in the period's lower (upper) tail, strongest when
only some do. The smaller p-value, doubled for the two tests, is the entity's;
Benjamini–Hochberg then runs across every entity and period tested. A site is an enterprise (its
units burn one coal and share its changes, so they are one observation, not several); a unit
where the enterprise is not known. The test uses ranks only, so a few sites far off for their
own reasons (a fuel switch, one unit's fault) cannot make an entity systemic, and because the
comparison is with peers in the same period neither can a fleet whose flags are many; on an
honest fleet the expected number of sources named is below the policy's false-discovery rate.

A named entity explains the flags of its clients whose own records in its shifted periods are
shifted its way (the mean of their scores there, times the square root of their number, past the
one-sided normal quantile of `client_alpha`): an honest client of a shifted lab with one low
month is not its victim.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from engine.combine import benjamini_hochberg
from engine.policy import DEFAULT_POLICY

CARBON_EDGE = "statistical:coal_ncv_gj_t->coal_carbon_pct"
CARBON_ROOTS = frozenset({"coal_carbon_pct", "report_carbon_pct"})
MIN_SITES = 3
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


def tail_count_p(
    own_in_low: np.ndarray,
    own_in_high: np.ndarray,
    sizes: np.ndarray,
    total: int,
    pooled_in_low: int,
    pooled_in_high: int,
) -> np.ndarray:
    """Two-sided p-values of the numbers of each entity's values (`sizes` of them) in the
    pooled values' lower and upper tails, against draws of the same size without replacement
    from the `total` pooled values."""
    low = stats.hypergeom.sf(own_in_low - 1, total, pooled_in_low, sizes)
    high = stats.hypergeom.sf(own_in_high - 1, total, pooled_in_high, sizes)
    return np.minimum(1.0, 2.0 * np.minimum(low, high))


def _period_tests(values: np.ndarray, entities: np.ndarray, tail_share: float) -> pd.DataFrame:
    """One period's sites: per entity, the shift of its sites' median from its peers' and the
    p-value of the two rank tests (1 where it has no peers)."""
    names, index, sizes = np.unique(entities, return_inverse=True, return_counts=True)
    total = len(values)
    low, high = np.quantile(values, [tail_share, 1.0 - tail_share])
    in_low, in_high = values <= low, values >= high
    tails = tail_count_p(
        np.bincount(index, weights=in_low, minlength=len(names)),
        np.bincount(index, weights=in_high, minlength=len(names)),
        sizes,
        total,
        int(in_low.sum()),
        int(in_high.sum()),
    )
    rank_sum = np.ones(len(names))
    shift = np.full(len(names), np.nan)
    # Entities with as many sites are tested in one call: their own and peer arrays stack.
    for size in np.unique(sizes[sizes < total]):
        group = np.flatnonzero(sizes == size)
        own = np.stack([values[index == g] for g in group])
        peers = np.stack([values[index != g] for g in group])
        rank_sum[group] = stats.mannwhitneyu(own, peers, axis=1).pvalue
        shift[group] = np.median(own, axis=1) - np.median(peers, axis=1)
    p = np.where(sizes < total, np.minimum(1.0, 2.0 * np.minimum(rank_sum, tails)), 1.0)
    return pd.DataFrame({"entity": names, "shift": shift, "p": p})


def _shift_tests(records: pd.DataFrame, tail_share: float) -> pd.DataFrame:
    """Per (entity, period): its sites, the shift of the median of their mean scores from the
    median of the period's other sites, and the p-value of the two rank tests."""
    per_site = records.groupby(["entity", "period", "site"], as_index=False)["value"].mean()
    groups = per_site.groupby(["entity", "period"])["value"].agg(["median", "count"])
    groups = groups.rename(columns={"median": "centre", "count": "sites"})
    groups["n"] = records.groupby(["entity", "period"])["value"].size()
    tested = pd.concat(
        [
            _period_tests(
                sites["value"].to_numpy(dtype=float), sites["entity"].to_numpy(), tail_share
            ).assign(period=period)
            for period, sites in per_site.groupby("period")
        ],
        ignore_index=True,
    ).set_index(["entity", "period"])
    return groups.join(tested).reset_index()


def find_systemic_sources(
    records: pd.DataFrame,
    flags: pd.DataFrame,
    fdr: float,
    tail_share: float = DEFAULT_POLICY.systemic_tail_share,
    client_alpha: float = DEFAULT_POLICY.false_alarm_share,
) -> pd.DataFrame:
    """Systemic findings (FINDING_COLUMNS), strongest first.

    `records`: one row per unit-month with `unit_id`, `period`, the entity columns, `score`
    (the normal score of its carbon-per-heat residual; NaN where none) and, if known,
    `enterprise_id`. `flags`: the flagged
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
                    "site": rows["enterprise_id" if "enterprise_id" in rows else "unit_id"]
                    .astype(str)
                    .to_numpy(),
                    "value": rows["score"].to_numpy(dtype=float),
                }
            ),
            tail_share,
        )
        found = found[found["sites"] >= MIN_SITES]
        tests.append(found.assign(entity_type=test.entity_type, column=test.column))
    if not tests:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    table = pd.concat(tests, ignore_index=True)
    table["q"] = benjamini_hochberg(table["p"].to_numpy(dtype=float))
    significant = table[table["q"] <= fdr]
    return _findings(significant, records, flags, client_alpha)


def shifted_client_months(
    records: pd.DataFrame,
    entity_column: str,
    entity: str,
    periods: list[str],
    shift: float,
    alpha: float,
) -> pd.DataFrame:
    """The unit-months (`unit_id`, `period`) of `entity` in `periods` whose unit's scores there
    are shifted in the direction of `shift`, one-sided at `alpha`."""
    return _shifted(_entity_months(records, entity_column, entity, periods), shift, alpha)


def _entity_months(
    records: pd.DataFrame, entity_column: str, entity: str, periods: list[str]
) -> pd.DataFrame:
    ties = records[records[entity_column].astype(str) == entity]
    in_periods = ties["period"].astype(str).str.slice(0, len(periods[0])).isin(periods)
    return ties.loc[in_periods, ["unit_id", "period", "score"]].astype(
        {"unit_id": str, "period": str}
    )


def _shifted(months: pd.DataFrame, shift: float, alpha: float) -> pd.DataFrame:
    per_unit = months.groupby("unit_id")["score"].agg(["mean", "count"])
    z = np.sign(shift) * per_unit["mean"] * np.sqrt(per_unit["count"])
    shifted = per_unit.index[z.to_numpy(dtype=float) >= stats.norm.isf(alpha)]
    return months.loc[months["unit_id"].isin(shifted), ["unit_id", "period"]]


def _findings(
    significant: pd.DataFrame, records: pd.DataFrame, flags: pd.DataFrame, client_alpha: float
) -> pd.DataFrame:
    out = []
    for (entity_type, column, entity), group in significant.groupby(
        ["entity_type", "column", "entity"]
    ):
        periods = sorted(group["period"].astype(str))
        months = _entity_months(records, column, entity, periods)
        shift = float(group["shift"].mean())
        victims = _shifted(months, shift, client_alpha)
        explained = flags.merge(victims, on=["unit_id", "period"])
        if entity_type == "lab":
            explained = explained[explained["root_parameter"].isin(CARBON_ROOTS)]
        out.append(
            {
                "entity_type": entity_type,
                "entity_id": entity,
                "periods": periods,
                "units": sorted(months["unit_id"].unique().tolist()),
                "n": int(group["n"].sum()),
                "shift": shift,
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
