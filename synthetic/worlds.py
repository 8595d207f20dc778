"""Worlds: the conventions and noise levels of a fleet, as one frozen set of parameters.

Every simulation step (fleet, operation calendar, fuel, physics, reports, external sources)
reads its parameters from a `World`, so the product can be judged on fleets whose conventions
it was not built against. `baseline` is the generator as it always was (same seed, same bytes);
the other named worlds each change one character of the fleet; `random:SEED` draws every
parameter uniformly within its realistic range, each from its own random stream. A profile file
(TOML or JSON) starts from a named world (`base`, default `baseline`) and overrides parameters.

Each parameter carries its realistic range and a one-line source or reason. Baseline keeps the
legacy generator's values, of which one (no part-month operation) sits below the
realistic range; every other named world lies inside the ranges.
"""

import json
import math
import tomllib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Realistic:
    low: float
    high: float
    source: str
    # False: a convention of one data system only, never drawn by random worlds.
    drawn: bool = True


def _param(default: float, low: float, high: float, source: str, drawn: bool = True) -> Any:
    return field(default=default, metadata={"realistic": Realistic(low, high, source, drawn)})


@dataclass(frozen=True)
class World:
    name: str = "baseline"

    # Lab test reports (reports.py).
    report_delay_min_days: int = _param(
        3, -10, 20, "days from month end to report; some labs report mid-month samples early"
    )
    report_delay_max_days: int = _param(
        40, 25, 70, "MEE guideline: within 40 days of month end; late labs go well past it"
    )
    sample_start_day: int = _param(0, 0, 10, "first day of the month a coal sample is taken")
    sample_days_past_end: int = _param(
        0, -15, 7, "last sample day vs month end: < 0 mid-month samples, > 0 composite after"
    )

    # Operation calendar (operation.py) and part-month physics (physics.py).
    part_month_share: float = _param(
        0.0, 0.02, 0.15, "on-line months with maintenance/cycling: US CEMS coal boilers 2008-2012"
    )
    startup_share: float = _param(
        0.0, 0.0, 0.5, "outage ends fired a few hours before the month closes (US CEMS data)"
    )
    overhaul_share: float = _param(
        0.33, 0.2, 0.5, "DL/T 838: C-class overhaul yearly, A/B-class every 3-6 years"
    )
    overhaul_one_month_share: float = _param(
        0.7, 0.5, 0.9, "C-class overhauls take 2-4 weeks, A/B-class 6-10 weeks"
    )
    reserve_share: float = _param(
        0.01, 0.0, 0.06, "units held in reserve or laid up for 3-6 months (low load years)"
    )
    idle_negative_supply_share: float = _param(
        0.0, 0.0, 1.0, "EIA-923 idle months: small negative net generation (station service)"
    )
    seasonal_peaker_share: float = _param(
        0.0, 0.0, 0.08, "units run only in the summer peak (June-September), as in US data"
    )
    annual_respondent_share: float = _param(
        0.0,
        0.0,
        0.05,
        "EIA annual respondents: annual net spread evenly over months; US only",
        drawn=False,
    )

    # CEMS and other external sources (fleet.py, external.py).
    cems_coverage: float = _param(
        0.98, 0.3, 1.0, "share of units with a CEMS CO2 feed (flow + CO2 analysers)"
    )
    cems_bias_sd: float = _param(0.012, 0.01, 0.05, "per-unit CEMS bias: ±1-5 % (HJ 75 RATA)")
    cems_noise_sd: float = _param(0.012, 0.01, 0.05, "monthly CEMS noise vs calculation: 1-5 %")
    coal_purchase_noise_sd: float = _param(
        0.03, 0.02, 0.08, "deliveries vs burn: stock changes, moisture, weighbridge"
    )
    grid_meter_noise_sd: float = _param(0.002, 0.001, 0.01, "revenue meters class 0.2S-0.5S")
    energy_monitor_noise_sd: float = _param(
        0.01, 0.005, 0.03, "energy online monitoring vs fuel heat: 0.5-3 %"
    )
    cems_missing_share: float = _param(0.015, 0.0, 0.08, "CEMS months lost to analyser downtime")
    grid_missing_share: float = _param(0.005, 0.0, 0.05, "grid meter months not transmitted")
    purchase_missing_share: float = _param(0.02, 0.0, 0.08, "coal trade records not matched")
    monitor_missing_share: float = _param(0.03, 0.0, 0.1, "energy monitoring months not online")

    # Coal and combustion (fleet.py, fuel.py, physics.py).
    measured_oxidation_share: float = _param(
        0.2, 0.0, 1.0, "units measuring oxidation from slag and fly-ash carbon vs default 0.99"
    )
    oxidation_min: float = _param(0.975, 0.96, 0.98, "measured oxidation rates of PC/CFB boilers")
    oxidation_max: float = _param(0.995, 0.99, 0.995, "measured oxidation rates of PC boilers")
    oxidation_monthly_sd: float = _param(
        0.0, 0.0, 0.005, "month-to-month spread of a measured oxidation rate"
    )
    ncv_monthly_sd: float = _param(0.03, 0.01, 0.05, "monthly as-received NCV of one plant's coal")
    ncv_plant_spread_sd: float = _param(
        0.0, 0.0, 0.08, "extra spread of plant mean NCV beyond the rank ranges (blends, washing)"
    )
    carbon_noise_sd: float = _param(
        0.006, 0.003, 0.012, "carbon vs NCV within a coal type: r ≈ 0.95-0.99 (IPCC band)"
    )
    ncv_shift_share: float = _param(
        0.0, 0.0, 0.3, "plants changing coal supplier mid-series: NCV and carbon move together"
    )
    ncv_drift_share: float = _param(
        0.0, 0.0, 0.3, "plants whose coal NCV drifts 2-6 % a year (mine seam, blend)"
    )
    fuel_switch_share: float = _param(
        0.0, 0.0, 0.1, "plants switching coal rank (e.g. bituminous to lignite) mid-series"
    )
    no_report_share: float = _param(
        0.0, 0.0, 0.15, "units without carbon tests: default 0.03085 tC/GJ × NCV (legitimate)"
    )

    # Heat supply (fleet.py, physics.py).
    chp_plant_share: float = _param(
        0.3, 0.1, 0.6, "plants supplying heat (热电): 30-60 % by region"
    )
    winter_heat_min: float = _param(0.15, 0.1, 0.25, "heat share of fuel in the heating season")
    winter_heat_max: float = _param(0.4, 0.3, 0.5, "heat share of fuel in the heating season")
    summer_heat_ratio_min: float = _param(
        0.1, 0.02, 0.15, "summer heat vs winter heat (process steam only)"
    )
    summer_heat_ratio_max: float = _param(
        0.4, 0.2, 0.6, "summer heat vs winter heat (process steam only)"
    )
    heat_share_noise_sd: float = _param(0.1, 0.05, 0.2, "monthly relative noise of heat share")

    # Unit physics (physics.py).
    heat_rate_noise_sd: float = _param(0.008, 0.005, 0.03, "monthly heat-rate noise: 0.5-3 %")
    own_use_noise_sd: float = _param(
        0.002, 0.001, 0.006, "monthly own-use noise (auxiliaries, in points of generation)"
    )

    def __post_init__(self) -> None:
        problems = []
        for spec in parameter_fields():
            value = getattr(self, spec.name)
            if not math.isfinite(value):
                problems.append(f"{spec.name} must be a finite number")
            if spec.name.endswith("_share") or spec.name == "cems_coverage":
                if not 0 <= value <= 1:
                    problems.append(f"{spec.name} must be within [0, 1]")
            elif value < 0 and not spec.name.startswith(("report_delay", "sample_days")):
                problems.append(f"{spec.name} must not be negative")
        pairs = (
            ("report_delay_min_days", "report_delay_max_days"),
            ("oxidation_min", "oxidation_max"),
            ("winter_heat_min", "winter_heat_max"),
            ("summer_heat_ratio_min", "summer_heat_ratio_max"),
        )
        for low, high in pairs:
            if getattr(self, low) > getattr(self, high):
                problems.append(f"{low} must not exceed {high}")
        # The shortest month (28 days) must leave at least one sample day.
        if self.sample_start_day > 27 + self.sample_days_past_end:
            problems.append("the sample window is empty in February")
        if not 0 < self.oxidation_max <= 1:
            problems.append("oxidation_max must be within (0, 1]")
        if problems:
            raise ValueError(f"world {self.name!r}: " + "; ".join(problems))

    def parameters(self) -> dict[str, float]:
        return {spec.name: getattr(self, spec.name) for spec in parameter_fields()}


