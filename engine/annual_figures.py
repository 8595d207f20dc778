"""Annual figures spread over months: a unit-year whose monthly values of a flow are one value.

Some reporters give a flow once a year and the months carry its even share: EIA-923's annual
respondents report net generation once a year and EIA allocates it over the months, so monthly
net is flat and out of step with gross (EIA-923 instructions, "annual respondents"). Such a
series has no monthly information: every check that reads it, directly or through a quantity
computed from it, says nothing of that unit-year's months, and the unit gets one pattern (the
quantity, its months) instead of monthly flags. Only flows (t, MWh, GJ, tCO2, tce) qualify: a
constant intensive value (a default oxidation rate or carbon content) is a default, not an
annual total, and its months are still checked. A copied-series fault repeats a value for a
few months; one value over every month of a unit-year, at least half a year of them, is a
reporting convention.
"""

from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np
import pandas as pd

from engine.checks import CheckEvidence
from engine.prevalence import Pattern
from graph_schema.parameters import PARAMETERS, ParameterKind
from graph_schema.transfer_edges import EdgeKind, edges_into
from models.rules import Rule

FLOW_UNITS = frozenset({"t", "MWh", "GJ", "tCO2", "tce"})
# The fewest months of a unit-year whose one value makes it an annual figure (half a year).
MIN_MONTHS = 6
PATTERN_PREFIX = "annual_figure:"

FLOWS = tuple(
    p.name
    for p in PARAMETERS
    if p.kind in (ParameterKind.REPORTED, ParameterKind.EXTERNAL) and p.unit in FLOW_UNITS
)


@cache
def formula_inputs(quantity: str) -> frozenset[str]:
    """`quantity` and what its own formula reads (one step: a total's inputs' inputs weigh in
    it too little for an annual figure among them to silence its checks)."""
    return frozenset({quantity, *(e.parent for e in edges_into(quantity, EdgeKind.FORMULA))})


def quantities_read(check: CheckEvidence, rules: Mapping[str, Rule]) -> frozenset[str]:
    """The quantities a check reads: its ends, its rule's parameters, and their formulas'
    inputs."""
    direct = {check.target, check.parent}
    rule = rules.get(check.check_id)
    if rule is not None:
        direct |= set(rule.parameters)
    return frozenset().union(*(formula_inputs(q) for q in direct if q is not None))


def annual_figures(frame: pd.DataFrame) -> pd.DataFrame:
    """(unit_id, year, quantity) of every unit-year in which a flow has one value in all of
    its months, at least MIN_MONTHS of them (and not zero: an idle year is no annual
    figure)."""
    year = frame["period"].astype(str).str.slice(0, 4)
    found = []
    for quantity in FLOWS:
        if quantity not in frame:
            continue
        values = pd.DataFrame(
            {"unit_id": frame["unit_id"], "year": year, "value": frame[quantity]}
        ).dropna()
        per_year = values.groupby(["unit_id", "year"])["value"].agg(["count", "nunique", "max"])
        months = frame.assign(year=year).groupby(["unit_id", "year"]).size()
        spread = per_year[
            (per_year["count"] >= MIN_MONTHS)
            & (per_year["nunique"] == 1)
            & (per_year["max"] != 0)
            & (per_year["count"] == months.reindex(per_year.index))
        ]
        found.append(spread.reset_index()[["unit_id", "year"]].assign(quantity=quantity))
    return (
        pd.concat(found, ignore_index=True)
        if found
        else pd.DataFrame(columns=["unit_id", "year", "quantity"])
    )


def silence_annual_figures(
    evidence: Sequence[CheckEvidence], frame: pd.DataFrame, rules: Sequence[Rule]
) -> list[Pattern]:
    """Take the months of annual figures out of the checks that read them (p = 1 there) and
    return one pattern per unit and quantity."""
    spreads = annual_figures(frame)
    if spreads.empty:
        return []
    by_rule = {rule.rule_id: rule for rule in rules}
    year = frame["period"].astype(str).str.slice(0, 4)
    keys = pd.MultiIndex.from_arrays([frame["unit_id"].astype(str), year])
    patterns = []
    for quantity, of_quantity in spreads.groupby("quantity"):
        spread_keys = pd.MultiIndex.from_frame(of_quantity[["unit_id", "year"]].astype(str))
        rows = keys.isin(spread_keys)
        for check in evidence:
            if quantity in quantities_read(check, by_rule):
                check.p = np.where(rows, 1.0, check.p)
        units = frame["unit_id"].astype(str).to_numpy()
        periods = frame["period"].astype(str).to_numpy()
        for unit in of_quantity["unit_id"].astype(str).unique():
            months = tuple(sorted(periods[rows & (units == unit)].tolist()))
            patterns.append(
                Pattern(
                    PATTERN_PREFIX + str(quantity),
                    f"{quantity} reported as one annual figure spread evenly over the months",
                    1.0,
                    len(months),
                    unit,
                    (unit,),
                    months,
                )
            )
    return patterns
