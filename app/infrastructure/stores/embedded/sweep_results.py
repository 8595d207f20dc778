"""Scoring part of the embedded store: sweep results as Parquet files, published atomically.

Layout under `<home>/sweeps/`: one folder per sweep holding `sweep.json` and numbered Parquet
batches per result kind, and `current.json`, the published pointer: per period, the sweep whose
results are current and the data fingerprint they were computed on. Fitted models live under
`<home>/models/<version>.joblib`. Publishing replaces
`current.json` with `os.replace`, so readers see either the old or the new pointer, never a
half-written sweep.
"""

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.dataset as ds

from app.infrastructure.stores.contract import SweepRecord, SweepStatus, require_edge_children
from app.infrastructure.stores.embedded.state import EmbeddedState
from graph_schema.frames import CHECK_SCORE_COLUMNS, NODE_SCORE_COLUMNS, UNIT_MONTH_SCORE_COLUMNS

_KINDS = ("unit_months", "nodes", "checks")


def _record_from(data: dict[str, Any]) -> SweepRecord:
    data = dict(data)
    data["status"] = SweepStatus(data["status"])
    return SweepRecord(**data)


def _may_hold(batch: Path, periods: Sequence[str]) -> bool:
    """Whether a batch file can hold rows of `periods`: its name carries its first and last
    period (`00003_2009-01_2009-12.parquet`), so a question about a few months opens only their
    files; a name without them may hold any."""
    parts = batch.stem.split("_")
    if len(parts) != 3:
        return True
    first, last = parts[1], parts[2]
    return any(first <= period <= last for period in periods)


