"""The prevalence guard: what a check says of a large share of a fleet, or of most months of one
unit, is a convention of that fleet or unit, not a monthly finding.

A calibrated check fires on about the false-alarm share of honest unit-months. One that fires
alone (while every other relation of the unit-month agrees) on far more of them is measuring
the fleet's habits (its labs' report timing, its part-month operation): it is reported once,
as a pattern with its share and example units, and stops driving flags. Firings that other
relations corroborate are inconsistencies, not habits, however many a faulty fleet has. One
that fires on most months of one unit describes that unit (a CEMS analyser that always reads
high, a default value used every month): one finding for the unit, no monthly flags. Physical
and regulatory breaches are facts and are never turned into patterns.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.checks import FLAGGING, CheckEvidence, EvidenceClass

EXAMPLE_UNITS = 5


@dataclass(frozen=True)
class Pattern:
    """A convention found in the fleet (`unit_id` None) or a persistent condition of one unit."""

    check_id: str
    label: str
    share: float
    unit_months: int
    unit_id: str | None
    example_units: tuple[str, ...]
    periods: tuple[str, ...] = ()

    def as_record(self) -> dict[str, object]:
        return {
            "check_id": self.check_id,
            "label": self.label,
            "scope": "unit" if self.unit_id else "fleet",
            "unit_id": self.unit_id,
            "share": round(self.share, 4),
            "unit_months": self.unit_months,
            "example_units": list(self.example_units),
            "periods": list(self.periods),
        }


def _guarded(check: CheckEvidence) -> bool:
    return check.evidence != EvidenceClass.HARD


def _uncorroborated(evidence: Sequence[CheckEvidence], alpha: float) -> dict[str, np.ndarray]:
    """Per check, the rows where it fires while no check of another quantity does."""
    flagging = [c for c in evidence if c.evidence in FLAGGING]
    fired = {c.check_id: c.applies & (c.p <= alpha) for c in flagging}
    by_quantity: dict[object, np.ndarray] = {}
    for check in flagging:
        seen = by_quantity.get(check.quantity)
        hit = fired[check.check_id]
        by_quantity[check.quantity] = hit if seen is None else (seen | hit)
    total = np.sum([hit.astype(int) for hit in by_quantity.values()], axis=0)
    return {
        c.check_id: fired[c.check_id] & (total - by_quantity[c.quantity].astype(int) == 0)
        for c in flagging
    }


def _beyond_one_site(fired: np.ndarray, applies: np.ndarray, sites: np.ndarray) -> tuple[int, int]:
    """Firings and applicable rows once the site (enterprise) with the most firings is left
    out."""
    per_site = pd.DataFrame({"site": sites, "fired": fired, "applies": applies})
    counts = per_site.groupby("site")[["fired", "applies"]].sum()
    top = counts["fired"].idxmax()
    rest = counts.drop(index=top).sum()
    return int(rest["fired"]), int(rest["applies"])


def fleet_conventions(
    evidence: Sequence[CheckEvidence], frame: pd.DataFrame, alpha: float, share: float
) -> list[Pattern]:
    """Checks firing (p ≤ alpha) uncorroborated on more than `share` of the unit-months they
    apply to, also without the enterprise where they fire most: a habit of the fleet is not
    one enterprise's (on a small fleet two faulty months of one unit are 2.8 % of 72)."""
    units = frame["unit_id"].astype(str).to_numpy()
    sites = frame["enterprise_id" if "enterprise_id" in frame else "unit_id"].astype(str).to_numpy()
    alone = _uncorroborated(evidence, alpha)
    found = []
    for check in evidence:
        applies = check.applies.sum()
        if not _guarded(check) or applies == 0 or check.check_id not in alone:
            continue
        fired = alone[check.check_id]
        rate = fired.sum() / applies
        if rate <= share:
            continue
        rest_fired, rest_applies = _beyond_one_site(fired, check.applies, sites)
        if rest_applies and rest_fired / rest_applies > share:
            examples = tuple(pd.unique(units[fired])[:EXAMPLE_UNITS].tolist())
            found.append(
                Pattern(check.check_id, check.label, float(rate), int(fired.sum()), None, examples)
            )
    return found


def unit_conditions(
    evidence: Sequence[CheckEvidence],
    frame: pd.DataFrame,
    alpha: float,
    share: float,
    min_months: int,
) -> list[Pattern]:
    """(check, unit) pairs where the check fires on more than `share` of the unit's months it
    applies to, and on at least `min_months` of them."""
    units = frame["unit_id"].astype(str).to_numpy()
    periods = frame["period"].astype(str).to_numpy()
    found = []
    for check in evidence:
        if not _guarded(check) or not check.applies.any():
            continue
        fired = check.applies & (check.p <= alpha)
        if fired.sum() < min_months:
            continue
        counts = pd.DataFrame({"unit": units, "applies": check.applies, "fired": fired})
        per_unit = counts.groupby("unit")[["applies", "fired"]].sum()
        persistent = per_unit[
            (per_unit["fired"] >= min_months) & (per_unit["fired"] > share * per_unit["applies"])
        ]
        for unit, row in persistent.iterrows():
            months = tuple(sorted(periods[fired & (units == unit)].tolist()))
            found.append(
                Pattern(
                    check.check_id,
                    check.label,
                    float(row["fired"] / row["applies"]),
                    int(row["fired"]),
                    str(unit),
                    (str(unit),),
                    months,
                )
            )
    return found


def silence(
    evidence: Sequence[CheckEvidence], frame: pd.DataFrame, patterns: Sequence[Pattern]
) -> None:
    """Take the patterns' evidence out of the monthly decisions (p = 1 there)."""
    units = frame["unit_id"].astype(str).to_numpy()
    by_id = {check.check_id: check for check in evidence}
    for pattern in patterns:
        check = by_id.get(pattern.check_id)
        if check is None:
            continue
        where = (
            np.ones(len(units), dtype=bool) if pattern.unit_id is None else units == pattern.unit_id
        )
        check.p = np.where(where, 1.0, check.p)
