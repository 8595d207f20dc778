"""Root-cause baselines beside mrvtrace's attribution: the same flags, data and DAG (issue 7).

The task: for a detected faulted unit-month (flagged by the sweep and covered by faults.csv, as
bench/accuracy.py scores it), name the root parameter. A method is right at top-1 when its first
parameter is faults.csv's `root_parameter`, at top-3 when one of its first three has that name.
Up to `per_fault_type` unit-months per fault type are drawn (seeded), and all three methods
explain the same ones:

- mrvtrace: what the sweep stored (the findings export, `findings_frame`): the unit-month's
  root (`top_parameter`) and its ranked candidates, the engine's attribution (engine.attribution)
  made when the sweep scored the fleet. Speed: the sweep's score stage (evidence, flags, roots
  and impact of every unit-month of the fleet) divided by the unit-months it attributed (the
  listed ones), an upper bound on the attribution's own share; and the why answer on its own
  (`unit_month_window` from the store and `trace_unit_month`), per sampled unit-month.
- DoWhy gcm, `gcm.attribute_anomalies` (Budhathoki et al., ICML 2022): an invertible structural
  causal model over every parameter at t0, t-1 and t-2 (`coal_carbon_pct@t-1`) with
  graph_schema's TRANSFER_EDGES: in each month its same-month edges (those mrvtrace's trace
  paths follow), and a vertical edge from each month into the next (no parent before t-2). That
  edge set is acyclic, so no edge is dropped (`causal_dag` raises should one ever close a
  cycle). The target is the symptom mrvtrace's why answer picks for the same unit-month
  (`trace_unit_month`'s symptom parameter at t0), so both methods answer "what caused this
  symptom"; DoWhy attributes the target's anomaly score to the noise of the target and its
  ancestors, and the ranking keeps the input (non-derived) nodes, mrvtrace's candidate universe
  (faults.csv never names a formula).
  Data: one row per unit-month with the two earlier months' values as columns. DoWhy takes no
  missing values, and rows miss some wherever a window reaches before the data's first month,
  into an outage, or over a missing external measurement: the sample is drawn from complete
  rows only, for all three methods alike (the JSON says how many detected unit-months that
  leaves per fault type, and mrvtrace's accuracy over all of them for comparison).
  Fit: on FIT_ROWS random complete unit-months the sweep did not flag (normal behaviour; the
  flags are the sweep's, which every method here starts from).
  Mechanisms: additive noise models, each chosen as DoWhy's automatic assignment chooses
  (`gcm.auto.find_best_model`: 5-fold cross-validated MSE), among linear and degree-2
  polynomial regression; roots are empirical distributions. The automatic assignment at its
  default quality (GOOD) also offers histogram gradient boosting and picks it for about a third
  of the nodes; attribution then evaluates the ancestors' mechanisms some thousand times per
  anomaly (Shapley values over the ancestors' noise), and measured here ~130 s per anomaly for
  a 30-node ancestor set, too slow to explain a sample. A degree-2 polynomial covers the
  two-factor products of the formulas, and both candidates predict in microseconds.
  Attribution: DoWhy's defaults (IT anomaly score with the median-CDF-quantile scorer, Shapley
  values by sampled permutations), except DISTRIBUTION_SAMPLES draws of the target's marginal
  distribution instead of 3000 (3.3 times faster, and the same top-1 as 3000 gave on one
  unit-month per fault type) and one job (no process pool on a 2-core machine). It still costs
  seconds per anomaly, growing with the square of the target's ancestors (each Shapley
  permutation re-evaluates the ancestors' mechanisms once per ancestor): the default of
  DEFAULT_PER_FAULT_TYPE anomalies per fault type keeps a medium run under 5 minutes (2.5 to
  4 measured, with the swept store reused); each further one per fault type adds half a minute.
  The attribution is a seeded Monte Carlo estimate, but DoWhy orders the ancestors (the Shapley
  players) by set iteration, which Python's string hashing randomises per process: contested
  rankings can differ between runs unless PYTHONHASHSEED is fixed (the JSON records it).
- naive: the input parameter of the unit-month's window (t0, t-1, t-2) with the largest |z|, z
  being the value against its own unit's history: (value - median) / (1.4826 MAD) over the
  unit's months, robust to the fault's own months. Not the sweep's node z: that is mrvtrace's
  own attribution, not a naive method; not a z against the parameter's population: extensive
  quantities scale with the unit's size, so a population z names the largest units. Where over
  half of a unit's months share one value (MAD 0: an oxidation rate, the heat supply of a unit
  that supplies heat in winter only), the scale falls back to 1.2533 × the mean absolute
  deviation, as the modified z-score does; a constant history gives z 0. Its time: the z of
  every unit-month plus the ranking, divided by the number explained.

    pip install -e '.[bench]'
    python -m bench.root_cause_baselines --scale medium --seed 1 --workdir DIR
"""

