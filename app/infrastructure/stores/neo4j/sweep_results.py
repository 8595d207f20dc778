"""Sweep results of the Neo4j store: two property slots per period, published atomically.

Each period has two slots, `s0` and `s1`. A sweep writes a period into the slot that is NOT
current for it (properties `score_s1`, `sweep_s1`, … on UnitMonth and Parameter nodes), stamped
with its sweep id; publishing sets the new per-period pointer on the sweep's `Sweep` node and
makes it current in ONE transaction. Readers take the pointer first (or, in one query, index
its copy as lists) and read `n[$prop]` only where the stamp matches, so a sweep that dies
halfway is invisible and stale values left in a slot by older sweeps are ignored (no clean-up
pass on the hot path).

What is written is what the sweep hands over (its storage policy): every unit-month's result
(score, flag and root parameter as properties Browser shows, the whole row as JSON), and the
parameter nodes given, each carrying its checks as JSON. Checks live on their target node
rather than on TRANSFERS_TO relationships because finding a relationship by `edge_id` needs a
relationship index the schema does not have, most checks are rules that no relationship
stands for, and tracing reads a node's checks together with the node anyway. Fitted engines
are `Model` nodes holding the serialised bytes.
"""

import json
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

import numpy as np
import orjson
import pandas as pd

from app.infrastructure.stores.contract import SweepRecord, SweepStatus, require_edge_children
from app.infrastructure.stores.neo4j.connection import Neo4jConnection
from graph_schema.frames import (
    CHECK_SCORE_COLUMNS,
    NODE_SCORE_COLUMNS,
    UNIT_MONTH_SCORE_COLUMNS,
    UNIT_MONTH_SCORE_TEXT_COLUMNS,
)

# Rows per write transaction, and transactions in flight at once.
BATCH_ROWS = 5_000
WRITERS = 2
SLOTS = ("s0", "s1")
_JSON_FIELDS = (
    "fingerprints",
    "counts",
    "seconds",
    "patterns",
    "systemic",
    "calibration",
    "scope_counts",
)
# What a node's check JSON keeps of a check row (its unit, month and id are the node's).
_CHECK_FIELDS = [c for c in CHECK_SCORE_COLUMNS if c not in ("edge_id", "unit_id", "period")]
# A write batch handed to one of the writer threads.
Sent = Future[list[dict[str, Any]]]
_NODE_WRITE_COLUMNS = ["key", "unit_id", "period", "name", "score", "expected", "z", "checks"]


def slot_properties(slot: str) -> dict[str, str]:
    names = ("stamp", "score", "flagged", "top_parameter", "result", "expected", "z", "checks")
    return {n: f"{'sweep' if n == 'stamp' else n}_{slot}" for n in names}


def _props(record: SweepRecord) -> dict[str, Any]:
    data = asdict(record)
    props = {k: v for k, v in data.items() if k not in _JSON_FIELDS and v is not None}
    props["status"] = record.status.value
    for name in _JSON_FIELDS:
        props[f"{name}_json"] = json.dumps(data[name], sort_keys=True)
    return props


def _record(props: dict[str, Any]) -> SweepRecord:
    fields = {k: v for k, v in props.items() if k in SweepRecord.__dataclass_fields__}
    for name in _JSON_FIELDS:
        fields[name] = json.loads(props.get(f"{name}_json") or "{}")
    fields["status"] = SweepStatus(props["status"])
    fields["periods"] = list(props.get("periods") or [])
    return SweepRecord(**fields)


