"""Load a dataset folder into a store: validate, build frames, upsert nodes then relationships.

Valid rows load even when others are rejected; the rejects travel back in the report.
Loading is idempotent: every write is an upsert on the graph's unique keys. The store's load
ledger makes it recoverable and cheap to repeat: it is marked in progress from the start of the
writes to their end (so readiness can tell), and it records each step's fingerprint once the
step is written in full, so a re-run (after a crash, or of the same data) skips every step the
store already holds as it is, and a killed load re-run equals a clean one.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from app.infrastructure.stores.contract import LoadLedger, Store
from app.services.load_steps import LoadStep, frame_fingerprint, graph_steps
from graph_schema.labels import NodeLabel
from loaders.graph_frames import GraphFrames, build_graph_frames
from loaders.unit_month_frame import build_unit_month_frame
from loaders.validation import validate_dataset

# Called as progress(step, done, total): step names a node label or relationship type.
Progress = Callable[[str, int, int], None]


@dataclass
class TableCounts:
    loaded: int
    rejected: int


@dataclass
class LoadReport:
    tables: dict[str, TableCounts] = field(default_factory=dict)
    nodes_written: dict[str, int] = field(default_factory=dict)
    relationships_written: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Steps not written because the store already held their frame as it is.
    unchanged_steps: list[str] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(t.loaded for t in self.tables.values())

    @property
    def rows_rejected(self) -> int:
        return sum(t.rejected for t in self.tables.values())

    @property
    def total_nodes(self) -> int:
        return sum(self.nodes_written.values())

    @property
    def total_relationships(self) -> int:
        return sum(self.relationships_written.values())

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows_loaded / self.total_seconds if self.total_seconds else 0.0


def build_frames(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, GraphFrames]:
    unit_months = build_unit_month_frame(tables)
    return unit_months, build_graph_frames(tables, unit_months)


def _forget(ledger: LoadLedger, step: LoadStep) -> bool:
    """Drop the ledger entries that writing `step` makes stale: its own, and for a node step
    those of the relationship steps touching its label (new nodes may be their missing ends).
    True when any was dropped."""
    label = step.target if isinstance(step.target, NodeLabel) else None
    stale = [
        key
        for key in ledger.steps
        if key == step.key or (label is not None and label.value in _step_labels(key))
    ]
    for key in stale:
        del ledger.steps[key]
    return bool(stale)


def _step_labels(key: str) -> set[str]:
    """The labels a ledger step key names: `Label`, or `Start-TYPE->End` (maybe `#n`)."""
    if "->" not in key:
        return {key}
    head, end = key.split("#")[0].split("->")
    return {head.split("-")[0], end}


def write_graph(
    store: Store,
    frames: GraphFrames,
    report: LoadReport,
    progress: Progress | None = None,
    source: str = "",
) -> None:
    """Upsert every step whose frame the store does not hold as it is, nodes first, keeping the
    store's load ledger: in progress until the last step is done, each step recorded once it
    is written in full (forgotten before it starts, so a crash mid-step never skips it)."""
    steps = list(graph_steps(frames))
    ledger = store.load_ledger()
    ledger.started = datetime.now(UTC).isoformat(timespec="seconds")
    ledger.source = source
    store.save_load_ledger(ledger)
    for done, step in enumerate(steps):
        if progress:
            progress(_step_name(step), done, len(steps))
        fingerprint = frame_fingerprint(step.rows)
        if ledger.steps.get(step.key) == fingerprint:
            report.unchanged_steps.append(step.key)
            _count(report, step, 0)
            continue
        if _forget(ledger, step):
            store.save_load_ledger(ledger)
        _count(report, step, _upsert(store, step))
        ledger.steps[step.key] = fingerprint
        store.save_load_ledger(ledger)
    ledger.started, ledger.source = None, ""
    store.save_load_ledger(ledger)
    if progress:
        progress("done", len(steps), len(steps))


def _step_name(step: LoadStep) -> str:
    if isinstance(step.target, NodeLabel):
        return f"{step.target.value} nodes"
    return f"{step.target.rel_type.value} ({step.target.start_label.value})"


def _upsert(store: Store, step: LoadStep) -> int:
    if isinstance(step.target, NodeLabel):
        return store.upsert_nodes(step.target, step.rows)
    return store.upsert_relationships(step.target, step.rows)


def _count(report: LoadReport, step: LoadStep, written: int) -> None:
    if isinstance(step.target, NodeLabel):
        report.nodes_written[step.target.value] = written
        return
    name = step.target.rel_type.value
    report.relationships_written[name] = report.relationships_written.get(name, 0) + written


def read_frames(
    folder: Path, report: LoadReport, encoding: str | None = None
) -> GraphFrames | None:
    """Validate `folder` and build its graph frames, recording counts, rejects and seconds in
    `report`; None when no valid row is left to load."""
    started = time.perf_counter()
    dataset = validate_dataset(folder, encoding=encoding)
    report.seconds["validate"] = time.perf_counter() - started
    report.rejects = dataset.rejects
    report.tables = {
        name: TableCounts(loaded=counts.valid, rejected=counts.rejected)
        for name, counts in dataset.row_counts.items()
    }
    if not any(len(t) for t in dataset.tables.values()):
        return None
    started = time.perf_counter()
    _, frames = build_frames(dataset.tables)
    report.seconds["frames"] = time.perf_counter() - started
    return frames


def load_dataset(
    folder: Path,
    store: Store,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> LoadReport:
    """Validate `folder`, then write its valid rows into `store`; returns what happened."""
    report = LoadReport()
    frames = read_frames(folder, report, encoding)
    if frames is None:
        return report
    started = time.perf_counter()
    store.apply_schema()
    write_graph(store, frames, report, progress, source=folder.name)
    report.seconds["write"] = time.perf_counter() - started
    return report
