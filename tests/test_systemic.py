"""Systemic sources: a lab behind many flags is found; random entity assignments of the same
flags find nothing (false-discovery control holds on the null)."""

import numpy as np
import pandas as pd

from app.services.tracing.systemic import (
    benjamini_hochberg,
    find_systemic_sources,
    systemic_links,
)

ROOTS = ("coal_carbon_pct", "coal_consumption_t", "power_supply_mwh", "cems_co2_t")
PERIODS = [f"2022-{m:02d}" for m in range(1, 13)]


def population(rng: np.random.Generator, n_units: int = 400) -> pd.DataFrame:
    """Unit-months with a fixed lab, verifier, group and city per unit (a unit sticks to its
    lab), assigned at random."""
    units = pd.DataFrame(
        {
            "unit_id": [f"{i:08d}" for i in range(n_units)],
            "lab_id": [f"L{k:02d}" for k in rng.integers(0, 25, n_units)],
            "verifier_id": [f"V{k:02d}" for k in rng.integers(0, 15, n_units)],
            "group_id": [f"G{k:02d}" for k in rng.integers(0, 12, n_units)],
            "region_code": [f"C{k:02d}" for k in rng.integers(0, 30, n_units)],
        }
    )
    units["province_code"] = "P" + units["region_code"].str.slice(1, 2)
    return units.merge(pd.DataFrame({"period": PERIODS}), how="cross")


def random_flags(rng: np.random.Generator, frame: pd.DataFrame, units: int = 40) -> pd.DataFrame:
    """Independent single-unit faults: each faulty unit repeats its root for a run of months."""
    chosen = rng.choice(frame["unit_id"].unique(), units, replace=False)
    rows = []
    for unit in chosen:
        start = int(rng.integers(0, 10))
        root = ROOTS[int(rng.integers(0, len(ROOTS)))]
        rows += [(unit, p, root) for p in PERIODS[start : start + int(rng.integers(1, 6))]]
    return pd.DataFrame(rows, columns=["unit_id", "period", "root_parameter"])


def test_benjamini_hochberg_matches_hand_computation() -> None:
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5]))
    np.testing.assert_allclose(q, [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])


def test_lab_behind_many_flags_is_the_systemic_source() -> None:
    rng = np.random.default_rng(1)
    frame = population(rng)
    background = random_flags(rng, frame)
    lab_units = frame.loc[frame["lab_id"] == "L07", "unit_id"].unique()
    fraud = frame[frame["unit_id"].isin(lab_units[:8]) & (frame["period"] >= "2022-06")]
    fraud_flags = fraud.assign(root_parameter="coal_carbon_pct")[
        ["unit_id", "period", "root_parameter"]
    ]
    roots = pd.concat([background, fraud_flags], ignore_index=True)

    findings = find_systemic_sources(roots, frame)

    assert len(findings) >= 1
    top = findings.iloc[0]
    assert (top["entity_type"], top["entity_id"], top["root_parameter"]) == (
        "lab",
        "L07",
        "coal_carbon_pct",
    )
    assert top["q_value"] <= 0.01
    assert set(lab_units[:8]) <= set(top["units"])
    assert top["periods"][0] <= "2022-06"
    # The lab's units also sit in cities, groups and a province: none of those steals them.
    others = findings.iloc[1:]
    assert not any(set(u) & set(lab_units[:8]) for u in others["units"])
    links = systemic_links(findings)
    fraud_keys = set(zip(fraud_flags["unit_id"], fraud_flags["period"], strict=True))
    linked = links[links["systemic_source"] == "L07"]
    assert fraud_keys <= set(zip(linked["unit_id"], linked["period"], strict=True))


def test_null_simulation_finds_no_systemic_source() -> None:
    """The same kind of flags, no shared fault: across many random worlds, findings are rare
    (BH at α = 0.01 bounds the chance of any false finding under the complete null by ~α)."""
    rng = np.random.default_rng(7)
    worlds_with_findings = 0
    for _ in range(60):
        frame = population(rng)
        findings = find_systemic_sources(random_flags(rng, frame), frame)
        worlds_with_findings += int(len(findings) > 0)
    assert worlds_with_findings <= 2


def test_fault_free_data_has_no_finding() -> None:
    frame = population(np.random.default_rng(3))
    no_flags = pd.DataFrame(columns=["unit_id", "period", "root_parameter"])
    assert find_systemic_sources(no_flags, frame).empty
