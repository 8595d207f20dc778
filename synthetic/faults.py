"""Fault injection: a plan drawn once for the whole dataset, applied month by month.

The plan comes from its own random stream and only reads the fleet and the outage calendar,
so the clean data are identical whatever the fault rate (a rate of 0 gives the clean twin).
Every unit carries at most one fault, so a unit-month carries at most one, and a frozen
series always copies an unfaulted month. The ground truth written to `faults.csv` is exact:
the unit, the first and last faulted period, the root parameter and, for a lab, the lab id.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthetic.periods import Month
from synthetic.physics import DECIMALS, reported_co2

FAULT_COLUMNS = (
    "fault_id",
    "fault_type",
    "unit_id",
    "first_period",
    "last_period",
    "root_parameter",
    "root_entity",
    "magnitude",
)


@dataclass(frozen=True)
class FaultKind:
    name: str
    # Share of the faulted unit-months (outside the lab events) this kind takes.
    weight: float
    min_months: int
    max_months: int
    # Months before the fault that must be on line (a frozen series copies one).
    lead_months: int = 0


UNIT_FAULTS: tuple[FaultKind, ...] = (
    FaultKind("carbon_lowered", 0.20, 2, 5),
    FaultKind("consumption_underreported", 0.16, 2, 6),
    FaultKind("supply_overreported", 0.12, 2, 6),
    FaultKind("scale_slip", 0.07, 1, 2),
    FaultKind("arithmetic_error", 0.12, 1, 3),
    FaultKind("cems_drift", 0.16, 3, 6),
    FaultKind("frozen_series", 0.17, 3, 6, lead_months=1),
)
LAB_FAULT = "lab_carbon_lowered"
MIN_LAB_UNITS = 10
# Passes of placing faults on units: a fault whose unit cannot carry it takes another unit.
PLACEMENT_PASSES = 12

ROOT_PARAMETER = {
    "carbon_lowered": "coal_carbon_pct",
    LAB_FAULT: "coal_carbon_pct",
    "consumption_underreported": "coal_consumption_t",
    "supply_overreported": "power_supply_mwh",
    "arithmetic_error": "reported_co2_t",
    "cems_drift": "cems_co2_t",
}
# Slipped parameter → how often it is the one slipped.
SLIPS: dict[str, float] = {
    "power_generation_mwh": 0.35,
    "power_supply_mwh": 0.30,
    "purchased_electricity_mwh": 0.10,
    "coal_carbon_pct": 0.25,
}
FROZEN_PARAMETERS = (
    "coal_ncv_gj_t",
    "coal_carbon_pct",
    "coal_consumption_t",
    "power_generation_mwh",
    "power_supply_mwh",
)


@dataclass
class FaultPlan:
    """`faults`: one row per fault (unit index, first/last month index, root, magnitude,
    `forged` report, slip `factor`, lab `bunch_date`). `months`: one row per faulted
    unit-month with its fault's row number (`fault`) and `step` (0 = first month)."""

    faults: pd.DataFrame
    months: pd.DataFrame

    def in_month(self, index: int) -> pd.DataFrame:
        return self.months[self.months["month"] == index]


def plan_faults(
    units: pd.DataFrame,
    online: np.ndarray,
    months: list[Month],
    fault_rate: float,
    rng: np.random.Generator,
) -> FaultPlan:
    budget = round(fault_rate * int(online.sum()))
    if budget <= 0:
        return _plan(pd.DataFrame(), months, units)
    free = np.ones(len(units), dtype=bool)
    window_online = np.concatenate(
        [np.zeros((len(units), 1), dtype=int), np.cumsum(online, axis=1)], axis=1
    )
    n_events = 1 if budget < 400 or rng.random() < 0.5 else 2
    lab_rows = []
    for _ in range(n_events):
        event = _lab_event(units, window_online, free, budget, months, rng)
        if event is not None:
            lab_rows.append(event)
            free[event["unit_index"].to_numpy()] = False
    lab_cost = sum(int((e["last"] - e["first"] + 1).sum()) for e in lab_rows)
    unit_rows = _unit_faults(units, window_online, free, max(budget - lab_cost, 0), months, rng)
    faults = pd.concat([*lab_rows, unit_rows], ignore_index=True)
    return _plan(faults, months, units)