import argparse
import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from app.infrastructure.stores.contract import NATIONAL_FILTER
from app.infrastructure.stores.embedded import EmbeddedStore
from app.services.analysis import DEFAULT_DEPTH
from app.services.findings_export import findings_frame
from app.services.tracing.trace import TraceResult, trace_unit_month
from bench.accuracy import generated, swept_store, top_parameters
from bench.generalisation_scores import fault_unit_months, ratio
from graph_schema.parameters import PARAMETERS, ParameterKind
from graph_schema.periods import month_index
from graph_schema.transfer_edges import TRANSFER_EDGES

RESULTS = Path(__file__).parent / "results" / "root_cause_baselines.json"
DEFAULT_PER_FAULT_TYPE = 5
FIT_ROWS = 5000
DISTRIBUTION_SAMPLES = 500
TOP = 3
METHODS = ("mrvtrace", "dowhy", "naive")
PARAMETER_NAMES = tuple(p.name for p in PARAMETERS)
INPUTS = tuple(p.name for p in PARAMETERS if p.kind != ParameterKind.DERIVED)
# MAD and mean absolute deviation -> standard deviation under normality (the modified z-score
# falls back to the mean absolute deviation where over half the months share one value).
MAD_TO_SD = 1.4826
MEAN_AD_TO_SD = 1.2533
KEYS = ["unit_id", "period"]


def node_name(parameter: str, lag: int) -> str:
    """`coal_carbon_pct@t0`, `coal_carbon_pct@t-1`, ..."""
    return f"{parameter}@t{-lag}" if lag else f"{parameter}@t0"


def parameter_of(node: str) -> str:
    return node.split("@", 1)[0]


def causal_dag(depth: int = DEFAULT_DEPTH) -> nx.DiGraph:
    """Every parameter at lags 0..depth, with every transfer edge whose parent month is in the
    window: each month's same-month edges and the vertical edges from a month into the next.
    Raises ValueError on a cycle."""
    dag = nx.DiGraph()
    dag.add_nodes_from(node_name(p, lag) for lag in range(depth + 1) for p in PARAMETER_NAMES)
    dag.add_edges_from(
        (node_name(e.parent, lag + e.lag), node_name(e.child, lag))
        for lag in range(depth + 1)
        for e in TRANSFER_EDGES
        if lag + e.lag <= depth
    )
    if not nx.is_directed_acyclic_graph(dag):
        raise ValueError(f"the transfer edges close a cycle: {nx.find_cycle(dag)}")
    return dag


def lagged_frame(
    rows: pd.DataFrame, columns: Sequence[str], depth: int = DEFAULT_DEPTH
) -> pd.DataFrame:
    """One row per (unit_id, period) of `rows` (the index), with `columns` of that month and
    of the `depth` months before it as node columns (`name@t-lag`, missing months NaN)."""
    keyed = rows[[*KEYS, *columns]].assign(
        unit_id=rows["unit_id"].astype(str), period=rows["period"].astype(str)
    )
    keyed["month"] = month_index(keyed["period"])
    out = keyed[[*KEYS, "month"]]
    for lag in range(depth + 1):
        # The row of month m - lag, keyed by m.
        shifted = keyed[["unit_id", "month", *columns]].assign(month=keyed["month"] + lag)
        out = out.merge(
            shifted.rename(columns={c: node_name(c, lag) for c in columns}),
            on=["unit_id", "month"],
            how="left",
        )
    return out.drop(columns="month").set_index(KEYS)


