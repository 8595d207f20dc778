"""Graph writes of the Neo4j store: batched, idempotent MERGE upserts, the load ledger and the
frame read.

Frames become plain Python records here (str/int/float/bool/None, never numpy scalars or
pandas NA) one slice at a time, so a national-scale frame is never held twice as dicts.
Each node label and each relationship type/endpoint pair has its own `cypher/upsert_*.cypher`.
A batch is as many rows as fit the server's transaction memory (batch_sizing), so a re-upsert
of wide unit-month rows commits at any scale.
"""

import gc
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from neo4j.exceptions import Neo4jError

from app.infrastructure.stores.contract import GraphCounts, LoadLedger, RelationshipSpec
from app.infrastructure.stores.neo4j.batch_sizing import (
    LIMIT_SETTINGS,
    rows_per_transaction,
    transaction_limit,
)
from app.infrastructure.stores.neo4j.schema import Neo4jSchema
from graph_schema.labels import KEY_PROPERTY, NodeLabel
from loaders.unit_month_frame import conform_unit_month_frame

# Rows turned into records at a time: bounds the memory of the Python side.
SLICE_BATCHES = 10


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def node_query_name(label: NodeLabel) -> str:
    return f"upsert_{_snake(label.value)}"


def relationship_query_name(spec: RelationshipSpec) -> str:
    start, end = _snake(spec.start_label.value), _snake(spec.end_label.value)
    return f"upsert_{spec.rel_type.value.lower()}_{start}_{end}"


def plain_values(column: pd.Series) -> list[Any]:
    """The column as Python values, missing ones as None."""
    missing = column.isna().to_numpy()
    if pd.api.types.is_bool_dtype(column.dtype) and not missing.any():
        values: list[Any] = column.to_numpy(dtype=bool).tolist()
    elif pd.api.types.is_integer_dtype(column.dtype):
        values = column.to_numpy(dtype="int64", na_value=0).tolist()
    elif pd.api.types.is_float_dtype(column.dtype):
        values = column.to_numpy(dtype="float64", na_value=np.nan).tolist()
    else:
        values = column.astype("string").to_numpy(dtype=object, na_value=None).tolist()
    if missing.any():
        values = [None if m else v for v, m in zip(values, missing.tolist(), strict=True)]
    return values


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: building millions of small dicts otherwise
    triggers it over and over (measured: 4-5x slower), and these dicts hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def node_records(frame: pd.DataFrame, key: str) -> list[dict[str, Any]]:
    """`{key, props}` per row; the key column is also kept as a property."""
    names = [c for c in frame.columns if c != key]
    columns = [plain_values(frame[c]) for c in names]
    keys = plain_values(frame[key])
    with gc_paused():
        return [
            {"key": k, "props": dict(zip(names, values, strict=True))}
            for k, values in zip(keys, zip(*columns, strict=True), strict=True)
        ]


def relationship_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """`{start_key, end_key[, edge_id], props}` per row."""
    ends = ["start_key", "end_key", *(["edge_id"] if "edge_id" in frame.columns else [])]
    names = [c for c in frame.columns if c not in ends]
    head = [plain_values(frame[c]) for c in ends]
    columns = [plain_values(frame[c]) for c in names]
    with gc_paused():
        props = (
            [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
            if names
            else [{} for _ in range(len(frame))]
        )
        return [
            {**dict(zip(ends, end_values, strict=True)), "props": p}
            for end_values, p in zip(zip(*head, strict=True), props, strict=True)
        ]


def _slices(frame: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), size):
        yield frame.iloc[start : start + size]


class Neo4jGraphWrites(Neo4jSchema):
    _transaction_limit: int | None = None

    def transaction_limit(self) -> int:
        """Bytes of transaction memory the server allows (the tightest of its limits), read
        once; a safe default when the server sets none or will not say."""
        if self._transaction_limit is None:
            try:
                rows = self.run_read("server_transaction_memory", names=list(LIMIT_SETTINGS))
            except Neo4jError:
                rows = []
            self._transaction_limit = transaction_limit([r["value"] for r in rows])
        return self._transaction_limit

    def batch_rows(self, columns: int) -> int:
        """Rows per write transaction for rows of `columns` values."""
        return rows_per_transaction(columns, self.transaction_limit())

    def upsert_nodes(self, label: NodeLabel, rows: pd.DataFrame) -> int:
        key = KEY_PROPERTY[label]
        rows = rows.loc[rows[key].notna()]
        query = node_query_name(label)
        batch = self.batch_rows(len(rows.columns))
        for part in _slices(rows, batch * SLICE_BATCHES):
            self.write_batches(query, node_records(part, key), batch)
        return len(rows)

    def upsert_relationships(self, spec: RelationshipSpec, rows: pd.DataFrame) -> int:
        rows = rows.loc[rows["start_key"].notna() & rows["end_key"].notna()]
        query = relationship_query_name(spec)
        batch = self.batch_rows(len(rows.columns))
        for part in _slices(rows, batch * SLICE_BATCHES):
            self.write_batches(query, relationship_records(part), batch)
        return len(rows)

    def load_ledger(self) -> LoadLedger:
        rows = self.run_read("load_ledger_read")
        if not rows:
            return LoadLedger()
        row = rows[0]
        return LoadLedger(
            steps=json.loads(row["steps_json"] or "{}"),
            started=row["started"],
            source=row["source"] or "",
        )

    def save_load_ledger(self, ledger: LoadLedger) -> None:
        self.run_write(
            "load_ledger_write",
            steps_json=json.dumps(ledger.steps, sort_keys=True),
            started=ledger.started,
            source=ledger.source,
        )

    def counts(self) -> GraphCounts:
        nodes = self.run_read("count_nodes")
        rels = self.run_read("count_relationships")
        return GraphCounts(
            nodes={r["name"]: int(r["count"]) for r in nodes if r["count"]},
            relationships={r["name"]: int(r["count"]) for r in rels if r["count"]},
        )

    def read_unit_months(self, periods: Sequence[str] | None = None) -> pd.DataFrame:
        wanted = None if periods is None else list(periods)
        records = self.run_read("read_unit_months", periods=wanted)
        frame = pd.DataFrame.from_records([r["props"] for r in records])
        return conform_unit_month_frame(frame)