def _windows_online(
    window_online: np.ndarray, unit: np.ndarray, length: np.ndarray, lead: np.ndarray
) -> np.ndarray:
    """(fault, start month) → the unit is on line from start − lead to start + length − 1."""
    n_months = window_online.shape[1] - 1
    start = np.arange(n_months)[None, :]
    lo = start - lead[:, None]
    hi = start + length[:, None]
    inside = (lo >= 0) & (hi <= n_months)
    online = (
        window_online[unit[:, None], np.clip(hi, 0, n_months)]
        - window_online[unit[:, None], np.clip(lo, 0, n_months)]
    )
    return inside & (online == hi - lo)


def _lab_event(
    units: pd.DataFrame,
    window_online: np.ndarray,
    free: np.ndarray,
    budget: int,
    months: list[Month],
    rng: np.random.Generator,
) -> pd.DataFrame | None:
    """One lab lowering carbon for ≥ 10 of its units over the same 3–5 months."""
    # Keep the event within about half the budget when the budget is small.
    longest = max(3, min(5, budget // (2 * MIN_LAB_UNITS)))
    length = min(int(rng.integers(3, longest + 1)), len(months))
    n = len(units)
    fits = _windows_online(window_online, np.arange(n), np.full(n, length), np.zeros(n, int))
    # A lab forges only the reports it issues: units on the default factor have none.
    fits &= (free & units["has_test_reports"].to_numpy())[:, None]
    per_lab = pd.DataFrame(fits).groupby(units["lab_id"].to_numpy()).sum()
    eligible = np.argwhere(per_lab.to_numpy() >= MIN_LAB_UNITS)
    if len(eligible) == 0:
        return None
    lab_pos, start = eligible[rng.integers(0, len(eligible))]
    lab_id = per_lab.index[lab_pos]
    candidates = np.flatnonzero((units["lab_id"].to_numpy() == lab_id) & fits[:, start])
    share = rng.uniform(0.7, 1.0)
    cap = max(MIN_LAB_UNITS, int(0.4 * budget / length))
    count = min(len(candidates), cap, max(MIN_LAB_UNITS, round(share * len(candidates))))
    chosen = np.sort(rng.choice(candidates, size=count, replace=False))
    magnitude = rng.uniform(-0.20, -0.08)
    # The forged reports of all months are issued together, 5–20 days after the last month.
    bunch_day = int(rng.integers(5, 21))
    return pd.DataFrame(
        {
            "fault_type": LAB_FAULT,
            "unit_index": chosen,
            "first": start,
            "last": start + length - 1,
            "root_parameter": ROOT_PARAMETER[LAB_FAULT],
            "root_entity": lab_id,
            "magnitude": np.clip(magnitude + rng.normal(0, 0.004, count), -0.21, -0.07),
            "forged": True,
            "factor": np.nan,
            "bunch_date": months[start + length - 1].last_day + np.timedelta64(bunch_day, "D"),
        }
    )


def _unit_faults(
    units: pd.DataFrame,
    window_online: np.ndarray,
    free: np.ndarray,
    budget: int,
    months: list[Month],
    rng: np.random.Generator,
) -> pd.DataFrame:
    n_months = len(months)
    kinds = []
    for kind in UNIT_FAULTS:
        mean_length = (kind.min_months + kind.max_months) / 2
        count = max(1, round(budget * kind.weight / mean_length))
        kinds.append(np.full(count, kind.name))
    fault_type = rng.permutation(np.concatenate(kinds))
    spec = {k.name: k for k in UNIT_FAULTS}
    lead = np.array([spec[t].lead_months for t in fault_type])
    lo = np.array([spec[t].min_months for t in fault_type])
    hi = np.array([spec[t].max_months for t in fault_type])
    length = np.minimum(rng.integers(lo, hi + 1), np.maximum(n_months - lead, 1))
    length = np.where(fault_type == "scale_slip", np.where(rng.random(len(lo)) < 0.8, 1, 2), length)

    unit = np.full(len(fault_type), -1)
    start = np.full(len(fault_type), -1)
    pool = rng.permutation(np.flatnonzero(free))
    has_cems = units["has_cems_feed"].to_numpy()
    # A few passes: a fault whose unit has no on-line window of its length, or no CEMS feed
    # for a drifting analyser, takes another unit.
    for _ in range(PLACEMENT_PASSES):
        pending = np.flatnonzero(unit < 0)
        if len(pending) == 0 or len(pool) == 0:
            break
        take = min(len(pending), len(pool))
        pending, candidates, pool = pending[:take], pool[:take], pool[take:]
        valid = _windows_online(window_online, candidates, length[pending], lead[pending])
        valid &= ((fault_type[pending] != "cems_drift") | has_cems[candidates])[:, None]
        score = np.where(valid, rng.random(valid.shape), -1.0)
        placed = valid.any(axis=1)
        unit[pending[placed]] = candidates[placed]
        start[pending[placed]] = score[placed].argmax(axis=1)
    keep = unit >= 0
    fault_type, unit, start, length = fault_type[keep], unit[keep], start[keep], length[keep]

    n = len(fault_type)
    magnitude = np.full(n, np.nan)
    root = np.array([ROOT_PARAMETER.get(t, "") for t in fault_type], dtype=object)
    factor = np.full(n, np.nan)
    draws = {
        "carbon_lowered": rng.uniform(-0.20, -0.08, n),
        "consumption_underreported": rng.uniform(-0.25, -0.10, n),
        "supply_overreported": rng.uniform(0.03, 0.10, n),
        "arithmetic_error": rng.uniform(0.05, 0.30, n) * np.where(rng.random(n) < 0.7, -1, 1),
        "cems_drift": rng.uniform(0.05, 0.30, n) * np.where(rng.random(n) < 0.5, -1, 1),
    }
    for name, values in draws.items():
        magnitude = np.where(fault_type == name, values, magnitude)

    slip = fault_type == "scale_slip"
    slip_names = list(SLIPS)
    slip_param = np.array(slip_names)[
        rng.choice(len(SLIPS), size=n, p=[SLIPS[s] for s in slip_names])
    ]
    # kWh typed into an MWh field (×1000) is more common than the reverse; a percentage typed
    # as a fraction divides by 100.
    slip_factor = np.where(
        slip_param == "coal_carbon_pct", 0.01, np.where(rng.random(n) < 0.6, 1000.0, 0.001)
    )
    root = np.where(slip, slip_param, root)
    factor = np.where(slip, slip_factor, factor)
    magnitude = np.where(slip, slip_factor - 1, magnitude)

    frozen = fault_type == "frozen_series"
    frozen_param = np.array(FROZEN_PARAMETERS)[rng.integers(0, len(FROZEN_PARAMETERS), n)]
    # An annual respondent's net supply is flat within a year already: copying it is no fault.
    flat_supply = units["annual_respondent"].to_numpy()[unit] & (frozen_param == "power_supply_mwh")
    frozen_param = np.where(flat_supply, "power_generation_mwh", frozen_param)
    root = np.where(frozen, frozen_param, root)

    return pd.DataFrame(
        {
            "fault_type": fault_type,
            "unit_index": unit,
            "first": start,
            "last": start + length - 1,
            "root_parameter": root.astype(str),
            "root_entity": "",
            "magnitude": magnitude,
            # A lowered carbon content sometimes comes with a forged report that agrees.
            "forged": (fault_type == "carbon_lowered") & (rng.random(n) < 0.5),
            "factor": factor,
            "bunch_date": np.datetime64("NaT", "D"),
        }
    )


def _plan(faults: pd.DataFrame, months: list[Month], units: pd.DataFrame) -> FaultPlan:
    if faults.empty:
        faults = pd.DataFrame(
            {
                "fault_type": pd.Series(dtype=str),
                "unit_index": pd.Series(dtype=int),
                "first": pd.Series(dtype=int),
                "last": pd.Series(dtype=int),
                "root_parameter": pd.Series(dtype=str),
                "root_entity": pd.Series(dtype=str),
                "magnitude": pd.Series(dtype=float),
                "forged": pd.Series(dtype=bool),
                "factor": pd.Series(dtype=float),
                "bunch_date": pd.Series(dtype="datetime64[s]"),
            }
        )
    unit_ids = units["unit_id"].to_numpy(str)
    faults = faults.assign(unit_id=unit_ids[faults["unit_index"].to_numpy(int)])
    faults = faults.sort_values(["first", "unit_id", "fault_type"], kind="stable").reset_index(
        drop=True
    )
    periods = np.array([m.period for m in months])
    faults["fault_id"] = "F" + pd.Series(np.arange(1, len(faults) + 1), dtype=str).str.zfill(6)
    faults["first_period"] = periods[faults["first"].to_numpy(int)]
    faults["last_period"] = periods[faults["last"].to_numpy(int)]
    length = (faults["last"] - faults["first"] + 1).to_numpy(int)
    row = np.repeat(np.arange(len(faults)), length)
    step = np.arange(len(row)) - np.repeat(np.cumsum(length) - length, length)
    by_month = pd.DataFrame(
        {
            "fault": row,
            "unit_index": faults["unit_index"].to_numpy(int)[row],
            "month": faults["first"].to_numpy(int)[row] + step,
            "step": step,
            "length": length[row],
        }
    )
    return FaultPlan(faults, by_month)


@dataclass
class InjectedMonth:
    reported: pd.DataFrame
    # Carbon content printed on each unit's test report (forged ones agree with the report).
    report_carbon_pct: np.ndarray
    report_date: np.ndarray
    cems_factor: np.ndarray
    # Relative deviation of a frozen value from the truth, per (fault row) this month.
    frozen_fault: np.ndarray
    frozen_deviation: np.ndarray


def inject_month(
    plan: FaultPlan,
    month: Month,
    truth: pd.DataFrame,
    previous: pd.DataFrame | None,
    report_date: np.ndarray,
    rng: np.random.Generator,
) -> InjectedMonth:
    """What the enterprise reports, its lab prints and CEMS measures, given this month's faults.

    The enterprise's CO2 is computed from what it reports, except after a scale slip (a typing
    slip in one field; the CO2 was computed from the right value) and an arithmetic error.
    """
    values = truth.to_numpy(copy=True)
    column = {name: i for i, name in enumerate(truth.columns)}
    report_date = report_date.copy()
    cems_factor = np.ones(len(truth))
    active = plan.in_month(month.index)
    fault = plan.faults.iloc[active["fault"].to_numpy()]
    unit = active["unit_index"].to_numpy()
    kind = fault["fault_type"].to_numpy(str)
    magnitude = fault["magnitude"].to_numpy(float)
    factor = np.where(kind == "scale_slip", fault["factor"].to_numpy(float), 1 + magnitude)
    root = fault["root_parameter"].to_numpy(str)

    scaled = np.isin(
        kind,
        [
            "carbon_lowered",
            LAB_FAULT,
            "consumption_underreported",
            "supply_overreported",
            "scale_slip",
        ],
    )
    for name in np.unique(root[scaled]):
        rows = scaled & (root == name)
        decimals = 6 if (kind[rows] == "scale_slip").any() else DECIMALS[name]
        target = (unit[rows], column[name])
        values[target] = np.round(values[target] * factor[rows], decimals)

    frozen = kind == "frozen_series"
    frozen_cells = (unit[frozen], np.array([column[n] for n in root[frozen]], dtype=int))
    if previous is not None:
        values[frozen_cells] = previous.to_numpy()[frozen_cells]
    deviation = values[frozen_cells] / truth.to_numpy()[frozen_cells] - 1

    reported = pd.DataFrame(values, columns=truth.columns)
    co2 = reported_co2(reported)
    slip = kind == "scale_slip"
    co2[unit[slip]] = truth["reported_co2_t"].to_numpy()[unit[slip]]
    arithmetic = kind == "arithmetic_error"
    co2[unit[arithmetic]] = np.round(co2[unit[arithmetic]] * factor[arithmetic], 3)
    reported["reported_co2_t"] = co2

    report_carbon = truth["coal_carbon_pct"].to_numpy().copy()
    forged = np.isin(kind, ["carbon_lowered", LAB_FAULT]) & fault["forged"].to_numpy(bool)
    report_carbon[unit[forged]] = values[unit[forged], column["coal_carbon_pct"]]
    lab = kind == LAB_FAULT
    jitter = rng.integers(0, 3, int(lab.sum())).astype("timedelta64[D]")
    report_date[unit[lab]] = fault["bunch_date"].to_numpy("datetime64[D]")[lab] + jitter

    drift = kind == "cems_drift"
    share = (active["step"].to_numpy(int) + 1) / active["length"].to_numpy(int)
    cems_factor[unit[drift]] = 1 + magnitude[drift] * share[drift]
    return InjectedMonth(
        reported=reported,
        report_carbon_pct=report_carbon,
        report_date=report_date,
        cems_factor=cems_factor,
        frozen_fault=active["fault"].to_numpy(int)[frozen],
        frozen_deviation=deviation,
    )
