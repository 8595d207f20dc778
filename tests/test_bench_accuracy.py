"""The accuracy benchmark's scoring of a findings export (bench/accuracy.py), on hand-built
faults and findings."""

import json

import pandas as pd

from bench.accuracy import score_findings
from bench.generalisation_scores import fault_unit_months


def _candidates(*names: str) -> str:
    return json.dumps([{"parameter": n, "period": "2023-01", "score": 0.5} for n in names])


def test_top1_top3_per_fault_type_beside_the_shared_detection_figures() -> None:
    faults = pd.DataFrame(
        {
            "unit_id": ["A", "B"],
            "fault_type": ["cems_drift", "carbon_lowered"],
            "first_period": ["2023-01", "2023-01"],
            "last_period": ["2023-02", "2023-01"],
            "root_parameter": ["cems_co2_t", "coal_carbon_pct"],
            "root_entity": ["", ""],
        }
    )
    roots = [
        ("A", "2023-01", _candidates("cems_co2_t")),
        ("A", "2023-02", _candidates("total_co2_t", "cems_co2_t")),
        # The true root is fourth: neither top-1 nor top-3.
        ("B", "2023-01", _candidates("coal_ncv_gj_t", "x", "y", "coal_carbon_pct")),
        # A false flag.
        ("C", "2023-01", _candidates("power_supply_mwh")),
    ]
    findings = pd.DataFrame(
        {
            "unit_id": [u for u, _, _ in roots],
            "period": [p for _, p, _ in roots],
            "score": 0.99,
            "root_parameter": [json.loads(c)[0]["parameter"] for _, _, c in roots],
            "root_period": "2023-01",
            "root_candidates": [c for _, _, c in roots],
            "systemic_source": "",
        }
    )
    result = score_findings(findings, fault_unit_months(faults), 100)
    assert (result["precision"], result["recall"], result["f1"]) == (0.75, 1.0, 0.8571)
    assert (result["root_top1"], result["root_top3"]) == (0.3333, 0.6667)
    assert result["cems_drift_to_cems_co2_t"] == 0.5
    cems, carbon = (
        result["per_fault_type"]["cems_drift"],
        result["per_fault_type"]["carbon_lowered"],
    )
    assert (cems["root_top1"], cems["root_top3"]) == (0.5, 1.0)
    assert (carbon["root_top1"], carbon["root_top3"]) == (0.0, 0.0)
    assert cems["f1_with_overall_precision"] == carbon["f1_with_overall_precision"] == 0.8571
