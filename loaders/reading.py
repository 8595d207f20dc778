"""Read one contract table from a dataset folder as raw text, with a source line per row.

Every cell is read as text (empty cell = ""), so ids keep their leading zeros and a reject can
quote the offending raw value. Types are parsed later, in validation.
"""

import codecs
import io
import re
import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from loaders.contract import ColumnType, Table
from loaders.errors import AmbiguousTableError, DatasetEncodingError

# Arrow-backed text, so string checks over national-scale columns run vectorised.
TEXT_DTYPE = pd.StringDtype("pyarrow")


class FileFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


@dataclass(frozen=True)
class BadRecord:
    """A CSV record the parser could not split into the header's fields."""

    line: int
    reason: str
    raw: str


@dataclass
class RawTable:
    name: str
    path: Path
    format: FileFormat
    # All cells as text; "" is an empty cell.
    frame: pd.DataFrame
    # CSV: the line a text editor shows (header = 1); Parquet: the 0-based row index.
    lines: np.ndarray
    empty_file: bool = False
    bad_records: list[BadRecord] = field(default_factory=list)
    # Parquet columns whose stored type cannot hold the contract type: column -> stored type.
    dtype_errors: dict[str, str] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.path.name


def find_table_file(folder: Path, name: str) -> Path | None:
    """`NAME.csv` or `NAME.parquet`; both at once is ambiguous."""
    found = [p for p in (folder / f"{name}.csv", folder / f"{name}.parquet") if p.is_file()]
    if len(found) > 1:
        raise AmbiguousTableError(name, found)
    return found[0] if found else None


def read_table(folder: Path, table: Table, encoding: str = "utf-8") -> RawTable | None:
    """The table's raw text, or None when the folder has no file for it."""
    path = find_table_file(folder, table.name)
    if path is None:
        return None
    if path.suffix == ".parquet":
        return read_parquet(path, table)
    return read_csv(path, table.name, encoding)


def _decode(path: Path, data: bytes, encoding: str) -> str:
    # utf-8-sig accepts a file with or without a byte-order mark.
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DatasetEncodingError(path, encoding, error.start, line) from error


_SKIPPED = re.compile(r"Skipping line (\d+): (.*)")


def read_csv(path: Path, name: str, encoding: str = "utf-8") -> RawTable:
    text = _decode(path, path.read_bytes(), encoding)
    if not text.strip():
        return RawTable(name, path, FileFormat.CSV, pd.DataFrame(), np.empty(0, int), True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            on_bad_lines="warn",
        )
    skipped = [
        (int(m.group(1)), m.group(2).strip())
        for w in caught
        for m in _SKIPPED.finditer(str(w.message))
    ]
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.astype(TEXT_DTYPE)
    lines, bad = _editor_lines(frame, text, skipped)
    blank = (
        (frame == "").all(axis=1).to_numpy() if len(frame.columns) else np.ones(len(frame), bool)
    )
    frame = frame.loc[~blank].reset_index(drop=True)
    return RawTable(name, path, FileFormat.CSV, frame, lines[~blank], bad_records=bad)


def _editor_lines(
    frame: pd.DataFrame, text: str, skipped: list[tuple[int, str]]
) -> tuple[np.ndarray, list[BadRecord]]:
    """Map parsed rows (and records the parser skipped) to the lines an editor shows.

    The parser numbers records (header = 1, blank lines count); a quoted newline inside a
    record shifts every later record down by one editor line.
    """
    records = np.arange(len(frame)) + 2
    for number, _ in sorted(skipped):
        records[records >= number] += 1
    if '"' in text and len(frame):
        newlines = sum(frame[c].str.count("\n").to_numpy() for c in frame.columns)
    else:
        newlines = np.zeros(len(frame), dtype=int)
    before = np.concatenate([[0], np.cumsum(newlines)])
    lines = records + before[:-1]
    physical = text.splitlines()
    bad = []
    for number, reason in skipped:
        line = number + int(before[np.searchsorted(records, number)])
        raw = physical[line - 1] if line <= len(physical) else ""
        bad.append(BadRecord(line, reason, raw))
    return lines.astype(np.int64), bad


_TEXT_TYPES = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _is_text(t.value_type)
    return any(check(t) for check in _TEXT_TYPES)


def _fits(t: pa.DataType, kind: ColumnType) -> bool:
    """Whether a stored Parquet type can hold the contract type without losing meaning."""
    if pa.types.is_null(t) or _is_text(t):
        return True
    match kind:
        case ColumnType.TEXT:
            return True
        case ColumnType.FLOAT:
            return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
        case ColumnType.INT:
            return pa.types.is_integer(t) or pa.types.is_floating(t)
        case ColumnType.DATE:
            return pa.types.is_date(t) or pa.types.is_timestamp(t)
        case _:
            # Ids, enums and periods stored as numbers have already lost their text form.
            return False


def _as_text(column: pa.ChunkedArray, kind: ColumnType | None) -> pd.Series:
    t = column.type
    if pa.types.is_dictionary(t):
        column = column.cast(t.value_type)
    if kind is ColumnType.DATE and (pa.types.is_date(t) or pa.types.is_timestamp(t)):
        column = pc.strftime(column, format="%Y-%m-%d")
    try:
        text = column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return column.to_pandas().astype(str).astype(TEXT_DTYPE)
    return text.fill_null("").to_pandas().astype(TEXT_DTYPE)


def read_parquet(path: Path, table: Table) -> RawTable:
    data = pq.read_table(path)
    if data.num_columns == 0:
        return RawTable(
            table.name, path, FileFormat.PARQUET, pd.DataFrame(), np.empty(0, int), True
        )
    kinds = {c.name: c.type for c in table.columns}
    columns: dict[str, pd.Series] = {}
    dtype_errors: dict[str, str] = {}
    for name, column in zip(data.column_names, data.columns, strict=True):
        kind = kinds.get(name)
        if kind is not None and not _fits(column.type, kind):
            dtype_errors[name] = str(column.type)
            continue
        columns[name] = _as_text(column, kind)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(data.num_rows))
    lines = np.arange(data.num_rows, dtype=np.int64)
    return RawTable(table.name, path, FileFormat.PARQUET, frame, lines, dtype_errors=dtype_errors)
