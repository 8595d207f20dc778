"""Worlds of the generator: every world is valid contract data with exact faults and a clean
twin, random worlds are reproducible, and each named world shows its own character."""

import json
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from app.presentation.cli.main import app
from loaders.validation import validate_dataset
from synthetic.dataset import generate_dataset
from synthetic.physics import DEFAULT_CARBON_PER_HEAT
from synthetic.worlds import (
    BASELINE,
    NAMED_WORLDS,
    World,
    parameter_fields,
    realistic,
    resolve_world,
    world_from_file,
)

KEY = ["unit_id", "period"]
ENTERPRISES = 60
MONTHS = 12
SEED = 3
WORLDS = [*NAMED_WORLDS, "random:1"]
NUMBERS = [
    "coal_consumption_t",
    "coal_ncv_gj_t",
    "coal_carbon_pct",
    "oxidation_rate",
    "power_generation_mwh",
    "power_supply_mwh",
    "heat_supply_gj",
    "operating_hours",
]


def _generate(out: Path, world: str, fault_rate: float = 0.03, seed: int = SEED) -> Path:
    generate_dataset(
        out,
        seed=seed,
        months=MONTHS,
        fault_rate=fault_rate,
        world=resolve_world(world),
        enterprises=ENTERPRISES,
    )
    return out


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """(faulty, clean twin) folders of every world."""
    root = tmp_path_factory.mktemp("worlds")
    return {
        world: (
            _generate(root / f"{world}-faulty".replace(":", "-"), world),
            _generate(root / f"{world}-clean".replace(":", "-"), world, fault_rate=0.0),
        )
        for world in WORLDS
    }


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def _current(folder: Path) -> pd.DataFrame:
    """unit_month at its current revision, keyed by unit and period."""
    frame = _read(folder, "unit_month")
    latest = frame.sort_values("revision").drop_duplicates(KEY, keep="last")
    return latest.set_index(KEY).sort_index()