def own_history_z(unit_months: pd.DataFrame) -> pd.DataFrame:
    """Robust z of every input parameter of every unit-month against its unit's months."""
    values = unit_months[list(INPUTS)].astype(float)
    units = unit_months["unit_id"].astype(str)
    deviation = values - values.groupby(units).transform("median")
    spread = deviation.abs().groupby(units)
    scale = (MAD_TO_SD * spread.transform("median")).replace(0.0, np.nan)
    scale = scale.fillna(MEAN_AD_TO_SD * spread.transform("mean"))
    # A constant history (scale 0) has nothing to deviate from: z 0.
    z = (deviation / scale.replace(0.0, np.nan)).fillna(0.0).where(values.notna())
    return pd.concat([unit_months[KEYS], z], axis=1)


def ranked_by_largest(scores: pd.DataFrame, top: int = TOP) -> list[list[str]]:
    """Per row, the parameters of the `top` columns with the largest score, best first
    (missing scores last; ties in column order)."""
    matrix = np.nan_to_num(scores.to_numpy(dtype=float), nan=-np.inf)
    order = np.argsort(-matrix, axis=1, kind="stable")[:, :top]
    names = np.array([parameter_of(c) for c in scores.columns])
    return names[order].tolist()


def naive_rankings(z_window: pd.DataFrame, top: int = TOP) -> list[list[str]]:
    """The inputs of each row's window (columns `name@t-lag` of own_history_z values) with the
    largest |z|, best first."""
    return ranked_by_largest(z_window.abs(), top)


def sample_detected(
    truth: pd.DataFrame, flags: pd.DataFrame, complete: pd.Series, per_fault_type: int, seed: int
) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """Up to `per_fault_type` detected faulted unit-months per fault type whose window is
    complete (seeded), and per fault type how many were detected, complete and drawn."""
    keys = flags[KEYS].astype(str).drop_duplicates()
    detected = truth.merge(keys, on=KEYS)
    whole = complete[complete].index.to_frame(index=False)
    eligible = detected.merge(whole, on=KEYS)
    drawn = eligible.sample(frac=1.0, random_state=seed).groupby("fault_type").head(per_fault_type)
    drawn = drawn.sort_values(["fault_type", *KEYS]).reset_index(drop=True)
    counts = {
        str(t): {
            "detected": int((detected["fault_type"] == t).sum()),
            "complete_window": int((eligible["fault_type"] == t).sum()),
            "sampled": int((drawn["fault_type"] == t).sum()),
        }
        for t in sorted(detected["fault_type"].unique())
    }
    return drawn, counts


def why_answers(
    store: EmbeddedStore, sample: pd.DataFrame
) -> tuple[list[TraceResult], list[float]]:
    """The why answer's trace of each sampled unit-month from the stored results, and its
    seconds (reading the unit-month's window from the store, then tracing it)."""
    results, seconds = [], []
    for unit_id, period in zip(sample["unit_id"], sample["period"], strict=True):
        started = time.perf_counter()
        found = store.unit_month_window(unit_id, period, DEFAULT_DEPTH, NATIONAL_FILTER)
        if found is None:
            raise LookupError(f"no unit-month {unit_id} {period} in the store")
        results.append(trace_unit_month(found))
        seconds.append(time.perf_counter() - started)
    return results, seconds


def mrvtrace_rankings(sample: pd.DataFrame, findings: pd.DataFrame) -> list[list[str]]:
    """Per sampled unit-month, the parameters of its first TOP exported root candidates (the
    first is its root)."""
    candidates = sample[KEYS].merge(findings[[*KEYS, "root_candidates"]], on=KEYS, how="left")
    return [top_parameters(text, TOP) for text in candidates["root_candidates"].fillna("[]")]


def fit_dowhy(dag: nx.DiGraph, rows: pd.DataFrame, seed: int) -> tuple[Any, dict[str, int]]:
    """The fitted invertible SCM and how many nodes got each mechanism."""
    from dowhy import gcm
    from dowhy.gcm.ml.regression import create_linear_regressor, create_polynom_regressor
    from dowhy.graph import get_ordered_predecessors

    gcm.config.disable_progress_bars()
    gcm.config.set_default_n_jobs(1)
    gcm.util.general.set_random_seed(seed)
    scm = gcm.InvertibleStructuralCausalModel(dag)
    chosen: Counter[str] = Counter()
    for node in nx.topological_sort(dag):
        parents = get_ordered_predecessors(scm.graph, node)
        if not parents:
            scm.set_causal_mechanism(node, gcm.EmpiricalDistribution())
            chosen["empirical distribution (root)"] += 1
            continue
        factory, _ = gcm.auto.find_best_model(
            [create_linear_regressor, create_polynom_regressor],
            rows[parents].to_numpy(),
            rows[node].to_numpy(),
        )
        scm.set_causal_mechanism(node, gcm.AdditiveNoiseModel(factory()))
        chosen[f"additive noise, {factory.__name__.removeprefix('create_')}"] += 1
    gcm.fit(scm, rows)
    return scm, dict(chosen)


