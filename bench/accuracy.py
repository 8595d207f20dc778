"""Detection accuracy of load → sweep → findings on generated data, against faults.csv.

For each seed: generate `medium` (default faults) and its fault-free twin (same seed,
fault_rate=0), load each into a fresh embedded store (and Neo4j with --neo4j), sweep, export the
findings, and compare with the ground truth. A fault covers every unit-month of its unit from
first_period to last_period. Writes bench/results/accuracy.json:
unit-month precision and recall per fault type and overall, the false-positive rate on the
clean twin, and root-cause top-1/top-3 accuracy per fault type.

Tune on seed 1, check on another seed: the product must generalise, not fit the generator.
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from app.findings_export import findings_frame
from app.loading import load_dataset
from app.settings import get_settings
from app.stores.embedded import EmbeddedStore
from app.sweep import run_sweep
from loaders.generator import generate_dataset
from models.edge_models import month_index

RESULTS = Path(__file__).parent / "results" / "accuracy.json"


def fault_unit_months(faults: pd.DataFrame) -> pd.DataFrame:
    """One row per (unit_id, period) a fault covers, with its type and root parameter."""
    first = month_index(faults["first_period"].astype(str))
    last = month_index(faults["last_period"].astype(str))
    spans = faults.assign(m=[list(range(a, b + 1)) for a, b in zip(first, last, strict=True)])
    rows = spans.explode("m")
    m = rows["m"].astype(int)
    rows["period"] = (m // 12).astype(str) + "-" + (m % 12 + 1).astype(str).str.zfill(2)
    rows["unit_id"] = rows["unit_id"].astype(str)
    keep = ["unit_id", "period", "fault_type", "root_parameter"]
    return rows[keep].drop_duplicates(["unit_id", "period", "fault_type"]).reset_index(drop=True)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def score_findings(
    findings: pd.DataFrame, truth: pd.DataFrame, total_unit_months: int
) -> dict[str, Any]:
    flagged = findings[["unit_id", "period", "root_parameter", "root_candidates"]].copy()
    flagged["top3"] = flagged["root_candidates"].map(
        lambda text: [c["parameter"] for c in json.loads(text)[:3]]
    )
    truth_keys = truth.drop_duplicates(["unit_id", "period"])
    merged = truth.merge(flagged, on=["unit_id", "period"], how="left", indicator=True)
    merged["detected"] = merged["_merge"] == "both"
    hits = flagged.merge(truth_keys[["unit_id", "period"]], on=["unit_id", "period"])
    per_type: dict[str, Any] = {}
    for fault_type, group in merged.groupby("fault_type"):
        detected = group[group["detected"]]
        top1 = (detected["root_parameter_y"] == detected["root_parameter_x"]).sum()
        top3 = sum(
            root in top
            for root, top in zip(detected["root_parameter_x"], detected["top3"], strict=True)
        )
        flagged_here = flagged.merge(group[["unit_id", "period"]], on=["unit_id", "period"])
        per_type[str(fault_type)] = {
            "unit_months": len(group),
            "detected": len(detected),
            "recall": _ratio(len(detected), len(group)),
            # Share of this type's flags whose top candidate is the true root parameter.
            "precision_of_root": _ratio(int(top1), len(flagged_here)),
            "root_top1": _ratio(int(top1), len(detected)),
            "root_top3": _ratio(int(top3), len(detected)),
        }
    detected_keys = merged[merged["detected"]].drop_duplicates(["unit_id", "period"])
    return {
        "unit_months": total_unit_months,
        "fault_unit_months": len(truth_keys),
        "flagged": len(flagged),
        "precision": _ratio(len(hits), len(flagged)),
        "recall": _ratio(len(detected_keys), len(truth_keys)),
        "per_fault_type": per_type,
    }


def _swept_findings(folder: Path, home: Path) -> tuple[pd.DataFrame, int, dict[str, float]]:
    os.environ["MRVTRACE_HOME"] = str(home)
    get_settings.cache_clear()
    store = EmbeddedStore()
    started = time.perf_counter()
    load_dataset(folder, store)
    loaded = time.perf_counter()
    record = run_sweep(store, full=True)
    swept = time.perf_counter()
    findings = findings_frame(store)
    total = len(store.read_unit_months())
    seconds = {"load": round(loaded - started, 2), "sweep": round(swept - loaded, 2)}
    return findings, total, seconds | {f"sweep_{k}": v for k, v in record.seconds.items()}


def run(scale: str, seeds: list[int], workdir: Path) -> dict[str, Any]:
    report: dict[str, Any] = {
        "scale": scale,
        "targets": {"precision": 0.9, "recall": 0.9, "false_positive_rate": 0.01},
    }
    for seed in seeds:
        faulty_dir = workdir / f"{scale}-{seed}"
        clean_dir = workdir / f"{scale}-{seed}-clean"
        generate_dataset(faulty_dir, scale=scale, seed=seed)
        generate_dataset(clean_dir, scale=scale, seed=seed, fault_rate=0.0)
        truth = fault_unit_months(pd.read_csv(faulty_dir / "faults.csv", dtype=str))
        findings, total, seconds = _swept_findings(faulty_dir, workdir / f"home-{seed}")
        result = score_findings(findings, truth, total)
        clean_findings, clean_total, _ = _swept_findings(clean_dir, workdir / f"home-{seed}-clean")
        result["clean_twin"] = {
            "unit_months": clean_total,
            "flagged": len(clean_findings),
            "false_positive_rate": _ratio(len(clean_findings), clean_total),
        }
        result["seconds"] = seconds
        report[f"seed_{seed}"] = result
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mrvtrace-accuracy-") as tmp:
        report = run(args.scale, args.seeds, Path(tmp))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