def _write_bytes(path: Path, payload: bytes) -> None:
    """Write then rename, so a crash never leaves a torn file behind."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(payload)
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    _write_bytes(path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


class EmbeddedSweepResults(EmbeddedState):
    @property
    def sweeps_dir(self) -> Path:
        path = Path(self.home) / "sweeps"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _pointer(self) -> dict[str, Any]:
        path = self.sweeps_dir / "current.json"
        if not path.exists():
            return {"sweep_id": None, "periods": {}, "fingerprints": {}}
        return dict(json.loads(path.read_text(encoding="utf-8")))

    def _save_record(self, record: SweepRecord) -> None:
        folder = self.sweeps_dir / record.sweep_id
        folder.mkdir(parents=True, exist_ok=True)
        _write_json(folder / "sweep.json", asdict(record))

    def data_fingerprints(self) -> dict[str, str]:
        return dict(self._pointer()["fingerprints"])

    def begin_sweep(self, record: SweepRecord) -> None:
        self._save_record(record)

    def write_scores(
        self,
        sweep_id: str,
        unit_month_scores: pd.DataFrame,
        node_scores: pd.DataFrame,
        check_scores: pd.DataFrame,
    ) -> None:
        require_edge_children(node_scores, check_scores)
        folder = self.sweeps_dir / sweep_id
        for kind, frame in zip(_KINDS, (unit_month_scores, node_scores, check_scores), strict=True):
            if len(frame) == 0:
                continue
            part = folder / kind
            part.mkdir(parents=True, exist_ok=True)
            batch = len(list(part.glob("*.parquet")))
            periods = frame["period"].astype(str)
            name = f"{batch:05d}_{periods.min()}_{periods.max()}.parquet"
            frame.reset_index(drop=True).to_parquet(part / name, index=False)

    def publish_sweep(self, record: SweepRecord) -> None:
        self._save_record(record)
        pointer = self._pointer()
        for period in record.periods:
            pointer["periods"][period] = record.sweep_id
        pointer["fingerprints"].update(record.fingerprints)
        pointer["sweep_id"] = record.sweep_id
        pointer["results_of"] = record.results_of
        _write_json(self.sweeps_dir / "current.json", pointer)

    def fail_sweep(self, record: SweepRecord) -> None:
        self._save_record(record)

    def _model_path(self, version: str) -> Path:
        return self.home / "models" / f"{version}.joblib"

    def save_model(self, version: str, payload: bytes) -> None:
        path = self._model_path(version)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_bytes(path, payload)

    def load_model(self, version: str) -> bytes | None:
        path = self._model_path(version)
        return path.read_bytes() if path.exists() else None

    def get_sweep(self, sweep_id: str) -> SweepRecord | None:
        path = self.sweeps_dir / sweep_id / "sweep.json"
        if not path.exists():
            return None
        return _record_from(json.loads(path.read_text(encoding="utf-8")))

    def delete_sweeps(self, sweep_ids: Sequence[str]) -> list[str]:
        pointer = self._pointer()
        current = {pointer["sweep_id"], *pointer["periods"].values()}
        deleted = []
        for sweep_id in dict.fromkeys(sweep_ids):
            folder = self.sweeps_dir / sweep_id
            if sweep_id in current or folder.parent != self.sweeps_dir or not folder.is_dir():
                continue
            # The record goes first: a crash halfway leaves no listed sweep without its files.
            (folder / "sweep.json").unlink(missing_ok=True)
            shutil.rmtree(folder)
            self._model_path(sweep_id).unlink(missing_ok=True)
            deleted.append(sweep_id)
        return deleted

    def stored_sweep_ids(self) -> set[str]:
        scored = {p.parent.parent.name for p in self.sweeps_dir.glob("*/*/*.parquet")}
        return scored | {p.stem for p in (self.home / "models").glob("*.joblib")}

    def current_sweep(self) -> SweepRecord | None:
        sweep_id = self._pointer()["sweep_id"]
        return self.get_sweep(sweep_id) if sweep_id else None

    def list_sweeps(self) -> list[SweepRecord]:
        records = [
            _record_from(json.loads(p.read_text(encoding="utf-8")))
            for p in self.sweeps_dir.glob("*/sweep.json")
        ]
        return sorted(records, key=lambda r: (r.started, r.sweep_id), reverse=True)

    def _read_current(
        self, kind: str, periods: Sequence[str] | None, unit_ids: Sequence[str] | None
    ) -> pd.DataFrame:
        """Rows of `kind` from the sweep that is current for each requested period."""
        current: dict[str, str] = self._pointer()["periods"]
        wanted = current if periods is None else {p: current[p] for p in periods if p in current}
        by_sweep: dict[str, list[str]] = {}
        for period, sweep_id in wanted.items():
            by_sweep.setdefault(sweep_id, []).append(period)
        parts = []
        for sweep_id, sweep_periods in by_sweep.items():
            folder = self.sweeps_dir / sweep_id / kind
            batches = sorted(folder.glob("*.parquet"))
            files = [str(f) for f in batches if _may_hold(f, sweep_periods)]
            if not files:
                continue
            condition = ds.field("period").isin(sweep_periods)
            if unit_ids is not None:
                condition = condition & ds.field("unit_id").isin(list(unit_ids))
            table = ds.dataset(files, format="parquet").to_table(filter=condition)
            parts.append(table.to_pandas())
        parts = [p for p in parts if len(p)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def read_unit_month_scores(
        self,
        periods: Sequence[str] | None = None,
        unit_ids: Sequence[str] | None = None,
        *,
        flagged_only: bool,
    ) -> pd.DataFrame:
        rows = self._read_current("unit_months", periods, unit_ids)
        if len(rows) == 0:
            return pd.DataFrame(columns=UNIT_MONTH_SCORE_COLUMNS)
        if flagged_only:
            rows = rows[rows["flagged"]]
        rows = rows.sort_values(["score", "unit_id", "period"], ascending=[False, True, True])
        return rows[UNIT_MONTH_SCORE_COLUMNS].reset_index(drop=True)

    def read_node_scores(self, unit_id: str, periods: Sequence[str]) -> pd.DataFrame:
        rows = self._read_current("nodes", periods, [unit_id])
        if len(rows) == 0:
            return pd.DataFrame(columns=NODE_SCORE_COLUMNS)
        return rows[NODE_SCORE_COLUMNS].sort_values(["period", "name"]).reset_index(drop=True)

    def read_check_scores(self, unit_id: str, periods: Sequence[str]) -> pd.DataFrame:
        rows = self._read_current("checks", periods, [unit_id])
        if len(rows) == 0:
            return pd.DataFrame(columns=CHECK_SCORE_COLUMNS)
        return rows[CHECK_SCORE_COLUMNS].sort_values(["period", "check_id"]).reset_index(drop=True)