@dataclass
class Attributions:
    """Per explained row: the parameters of the input nodes with the largest contributions,
    best first, and the top node of all (a derived node's own noise included); empty without a
    target. `seconds`: all the attributions."""

    rankings: list[list[str]]
    top_nodes: list[str | None]
    seconds: float = 0.0


def dowhy_attributions(
    scm: Any, rows: pd.DataFrame, targets: Sequence[str | None], seed: int, top: int = TOP
) -> Attributions:
    """`gcm.attribute_anomalies` of each row's target, one call per distinct target."""
    from dowhy import gcm

    gcm.util.general.set_random_seed(seed)
    out = Attributions([[] for _ in targets], [None for _ in targets])
    for target in sorted({t for t in targets if t is not None}):
        at = [i for i, t in enumerate(targets) if t == target]
        started = time.perf_counter()
        contributions = gcm.attribute_anomalies(
            scm, target, rows.iloc[at], num_distribution_samples=DISTRIBUTION_SAMPLES
        )
        out.seconds += time.perf_counter() - started
        scores = pd.DataFrame(contributions)
        inputs = [n for n in scores.columns if parameter_of(n) in INPUTS]
        best = scores.idxmax(axis=1).tolist()
        for i, ranking, node in zip(at, ranked_by_largest(scores[inputs], top), best, strict=True):
            out.rankings[i], out.top_nodes[i] = ranking, node
    return out


