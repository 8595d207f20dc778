"""Detection, root-cause and systemic-source accuracy of load → sweep → findings on generated
data, against faults.csv.

For each seed: generate `medium` (default faults) and its fault-free twin (same seed,
fault_rate=0), load each into a fresh embedded store, sweep, export the findings, and compare
with the ground truth. A fault covers every unit-month of its unit from first_period to
last_period. Writes bench/results/accuracy.json: unit-month precision, recall and F1 overall,
recall per fault type with an F1 against the overall precision (a false flag belongs to no fault
type, so detection precision exists only overall), the false-positive rate on the clean twin,
root-cause top-1/top-3 accuracy per fault type and overall (for the exported roots and for each
root source the export can use), the share of detected drifting-CEMS unit-months attributed to
`cems_co2_t`, systemic-source recall and precision against the faults' root entity (the lab),
the systemic findings on the clean twin, and the export's seconds.

    python -m bench.accuracy --seeds 1 2 --workdir .cache/accuracy

With --workdir, datasets and swept stores found there are reused (generate and sweep once).
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

from app.infrastructure.stores.embedded import EmbeddedStore
from app.services.findings_export import RootSource, findings_frame
from app.services.loading import load_dataset
from app.services.sweep import run_sweep
from app.settings import get_settings
from models.edge_models import month_index
from synthetic.dataset import generate_dataset

RESULTS = Path(__file__).parent / "results" / "accuracy.json"
TARGETS = {
    "precision": 0.9,
    "recall": 0.9,
    "false_positive_rate": 0.01,
    "root_top1": 0.9,
    "cems_drift_to_cems_co2_t": 0.9,
    "systemic_recall": 0.9,
    "clean_twin_systemic_sources": 0,
}
PER_TYPE_F1 = (
    "harmonic mean of the type's recall and the overall precision: a false flag belongs to no "
    "fault type, so detection precision exists only overall"
)


def fault_unit_months(faults: pd.DataFrame) -> pd.DataFrame:
    """One row per (unit_id, period) a fault covers, with its type, root parameter and root
    entity (the lab of a lab fault, else empty)."""
    first = month_index(faults["first_period"].astype(str))
    last = month_index(faults["last_period"].astype(str))
    spans = faults.assign(m=[list(range(a, b + 1)) for a, b in zip(first, last, strict=True)])
    rows = spans.explode("m")
    m = rows["m"].astype(int)
    rows["period"] = (m // 12).astype(str) + "-" + (m % 12 + 1).astype(str).str.zfill(2)
    rows["unit_id"] = rows["unit_id"].astype(str)
    entity = rows["root_entity"] if "root_entity" in rows.columns else pd.Series("", rows.index)
    rows["root_entity"] = entity.fillna("").astype(str)
    keep = ["unit_id", "period", "fault_type", "root_parameter", "root_entity"]
    return rows[keep].drop_duplicates(["unit_id", "period", "fault_type"]).reset_index(drop=True)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None or precision + recall == 0:
        return None
    return round(2 * precision * recall / (precision + recall), 4)


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
    precision = _ratio(len(hits), len(flagged))
    per_type: dict[str, Any] = {}
    for fault_type, group in merged.groupby("fault_type"):
        detected = group[group["detected"]]
        top1 = (detected["root_parameter_y"] == detected["root_parameter_x"]).sum()
        top3 = sum(
            root in top
            for root, top in zip(detected["root_parameter_x"], detected["top3"], strict=True)
        )
        flagged_here = flagged.merge(group[["unit_id", "period"]], on=["unit_id", "period"])
        recall = _ratio(len(detected), len(group))
        per_type[str(fault_type)] = {
            "unit_months": len(group),
            "detected": len(detected),
            "recall": recall,
            "f1_with_overall_precision": _f1(precision, recall),
            # Share of this type's flags whose top candidate is the true root parameter.
            "precision_of_root": _ratio(int(top1), len(flagged_here)),
            "root_top1": _ratio(int(top1), len(detected)),
            "root_top3": _ratio(int(top3), len(detected)),
        }
    detected_keys = merged[merged["detected"]].drop_duplicates(["unit_id", "period"])
    recall = _ratio(len(detected_keys), len(truth_keys))
    return {
        "unit_months": total_unit_months,
        "fault_unit_months": len(truth_keys),
        "fault_unit_months_detected": len(detected_keys),
        "flagged": len(flagged),
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        **root_accuracy(merged),
        "per_fault_type": per_type,
    }


def root_accuracy(merged: pd.DataFrame) -> dict[str, Any]:
    """Overall top-1/top-3 over the detected faulted unit-months (`merged` of score_findings),
    and the share of detected drifting-CEMS unit-months whose root is `cems_co2_t`."""
    detected = merged[merged["detected"]]
    top1 = detected["root_parameter_y"] == detected["root_parameter_x"]
    top3 = [
        root in top
        for root, top in zip(detected["root_parameter_x"], detected["top3"], strict=True)
    ]
    cems = detected[detected["fault_type"] == "cems_drift"]
    return {
        "root_top1": _ratio(int(top1.sum()), len(detected)),
        "root_top3": _ratio(int(sum(top3)), len(detected)),
        "cems_drift_to_cems_co2_t": _ratio(
            int((cems["root_parameter_y"] == "cems_co2_t").sum()), len(cems)
        ),
    }


def score_systemic(findings: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Any]:
    """Systemic-source recall (faulted unit-months with a root entity that are flagged with
    that entity as systemic_source) and precision (rows with a systemic_source whose unit-month
    belongs to a fault with that root entity)."""
    entity_truth = truth[truth["root_entity"] != ""][["unit_id", "period", "root_entity"]]
    sourced = findings[findings["systemic_source"].fillna("").astype(str) != ""]
    sourced = sourced[["unit_id", "period", "systemic_source"]]
    found = entity_truth.merge(
        sourced,
        left_on=["unit_id", "period", "root_entity"],
        right_on=["unit_id", "period", "systemic_source"],
    )
    right = sourced.merge(
        entity_truth.drop_duplicates(),
        left_on=["unit_id", "period", "systemic_source"],
        right_on=["unit_id", "period", "root_entity"],
    )
    return {
        "entity_fault_unit_months": len(entity_truth),
        "rows_with_systemic_source": len(sourced),
        "systemic_sources": sorted(sourced["systemic_source"].unique().tolist()),
        "systemic_recall": _ratio(
            len(found.drop_duplicates(["unit_id", "period"])), len(entity_truth)
        ),
        "systemic_precision": _ratio(
            len(right.drop_duplicates(["unit_id", "period"])), len(sourced)
        ),
    }


def swept_store(folder: Path, home: Path) -> tuple[EmbeddedStore, dict[str, float]]:
    """The embedded store under `home` with `folder` loaded and swept (reused when a sweep is
    already current there); seconds of the stages run."""
    # The sweep keeps its models under the settings' home.
    os.environ["MRVTRACE_HOME"] = str(home)
    get_settings.cache_clear()
    store = EmbeddedStore()
    store.apply_schema()
    if store.current_sweep() is not None:
        return store, {}
    started = time.perf_counter()
    load_dataset(folder, store)
    loaded = time.perf_counter()
    record = run_sweep(store, full=True)
    swept = time.perf_counter()
    seconds = {"load": round(loaded - started, 2), "sweep": round(swept - loaded, 2)}
    return store, seconds | {f"sweep_{k}": v for k, v in record.seconds.items()}


def _export(store: EmbeddedStore, source: RootSource) -> tuple[pd.DataFrame, float]:
    started = time.perf_counter()
    findings = findings_frame(store, source)
    return findings, round(time.perf_counter() - started, 2)


def generated(folder: Path, scale: str, seed: int, fault_rate: float | None) -> Path:
    """`folder` holding the generated dataset (generated only when faults.csv is missing)."""
    if not (folder / "faults.csv").exists():
        rate = {} if fault_rate is None else {"fault_rate": fault_rate}
        generate_dataset(folder, scale=scale, seed=seed, **rate)
    return folder


def run_seed(scale: str, seed: int, workdir: Path) -> dict[str, Any]:
    name = f"{scale}-{seed}"
    faulty_dir = generated(workdir / name, scale, seed, None)
    clean_dir = generated(workdir / f"{name}-clean", scale, seed, 0.0)
    truth = fault_unit_months(pd.read_csv(faulty_dir / "faults.csv", dtype=str))
    store, seconds = swept_store(faulty_dir, workdir / f"home-{name}")
    total = len(store.read_unit_months())
    findings, seconds["export"] = _export(store, RootSource.TRACING)
    result = score_findings(findings, truth, total) | score_systemic(findings, truth)
    # The export traces each flag; the sweep's node-score candidates are the alternative.
    result["root_sources"] = {}
    for source in RootSource:
        exported, seconds[f"export_{source.value}"] = (
            (findings, seconds["export"])
            if source == RootSource.TRACING
            else _export(store, source)
        )
        scored = score_findings(exported, truth, total)
        result["root_sources"][source.value] = {
            "root_top1": scored["root_top1"],
            "root_top3": scored["root_top3"],
            "cems_drift_to_cems_co2_t": scored["cems_drift_to_cems_co2_t"],
            "root_top1_per_fault_type": {
                t: v["root_top1"] for t, v in scored["per_fault_type"].items()
            },
        }
    store.close()
    clean, _ = swept_store(clean_dir, workdir / f"home-{name}-clean")
    clean_total = len(clean.read_unit_months())
    clean_findings, seconds["clean_export"] = _export(clean, RootSource.TRACING)
    clean.close()
    sourced = clean_findings["systemic_source"].fillna("").astype(str)
    result["clean_twin"] = {
        "unit_months": clean_total,
        "flagged": len(clean_findings),
        "false_positive_rate": _ratio(len(clean_findings), clean_total),
        "systemic_sources": int(sourced[sourced != ""].nunique()),
        "rows_with_systemic_source": int((sourced != "").sum()),
    }
    result["seconds"] = seconds
    return result


def run(scale: str, seeds: list[int], workdir: Path) -> dict[str, Any]:
    report: dict[str, Any] = {
        "scale": scale,
        "targets": TARGETS,
        "per_fault_type_f1": PER_TYPE_F1,
    }
    for seed in seeds:
        report[f"seed_{seed}"] = run_seed(scale, seed, workdir)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep datasets and swept stores here and reuse them (default: a temporary folder)",
    )
    args = parser.parse_args()
    if args.workdir is not None:
        report = run(args.scale, args.seeds, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="mrvtrace-accuracy-") as tmp:
            report = run(args.scale, args.seeds, Path(tmp))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
