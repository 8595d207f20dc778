"""The generalisation benchmark's scoring, on hand-made findings and faults whose figures are
worked out by hand in the comments."""

import json

import pandas as pd
import pytest

from bench import generalisation_scores as scores
from bench.generalisation_table import render


def _findings(rows: list[tuple[str, str, float, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["unit_id", "period", "score", "root_parameter", "systemic_source"]
    )
    frame["root_period"] = frame["period"]
    frame["root_candidates"] = [
        json.dumps([{"parameter": r, "period": p, "score": s}])
        for r, p, s in zip(frame["root_parameter"], frame["period"], frame["score"], strict=True)
    ]
    return frame


FAULTS = pd.DataFrame(
    [
        ("F1", "carbon_lowered", "A", "2023-01", "2023-03", "coal_carbon_pct", ""),
        ("F2", "lab_carbon_lowered", "B", "2023-02", "2023-03", "coal_carbon_pct", "L1"),
        ("F3", "lab_carbon_lowered", "C", "2023-02", "2023-02", "coal_carbon_pct", "L1"),
        ("F4", "cems_drift", "D", "2023-12", "2024-01", "cems_co2_t", ""),
    ],
    columns=[
        "fault_id",
        "fault_type",
        "unit_id",
        "first_period",
        "last_period",
        "root_parameter",
        "root_entity",
    ],
)

FINDINGS = _findings(
    [
        ("A", "2023-01", 1.0, "coal_carbon_pct", ""),  # right root
        ("A", "2023-02", 0.9, "coal_ncv_gj_t", ""),  # wrong root
        ("B", "2023-02", 1.0, "coal_carbon_pct", "L1"),  # systemic, right lab
        ("B", "2023-03", 1.0, "coal_carbon_pct", "L2"),  # systemic, wrong lab
        ("D", "2023-12", 0.8, "cems_co2_t", ""),  # the CEMS blamed
        ("D", "2024-01", 0.8, "coal_consumption_t", ""),  # the enterprise blamed
        ("E", "2023-01", 0.7, "power_supply_mwh", ""),  # false positive
        ("E", "2023-02", 0.7, "operating_hours", ""),  # false positive
    ]
)


def test_a_fault_covers_each_month_of_its_span_across_a_year_end() -> None:
    truth = scores.fault_unit_months(FAULTS)
    assert len(truth) == 3 + 2 + 1 + 2
    drift = truth[truth["fault_type"] == "cems_drift"]
    assert drift["period"].tolist() == ["2023-12", "2024-01"]
    assert set(truth.loc[truth["unit_id"] == "C", "root_entity"]) == {"L1"}


def test_detection_roots_systemic_and_blame_figures() -> None:
    figures = scores.score_faulty(FINDINGS, scores.fault_unit_months(FAULTS), 400)
    # 8 flags, 6 of them on the 8 faulted unit-months.
    assert figures["precision"] == 0.75
    assert figures["recall"] == 0.75
    assert figures["f1"] == 0.75
    per_type = figures["per_fault_type"]
    # carbon_lowered: of 3 found, 1 of the 2 with the right root.
    assert per_type["carbon_lowered"] == {
        "unit_months": 3,
        "detected": 2,
        "recall": 0.6667,
        "root_top1": 0.5,
    }
    # lab: B-02 and B-03 found (C-02 missed), both rooted right.
    assert per_type["lab_carbon_lowered"]["root_top1"] == 1.0
    assert per_type["lab_carbon_lowered"]["recall"] == 0.6667
    assert per_type["cems_drift"]["root_top1"] == 0.5
    # Macro: (0.5 + 1.0 + 0.5) / 3.
    assert figures["root_top1_macro"] == pytest.approx(0.6667)
    # Lab months detected: B-02 names L1 (right), B-03 names L2 (wrong).
    assert figures["systemic_recall"] == 0.5
    # Drifting CEMS months detected: D-2024-01 blames coal_consumption_t, a unit_month column.
    assert figures["external_blamed_on_enterprise"] == 0.5
    checks = scores.checks(figures)
    assert checks == {
        "f1": "fail",
        "root_top1_macro": "fail",
        "systemic_recall": "fail",
        "external_blamed_on_enterprise": "fail",
    }


def test_an_undetected_fault_type_is_not_a_pass() -> None:
    only_a = FINDINGS[FINDINGS["unit_id"] == "A"]
    figures = scores.score_faulty(only_a, scores.fault_unit_months(FAULTS), 400)
    assert figures["systemic_recall"] is None
    assert figures["external_blamed_on_enterprise"] is None
    assert scores.checks(figures)["systemic_recall"] == "n/a"
    # Only carbon_lowered has detections: the macro is its own 0.5.
    assert figures["root_top1_macro"] == 0.5
    assert figures["root_top1_types"] == 1


def test_clean_twin_share_and_systemic_sources() -> None:
    clean = _findings(
        [("A", "2023-01", 0.9, "coal_carbon_pct", "V1"), ("B", "2023-05", 0.8, "", "")]
    )
    figures = scores.score_clean(clean, 400)
    # 2 of 400 is exactly the 0.5 % target; one systemic source is one too many.
    assert figures["clean_flagged_share"] == 0.005
    assert figures["clean_systemic_sources"] == 1
    assert figures["top_root_parameters"] == {"coal_carbon_pct": 1, "(no root)": 1}
    assert scores.checks(figures) == {
        "clean_flagged_share": "pass",
        "clean_systemic_sources": "fail",
    }


def _real() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    unit_month = pd.DataFrame(
        [
            ("X", "2012-01", 0.0, 0.0, -5.0),  # idle, station service
            ("X", "2012-02", 0.0, 0.0, 0.0),  # idle
            ("X", "2012-03", 0.0, 0.0, 10.0),  # net without hours: not idle
            ("X", "2012-04", 700.0, 1000.0, 900.0),
            ("Y", "2012-01", 700.0, 250.0, 230.0),
            ("Y", "2012-02", 700.0, 250.0, 230.0),
            ("Y", "2012-03", 700.0, 250.0, 230.0),
        ],
        columns=[
            "unit_id",
            "period",
            "operating_hours",
            "power_generation_mwh",
            "power_supply_mwh",
        ],
    )
    external = pd.DataFrame(
        {
            "unit_id": ["X"] * 4 + ["Y"] * 3,
            "period": unit_month["period"],
            "energy_monitor_tce": [0, 0, 0, 400, 100, 110, 300],
        }
    )
    # In the export's order: best first.
    findings = _findings(
        [
            ("X", "2012-04", 1.0, "power_supply_mwh", ""),
            ("Y", "2012-03", 0.9, "energy_monitor_tce", ""),
            ("X", "2012-01", 0.6, "power_supply_mwh", ""),
        ]
    )
    return findings, unit_month, external


def test_real_data_shares_and_top_flags_with_their_figures() -> None:
    findings, unit_month, external = _real()
    figures = scores.score_real(findings, unit_month)
    assert figures["real_flagged_share"] == round(3 / 7, 4)
    # Idle; X-01 is flagged.
    assert (figures["idle_unit_months"], figures["idle_flagged"]) == (2, 1)
    assert figures["real_idle_flagged_share"] == 0.5

    listing = scores.top_flags(findings, unit_month, external, top=2)
    assert listing[["unit_id", "period"]].values.tolist() == [["X", "2012-04"], ["Y", "2012-03"]]
    y = listing.iloc[1]
    # 300 tce × 29.271 / 250 MWh; the unit's median of 11.71, 12.88 and 35.13 GJ/MWh.
    assert y["heat_gj_per_mwh"] == 35.13
    assert y["unit_median_heat_gj_per_mwh"] == 12.88


def test_the_table_has_a_row_per_world_and_the_real_sample() -> None:
    findings, unit_month, external = _real()
    truth = scores.fault_unit_months(FAULTS)
    faulty = scores.score_faulty(FINDINGS, truth, 400)
    clean = scores.score_clean(FINDINGS.head(0), 400)
    real = scores.score_real(findings, unit_month)
    real |= {"dataset": "real-sample", "checks": scores.checks(real)}
    real["top_flags"] = json.loads(
        scores.top_flags(findings, unit_month, external, 2)
        .assign(why=None)
        .to_json(orient="records")
    )
    report = {
        "meta": {
            "date": "today",
            "enterprises": 120,
            "months": 24,
            "seed": 1,
            "fault_rate": 0.03,
            "wall_seconds": 60,
        },
        "worlds": {
            "baseline": {
                "faulty": faulty,
                "clean": clean,
                "checks": scores.checks(faulty | clean),
            }
        },
        "real": real,
    }
    text = render(report)
    assert "| baseline | 400 | 0.75 (0.75 / 0.75) ✗ |" in text
    assert "0.0 % (0) ✓" in text
    assert "| real: `real-sample` | 7 |" in text
    assert "50.0 % (1 of 2) ✗" in text
    assert "| X | 2012-04 | 1.000 |" in text
