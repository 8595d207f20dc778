"""The synthetic generator: determinism, physics of the clean data, exact fault ground truth."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from app.presentation.cli.main import app
from graph_schema.parameters import FORMULA_CONSTANTS
from loaders.contract import FAULT_TYPES
from loaders.validation import validate_dataset
from synthetic.credit_codes import is_valid_credit_code
from synthetic.dataset import generate_dataset

SEED = 0
KEY = ["unit_id", "period"]


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def _numeric(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.assign(**{c: pd.to_numeric(frame[c].replace("", np.nan)) for c in columns})


def _current(unit_month: pd.DataFrame) -> pd.DataFrame:
    revision = unit_month["revision"].astype(int)
    latest = revision == revision.groupby([unit_month[k] for k in KEY]).transform("max")
    return unit_month[latest].set_index(KEY).sort_index()


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("faulty")
    generate_dataset(out, scale="small", seed=SEED)
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate_dataset(out, scale="small", seed=SEED, fault_rate=0.0)
    return out


def test_same_seed_writes_the_same_bytes(faulty: Path, tmp_path: Path) -> None:
    generate_dataset(tmp_path, scale="small", seed=SEED)
    files = sorted(p.name for p in faulty.glob("*.csv"))
    assert files == sorted(p.name for p in tmp_path.glob("*.csv"))
    assert len(files) == 14
    for name in files:
        assert (faulty / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_another_seed_gives_other_data(faulty: Path, tmp_path: Path) -> None:
    generate_dataset(tmp_path, scale="small", seed=SEED + 1, months=2)
    assert (faulty / "units.csv").read_bytes() != (tmp_path / "units.csv").read_bytes()


def test_generated_dataset_validates_without_rejects(faulty: Path, clean: Path) -> None:
    for folder in (faulty, clean):
        result = validate_dataset(folder)
        assert result.rejects.empty, result.rejects.head()
        assert len(result.tables["unit_month"]) > 1000


def test_every_fault_type_is_present_at_the_default_rate(faulty: Path) -> None:
    faults = _read(faulty, "faults")
    assert set(faults["fault_type"]) == set(FAULT_TYPES)
    lab = faults[faults["fault_type"] == "lab_carbon_lowered"]
    assert lab["unit_id"].nunique() >= 10
    assert lab["root_entity"].nunique() in (1, 2)
    labs = _read(faulty, "labs")["lab_id"]
    assert set(lab["root_entity"]) <= set(labs)
    assert (faults.loc[faults["fault_type"] != "lab_carbon_lowered", "root_entity"] == "").all()


def test_a_unit_month_carries_at_most_one_fault(faulty: Path) -> None:
    faults = _read(faulty, "faults")
    months = faults.apply(
        lambda f: (
            pd.period_range(f["first_period"], f["last_period"], freq="M").astype(str).tolist()
        ),
        axis=1,
    )
    pairs = [(u, p) for u, ps in zip(faults["unit_id"], months, strict=True) for p in ps]
    assert len(pairs) == len(set(pairs))


def test_clean_twin_has_no_faults(clean: Path) -> None:
    faults = _read(clean, "faults")
    assert faults.empty
    assert list(faults.columns) == [
        "fault_id",
        "fault_type",
        "unit_id",
        "first_period",
        "last_period",
        "root_parameter",
        "root_entity",
        "magnitude",
    ]


def _faulted_unit_months(faults: pd.DataFrame) -> pd.MultiIndex:
    rows = [
        (unit, str(period))
        for unit, first, last in faults[["unit_id", "first_period", "last_period"]].itertuples(
            index=False
        )
        for period in pd.period_range(first, last, freq="M")
    ]
    return pd.MultiIndex.from_tuples(rows, names=KEY)


def test_clean_twin_equals_faulty_data_outside_faulted_unit_months(
    faulty: Path, clean: Path
) -> None:
    faulted = _faulted_unit_months(_read(faulty, "faults"))
    for name in ("unit_month", "external_month", "test_reports"):
        a, b = _read(faulty, name), _read(clean, name)
        if name == "unit_month":
            a, b = _current(a), _current(b)
        else:
            a, b = a.set_index(KEY).sort_index(), b.set_index(KEY).sort_index()
        assert a.index.equals(b.index)
        outside = ~a.index.isin(faulted)
        pd.testing.assert_frame_equal(a[outside], b[outside])
        assert outside.sum() > 0.9 * len(a)
    for name in ("units", "enterprises", "labs", "regions"):
        assert (faulty / f"{name}.csv").read_bytes() == (clean / f"{name}.csv").read_bytes()


def test_fault_ground_truth_matches_the_changed_values(faulty: Path, clean: Path) -> None:
    faults = _read(faulty, "faults")
    reported = {
        "faulty": _current(_read(faulty, "unit_month")),
        "clean": _current(_read(clean, "unit_month")),
    }
    external = {
        "faulty": _read(faulty, "external_month").set_index(KEY),
        "clean": _read(clean, "external_month").set_index(KEY),
    }
    for fault in faults.itertuples(index=False):
        table = external if fault.root_parameter == "cems_co2_t" else reported
        periods = pd.period_range(fault.first_period, fault.last_period, freq="M").astype(str)
        index = pd.MultiIndex.from_arrays([[fault.unit_id] * len(periods), periods])
        got = pd.to_numeric(table["faulty"].loc[index, fault.root_parameter]).to_numpy()
        true = pd.to_numeric(table["clean"].loc[index, fault.root_parameter]).to_numpy()
        if fault.fault_type == "frozen_series":
            before = str(pd.Period(fault.first_period, freq="M") - 1)
            copied = float(table["faulty"].loc[(fault.unit_id, before), fault.root_parameter])
            assert len(periods) >= 3
            assert (got == copied).all(), fault
            continue
        magnitude = float(fault.magnitude)
        if fault.fault_type == "cems_drift":
            assert abs(got[-1] / true[-1] - 1 - magnitude) < 1e-3, fault
            assert np.all(np.abs(got / true - 1) > 0), fault
            continue
        assert np.allclose(got / true, 1 + magnitude, rtol=2e-3), fault


def test_fault_magnitudes_and_durations_vary_at_national_rates(tmp_path: Path) -> None:
    summary = generate_dataset(tmp_path, scale="medium", seed=2, months=18)
    faults = _read(tmp_path, "faults")
    assert summary.faults == faults["fault_type"].value_counts().reindex(FAULT_TYPES).to_dict()
    magnitude = pd.to_numeric(faults["magnitude"])
    lowered = magnitude[faults["fault_type"] == "carbon_lowered"]
    assert lowered.between(-0.2, -0.08).all() and lowered.std() > 0.01
    length = pd.PeriodIndex(faults["last_period"], freq="M").astype(int) - pd.PeriodIndex(
        faults["first_period"], freq="M"
    ).astype(int)
    assert length.nunique() >= 4
    share = summary.faulted_unit_months / summary.rows["external_month"]
    assert 0.02 < share < 0.045


def test_clean_physics(clean: Path) -> None:
    values = [
        "coal_consumption_t",
        "coal_ncv_gj_t",
        "coal_carbon_pct",
        "oxidation_rate",
        "purchased_electricity_mwh",
        "power_generation_mwh",
        "power_supply_mwh",
        "heat_supply_gj",
        "operating_hours",
        "reported_co2_t",
    ]
    um = _numeric(_current(_read(clean, "unit_month")).reset_index(), values)
    on = um["operating_hours"] > 0
    carbon_per_heat = um.loc[on, "coal_carbon_pct"] / 100 / um.loc[on, "coal_ncv_gj_t"]
    assert carbon_per_heat.between(0.025, 0.0285).all()
    assert (um["power_supply_mwh"] <= um["power_generation_mwh"]).all()
    c = FORMULA_CONSTANTS
    recomputed = (
        um["coal_consumption_t"]
        * um["coal_carbon_pct"].fillna(0)
        / 100
        * um["oxidation_rate"]
        * c["co2_per_c"]
        + um["purchased_electricity_mwh"] * c["grid_ef_t_mwh"]
    )
    assert np.allclose(um["reported_co2_t"], recomputed, atol=0.002, rtol=0)

    off = um[~on]
    assert len(off) > 0
    for column in (
        "power_generation_mwh",
        "power_supply_mwh",
        "coal_consumption_t",
        "heat_supply_gj",
    ):
        assert (off[column] == 0).all()
    assert (off["carbon_report_id"] == "").all()
    assert (um.loc[on, "carbon_report_id"] != "").all()

    fuel_heat = um.loc[on, "coal_consumption_t"] * um.loc[on, "coal_ncv_gj_t"]
    heat_share = um.loc[on, "heat_supply_gj"] / (fuel_heat * c["boiler_efficiency"])
    supply_rate = (
        fuel_heat * (1 - heat_share) / c["gj_per_tce"] / um.loc[on, "power_supply_mwh"] * 1000
    )
    assert supply_rate.between(250, 420).all()
    assert 290 < supply_rate.median() < 340


def test_external_sources_track_the_truth_on_clean_data(clean: Path) -> None:
    um = _numeric(_current(_read(clean, "unit_month")), ["power_supply_mwh", "reported_co2_t"])
    ext = _numeric(
        _read(clean, "external_month").set_index(KEY).sort_index(), ["cems_co2_t", "grid_sales_mwh"]
    )
    on = um["power_supply_mwh"] > 0
    cems_ratio = (ext["cems_co2_t"] / um["reported_co2_t"])[on].dropna()
    assert cems_ratio.between(0.9, 1.1).all() and abs(cems_ratio.median() - 1) < 0.01
    grid_ratio = (ext["grid_sales_mwh"] / um["power_supply_mwh"])[on].dropna()
    assert grid_ratio.between(0.99, 1.01).all()
    assert ext["cems_co2_t"].isna().any()


def test_test_reports_agree_with_units_in_the_honest_case(clean: Path) -> None:
    um = _current(_read(clean, "unit_month"))
    reports = _read(clean, "test_reports").set_index("report_id")
    linked = um[um["carbon_report_id"] != ""]
    report = reports.loc[linked["carbon_report_id"]]
    assert (report["carbon_pct"].to_numpy() == linked["coal_carbon_pct"].to_numpy()).all()
    assert (report["ncv_gj_t"].to_numpy() == linked["coal_ncv_gj_t"].to_numpy()).all()
    month_end = pd.PeriodIndex(report["period"], freq="M").end_time.normalize()
    delay = (pd.to_datetime(report["report_date"]) - month_end).dt.days
    assert delay.between(1, 40).all()
    units_per_lab = _read(clean, "units").merge(_read(clean, "enterprises"), on="enterprise_id")
    assert reports.groupby("lab_id")["unit_id"].nunique().max() >= 10
    assert len(units_per_lab) == len(_read(clean, "units"))


def test_ids_are_text_with_leading_zeros(faulty: Path) -> None:
    units = _read(faulty, "units")
    assert units["unit_id"].str.fullmatch(r"\d{8}").all()
    assert units["unit_id"].str.startswith("0").all()
    enterprises = _read(faulty, "enterprises")
    assert enterprises["enterprise_id"].map(is_valid_credit_code).all()
    assert enterprises["enterprise_id"].is_unique
    regions = _read(faulty, "regions")
    assert (regions["level"] == "province").sum() == 31
    assert regions["region_code"].str.fullmatch(r"\d{6}").all()


def test_annual_tables_follow_the_reported_data(faulty: Path) -> None:
    um = _numeric(_current(_read(faulty, "unit_month")).reset_index(), ["reported_co2_t"])
    units = _read(faulty, "units")
    per_enterprise = um.merge(units, on="unit_id").groupby("enterprise_id")["reported_co2_t"].sum()
    verifications = _numeric(_read(faulty, "verifications"), ["verified_co2_t"]).set_index(
        "enterprise_id"
    )
    ratio = verifications["verified_co2_t"] / per_enterprise.loc[verifications.index]
    assert ratio.between(0.98, 1.02).all()
    compliance = _read(faulty, "compliance")
    assert (compliance["completed_on"] != "").mean() > 0.8
    trades = _read(faulty, "trades")
    assert len(trades) > 0 and (trades["seller_id"] != trades["buyer_id"]).all()


def test_cli_writes_a_clean_parquet_twin(tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--scale",
            "small",
            "--seed",
            "5",
            "--months",
            "3",
            "--out",
            str(out),
            "--fault-rate",
            "0",
            "--format",
            "parquet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "unit_month" in result.output
    assert (out / "unit_month.parquet").exists()
    assert len(pd.read_parquet(out / "faults.parquet")) == 0
    validated = validate_dataset(out)
    assert validated.rejects.empty
    assert validated.tables["units"]["unit_id"].str.startswith("0").all()
