"""The knobs of a sweep that are policy, in one place; everything statistical is fitted.

A policy says how many false alarms a regulator accepts, what share of a fleet makes a pattern
a convention, and how much CO2 makes a finding worth a reviewer's time. It never says how noisy
a fleet is: the engine learns that from the fleet being scored.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ScoringPolicy:
    # At most this share of honest unit-months is flagged (combined p-value ≤ it).
    false_alarm_share: float = 0.005
    # At most this share of the flags of a sweep is expected false (Benjamini–Hochberg).
    false_discovery_rate: float = 0.05
    # Unit-months whose combined p-value is below this are listed: kept with their evidence,
    # traced, shown, but not flagged unless they also pass the flag tests.
    listing_p: float = 0.05
    # A check firing uncorroborated on more than this share of a fleet's unit-months is a
    # convention.
    prevalence_share: float = 0.02
    # ... and on more than this share of one unit's months (at least `persistent_months`), a
    # persistent condition of that unit: one finding for the unit, no monthly flags. Three
    # quarters: a condition of the unit spans nearly all its months, a fault that began at
    # some point only part of them.
    unit_prevalence_share: float = 0.75
    persistent_months: int = 6
    # A probable (statistical) finding is flagged only when its impact reaches this share of
    # the unit-month's emissions; below, it is listed. Certain errors (physical, exact, slips,
    # copies) are flagged whatever their size.
    materiality_share: float = 0.005
    # Systemic sources: the false-discovery rate over every lab, verifier and month tested.
    systemic_fdr: float = 0.01
    # ... and the share of a period's sites that counts as its tail, each side: the count test
    # asks whether an entity has more of its sites there than a random draw would.
    systemic_tail_share: float = 0.1
    # Months of prior weight pulling a unit's own residual scale towards its fleet's.
    shrink_months: float = 6.0
    # CUSUM reference value in residual sigmas: tuned to find a shift of one sigma (Page 1954).
    cusum_reference: float = 0.5
    # Fits need this many rows; larger fits are sampled to `max_fit_rows`.
    min_fit_rows: int = 30
    max_fit_rows: int = 200_000
    seed: int = 0
    # Allowance price for the CNY value of an impact.
    allowance_price_cny: float = 90.0


DEFAULT_POLICY = ScoringPolicy()
