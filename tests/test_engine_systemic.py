"""Systemic sources by a direct test: a lab whose own records are shifted against its peers' is
named and carried by its flags; one faulty client, or many independent faults, name nobody."""

import numpy as np
import pandas as pd
import pytest

from engine.engine import EngineResult, UnitMonthEngine
from engine.policy import DEFAULT_POLICY
from engine.systemic import FINDING_COLUMNS, find_systemic_sources, systemic_links
from tests import engine_fleets as ef

N_UNITS, N_MONTHS, SEED = 40, 24, 0
PERIODS = ef.periods(N_MONTHS)
FRAUD_MONTHS = PERIODS[12:18]
FRAUD_LAB = "L2"


@pytest.fixture(scope="module")
def honest() -> pd.DataFrame:
    return ef.fleet(N_UNITS, N_MONTHS, seed=SEED)


def _score(frame: pd.DataFrame) -> EngineResult:
    return UnitMonthEngine().fit(frame).score(frame)


def _lab_units(frame: pd.DataFrame, lab: str) -> list[str]:
    return sorted(frame.loc[frame["lab_id"] == lab, "unit_id"].unique())


# --- on the engine ------------------------------------------------------------------------------


# The direct test compares a lab's client sites (enterprises) with the other sites of the month
# by ranks: it needs a fleet of some sixty sites to name a lab at a 1 % false-discovery rate.
FRAUD_FLEET_UNITS = 120


@pytest.fixture(scope="module")
def lab_fraud() -> tuple[list[str], EngineResult]:
    """A lab lowers the carbon content by 8 % for most of its clients (14 of 20) for six
    months, and forges its reports to agree."""
    frame = ef.fleet(FRAUD_FLEET_UNITS, N_MONTHS, seed=SEED)
    clients = _lab_units(frame, FRAUD_LAB)[:14]
    for unit in clients:
        ef.lower_carbon(frame, ef.rows_of(frame, unit, FRAUD_MONTHS), 0.92, forged_report=True)
    return clients, _score(frame)


def test_a_lab_lowering_carbon_for_most_of_its_clients_is_named(
    lab_fraud: tuple[list[str], EngineResult],
) -> None:
    clients, result = lab_fraud
    systemic = result.systemic
    assert list(systemic.columns) == FINDING_COLUMNS
    assert len(systemic) == 1
    finding = systemic.iloc[0]
    assert (finding["entity_type"], finding["entity_id"]) == ("lab", FRAUD_LAB)
    assert set(finding["periods"]) == set(FRAUD_MONTHS)
    assert set(clients) <= set(finding["units"])
    assert finding["shift"] < 0
    assert finding["q_value"] <= 0.01


def test_the_flags_of_a_systemic_lab_carry_it_as_their_source(
    lab_fraud: tuple[list[str], EngineResult],
) -> None:
    clients, result = lab_fraud
    months = result.unit_months
    fraud = months[months["unit_id"].isin(clients) & months["period"].isin(FRAUD_MONTHS)]
    assert len(fraud) == len(clients) * len(FRAUD_MONTHS)
    assert (fraud["top_parameter"] == "coal_carbon_pct").all()
    flagged = fraud[fraud["flagged"]]
    # 8 % lowered on an eighth of the fleet at once: the checks see most months, not all.
    assert len(flagged) >= len(fraud) / 3
    assert (flagged["systemic_source"] == FRAUD_LAB).all()
    elsewhere = months.drop(index=fraud.index)
    assert elsewhere["systemic_source"].isna().all()


def test_a_systemic_labs_weak_months_are_flagged_with_it() -> None:
    """A lab lowers carbon by 4 % for most of its clients: each month is weak alone (listed),
    the shared source is not, so every such month rooted in carbon is flagged with the lab."""
    frame = ef.fleet(FRAUD_FLEET_UNITS, N_MONTHS, seed=SEED)
    clients = _lab_units(frame, FRAUD_LAB)[:14]
    for unit in clients:
        ef.lower_carbon(frame, ef.rows_of(frame, unit, FRAUD_MONTHS), 0.96, forged_report=True)
    result = _score(frame)
    assert FRAUD_LAB in set(result.systemic["entity_id"])
    months = result.unit_months
    fraud = months[months["unit_id"].isin(clients) & months["period"].isin(FRAUD_MONTHS)]
    carbon = fraud[(fraud["status"] != "clear") & (fraud["top_parameter"] == "coal_carbon_pct")]
    weak = carbon[carbon["p_value"] > DEFAULT_POLICY.false_alarm_share]
    assert len(weak) > 0
    # Not significant alone, flagged with the shared source.
    assert weak["flagged"].all()
    assert (carbon.loc[carbon["flagged"], "systemic_source"] == FRAUD_LAB).all()


