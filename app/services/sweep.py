"""The sweep: score every edge and node of the periods whose data changed, publish atomically.

Stages: read the unit-month frame (all periods: vertical models and history rules need the
past), fingerprint each period, choose the periods to score, fit or load the edge models
(persisted under `<home>/models/<version>/`), evaluate the rules, score edges, nodes and
unit-months, write them in per-period batches into the sweep's own space, and publish. Any
exception marks the sweep failed and leaves the previous results current.
"""

import hashlib
import io
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import joblib
import pandas as pd

from app.infrastructure.stores.contract import Store, SweepRecord, SweepStatus
from models.edge_models import EdgeModelSet, fit_edge_models, month_index, score_all_edges
from models.node_scores import EVIDENCE_THRESHOLD, score_nodes
from models.rule_engine import evaluate_rules
from models.unit_month_scores import MIN_CANDIDATE_SCORE, score_unit_months

Progress = Callable[[str, int, int], None]
# Periods per write batch: small enough that a batch's frames stay a few hundred MB at
# national scale.
PERIODS_PER_BATCH = 1


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_sweep_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def period_fingerprints(frame: pd.DataFrame) -> dict[str, str]:
    """A hash of each period's rows (all columns, rows in unit order)."""
    if len(frame) == 0:
        return {}
    ordered = frame.sort_values(["period", "unit_id"]).reset_index(drop=True)
    ordered = ordered[sorted(ordered.columns)]
    row_hashes = pd.util.hash_pandas_object(ordered, index=False).to_numpy()
    periods = ordered["period"].astype(str).to_numpy()
    bounds = pd.Series(range(len(periods))).groupby(periods).agg(["min", "max"])
    return {
        str(p): hashlib.sha256(row_hashes[lo : hi + 1].tobytes()).hexdigest()[:32]
        for p, (lo, hi) in bounds.iterrows()
    }


def periods_to_score(
    fingerprints: dict[str, str],
    previous: dict[str, str],
    requested: Sequence[str] | None,
    full: bool,
) -> list[str]:
    """Requested periods; else all (full); else the changed periods and the month after each
    (its vertical edges read the changed month)."""
    available = sorted(fingerprints)
    if requested:
        return sorted(set(requested) & set(available))
    if full:
        return available
    changed = {p for p in available if previous.get(p) != fingerprints[p]}
    as_index = pd.Series(available)
    following = as_index[month_index(as_index).isin(month_index(pd.Series(sorted(changed))) + 1)]
    return sorted(changed | set(following))


def save_models(store: Store, models: EdgeModelSet) -> None:
    """Keep the fitted models with the sweep, through the store (whichever it is)."""
    buffer = io.BytesIO()
    joblib.dump(models, buffer)
    store.save_model(models.version, buffer.getvalue())


def load_models(store: Store, version: str) -> EdgeModelSet | None:
    """The models a sweep saved under `version`, None when there are none."""
    payload = store.load_model(version) if version else None
    if payload is None:
        return None
    models = joblib.load(io.BytesIO(payload))
    return models if isinstance(models, EdgeModelSet) else None


