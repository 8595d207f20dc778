"""Detection and root-cause accuracy of load → sweep → findings on generated data, against
faults.csv.

For each seed: generate the scale (default faults) and its fault-free twin (same seed,
fault_rate=0), load each into a fresh embedded store, sweep, take the findings export
(`findings_frame`) and score it as bench/generalisation_scores.py scores an exported findings
CSV (a fault covers every unit-month of its unit from first_period to last_period; a unit-month
two faults cover counts for the first one listed): unit-month precision, recall and F1, recall
and root-cause top-1 per fault type and their macro mean, systemic-source recall on the lab
faults, the share of drifting-CEMS flags blamed on an enterprise parameter, and what the clean
twin gets flagged for (its flagged share is the false-positive rate). Added here: per fault type
an F1 against the overall precision (a false flag belongs to no fault type, so detection
precision exists only overall) and root-cause top-3 (the root among the export's first three
candidates); top-1 and top-3 over every detected faulted unit-month; the share of detected
drifting-CEMS unit-months attributed to `cems_co2_t`; pass / fail of generalisation_scores'
targets; and the seconds of load, sweep (per stage) and export. Writes
bench/results/accuracy.json.

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
from app.services.findings_export import findings_frame
from app.services.loading import load_dataset
from app.services.sweep import run_sweep
from app.settings import get_settings
from bench import generalisation_scores as scores
from synthetic.dataset import generate_dataset

RESULTS = Path(__file__).parent / "results" / "accuracy.json"
TOP = 3
PER_TYPE_F1 = (
    "harmonic mean of the type's recall and the overall precision: a false flag belongs to no "
    "fault type, so detection precision exists only overall"
)


def top_parameters(candidates: str, top: int = TOP) -> list[str]:
    """The parameters of the first `top` candidates of an exported `root_candidates` list."""
    return [c["parameter"] for c in json.loads(candidates or "[]")[:top]]


def score_findings(findings: pd.DataFrame, truth: pd.DataFrame, unit_months: int) -> dict[str, Any]:
    """generalisation_scores.score_faulty with, per fault type, the F1 against the overall
    precision and root top-3; overall root top-1 and top-3; and the share of detected
    drifting-CEMS unit-months whose root is `cems_co2_t`."""
    result = scores.score_faulty(findings, truth, unit_months)
    detected = truth.merge(
        findings[[*scores.KEY, "root_parameter", "root_candidates"]],
        on=scores.KEY,
        suffixes=("", "_found"),
    )
    top1 = detected["root_parameter_found"] == detected["root_parameter"]
    top3 = pd.Series(
        [
            root in top_parameters(candidates)
            for root, candidates in zip(
                detected["root_parameter"], detected["root_candidates"], strict=True
            )
        ],
        index=detected.index,
        dtype=bool,
    )
    for fault_type, per in result["per_fault_type"].items():
        of_type = detected["fault_type"] == fault_type
        per["f1_with_overall_precision"] = scores.f1_score(result["precision"], per["recall"])
        per["root_top3"] = scores.ratio(int(top3[of_type].sum()), int(of_type.sum()))
    cems = detected[detected["fault_type"] == scores.EXTERNAL_FAULT]
    return result | {
        "root_top1": scores.ratio(int(top1.sum()), len(detected)),
        "root_top3": scores.ratio(int(top3.sum()), len(detected)),
        "cems_drift_to_cems_co2_t": scores.ratio(
            int((cems["root_parameter_found"] == "cems_co2_t").sum()), len(cems)
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


def exported(store: EmbeddedStore) -> tuple[pd.DataFrame, int, float]:
    """The store's findings export, its number of unit-months and the export's seconds."""
    started = time.perf_counter()
    findings = findings_frame(store)
    seconds = round(time.perf_counter() - started, 2)
    return findings, len(store.read_unit_months()), seconds


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
    truth = scores.fault_unit_months(pd.read_csv(faulty_dir / "faults.csv", dtype=str))
    store, seconds = swept_store(faulty_dir, workdir / f"home-{name}")
    findings, total, seconds["export"] = exported(store)
    store.close()
    result = score_findings(findings, truth, total)
    clean, _ = swept_store(clean_dir, workdir / f"home-{name}-clean")
    clean_findings, clean_total, seconds["clean_export"] = exported(clean)
    clean.close()
    result["clean_twin"] = scores.score_clean(clean_findings, clean_total)
    result["checks"] = scores.checks(result | result["clean_twin"])
    result["seconds"] = seconds
    return result


def run(scale: str, seeds: list[int], workdir: Path) -> dict[str, Any]:
    results = {f"seed_{seed}": run_seed(scale, seed, workdir) for seed in seeds}
    checked = {name for result in results.values() for name in result["checks"]}
    return {
        "scale": scale,
        "targets": {n: t.label for n, t in scores.TARGETS.items() if n in checked},
        "per_fault_type_f1": PER_TYPE_F1,
        **results,
    }


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
