"""The unit-month frame: current revisions, joined attributes and docs/domain.md's formulas."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dataset_builders import valid_tables, write_dataset

from graph_schema.frames import UNIT_MONTH_COLUMNS
from graph_schema.labels import NodeLabel
from graph_schema.parameters import PARAMETERS
from loaders.graph_frames import build_graph_frames, previous_period
from loaders.unit_month_frame import build_unit_month_frame
from loaders.validation import validate_dataset


def _validated(folder: Path, tables: dict[str, pd.DataFrame] | None = None):
    return validate_dataset(write_dataset(folder, tables)).tables


@pytest.fixture(scope="module")
def frame(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return build_unit_month_frame(_validated(tmp_path_factory.mktemp("valid")))


def _row(frame: pd.DataFrame, unit_id: str, period: str) -> pd.Series:
    match = frame[(frame["unit_id"] == unit_id) & (frame["period"] == period)]
    assert len(match) == 1
    return match.iloc[0]


def test_one_row_per_unit_month_with_the_contract_columns(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(UNIT_MONTH_COLUMNS)
    assert len(frame) == 12
    assert not frame.duplicated(["unit_id", "period"]).any()
    assert frame["unit_id"].dtype == "string"
    for p in PARAMETERS:
        assert frame[p.name].dtype == "float64", p.name
    # Leading zeros survive.
    assert "00012302" in set(frame["unit_id"])


def test_attributes_and_provenance_are_joined(frame: pd.DataFrame) -> None:
    row = _row(frame, "00012301", "2023-02")
    assert row["enterprise_id"] == "91110000100000001A"
    assert row["region_code"] == "110100"
    assert row["province_code"] == "110000"
    assert row["group_id"] == "G01"
    assert row["lab_id"] == "L01"
    assert row["carbon_report_id"] == "R-00012301-2023-02"
    assert row["hours_in_month"] == 28 * 24
    assert pd.isna(_row(frame, "U-GZ-01", "2023-01")["group_id"])


def test_derived_parameters_match_hand_computation(frame: pd.DataFrame) -> None:
    # 00012301, 2023-01 of dataset_builders: 600 MW, 620 h, NCV 21.5, carbon 56.33 %,
    # coal 109394.6 t, generation 267840.0, supply 251769.6, heat 12000 GJ, 50 MWh bought.
    row = _row(frame, "00012301", "2023-01")
    fuel_heat = 109394.6 * 21.5
    combustion = 109394.6 * 0.5633 * 0.99 * 44 / 12
    electricity = 50 * 0.5703
    heat_share = 12000 / (fuel_heat * 0.90)
    assert row["fuel_heat_gj"] == pytest.approx(2351983.9)
    assert row["combustion_co2_t"] == pytest.approx(combustion)
    assert row["electricity_co2_t"] == pytest.approx(28.515)
    assert row["total_co2_t"] == pytest.approx(combustion + electricity)
    assert row["heat_share"] == pytest.approx(heat_share)
    assert row["supply_coal_gce_kwh"] == pytest.approx(
        fuel_heat * (1 - heat_share) / 29.271 / 251769.6 * 1000
    )
    assert row["supply_intensity"] == pytest.approx(
        (combustion + electricity) * (1 - heat_share) / 251769.6
    )
    assert row["own_use_rate"] == pytest.approx(0.06)
    assert row["load_factor"] == pytest.approx(0.72)
    assert row["carbon_per_heat"] == pytest.approx(0.5633 / 21.5)
    assert row["report_carbon_pct"] == pytest.approx(56.33)
    assert row["cems_co2_t"] == pytest.approx(228190.6)


def test_no_heat_supply_means_zero_heat_share(frame: pd.DataFrame) -> None:
    row = _row(frame, "00012302", "2023-01")
    assert row["heat_supply_gj"] == 0.0
    assert row["heat_share"] == 0.0


def test_highest_revision_is_current_and_zero_supply_divides_to_nan(tmp_path: Path) -> None:
    tables = valid_tables()
    unit_month = tables["unit_month"]
    first = unit_month.iloc[[0]].copy()
    first["revision"] = "2"
    first["power_supply_mwh"] = "0"
    first["carbon_report_id"] = ""
    tables["unit_month"] = pd.concat([unit_month, first], ignore_index=True)
    frame = build_unit_month_frame(_validated(tmp_path, tables))
    row = _row(frame, "00012301", "2023-01")
    assert len(frame) == 12
    assert row["revision"] == 2
    assert row["power_supply_mwh"] == 0.0
    assert np.isnan(row["supply_intensity"])
    assert np.isnan(row["supply_coal_gce_kwh"])
    assert np.isnan(row["report_carbon_pct"])
    assert pd.isna(row["lab_id"])


def test_previous_period_crosses_the_year() -> None:
    periods = pd.Series(["2023-01", "2023-12", "2024-03"], dtype="string")
    assert previous_period(periods).tolist() == ["2022-12", "2023-11", "2024-02"]


def test_parameter_nodes_exist_only_for_values(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["external_month"].loc[0, "cems_co2_t"] = ""
    validated = _validated(tmp_path, tables)
    frames = build_graph_frames(validated, build_unit_month_frame(validated))
    keys = set(frames.nodes[NodeLabel.PARAMETER]["key"])
    assert "00012301|2023-01|cems_co2_t" not in keys
    assert "00012301|2023-02|cems_co2_t" in keys
    assert len(keys) == 12 * len(PARAMETERS) - 1
