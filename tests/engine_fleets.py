"""Hand-made fleets for engine tests: the domain's relations with modest noise, and faults.

A fleet is a unit-month frame with the contract's columns (`graph_schema.frames.
UNIT_MONTH_COLUMNS`, conformed by `loaders.unit_month_frame`, plus `verifier_id` and
`allocated_t`, as `scoped_unit_months` gives them), built here
without the generator: each unit has a coal rank, a heat rate that rises as the load falls, an
own-use rate, a CEMS analyser with a small bias, a lab and a verifier; each month draws hours,
load, NCV and carbon around them, and every derived column comes from
`loaders.formulas.propagate`. Figures are rounded the way reports write them. `Noise` sets the
noise levels, so a test can vary them across fleets.

Faults change the figures one party would have written wrong and recompute what follows from
them (the enterprise computes its reported CO2 from its own inputs; external sources keep the
truth), in place on a copy the caller owns.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from graph_schema.parameters import FORMULA_CONSTANTS
from loaders.formulas import FORMULA_INPUTS, propagate
from loaders.unit_month_frame import conform_unit_month_frame

GJ_PER_TCE = FORMULA_CONSTANTS["gj_per_tce"]
BOILER_EFFICIENCY = FORMULA_CONSTANTS["boiler_efficiency"]
# (class, capacity MW, heat rate GJ per gross MWh at 75 % load, own-use share)
CLASSES: tuple[tuple[str, float, float, float], ...] = (
    ("coal_1000", 1000.0, 8.0, 0.045),
    ("coal_600", 600.0, 8.6, 0.052),
    ("coal_300", 300.0, 9.3, 0.065),
    ("coal_cfb", 330.0, 9.6, 0.080),
)
# The heat rate rises as the load falls: d ln(heat rate) / d ln(load).
HEAT_RATE_LOAD_SLOPE = -0.12
# Carbon per GJ of coal heat at 21 GJ/t, and how it moves with the coal's rank.
CARBON_PER_HEAT = 0.0262
CARBON_RANK_SLOPE = -0.05
LABS = 6
VERIFIERS = 4


@dataclass(frozen=True)
class Noise:
    """Relative (1 σ) noise of each figure, and how often a unit runs part of a month."""

    ncv: float = 0.02
    carbon: float = 0.006
    heat_rate: float = 0.012
    own_use: float = 0.04
    load: float = 0.05
    cems: float = 0.015
    cems_bias: float = 0.01
    grid: float = 0.002
    purchase: float = 0.03
    monitor: float = 0.01
    part_month_share: float = 0.06
    chp_share: float = 0.3
    # Months off line: no hours, nothing burnt, station power drawn from the grid.
    idle_share: float = 0.0


QUIET = Noise(
    ncv=0.01, carbon=0.004, heat_rate=0.008, own_use=0.03, cems=0.01, purchase=0.02, monitor=0.006
)
TYPICAL = Noise()
NOISY = Noise(
    ncv=0.03,
    carbon=0.009,
    heat_rate=0.02,
    own_use=0.06,
    load=0.08,
    cems=0.03,
    cems_bias=0.02,
    grid=0.004,
    purchase=0.06,
    monitor=0.02,
    part_month_share=0.12,
    idle_share=0.03,
)
VARIANTS: dict[str, Noise] = {"quiet": QUIET, "typical": TYPICAL, "noisy": NOISY}


def periods(months: int, start_year: int = 2022) -> list[str]:
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(months)]


def unit_ids(n_units: int) -> list[str]:
    return [f"U{i:03d}" for i in range(n_units)]


def _iso(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").astype("string")


def _units(n_units: int, rng: np.random.Generator, noise: Noise) -> pd.DataFrame:
    kind = np.arange(n_units) % len(CLASSES)
    air = rng.random(n_units) < 0.3
    heat_rate = np.array([CLASSES[k][2] for k in kind]) * (1 + 0.02 * air)
    own_use = np.array([CLASSES[k][3] for k in kind]) * (1 + 0.15 * air)
    return pd.DataFrame(
        {
            "unit_id": unit_ids(n_units),
            "enterprise_id": [f"E{i // 2:03d}" for i in range(n_units)],
            "unit_class": [CLASSES[k][0] for k in kind],
            "capacity_mw": [CLASSES[k][1] for k in kind],
            "cooling": np.where(air, "air", "water"),
            "commissioned_year": rng.integers(1995, 2020, n_units),
            "region_code": [f"{11 + i % 3}0{i % 6 + 1}00" for i in range(n_units)],
            "province_code": [f"{11 + i % 3}0000" for i in range(n_units)],
            "group_id": [f"G{i % 5}" for i in range(n_units)],
            "lab_id": [f"L{i % LABS}" for i in range(n_units)],
            "verifier_id": [f"V{(i * 7) % VERIFIERS}" for i in range(n_units)],
            "u_heat_rate": heat_rate * rng.normal(1, 0.02, n_units),
            "u_own_use": own_use * rng.normal(1, 0.08, n_units),
            "u_load": rng.uniform(0.6, 0.8, n_units),
            "u_rank": rng.uniform(17.0, 25.0, n_units),
            "u_carbon": rng.normal(1, 0.01, n_units),
            "u_cems": rng.normal(1, noise.cems_bias, n_units),
            "u_chp": np.where(rng.random(n_units) < noise.chp_share, rng.uniform(0.08, 0.2), 0.0),
            "u_measured_oxidation": rng.random(n_units) < 0.5,
        }
    )


def recompute(frame: pd.DataFrame, rows: pd.Series | np.ndarray | None = None) -> pd.DataFrame:
    """Recompute the derived columns of `rows` (all rows if None) in place from the inputs."""
    at = np.ones(len(frame), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    inputs = {name: frame.loc[at, name].to_numpy(dtype=float) for name in FORMULA_INPUTS}
    derived = propagate(
        inputs,
        frame.loc[at, "capacity_mw"].to_numpy(dtype=float),
        frame.loc[at, "hours_in_month"].to_numpy(dtype=float),
    )
    for name, values in derived.items():
        frame.loc[at, name] = np.asarray(values, dtype=float)
    return frame


def fleet(
    n_units: int = 60, months: int = 24, seed: int = 0, noise: Noise = TYPICAL
) -> pd.DataFrame:
    """An honest fleet: every relation of the domain holds up to `noise`."""
    rng = np.random.default_rng(seed)
    units = _units(n_units, rng, noise)
    f = units.merge(pd.DataFrame({"period": periods(months)}), how="cross")
    n = len(f)
    start = pd.to_datetime(f["period"] + "-01")
    month_end = start + pd.offsets.MonthEnd(0)
    month = start.dt.month.to_numpy()
    winter = np.cos(2 * np.pi * (month - 1) / 12)
    f["revision"] = 1
    f["hours_in_month"] = start.dt.days_in_month.to_numpy(dtype=float) * 24
    part = rng.random(n) < noise.part_month_share
    share = np.where(part, rng.uniform(0.2, 0.6, n), rng.uniform(0.85, 1.0, n))
    f["operating_hours"] = (f["hours_in_month"] * share).round(1)
    load = f["u_load"] * (1 + 0.08 * winter) * rng.normal(1, noise.load, n)
    load = np.clip(load, 0.35, 0.95)
    f["power_generation_mwh"] = (f["capacity_mw"] * f["operating_hours"] * load).round(1)
    own_use = f["u_own_use"] * rng.normal(1, noise.own_use, n)
    f["power_supply_mwh"] = (f["power_generation_mwh"] * (1 - own_use)).round(1)
    # Start-up fuel makes short runs dearer; the heat rate rises as the load falls.
    heat_rate = (
        f["u_heat_rate"]
        * (load / 0.75) ** HEAT_RATE_LOAD_SLOPE
        * (1 + 0.03 * (1 - share))
        * rng.normal(1, noise.heat_rate, n)
    )
    power_heat = f["power_generation_mwh"] * heat_rate
    heat_share = f["u_chp"] * (1 + 0.5 * winter)
    fuel_heat = power_heat / (1 - heat_share)
    f["heat_supply_gj"] = (heat_share * fuel_heat * BOILER_EFFICIENCY).round(0)
    f["coal_ncv_gj_t"] = (f["u_rank"] * rng.normal(1, noise.ncv, n)).round(2)
    per_heat = (
        CARBON_PER_HEAT
        * (f["coal_ncv_gj_t"] / 21.0) ** CARBON_RANK_SLOPE
        * f["u_carbon"]
        * rng.normal(1, noise.carbon, n)
    )
    f["coal_carbon_pct"] = (100 * per_heat * f["coal_ncv_gj_t"]).round(2)
    f["coal_consumption_t"] = (fuel_heat / f["coal_ncv_gj_t"]).round(1)
    measured = np.clip(rng.normal(0.982, 0.004, n), 0.96, 1.0).round(3)
    f["oxidation_rate"] = np.where(f["u_measured_oxidation"], measured, 0.99)
    f["purchased_electricity_mwh"] = rng.uniform(50.0, 400.0, n).round(1)
    recompute(f)
    f["reported_co2_t"] = f["total_co2_t"].round(1)
    f["cems_co2_t"] = (f["total_co2_t"] * f["u_cems"] * rng.normal(1, noise.cems, n)).round(1)
    f["grid_sales_mwh"] = (f["power_supply_mwh"] * rng.normal(1, noise.grid, n)).round(1)
    f["coal_purchase_t"] = (f["coal_consumption_t"] * rng.normal(1, noise.purchase, n)).round(1)
    monitor = f["fuel_heat_gj"] / GJ_PER_TCE * rng.normal(1, noise.monitor, n)
    f["energy_monitor_tce"] = monitor.round(1)
    f["report_carbon_pct"] = f["coal_carbon_pct"]
    f["report_ncv_gj_t"] = f["coal_ncv_gj_t"]
    f["carbon_report_id"] = "R-" + f["unit_id"] + "-" + f["period"]
    f["sample_date"] = _iso(start + pd.to_timedelta(rng.integers(3, 25, n), unit="D"))
    f["report_date"] = _iso(month_end + pd.to_timedelta(rng.integers(5, 30, n), unit="D"))
    f["submitted_on"] = _iso(month_end + pd.to_timedelta(rng.integers(32, 45, n), unit="D"))
    idle(f, rng.random(n) < noise.idle_share, rng)
    verifiers = f["verifier_id"].astype("string")
    out = conform_unit_month_frame(f)
    out["verifier_id"] = verifiers.to_numpy()
    # Every enterprise-year has its allocation, as in a fleet of an allowance market.
    year = out["period"].str.slice(0, 4)
    out["allocated_t"] = out.groupby([out["enterprise_id"], year])["reported_co2_t"].transform(
        "sum"
    )
    return out


def idle(frame: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator) -> None:
    """`rows` become months off line: no hours, no generation, no coal burnt and no test
    report; the station draws its own power (a small negative net supply, bought from the
    grid), and the enterprise reports the CO2 of that electricity."""
    if not rows.any():
        return
    station = np.round(frame.loc[rows, "capacity_mw"] * rng.uniform(0.2, 0.6, rows.sum()), 1)
    zero = [
        "operating_hours",
        "power_generation_mwh",
        "coal_consumption_t",
        "heat_supply_gj",
        "cems_co2_t",
        "grid_sales_mwh",
        "coal_purchase_t",
        "energy_monitor_tce",
    ]
    frame.loc[rows, zero] = 0.0
    frame.loc[rows, "power_supply_mwh"] = -station
    frame.loc[rows, "purchased_electricity_mwh"] = station
    frame.loc[
        rows, ["coal_ncv_gj_t", "coal_carbon_pct", "report_carbon_pct", "report_ncv_gj_t"]
    ] = np.nan
    frame.loc[rows, ["carbon_report_id", "sample_date", "report_date"]] = pd.NA
    recompute(frame, rows)
    electricity = frame.loc[rows, "purchased_electricity_mwh"] * FORMULA_CONSTANTS["grid_ef_t_mwh"]
    frame.loc[rows, "reported_co2_t"] = electricity.round(1)


# --- where -----------------------------------------------------------------------------------


def rows_of(frame: pd.DataFrame, unit_id: str, period_list: Iterable[str]) -> np.ndarray:
    wanted = set(period_list)
    return ((frame["unit_id"] == unit_id) & frame["period"].isin(wanted)).to_numpy(dtype=bool)


def steady_unit(frame: pd.DataFrame, months: Iterable[str], avoid: Iterable[str] = ()) -> str:
    """The first unit on line the whole of `months` (at least 85 % of each month) and not CHP,
    so a fault there is read against a plain operating point."""
    wanted = list(months)
    skip = set(avoid)
    rows = frame[frame["period"].isin(wanted)]
    share = rows["operating_hours"] / rows["hours_in_month"]
    ok = (share >= 0.85) & (rows["heat_supply_gj"] == 0)
    good = ok.groupby(rows["unit_id"]).sum()
    for unit in good.index:
        if good[unit] == len(wanted) and unit not in skip:
            return str(unit)
    raise LookupError("no steady unit in those months")


# --- faults ----------------------------------------------------------------------------------


def enterprise_recomputes(frame: pd.DataFrame, rows: np.ndarray) -> None:
    """The enterprise's derived figures and its own CO2 follow its (changed) inputs."""
    recompute(frame, rows)
    frame.loc[rows, "reported_co2_t"] = frame.loc[rows, "total_co2_t"].round(1)