def parameter_fields() -> tuple[Any, ...]:
    """The World's parameters (every field but the name), in declaration order."""
    return tuple(f for f in fields(World) if "realistic" in f.metadata)


def realistic(name: str) -> Realistic:
    spec: Realistic = next(f for f in parameter_fields() if f.name == name).metadata["realistic"]
    return spec


BASELINE = World()

NAMED_WORLDS: dict[str, World] = {
    "baseline": BASELINE,
    # Labs sample late in the month or after it, and issue reports 20-70 days after month end.
    "late_labs": replace(
        BASELINE,
        name="late_labs",
        report_delay_min_days=20,
        report_delay_max_days=70,
        sample_start_day=10,
        sample_days_past_end=5,
        part_month_share=0.03,
    ),
    # Much maintenance and cycling: 15 % part months, start-ups after most outages.
    "part_month": replace(
        BASELINE,
        name="part_month",
        part_month_share=0.15,
        startup_share=0.4,
        overhaul_share=0.45,
        overhaul_one_month_share=0.6,
        reserve_share=0.03,
        heat_rate_noise_sd=0.012,
    ),
    # A third of units monitored, with poorer analysers.
    "sparse_cems": replace(
        BASELINE,
        name="sparse_cems",
        cems_coverage=0.3,
        cems_bias_sd=0.04,
        cems_noise_sd=0.04,
        cems_missing_share=0.05,
        part_month_share=0.04,
    ),
    # Noisy coal deliveries, measured monthly oxidation, NCV drift, supplier changes, fuel
    # switches and some units on the default carbon factor.
    "noisy_fuel": replace(
        BASELINE,
        name="noisy_fuel",
        coal_purchase_noise_sd=0.08,
        purchase_missing_share=0.05,
        measured_oxidation_share=1.0,
        oxidation_min=0.96,
        oxidation_max=0.995,
        oxidation_monthly_sd=0.004,
        ncv_monthly_sd=0.045,
        ncv_plant_spread_sd=0.06,
        carbon_noise_sd=0.01,
        ncv_shift_share=0.25,
        ncv_drift_share=0.2,
        fuel_switch_share=0.08,
        no_report_share=0.1,
        energy_monitor_noise_sd=0.025,
        part_month_share=0.04,
    ),
    # Many heat-supplying units with a strong heating season; labs sample mid-month and may
    # report before the month ends.
    "chp_heavy": replace(
        BASELINE,
        name="chp_heavy",
        chp_plant_share=0.6,
        winter_heat_min=0.25,
        winter_heat_max=0.5,
        summer_heat_ratio_min=0.02,
        summer_heat_ratio_max=0.25,
        heat_share_noise_sd=0.15,
        report_delay_min_days=-10,
        report_delay_max_days=25,
        sample_days_past_end=-15,
        part_month_share=0.05,
    ),
    # What US EPA CEMS + EIA-923 data look like: idle months with negative net supply,
    # start-ups, seasonal peakers, lay-ups, annual respondents, every unit on CEMS.
    "us_like": replace(
        BASELINE,
        name="us_like",
        idle_negative_supply_share=0.95,
        startup_share=0.5,
        seasonal_peaker_share=0.06,
        annual_respondent_share=0.04,
        part_month_share=0.1,
        overhaul_share=0.4,
        reserve_share=0.05,
        cems_coverage=1.0,
        cems_noise_sd=0.02,
        measured_oxidation_share=0.0,
        grid_meter_noise_sd=0.005,
        monitor_missing_share=0.05,
        heat_rate_noise_sd=0.02,
        own_use_noise_sd=0.004,
    ),
}