def _pointer_lists(pointer: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """The pointer as parallel lists, which Cypher can index (tracing's window query and the
    Browser favourites): period i is in slot i, written by sweep i."""
    periods = sorted(pointer)
    return {
        "pointer_periods": periods,
        "pointer_slots": [pointer[p]["slot"] for p in periods],
        "pointer_sweep_ids": [pointer[p]["sweep_id"] for p in periods],
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as driver parameters, with NaN as null."""
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict("records")


def _batches(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH_ROWS):
        yield rows[start : start + BATCH_ROWS]


def _json_values(column: pd.Series) -> list[Any]:
    """A column as JSON-ready Python values: floats stay floats (orjson writes NaN as null),
    anything else has its missing values as None."""
    if pd.api.types.is_float_dtype(column.dtype):
        return column.to_numpy(dtype=float).tolist()
    return column.to_numpy(dtype=object, na_value=None).tolist()


def _checks_json(checks: pd.DataFrame) -> pd.DataFrame:
    """Per target node key, its checks as a JSON list (in their order within the frame)."""
    if len(checks) == 0:
        return pd.DataFrame(columns=["key", "checks"])
    keys = (checks["unit_id"] + "|" + checks["period"] + "|" + checks["child"]).to_numpy(
        dtype=object
    )
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    ordered = checks.iloc[order]
    rows = [
        dict(zip(_CHECK_FIELDS, values, strict=True))
        for values in zip(*(_json_values(ordered[c]) for c in _CHECK_FIELDS), strict=True)
    ]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    texts = [orjson.dumps(rows[a:b]).decode() for a, b in zip(starts, ends, strict=True)]
    return pd.DataFrame({"key": keys[starts], "checks": texts})


def result_rows(unit_month_scores: pd.DataFrame) -> list[dict[str, Any]]:
    """Unit-month results as write parameters: the shown properties and the row as JSON."""
    rows = unit_month_scores[UNIT_MONTH_SCORE_COLUMNS]
    plain = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return [
        {
            "key": f"{r['unit_id']}|{r['period']}",
            "unit_id": r["unit_id"],
            "period": r["period"],
            "score": r["score"],
            "flagged": bool(r["flagged"]),
            "top_parameter": r["top_parameter"],
            "result": orjson.dumps(r).decode(),
        }
        for r in plain
    ]


def results_frame(texts: list[str | None]) -> pd.DataFrame:
    """Unit-month score rows from their stored JSON."""
    frame = pd.DataFrame([orjson.loads(t) for t in texts if t], columns=UNIT_MONTH_SCORE_COLUMNS)
    for column in UNIT_MONTH_SCORE_COLUMNS:
        if column in UNIT_MONTH_SCORE_TEXT_COLUMNS:
            frame[column] = frame[column].astype("str")
        elif column != "flagged":
            frame[column] = frame[column].astype(float)
    frame["flagged"] = frame["flagged"].astype(bool)
    return frame


class Neo4jSweepResults(Neo4jConnection):
    def _pointer(self) -> dict[str, dict[str, str]]:
        rows = self.run_read("sweep_current")
        return json.loads(rows[0]["sweep"].get("pointer_json") or "{}") if rows else {}

    def data_fingerprints(self) -> dict[str, str]:
        return {p: entry["fingerprint"] for p, entry in self._pointer().items()}

    def begin_sweep(self, record: SweepRecord) -> None:
        self.run_write("sweep_begin", sweep_id=record.sweep_id, props=_props(record))

    def _write_slots(self) -> dict[str, str]:
        """Per period, the slot a new sweep writes: the one not current for the period
        (periods absent from the map have none yet and use SLOTS[0])."""
        return {p: SLOTS[1 - SLOTS.index(e["slot"])] for p, e in self._pointer().items()}

    def write_scores(
        self,
        sweep_id: str,
        unit_month_scores: pd.DataFrame,
        node_scores: pd.DataFrame,
        check_scores: pd.DataFrame,
    ) -> None:
        """Write into each period's free slot, WRITERS transactions at a time: Neo4j spends
        a write's CPU on one thread per transaction, so two keep both cores of a small server
        busy, and a period's parameter rows are built while the server writes its unit-months
        (one period's rows are held at a time). The batches touch disjoint nodes: no lock
        waits."""
        require_edge_children(node_scores, check_scores)
        slots = self._write_slots()
        periods = sorted(set(unit_month_scores["period"]) | set(node_scores["period"]))
        with ThreadPoolExecutor(WRITERS, thread_name_prefix="scores-write") as writers:

            def send(query: str, rows: list[dict[str, Any]], prop: dict[str, str]) -> list[Sent]:
                return [
                    writers.submit(self.run_write, query, rows=batch, sweep_id=sweep_id, prop=prop)
                    for batch in _batches(rows)
                ]

            for period in periods:
                prop = slot_properties(slots.get(period, SLOTS[0]))
                months = unit_month_scores[unit_month_scores["period"] == period]
                sent = send("scores_write_unit_months", result_rows(months), prop)
                # Built while the server writes the unit-months.
                nodes = node_scores[node_scores["period"] == period].merge(
                    _checks_json(check_scores[check_scores["period"] == period]),
                    on="key",
                    how="left",
                )
                sent += send("scores_write_nodes", _records(nodes[_NODE_WRITE_COLUMNS]), prop)
                for written in sent:
                    written.result()

    def publish_sweep(self, record: SweepRecord) -> None:
        pointer = self._pointer()
        slots = self._write_slots()
        for period in record.periods:
            pointer[period] = {
                "slot": slots.get(period, SLOTS[0]),
                "sweep_id": record.sweep_id,
                "fingerprint": record.fingerprints.get(period, ""),
            }
        props = _props(record) | {"pointer_json": json.dumps(pointer, sort_keys=True)}
        props |= _pointer_lists(pointer)
        self.run_write("sweep_publish", sweep_id=record.sweep_id, props=props)

    def keep_pointer_lists(self) -> None:
        """Write the pointer lists of a current sweep published before they existed, so that
        tracing's window query finds its slots without waiting for the next sweep."""
        rows = self.run_read("sweep_current")
        if rows and "pointer_periods" not in rows[0]["sweep"]:
            sweep = rows[0]["sweep"]
            lists = _pointer_lists(json.loads(sweep.get("pointer_json") or "{}"))
            self.run_write("sweep_update", sweep_id=sweep["sweep_id"], props=lists)

    def fail_sweep(self, record: SweepRecord) -> None:
        self.run_write("sweep_update", sweep_id=record.sweep_id, props=_props(record))

    def delete_sweeps(self, sweep_ids: Sequence[str]) -> list[str]:
        current = self.current_sweep()
        kept = {e["sweep_id"] for e in self._pointer().values()}
        if current is not None:
            kept.add(current.sweep_id)
        doomed = [i for i in dict.fromkeys(sweep_ids) if i not in kept]
        if not doomed:
            return []
        # Slots first: a crash between the two leaves the record, so the next prune retries.
        slots = [slot_properties(slot) for slot in SLOTS]
        self.run_autocommit("scores_clear_slots", slots=slots, sweep_ids=doomed)
        return [r["sweep_id"] for r in self.run_write("sweeps_delete", sweep_ids=doomed)]

    def stored_sweep_ids(self) -> set[str]:
        slots = [slot_properties(slot) for slot in SLOTS]
        return {str(r["sweep_id"]) for r in self.run_read("sweeps_stored", slots=slots)}

    def current_sweep(self) -> SweepRecord | None:
        rows = self.run_read("sweep_current")
        return _record(rows[0]["sweep"]) if rows else None

    def list_sweeps(self) -> list[SweepRecord]:
        return [_record(r["sweep"]) for r in self.run_read("sweep_list")]

    def save_model(self, version: str, payload: bytes) -> None:
        self.run_write("model_save", version=version, payload=payload)

    def load_model(self, version: str) -> bytes | None:
        rows = self.run_read("model_load", version=version)
        return bytes(rows[0]["payload"]) if rows else None

    def get_sweep(self, sweep_id: str) -> SweepRecord | None:
        rows = self.run_read("sweep_get", sweep_id=sweep_id)
        return _record(rows[0]["sweep"]) if rows else None

    def _slot_groups(self, periods: Sequence[str] | None) -> list[dict[str, Any]]:
        """The current (slot, sweep) of each requested period, grouped for one query."""
        pointer = self._pointer()
        wanted = pointer if periods is None else {p: pointer[p] for p in periods if p in pointer}
        groups: dict[tuple[str, str], list[str]] = {}
        for period, entry in wanted.items():
            groups.setdefault((entry["slot"], entry["sweep_id"]), []).append(period)
        return [
            slot_properties(slot) | {"sweep_id": sweep_id, "periods": sorted(ps)}
            for (slot, sweep_id), ps in groups.items()
        ]

    def read_unit_month_scores(
        self,
        periods: Sequence[str] | None = None,
        unit_ids: Sequence[str] | None = None,
        *,
        flagged_only: bool,
    ) -> pd.DataFrame:
        slots = self._slot_groups(periods)
        rows = (
            self.run_read("scores_read_unit_months", slots=slots, flagged_only=flagged_only)
            if unit_ids is None
            else self.run_read(
                "scores_read_unit_months_of_units",
                slots=slots,
                unit_ids=list(unit_ids),
                flagged_only=flagged_only,
            )
        )
        frame = results_frame([r["result"] for r in rows])
        frame = frame.sort_values(["score", "unit_id", "period"], ascending=[False, True, True])
        return frame.reset_index(drop=True)

    def _read_nodes(self, unit_id: str, periods: Sequence[str]) -> pd.DataFrame:
        rows = self.run_read("scores_read_nodes", slots=self._slot_groups(periods), unit_id=unit_id)
        return pd.DataFrame(rows, columns=[*NODE_SCORE_COLUMNS, "checks"])

    def read_node_scores(self, unit_id: str, periods: Sequence[str]) -> pd.DataFrame:
        nodes = self._read_nodes(unit_id, periods)
        nodes = nodes[nodes["checks"].notna() | (nodes["score"].astype(float) > 0)]
        nodes = nodes[NODE_SCORE_COLUMNS].copy()
        for col in ("value", "expected", "z", "score"):
            nodes[col] = nodes[col].astype(float)
        return nodes.sort_values(["period", "name"]).reset_index(drop=True)

    def read_check_scores(self, unit_id: str, periods: Sequence[str]) -> pd.DataFrame:
        nodes = self._read_nodes(unit_id, periods)
        return checks_frame(nodes["unit_id"], nodes["period"], nodes["checks"])


def checks_frame(units: pd.Series, periods: pd.Series, texts: pd.Series) -> pd.DataFrame:
    """Check rows (CHECK_SCORE_COLUMNS) from the JSON stored on their target nodes."""
    rows = [
        {"unit_id": unit_id, "period": period, **check}
        for unit_id, period, text in zip(units, periods, texts, strict=True)
        if isinstance(text, str)
        for check in orjson.loads(text)
    ]
    frame = pd.DataFrame(rows, columns=[c for c in CHECK_SCORE_COLUMNS if c != "edge_id"])
    frame.insert(
        0,
        "edge_id",
        frame["unit_id"].astype(str)
        + "|"
        + frame["period"].astype(str)
        + "|"
        + frame["check_id"].astype(str),
    )
    for col in ("expected", "residual", "scale", "z", "p", "score"):
        frame[col] = frame[col].astype(float)
    return frame.sort_values(["period", "check_id"]).reset_index(drop=True)