def test_a_lab_or_verifier_with_one_faulty_client_is_not_named(honest: pd.DataFrame) -> None:
    frame = honest.copy()
    unit = _lab_units(frame, FRAUD_LAB)[0]
    ef.lower_carbon(frame, ef.rows_of(frame, unit, FRAUD_MONTHS), 0.9, forged_report=True)
    result = _score(frame)
    months = result.unit_months
    own = months[(months["unit_id"] == unit) & months["period"].isin(FRAUD_MONTHS)]
    assert own["flagged"].all()
    assert (own["top_parameter"] == "coal_carbon_pct").all()
    assert result.systemic.empty
    assert months["systemic_source"].isna().all()


def test_many_independent_faults_name_no_systemic_source(honest: pd.DataFrame) -> None:
    """Eight units with faults of their own, three of them clients of one lab with lowered
    carbon in overlapping months: many flags, but no entity whose records are shifted."""
    frame = honest.copy()
    faults = [
        ("U001", "coal_consumption_t", 0.85),
        ("U004", "power_supply_mwh", 1.08),
        ("U009", "coal_carbon_pct", 0.88),
        ("U010", "coal_consumption_t", 0.9),
        ("U015", "coal_carbon_pct", 0.9),
        ("U017", "power_supply_mwh", 1.06),
        ("U021", "coal_carbon_pct", 0.9),
        ("U027", "coal_consumption_t", 0.88),
    ]
    for start, (unit, parameter, factor) in enumerate(faults, start=4):
        rows = ef.rows_of(frame, unit, PERIODS[start : start + 8])
        if parameter == "coal_carbon_pct":
            ef.lower_carbon(frame, rows, factor, forged_report=True)
        else:
            ef.scale_input(frame, rows, parameter, factor)
    carbon_labs = frame.loc[frame["unit_id"].isin(["U009", "U015", "U021"]), "lab_id"]
    assert carbon_labs.nunique() == 1
    result = _score(frame)
    assert int(result.unit_months["flagged"].sum()) > 40
    assert result.systemic.empty


# --- the direct test itself ---------------------------------------------------------------------


def _records(rng: np.random.Generator, n_units: int = 200) -> pd.DataFrame:
    """Unit-months with a fixed lab and verifier per unit and honest carbon scores: a level
    of the unit's own and monthly noise."""
    units = pd.DataFrame(
        {
            "unit_id": [f"U{i:03d}" for i in range(n_units)],
            "lab_id": [f"L{k}" for k in rng.integers(0, 15, n_units)],
            "verifier_id": [f"V{k}" for k in rng.integers(0, 8, n_units)],
            "level": rng.normal(0.0, 0.5, n_units),
        }
    )
    frame = units.merge(pd.DataFrame({"period": PERIODS}), how="cross")
    frame["score"] = frame["level"] + rng.normal(0.0, 1.0, len(frame))
    return frame.drop(columns="level")


NO_FLAGS = pd.DataFrame(columns=["unit_id", "period", "root_parameter"])


def test_a_shifted_lab_is_found_with_the_flags_it_explains() -> None:
    records = _records(np.random.default_rng(1))
    clients = sorted(records.loc[records["lab_id"] == "L7", "unit_id"].unique())
    assert len(clients) >= 9
    fraud = records["unit_id"].isin(clients[:8]) & records["period"].isin(FRAUD_MONTHS)
    records.loc[fraud, "score"] -= 3.0
    # An honest client of the lab with one low month of its own in the shifted months.
    bystander = (records["unit_id"] == clients[8]) & (records["period"] == FRAUD_MONTHS[2])
    records.loc[bystander, "score"] = -3.0
    flags = records.loc[fraud | bystander, ["unit_id", "period"]].assign(
        root_parameter="coal_carbon_pct"
    )
    found = find_systemic_sources(records, flags, fdr=0.01)
    assert len(found) >= 1
    top = found.iloc[0]
    assert (top["entity_type"], top["entity_id"]) == ("lab", "L7")
    assert set(top["periods"]) <= set(FRAUD_MONTHS)
    links = systemic_links(found)
    linked = set(zip(links["unit_id"], links["period"], strict=True))
    assert len(linked) > 0
    assert linked <= set(
        zip(records.loc[fraud, "unit_id"], records.loc[fraud, "period"], strict=True)
    )
    assert (clients[8], FRAUD_MONTHS[2]) not in linked
    assert set(links["systemic_source"]) == {"L7"}


def test_honest_records_name_no_source_in_almost_every_world() -> None:
    """Benjamini–Hochberg at 1 % across every lab, verifier and period: under the complete null
    the chance of any finding is about 1 %."""
    rng = np.random.default_rng(7)
    worlds_with_findings = sum(
        int(not find_systemic_sources(_records(rng), NO_FLAGS, fdr=0.01).empty) for _ in range(40)
    )
    assert worlds_with_findings <= 2


def test_one_units_own_large_fault_does_not_shift_its_lab() -> None:
    records = _records(np.random.default_rng(3))
    unit = records.loc[records["lab_id"] == "L3", "unit_id"].iloc[0]
    records.loc[records["unit_id"] == unit, "score"] -= 20.0
    assert find_systemic_sources(records, NO_FLAGS, fdr=0.01).empty