def scale_input(frame: pd.DataFrame, rows: np.ndarray, parameter: str, factor: float) -> None:
    """The enterprise reports `parameter` × `factor` and computes its CO2 from it."""
    frame.loc[rows, parameter] = (frame.loc[rows, parameter] * factor).round(2)
    enterprise_recomputes(frame, rows)


def lower_carbon(
    frame: pd.DataFrame, rows: np.ndarray, factor: float = 0.85, forged_report: bool = True
) -> None:
    """Carbon content written lower; the test report forged to agree (or left honest)."""
    frame.loc[rows, "coal_carbon_pct"] = (frame.loc[rows, "coal_carbon_pct"] * factor).round(2)
    if forged_report:
        frame.loc[rows, "report_carbon_pct"] = frame.loc[rows, "coal_carbon_pct"]
    enterprise_recomputes(frame, rows)


def mistype_co2(frame: pd.DataFrame, rows: np.ndarray, factor: float = 0.9) -> None:
    """An arithmetic error: the reported CO2 is not what the enterprise's inputs give."""
    frame.loc[rows, "reported_co2_t"] = (frame.loc[rows, "total_co2_t"] * factor).round(1)


def drift_cems(frame: pd.DataFrame, unit_id: str, start: str, per_month: float = 0.02) -> list[str]:
    """The unit's CEMS analyser drifts upwards by `per_month` a month from `start` on; every
    figure of the enterprise stays honest. Returns the drifting months."""
    drifting = sorted(frame.loc[frame["unit_id"] == unit_id, "period"])
    drifting = [p for p in drifting if p >= start]
    for step, period in enumerate(drifting, start=1):
        at = rows_of(frame, unit_id, [period])
        frame.loc[at, "cems_co2_t"] = (frame.loc[at, "cems_co2_t"] * (1 + per_month * step)).round(
            1
        )
    return drifting


def freeze(frame: pd.DataFrame, unit_id: str, parameter: str, months: list[str]) -> None:
    """The month before `months` copied into each of them."""
    unit = frame[frame["unit_id"] == unit_id].sort_values("period")
    before = unit[unit["period"] < months[0]].iloc[-1]
    at = rows_of(frame, unit_id, months)
    frame.loc[at, parameter] = before[parameter]
    enterprise_recomputes(frame, at)


def with_noise(noise: Noise, **changes: float) -> Noise:
    return replace(noise, **changes)
