"""Loading part of the embedded store: node and relationship frames persisted as Parquet.

Layout under `<home>/embedded/`: `nodes/<Label>.parquet`,
`relationships/<TYPE>__<Start>__<End>.parquet` and the load ledger `load_ledger.json`. Every
file is written then renamed, so a process killed mid-write leaves the previous file. The
frames are the store's truth; they are read lazily on first use. Upserts follow Neo4j's
`MERGE ... SET n += props`: a row replaces the values it carries (a missing value removes one)
and keeps the columns it does not carry.
"""

import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from app.infrastructure.stores.contract import GraphCounts, LoadLedger, RelationshipSpec
from app.infrastructure.stores.embedded.state import EmbeddedState
from app.settings import Settings
from graph_schema.labels import KEY_PROPERTY, NodeLabel, RelType
from loaders.unit_month_frame import conform_unit_month_frame

LEDGER_FILE = "load_ledger.json"


def merge_rows(
    existing: pd.DataFrame | None, rows: pd.DataFrame, identity: list[str]
) -> pd.DataFrame:
    """`existing` upserted with `rows` on the `identity` columns (last row of a key wins)."""
    rows = rows.drop_duplicates(identity, keep="last")
    if existing is None or not len(existing):
        return rows.reset_index(drop=True)
    kept_columns = [c for c in existing.columns if c not in rows.columns]
    if kept_columns:
        rows = rows.merge(existing[[*identity, *kept_columns]], on=identity, how="left")
    replaced = pd.MultiIndex.from_frame(existing[identity]).isin(
        pd.MultiIndex.from_frame(rows[identity])
    )
    untouched = existing.loc[~replaced]
    if not len(untouched):
        return rows.reset_index(drop=True)
    return pd.concat([untouched, rows], ignore_index=True)


def relationship_file_name(spec: RelationshipSpec) -> str:
    return f"{spec.rel_type.value}__{spec.start_label.value}__{spec.end_label.value}"


def _spec_from_file_name(name: str) -> RelationshipSpec:
    rel_type, start, end = name.split("__")
    return RelationshipSpec(RelType(rel_type), NodeLabel(start), NodeLabel(end))


class EmbeddedGraphWrites(EmbeddedState):
    _node_frames: dict[NodeLabel, pd.DataFrame] | None = None
    _relationship_frames: dict[RelationshipSpec, pd.DataFrame] | None = None

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings)
        self._label_frames: dict[NodeLabel, pd.DataFrame] = {}

    @property
    def files_dir(self) -> Path:
        return self.home / "embedded"

    def clear(self) -> None:
        """Delete every node and relationship: the graph files and what memory holds of them."""
        shutil.rmtree(self.files_dir, ignore_errors=True)
        self._forget_frames()

    def _read_frames(self) -> None:
        nodes: dict[NodeLabel, pd.DataFrame] = {}
        rels: dict[RelationshipSpec, pd.DataFrame] = {}
        for path in sorted((self.files_dir / "nodes").glob("*.parquet")):
            nodes[NodeLabel(path.stem)] = pd.read_parquet(path)
        for path in sorted((self.files_dir / "relationships").glob("*.parquet")):
            rels[_spec_from_file_name(path.stem)] = pd.read_parquet(path)
        self._node_frames, self._relationship_frames = nodes, rels

    def node_frames(self) -> dict[NodeLabel, pd.DataFrame]:
        """Every node label's frame (key column plus properties), read on first use."""
        if self._node_frames is None:
            self._read_frames()
        assert self._node_frames is not None
        return self._node_frames

    def node_frame(self, label: NodeLabel) -> pd.DataFrame:
        """One label's frame (empty when the store has none). Unless the whole graph is in
        memory already, only that label's file is read: a one-off question (`mrvtrace why`)
        reads the few tables it needs, not the parameters and their edges."""
        if self._node_frames is not None:
            return self._node_frames.get(label, pd.DataFrame())
        if label not in self._label_frames:
            path = self.files_dir / "nodes" / f"{label.value}.parquet"
            self._label_frames[label] = pd.read_parquet(path) if path.exists() else pd.DataFrame()
        return self._label_frames[label]

    def relationship_frames(self) -> dict[RelationshipSpec, pd.DataFrame]:
        if self._relationship_frames is None:
            self._read_frames()
        assert self._relationship_frames is not None
        return self._relationship_frames

    def _forget_frames(self) -> None:
        """Drop the in-memory frames, so the next use reads the files again."""
        self._node_frames = None
        self._relationship_frames = None
        self._label_frames = {}

    def _write(self, folder: str, name: str, frame: pd.DataFrame) -> None:
        path = self.files_dir / folder / f"{name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader in another process never sees a torn file.
        tmp = path.with_suffix(".parquet.tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(path)

    def upsert_nodes(self, label: NodeLabel, rows: pd.DataFrame) -> int:
        key = KEY_PROPERTY[label]
        rows = rows.loc[rows[key].notna()]
        frames = self.node_frames()
        frames[label] = merge_rows(frames.get(label), rows, [key])
        self._write("nodes", label.value, frames[label])
        return len(rows)

    def upsert_relationships(self, spec: RelationshipSpec, rows: pd.DataFrame) -> int:
        rows = rows.loc[rows["start_key"].notna() & rows["end_key"].notna()]
        identity = ["edge_id"] if "edge_id" in rows.columns else ["start_key", "end_key"]
        frames = self.relationship_frames()
        frames[spec] = merge_rows(frames.get(spec), rows, identity)
        self._write("relationships", relationship_file_name(spec), frames[spec])
        return len(rows)

    def load_ledger(self) -> LoadLedger:
        path = self.files_dir / LEDGER_FILE
        if not path.exists():
            return LoadLedger()
        return LoadLedger(**json.loads(path.read_text(encoding="utf-8")))

    def save_load_ledger(self, ledger: LoadLedger) -> None:
        path = self.files_dir / LEDGER_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(ledger), sort_keys=True), encoding="utf-8")
        tmp.replace(path)

    def counts(self) -> GraphCounts:
        nodes = {label.value: len(f) for label, f in self.node_frames().items() if len(f)}
        rels: dict[str, int] = {}
        for spec, frame in self.relationship_frames().items():
            if len(frame):
                rels[spec.rel_type.value] = rels.get(spec.rel_type.value, 0) + len(frame)
        return GraphCounts(nodes=nodes, relationships=rels)

    def read_unit_months(self, periods: Sequence[str] | None = None) -> pd.DataFrame:
        frame = self.node_frames().get(NodeLabel.UNIT_MONTH, pd.DataFrame())
        if periods is not None and len(frame):
            frame = frame.loc[frame["period"].isin(list(periods))]
        return conform_unit_month_frame(frame)
