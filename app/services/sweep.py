"""The sweep: score every unit-month of the periods whose data changed, publish atomically.

Stages, each timed once: read the unit-month frame (all periods: history and peers need the
whole fleet), fingerprint each period and choose the periods to score; fit the engine on the
fleet (or reuse the current sweep's engine, saved through the store); score; write the results
of the chosen periods in per-period batches into the sweep's own space; publish. The sweep
record keeps the patterns the prevalence guard found, the systemic sources and the engine's
calibration. Any exception marks the sweep failed and leaves the previous results current.
"""

import hashlib
import io
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import joblib
import pandas as pd

from app.infrastructure.stores.contract import NATIONAL_FILTER, Store, SweepRecord, SweepStatus
from app.services.access import Scope, ScopeKind
from app.services.review_sweep import reconcile_findings
from engine.engine import EngineResult, UnitMonthEngine
from engine.policy import ScoringPolicy
from graph_schema.periods import month_index

Progress = Callable[[str, int, int], None]


class NothingLoaded(RuntimeError):
    """The store holds no unit-month: a sweep would publish results of nothing."""

    def __init__(self) -> None:
        super().__init__("the store holds no unit-months: load a dataset first (mrvtrace load DIR)")


def _now() -> str:
    # Microseconds: two sweeps of one second still list newest first.
    return datetime.now(UTC).isoformat(timespec="microseconds")


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


def save_engine(store: Store, engine: UnitMonthEngine, version: str) -> None:
    """Keep the fitted engine with the sweep, through the store (whichever it is)."""
    buffer = io.BytesIO()
    joblib.dump(engine, buffer)
    store.save_model(version, buffer.getvalue())


def load_engine(store: Store, version: str) -> UnitMonthEngine | None:
    """The engine a sweep saved under `version`, None when there is none."""
    payload = store.load_model(version) if version else None
    if payload is None:
        return None
    engine = joblib.load(io.BytesIO(payload))
    return engine if isinstance(engine, UnitMonthEngine) else None


def _jsonable(value: Any) -> Any:
    """numpy scalars and arrays inside a record become plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def run_sweep(
    store: Store,
    periods: Sequence[str] | None = None,
    full: bool = False,
    progress: Progress | None = None,
    on_begin: Callable[[SweepRecord], None] | None = None,
    policy: ScoringPolicy | None = None,
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
        frame = store.scoped_unit_months(None, NATIONAL_FILTER)
        if frame.empty:
            raise NothingLoaded()
        fingerprints = period_fingerprints(frame.drop(columns=["verifier_id", "allocated_t"]))
        record.periods = periods_to_score(fingerprints, store.data_fingerprints(), periods, full)
        record.fingerprints = {p: fingerprints[p] for p in record.periods}
        lap("read")
        current = store.current_sweep()
        if not record.periods:
            # Nothing changed: the fleet-wide findings of the current sweep still hold.
            if current is not None:
                record.carries = current.results_of
                record.model_version = current.model_version
                record.patterns, record.systemic = current.patterns, current.systemic
                record.calibration = current.calibration
        else:
            report("fit", 0, 1)
            engine = None if full or current is None else load_engine(store, current.model_version)
            if engine is None:
                engine = UnitMonthEngine(policy or ScoringPolicy())
                # The fit ends with the evidence of the frame it scores next: kept, not redone.
                evidence = engine.fit_evidence(frame)
                save_engine(store, engine, record.sweep_id)
                record.model_version = record.sweep_id
            else:
                evidence = None
                record.model_version = current.model_version if current else ""
            lap("fit")
            report("score", 0, 1)
            result = engine.decide(
                engine.evidence(frame) if evidence is None else evidence, record.periods
            )
            lap("score")
            _write(store, record, result, report)
            record.scope_counts = scope_counts(result.unit_months, frame)
            lap("write")
            record.calibration = _jsonable(engine.describe())
        record.status = SweepStatus.PUBLISHED
        record.ended = _now()
        store.publish_sweep(record)
        lap("publish")
    except BaseException as error:
        record.status = SweepStatus.FAILED
        record.ended = _now()
        record.error = f"{type(error).__name__}: {error}"
        store.fail_sweep(record)
        raise
    # After publishing: the review loop reads the results now current, and a failure there
    # leaves the published sweep as it is.
    reconcile_findings(store, frame, record.sweep_id, record.periods, record.ended)
    return record


def _write(store: Store, record: SweepRecord, result: EngineResult, report: Progress) -> None:
    """Write the results period by period (a batch's frames stay small at national scale), and
    keep the counts, patterns and systemic sources on the record."""
    unit_months, nodes, checks = result.unit_months, result.nodes, result.checks
    for done, period in enumerate(record.periods):
        report("write", done, len(record.periods))
        store.write_scores(
            record.sweep_id,
            unit_months[unit_months["period"] == period],
            nodes[nodes["period"] == period],
            checks[checks["period"] == period],
        )
    report("write", len(record.periods), len(record.periods))
    record.counts = {
        "unit_months": len(unit_months),
        "flagged": int(unit_months["flagged"].sum()),
        "listed": int((unit_months["status"] != "clear").sum()),
        "nodes": len(nodes),
        "checks": len(checks),
        "patterns": len(result.patterns),
        "systemic_sources": len(result.systemic),
    }
    record.patterns = _jsonable(result.patterns)
    record.systemic = _jsonable(result.systemic.to_dict("records"))


def scope_counts(unit_months: pd.DataFrame, frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    """The scored, flagged and listed unit-months of each province and city, keyed by scope
    (`province:<code>`, `city:<code>`); unit-months without a place count nowhere."""
    places = frame.reindex(columns=["unit_id", "period", "province_code", "region_code"])
    rows = unit_months[["unit_id", "period", "flagged", "status"]].merge(
        places, on=["unit_id", "period"], how="left"
    )
    rows = rows.assign(
        unit_months=1, flagged=rows["flagged"].astype(bool), listed=rows["status"] != "clear"
    )
    counts: dict[str, dict[str, int]] = {}
    for kind, column in ((ScopeKind.PROVINCE, "province_code"), (ScopeKind.CITY, "region_code")):
        sums = rows.groupby(column)[["unit_months", "flagged", "listed"]].sum()
        for code, row in sums.iterrows():
            counts[str(Scope(kind, str(code)))] = {k: int(v) for k, v in row.items()}
    return counts