def _numbers(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame[columns].replace("", np.nan).apply(pd.to_numeric)


def _unit_months(folder: Path) -> pd.DataFrame:
    """Current unit-months with numbers, the month's hours and the carbon report id."""
    current = _current(folder)
    frame = _numbers(current, NUMBERS)
    frame["month_hours"] = (
        pd.PeriodIndex(frame.index.get_level_values("period"), freq="M").days_in_month * 24
    )
    frame["carbon_report_id"] = current["carbon_report_id"]
    return frame


def _fault_months(faults: pd.DataFrame) -> pd.DataFrame:
    rows = [
        (f.fault_id, f.unit_id, str(p), f.root_parameter, f.fault_type)
        for f in faults.itertuples(index=False)
        for p in pd.period_range(f.first_period, f.last_period, freq="M")
    ]
    return pd.DataFrame(rows, columns=["fault_id", *KEY, "root_parameter", "fault_type"])


@pytest.mark.parametrize("world", WORLDS)
def test_every_world_is_valid_contract_data(
    world: str, datasets: dict[str, tuple[Path, Path]]
) -> None:
    for folder in datasets[world]:
        result = validate_dataset(folder)
        assert result.rejects.empty, result.rejects.head()
        assert len(result.tables["unit_month"]) > 1000


@pytest.mark.parametrize("world", WORLDS)
def test_clean_twin_differs_only_in_the_faulted_unit_months(
    world: str, datasets: dict[str, tuple[Path, Path]]
) -> None:
    faulty, clean = datasets[world]
    faulted = pd.MultiIndex.from_frame(_fault_months(_read(faulty, "faults"))[KEY])
    assert len(faulted) > 0
    assert _read(clean, "faults").empty
    for name in ("unit_month", "external_month", "test_reports"):
        if name == "unit_month":
            a, b = _current(faulty), _current(clean)
        else:
            a = _read(faulty, name).set_index(KEY).sort_index()
            b = _read(clean, name).set_index(KEY).sort_index()
        assert a.index.equals(b.index), name
        outside = ~a.index.isin(faulted)
        pd.testing.assert_frame_equal(a[outside], b[outside])
    for name in ("units", "enterprises", "labs", "verifiers", "groups", "regions"):
        assert (faulty / f"{name}.csv").read_bytes() == (clean / f"{name}.csv").read_bytes()


@pytest.mark.parametrize("world", WORLDS)
def test_every_faulted_unit_month_changes_its_root_parameter(
    world: str, datasets: dict[str, tuple[Path, Path]]
) -> None:
    """Exact ground truth: no fault is invisible in the data (e.g. a drifting CEMS analyser on
    a unit without CEMS, or in a month whose CEMS cell is empty)."""
    faulty, clean = datasets[world]
    months = _fault_months(_read(faulty, "faults"))
    tables = {
        "unit_month": (_current(faulty), _current(clean)),
        "external_month": tuple(
            _read(f, "external_month").set_index(KEY).sort_index() for f in (faulty, clean)
        ),
    }
    for parameter, group in months.groupby("root_parameter"):
        table = "external_month" if parameter == "cems_co2_t" else "unit_month"
        index = pd.MultiIndex.from_frame(group[KEY])
        got, true = (t.loc[index, parameter].replace("", np.nan) for t in tables[table])
        assert got.notna().all(), (parameter, group[got.isna().to_numpy()].head())
        changed = pd.to_numeric(got).to_numpy() != pd.to_numeric(true).to_numpy()
        # A frozen value may equal the truth only by chance (a value rounded alike).
        frozen = group["fault_type"].to_numpy() == "frozen_series"
        assert changed[~frozen].all(), (parameter, group[~changed & ~frozen].head())
        if frozen.any():
            assert changed[frozen].mean() > 0.9, parameter


def test_drifting_cems_faults_land_where_cems_reports(tmp_path: Path) -> None:
    world = replace(BASELINE, name="gappy", cems_coverage=0.3, cems_missing_share=0.5)
    generate_dataset(tmp_path, seed=SEED, months=MONTHS, fault_rate=0.1, world=world)
    months = _fault_months(_read(tmp_path, "faults"))
    drift = months[months["fault_type"] == "cems_drift"]
    assert len(drift) >= 10
    external = _read(tmp_path, "external_month").set_index(KEY).sort_index()
    assert (external.loc[pd.MultiIndex.from_frame(drift[KEY]), "cems_co2_t"] != "").all()


def test_random_worlds_are_reproducible_and_differ_by_seed(tmp_path: Path) -> None:
    assert resolve_world("random:7") == resolve_world("random:7")
    one, two = resolve_world("random:7"), resolve_world("random:8")
    differing = [k for k, v in one.parameters().items() if two.parameters()[k] != v]
    assert len(differing) > 0.8 * len(one.parameters())
    a = _generate(tmp_path / "a", "random:7", seed=1)
    b = _generate(tmp_path / "b", "random:7", seed=1)
    c = _generate(tmp_path / "c", "random:8", seed=1)
    for name in ("unit_month", "external_month", "test_reports", "faults"):
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes(), name
    assert (a / "unit_month.csv").read_bytes() != (c / "unit_month.csv").read_bytes()


@pytest.mark.parametrize("world", [*[w for w in NAMED_WORLDS if w != "baseline"], "random:5"])
def test_worlds_lie_within_the_realistic_ranges(world: str) -> None:
    for name, value in resolve_world(world).parameters().items():
        spec = realistic(name)
        assert spec.low <= value <= spec.high, (world, name, value)
        assert spec.source


def test_every_parameter_has_a_range_and_a_source() -> None:
    assert {f.name for f in fields(World)} == {"name", *(f.name for f in parameter_fields())}
    for spec in parameter_fields():
        real = spec.metadata["realistic"]
        assert real.low <= real.high and len(real.source) > 10, spec.name


def test_annual_respondents_are_never_drawn_at_random() -> None:
    assert all(resolve_world(f"random:{s}").annual_respondent_share == 0 for s in range(20))


def test_late_labs_report_after_forty_days_on_samples_past_the_month(
    datasets: dict[str, tuple[Path, Path]],
) -> None:
    reports = _read(datasets["late_labs"][1], "test_reports")
    month_end = pd.PeriodIndex(reports["period"], freq="M").end_time.normalize()
    delay = (pd.to_datetime(reports["report_date"]) - month_end).dt.days
    sampled = (pd.to_datetime(reports["sample_date"]) - month_end).dt.days
    assert (delay > 40).mean() > 0.4
    assert (sampled > 0).mean() > 0.1
    assert (pd.to_datetime(reports["sample_date"]) < pd.to_datetime(reports["report_date"])).all()


def test_chp_heavy_supplies_much_heat_with_a_strong_heating_season(
    datasets: dict[str, tuple[Path, Path]],
) -> None:
    def heat(world: str) -> tuple[float, float]:
        um = _unit_months(datasets[world][1])
        month = pd.PeriodIndex(um.index.get_level_values("period"), freq="M").month
        by_unit = um.groupby(level="unit_id")["heat_supply_gj"]
        winter = um[np.isin(month, [12, 1, 2])].groupby(level="unit_id")["heat_supply_gj"].mean()
        summer = um[np.isin(month, [6, 7, 8])].groupby(level="unit_id")["heat_supply_gj"].mean()
        ratio = (winter / summer)[summer > 0]
        return float((by_unit.max() > 0).mean()), float(ratio.median())

    chp_share, chp_season = heat("chp_heavy")
    base_share, base_season = heat("baseline")
    assert chp_share >= 0.5 > base_share
    assert chp_season > 1.5 * base_season

    reports = _read(datasets["chp_heavy"][1], "test_reports")
    month_end = pd.PeriodIndex(reports["period"], freq="M").end_time.normalize()
    early = pd.to_datetime(reports["report_date"]) < month_end
    assert early.mean() > 0.1
    assert (pd.to_datetime(reports["sample_date"]) < pd.to_datetime(reports["report_date"])).all()


def test_part_month_has_consistent_part_months(datasets: dict[str, tuple[Path, Path]]) -> None:
    um = _unit_months(datasets["part_month"][1])
    on = um[um["operating_hours"] > 0]
    part = on["operating_hours"] < 0.7 * on["month_hours"]
    assert part.mean() >= 0.10
    # Everything scales with the hours: load and heat rate stay near the unit's own level.
    rate = on["coal_consumption_t"] * on["coal_ncv_gj_t"] / on["power_generation_mwh"]
    load = on["power_generation_mwh"] / on["operating_hours"]
    units = on.index.get_level_values("unit_id")
    worked = part & (on["operating_hours"] > 60)
    for series in (rate, load):
        own = series[~part].groupby(level="unit_id").median().reindex(units).to_numpy()
        assert (series / own)[worked].between(0.7, 1.4).mean() > 0.95


def test_sparse_cems_monitors_at_most_forty_percent_of_units(
    datasets: dict[str, tuple[Path, Path]],
) -> None:
    external = _read(datasets["sparse_cems"][1], "external_month")
    covered = (external["cems_co2_t"] != "").groupby(external["unit_id"]).any()
    assert covered.mean() <= 0.4
    baseline = _read(datasets["baseline"][1], "external_month")
    assert (baseline["cems_co2_t"] != "").groupby(baseline["unit_id"]).any().mean() > 0.9


def test_noisy_fuel_varies_coal_oxidation_and_carbon_defaults_consistently(
    datasets: dict[str, tuple[Path, Path]],
) -> None:
    folder = datasets["noisy_fuel"][1]
    um = _unit_months(folder)
    on = um[um["operating_hours"] > 0]
    external = _read(folder, "external_month").set_index(KEY).sort_index()
    purchase = _numbers(external, ["coal_purchase_t"])["coal_purchase_t"]
    ratio = (purchase.reindex(on.index) / on["coal_consumption_t"]).dropna()
    assert ratio.std() > 0.06
    assert (on.groupby(level="unit_id")["oxidation_rate"].nunique() > 1).mean() > 0.9
    assert on["oxidation_rate"].between(0.96, 0.995).all()

    carbon_per_heat = on["coal_carbon_pct"] / 100 / on["coal_ncv_gj_t"]
    defaulted = on["carbon_report_id"] == ""
    assert 0.03 < defaulted.mean() < 0.2
    assert np.allclose(carbon_per_heat[defaulted], DEFAULT_CARBON_PER_HEAT, rtol=2e-3)
    # Coal supply changes move NCV a lot, yet carbon per heat stays physical.
    assert carbon_per_heat[~defaulted].between(0.025, 0.0285).all()
    ncv = on["coal_ncv_gj_t"].groupby(level="unit_id")
    assert (ncv.max() / ncv.min()).quantile(0.9) > 1.25


def test_us_like_has_negative_idle_supply_start_ups_and_annual_respondents(
    datasets: dict[str, tuple[Path, Path]],
) -> None:
    um = _unit_months(datasets["us_like"][1])
    idle = um[um["operating_hours"] == 0]
    assert (idle["power_generation_mwh"] == 0).all()
    assert (idle["power_supply_mwh"] < 0).mean() > 0.8

    on = um[um["operating_hours"] > 0]
    rate = on["coal_consumption_t"] * on["coal_ncv_gj_t"] / on["power_generation_mwh"]
    own_rate = rate.groupby(level="unit_id").transform("median")
    start_ups = (on["operating_hours"] <= 60) & (rate > 1.3 * own_rate)
    assert start_ups.sum() >= 10

    net = um["power_supply_mwh"].groupby(level="unit_id")
    gross = um["power_generation_mwh"].groupby(level="unit_id")
    flat = (net.nunique() == 1) & (gross.nunique() > 1)
    assert flat.sum() >= 2
    baseline = _unit_months(datasets["baseline"][1])
    assert (baseline.loc[baseline["operating_hours"] == 0, "power_supply_mwh"] == 0).all()


def test_a_world_file_overrides_its_base_and_rejects_unknown_keys(tmp_path: Path) -> None:
    toml = tmp_path / "mine.toml"
    toml.write_text('base = "late_labs"\ncems_coverage = 0.5\n', encoding="utf-8")
    world = world_from_file(toml)
    assert world.name == "mine"
    assert world.cems_coverage == 0.5
    assert world.report_delay_max_days == NAMED_WORLDS["late_labs"].report_delay_max_days

    profile = tmp_path / "bad.json"
    profile.write_text(json.dumps({"cems_coverag": 0.5}), encoding="utf-8")
    with pytest.raises(ValueError, match="cems_coverag"):
        world_from_file(profile)
    profile.write_text(json.dumps({"part_month_share": 1.5}), encoding="utf-8")
    with pytest.raises(ValueError, match="part_month_share"):
        world_from_file(profile)
    profile.write_text(json.dumps({"report_delay_max_days": 30.5}), encoding="utf-8")
    with pytest.raises(ValueError, match="whole number"):
        world_from_file(profile)


def test_cli_generates_a_named_world_with_its_own_fleet_size(tmp_path: Path) -> None:
    out = tmp_path / "sparse"
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--out",
            str(out),
            "--world",
            "sparse_cems",
            "--enterprises",
            "12",
            "--months",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "world sparse_cems" in result.output
    assert len(_read(out, "enterprises")) == 12
    bad = CliRunner().invoke(app, ["generate", "--out", str(out), "--world", "nowhere"])
    assert bad.exit_code != 0
    assert "unknown world" in bad.output