def score_rankings(sample: pd.DataFrame, rankings: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Top-1 and top-3 shares, overall and per fault type."""
    roots = sample["root_parameter"].tolist()
    top1 = np.array([list(r[:1]) == [root] for r, root in zip(rankings, roots, strict=True)])
    top3 = np.array([root in r[:TOP] for r, root in zip(rankings, roots, strict=True)])
    per_type = {}
    for fault_type, at in sample.groupby("fault_type").indices.items():
        per_type[str(fault_type)] = {
            "n": len(at),
            "top1": ratio(int(top1[at].sum()), len(at)),
            "top3": ratio(int(top3[at].sum()), len(at)),
        }
    return {
        "explained": len(sample),
        "top1": ratio(int(top1.sum()), len(sample)),
        "top3": ratio(int(top3.sum()), len(sample)),
        "per_fault_type": per_type,
    }


def score_all_detected(findings: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Any]:
    """mrvtrace's exported roots scored over every detected faulted unit-month (complete window
    or not): the population the sample is drawn from."""
    found = truth.merge(findings[[*KEYS, "root_candidates"]], on=KEYS)
    rankings = [top_parameters(text, TOP) for text in found["root_candidates"]]
    return score_rankings(found, rankings)


def _acceptance(methods: dict[str, Any]) -> dict[str, Any]:
    mrvtrace, dowhy = methods["mrvtrace"], methods["dowhy"]
    per_type = {
        t: mrvtrace["per_fault_type"][t]["top1"] >= figures["top1"]
        for t, figures in dowhy["per_fault_type"].items()
    }
    speedup = dowhy["seconds_per_explanation"] / mrvtrace["seconds_per_explanation"]
    return {
        "top1_at_least_dowhy_per_fault_type": per_type,
        "top1_at_least_dowhy_everywhere": all(per_type.values()),
        "speedup_per_explanation": round(speedup, 1),
        "speedup_why_answer": round(
            dowhy["seconds_per_explanation"] / mrvtrace["seconds_why_answer"], 1
        ),
        "at_least_100x_faster": speedup >= 100,
        "goal_1000x_faster": speedup >= 1000,
    }


def _dowhy_explanations(
    dag: nx.DiGraph,
    values: pd.DataFrame,
    flags: pd.DataFrame,
    sample: pd.DataFrame,
    targets: Sequence[str | None],
    seed: int,
) -> tuple[Attributions, dict[str, Any]]:
    """Fit on FIT_ROWS complete unflagged rows, attribute the sample; settings and seconds."""
    flagged = pd.MultiIndex.from_frame(flags[KEYS].astype(str))
    normal = values[values.notna().all(axis=1) & ~values.index.isin(flagged)]
    fit_rows = normal.sample(min(FIT_ROWS, len(normal)), random_state=seed)
    started = time.perf_counter()
    scm, mechanisms = fit_dowhy(dag, fit_rows, seed)
    fit_seconds = time.perf_counter() - started
    rows = values.loc[pd.MultiIndex.from_frame(sample[KEYS])]
    attributions = dowhy_attributions(scm, rows, targets, seed)
    return attributions, {
        "fit_seconds": round(fit_seconds, 2),
        "fit_rows": len(fit_rows),
        "mechanisms": mechanisms,
        "distribution_samples": DISTRIBUTION_SAMPLES,
        "attribution_seconds": round(attributions.seconds, 2),
        "python_hash_seed": os.environ.get("PYTHONHASHSEED"),
    }


def _dowhy_misses(sample: pd.DataFrame, attributions: Attributions) -> dict[str, float | None]:
    """Where DoWhy's answer came from: a formula's own noise (not ranked), an earlier month,
    or the lab report where faults.csv names the reported carbon (both are lowered when the
    report is forged; the report is upstream in the DAG)."""
    nodes = [node for node in attributions.top_nodes if node is not None]
    carbon = (sample["root_parameter"] == "coal_carbon_pct").to_numpy()
    report_first = np.array([r[:1] == ["report_carbon_pct"] for r in attributions.rankings])
    return {
        "top_node_derived": ratio(sum(parameter_of(n) not in INPUTS for n in nodes), len(nodes)),
        "top_node_earlier_month": ratio(sum(not n.endswith("@t0") for n in nodes), len(nodes)),
        "report_carbon_first_where_root_is_coal_carbon": ratio(
            int((report_first & carbon).sum()), int(carbon.sum())
        ),
    }


def _sample_rows(
    sample: pd.DataFrame,
    targets: Sequence[str | None],
    attributions: Attributions,
    rankings: dict[str, list[list[str]]],
) -> list[dict[str, Any]]:
    columns = (sample[c].tolist() for c in (*KEYS, "fault_type", "root_parameter"))
    return [
        {
            "unit_id": unit_id,
            "period": period,
            "fault_type": fault_type,
            "root_parameter": root,
            "symptom": target,
            "dowhy_top_node": node,
            **{method: ranked[i] for method, ranked in rankings.items()},
        }
        for i, (unit_id, period, fault_type, root, target, node) in enumerate(
            zip(*columns, targets, attributions.top_nodes, strict=True)
        )
    ]


def _notes(n: int, per_fault_type: int, dowhy: dict[str, Any]) -> list[str]:
    return [
        f"Same {n} detected faulted unit-months (up to {per_fault_type} per fault type, "
        "complete 3-month window) for every method; top-1: the first parameter is faults.csv's "
        "root_parameter.",
        "DoWhy attributes the symptom mrvtrace's why answer picks (its parameter at t0), with "
        "linear or degree-2 polynomial additive noise models fitted on "
        f"{dowhy['fit_rows']} unflagged unit-months in {dowhy['fit_seconds']:.1f} s (not in its "
        "per-explanation time).",
        "mrvtrace: the root and candidates its sweep stored; its per-explanation time is the "
        "sweep's score stage (the whole fleet's evidence, flags, roots and impact) divided by "
        "the unit-months it attributed; naive: the window's input with the largest |robust z| "
        "against the unit's own history.",
    ]


def run_baselines(scale: str, seed: int, workdir: Path, per_fault_type: int) -> dict[str, Any]:
    """Run the three methods on the same sample of the swept store in `workdir` (created, or
    reused, exactly as bench/accuracy.py does); a JSON-able report."""
    started = time.perf_counter()
    name = f"{scale}-{seed}"
    folder = generated(workdir / name, scale, seed, None)
    truth = fault_unit_months(pd.read_csv(folder / "faults.csv", dtype=str))
    store, sweep_seconds = swept_store(folder, workdir / f"home-{name}")
    record = store.current_sweep()
    if record is None:
        raise LookupError(f"no current sweep under {workdir / f'home-{name}'}")
    frame = store.scoped_unit_months(None, NATIONAL_FILTER)
    findings = findings_frame(store)
    values = lagged_frame(frame, PARAMETER_NAMES)
    complete = values.notna().all(axis=1)
    sample, counts = sample_detected(truth, findings, complete, per_fault_type, seed)
    n = len(sample)

    results, why_seconds = why_answers(store, sample)
    store.close()
    targets = [node_name(r.symptom.parameter, 0) if r.symptom else None for r in results]

    naive_started = time.perf_counter()
    z_window = lagged_frame(own_history_z(frame), INPUTS)
    naive = naive_rankings(z_window.loc[pd.MultiIndex.from_frame(sample[KEYS])])
    naive_seconds = time.perf_counter() - naive_started

    dag = causal_dag()
    attributions, dowhy = _dowhy_explanations(dag, values, findings, sample, targets, seed)
    rankings = {
        "mrvtrace": mrvtrace_rankings(sample, findings),
        "dowhy": attributions.rankings,
        "naive": naive,
    }
    score_seconds, listed = record.seconds["score"], int(record.counts["listed"])
    methods = {
        "mrvtrace": score_rankings(sample, rankings["mrvtrace"])
        | {
            "seconds_per_explanation": score_seconds / listed if listed else None,
            "seconds_why_answer": float(np.mean(why_seconds)) if n else None,
            "seconds_why_answer_median": float(np.median(why_seconds)) if n else None,
            "sweep_score_seconds": score_seconds,
            "sweep_listed": listed,
        },
        "dowhy": score_rankings(sample, rankings["dowhy"])
        | {"seconds_per_explanation": attributions.seconds / n if n else None}
        | dowhy
        | _dowhy_misses(sample, attributions),
        "naive": score_rankings(sample, naive)
        | {"seconds_per_explanation": naive_seconds / n if n else None},
    }
    agree = sum(
        r.root is not None and ranked[:1] == [r.root.parameter]
        for r, ranked in zip(results, rankings["mrvtrace"], strict=True)
    )
    return {
        "scale": scale,
        "seed": seed,
        "per_fault_type": per_fault_type,
        "notes": _notes(n, per_fault_type, dowhy),
        "methods": methods,
        "acceptance": _acceptance(methods) if n else None,
        "mrvtrace_all_detected": score_all_detected(findings, truth),
        "sample": counts,
        "why_root_matches_findings": ratio(agree, n),
        "symptoms": dict(Counter(t or "none" for t in targets).most_common()),
        # No edge is dropped: causal_dag raises on a cycle instead.
        "dag": {
            "nodes": dag.number_of_nodes(),
            "edges": dag.number_of_edges(),
            "depth": DEFAULT_DEPTH,
            "dropped_edges": [],
        },
        "samples": _sample_rows(sample, targets, attributions, rankings),
        "sweep_seconds": sweep_seconds,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }


def _table(report: dict[str, Any]) -> str:
    methods = report["methods"]
    types = sorted(methods["mrvtrace"]["per_fault_type"])
    lines = [
        f"{'fault type':28}" + "".join(f"{m + ' t1/t3':>18}" for m in METHODS),
    ]
    for fault_type in [*types, "all"]:
        cells = []
        for method in METHODS:
            figures = (
                methods[method]
                if fault_type == "all"
                else methods[method]["per_fault_type"][fault_type]
            )
            cells.append(f"{figures['top1']:.2f}/{figures['top3']:.2f}")
        lines.append(f"{fault_type:28}" + "".join(f"{c:>18}" for c in cells))
    lines.append("")
    for method in METHODS:
        lines.append(
            f"{method:10} {methods[method]['seconds_per_explanation'] * 1000:12.3f} ms "
            "per explanation"
        )
    lines.append(
        f"mrvtrace why answer (window read and trace): "
        f"{methods['mrvtrace']['seconds_why_answer'] * 1000:.2f} ms; "
        f"DoWhy fit: {methods['dowhy']['fit_seconds']} s; "
        f"wall: {report['wall_seconds']} s"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--per-fault-type", type=int, default=DEFAULT_PER_FAULT_TYPE)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    report = run_baselines(args.scale, args.seed, args.workdir, args.per_fault_type)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(_table(report))
    print(json.dumps(report["acceptance"], indent=2))


if __name__ == "__main__":
    main()