RANDOM_PREFIX = "random:"


def random_world(seed: int) -> World:
    """Every drawn parameter uniform within its realistic range, each from its own stream
    (keyed by the seed and the parameter's name, so adding a parameter moves no other)."""
    import numpy as np  # here, not at the top: `mrvtrace --help` reads this module's names

    values: dict[str, float] = {}
    for spec in parameter_fields():
        real: Realistic = spec.metadata["realistic"]
        if not real.drawn:
            continue
        rng = np.random.default_rng([seed, zlib.crc32(spec.name.encode())])
        value = rng.uniform(real.low, real.high)
        values[spec.name] = round(value) if spec.type is int else round(value, 4)
    return replace(BASELINE, name=f"{RANDOM_PREFIX}{seed}", **values)


def resolve_world(name: str) -> World:
    """A named world, or `random:SEED`."""
    if name.startswith(RANDOM_PREFIX):
        seed_text = name.removeprefix(RANDOM_PREFIX)
        if not seed_text.isdigit():
            raise ValueError(f"random world needs a non-negative integer seed, got {name!r}")
        return random_world(int(seed_text))
    if name not in NAMED_WORLDS:
        raise ValueError(
            f"unknown world {name!r}; choose one of {', '.join(NAMED_WORLDS)} or random:SEED"
        )
    return NAMED_WORLDS[name]


def world_from_file(path: Path) -> World:
    """A profile: TOML (`.toml`) or JSON; `base` names the world it starts from, `name` its
    own name (default: the file's stem), every other key a World parameter."""
    text = path.read_text(encoding="utf-8")
    profile: dict[str, Any] = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    return world_from_mapping(profile, default_name=path.stem)


def world_from_mapping(profile: Mapping[str, Any], default_name: str) -> World:
    overrides = dict(profile)
    base = resolve_world(str(overrides.pop("base", "baseline")))
    name = str(overrides.pop("name", default_name))
    known = {f.name: f for f in parameter_fields()}
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ValueError(f"unknown world parameters: {', '.join(unknown)}")
    typed = {
        key: _typed(key, value, int if known[key].type is int else float)
        for key, value in overrides.items()
    }
    return replace(base, name=name, **typed)


def _typed(key: str, value: Any, kind: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number, got {value!r}")
    if kind is int and value != int(value):
        raise ValueError(f"{key} must be a whole number of days, got {value!r}")
    return kind(value)