def stored_scores(nodes: pd.DataFrame, edges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The node and edge scores a sweep keeps, the same policy whatever the store: every edge
    and node that tracing could name (score ≥ MIN_CANDIDATE_SCORE), and the child node of each
    kept edge (it carries the edge in Neo4j, and tracing reads them together)."""
    kept_edges = edges[edges["score"] >= MIN_CANDIDATE_SCORE]
    children = kept_edges["unit_id"] + "|" + kept_edges["period"] + "|" + kept_edges["child"]
    kept_nodes = nodes[(nodes["score"] >= MIN_CANDIDATE_SCORE) | nodes["key"].isin(children)]
    return kept_nodes.reset_index(drop=True), kept_edges.reset_index(drop=True)


def _rule_violations(frame: pd.DataFrame, periods: Sequence[str]) -> pd.DataFrame:
    violations = evaluate_rules(frame, periods)
    violations["unit_id"] = violations["unit_id"].astype(str)
    violations["period"] = violations["period"].astype(str)
    return violations


def _text_keys(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["unit_id"] = frame["unit_id"].astype(str)
    frame["period"] = frame["period"].astype(str)
    return frame.sort_values(["unit_id", "period"]).reset_index(drop=True)


def run_sweep(
    store: Store,
    periods: Sequence[str] | None = None,
    full: bool = False,
    progress: Progress | None = None,
    on_begin: Callable[[SweepRecord], None] | None = None,
) -> SweepRecord:
    """Score the periods that need it and publish them under a new sweep id; `on_begin` hears
    the new sweep's record as soon as the store has it."""
    report = progress or (lambda stage, done, total: None)
    record = SweepRecord(sweep_id=new_sweep_id(), started=_now(), full=full)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        record.seconds[stage] = round(now - clock, 3)
        clock = now

    store.begin_sweep(record)
    if on_begin is not None:
        on_begin(record)
    try:
        report("read", 0, 1)
        frame = _text_keys(store.read_unit_months())
        fingerprints = period_fingerprints(frame)
        previous = store.data_fingerprints()
        record.periods = periods_to_score(fingerprints, previous, periods, full)
        record.fingerprints = {p: fingerprints[p] for p in record.periods}
        lap("read")
        report("models", 0, 1)
        current = store.current_sweep()
        models = None
        if record.periods:
            if not full and current is not None:
                models = load_models(store, current.model_version)
            if models is None:
                models = fit_edge_models(frame, version=record.sweep_id)
                save_models(store, models)
            record.model_version = models.version
        elif current is not None:
            record.model_version = current.model_version
        lap("models")
        if record.periods and models is not None:
            _score_and_write(store, frame, models, record, report)
        lap("scoring")
        record.status = SweepStatus.PUBLISHED
        record.ended = _now()
        store.publish_sweep(record)
        lap("publish")
        return record
    except BaseException as error:
        record.status = SweepStatus.FAILED
        record.ended = _now()
        record.error = f"{type(error).__name__}: {error}"
        store.fail_sweep(record)
        raise


def _score_and_write(
    store: Store,
    frame: pd.DataFrame,
    models: EdgeModelSet,
    record: SweepRecord,
    report: Progress,
) -> None:
    """Score in per-period batches; `record.seconds` gets the time of each part."""
    report("rules", 0, 1)
    t0 = time.perf_counter()
    violations = _rule_violations(frame, record.periods)
    timing = {"rules": time.perf_counter() - t0, "edges": 0.0, "nodes": 0.0, "write": 0.0}
    counts = dict.fromkeys(
        ["unit_months", "nodes", "edges", "flagged", "anomalous_nodes", "anomalous_edges"], 0
    )
    counts["rule_violations"] = len(violations)
    batches = [
        record.periods[i : i + PERIODS_PER_BATCH]
        for i in range(0, len(record.periods), PERIODS_PER_BATCH)
    ]
    report("score", 0, len(batches))
    t0 = time.perf_counter()
    all_edges = score_all_edges(frame, models, record.periods)
    timing["edges"] = time.perf_counter() - t0
    for done, batch in enumerate(batches):
        report("score", done, len(batches))
        t1 = time.perf_counter()
        edges = all_edges[all_edges["period"].isin(batch)]
        rows = frame[frame["period"].isin(batch)]
        nodes = score_nodes(rows, edges, violations[violations["period"].isin(batch)])
        unit_months = score_unit_months(nodes)
        t2 = time.perf_counter()
        store.write_scores(record.sweep_id, unit_months, *stored_scores(nodes, edges))
        t3 = time.perf_counter()
        timing["nodes"] += t2 - t1
        timing["write"] += t3 - t2
        counts["edges"] += len(edges)
        counts["nodes"] += len(nodes)
        counts["unit_months"] += len(unit_months)
        counts["flagged"] += int(unit_months["flagged"].sum())
        counts["anomalous_nodes"] += int((nodes["score"] >= EVIDENCE_THRESHOLD).sum())
        counts["anomalous_edges"] += int((edges["score"] >= EVIDENCE_THRESHOLD).sum())
    report("score", len(batches), len(batches))
    record.counts = counts
    record.seconds.update({k: round(v, 3) for k, v in timing.items()})
