"""Load a dataset folder into a store: validate, build frames, upsert nodes then relationships.

Valid rows load even when others are rejected; the rejects travel back in the report.
Loading is idempotent: every write is an upsert on the graph's unique keys.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from app.infrastructure.stores.contract import RelationshipSpec, Store
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


def write_graph(
    store: Store, frames: GraphFrames, report: LoadReport, progress: Progress | None = None
) -> None:
    """Upsert every node frame, then every relationship frame (their ends exist by then)."""
    steps = len(frames.nodes) + len(frames.relationships)
    done = 0
    for label, rows in frames.nodes.items():
        if progress:
            progress(f"{label.value} nodes", done, steps)
        report.nodes_written[label.value] = store.upsert_nodes(label, rows)
        done += 1
    for rel in frames.relationships:
        if progress:
            progress(f"{rel.rel_type.value} ({rel.start_label.value})", done, steps)
        spec = RelationshipSpec(rel.rel_type, rel.start_label, rel.end_label)
        written = store.upsert_relationships(spec, rel.rows)
        report.relationships_written[rel.rel_type.value] = (
            report.relationships_written.get(rel.rel_type.value, 0) + written
        )
        done += 1
    if progress:
        progress("done", steps, steps)


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
    write_graph(store, frames, report, progress)
    report.seconds["write"] = time.perf_counter() - started
    return report
