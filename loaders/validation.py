"""Validate a dataset folder against the contract: valid frames plus a rejects report.

Each table is checked in the contract's load order, so a foreign key is resolved against its
parent's valid rows, and a row whose parent was rejected is rejected too, naming that parent.
All checks are vectorised over whole columns; national scale validates in seconds.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from loaders.contract import (
    FIRST_DATE,
    FIRST_PERIOD,
    LAST_DATE,
    LAST_PERIOD,
    LOAD_ORDER,
    MAX_CELL_CHARS,
    CheckKind,
    CheckRule,
    Column,
    ColumnType,
    ForeignKey,
    Table,
)
from loaders.errors import DatasetFolderError
from loaders.reading import FileFormat, RawTable, read_table

REJECT_COLUMNS = ("file", "line", "column", "value", "reason")

_PERIOD = r"\d{4}-(0[1-9]|1[0-2])"
_DATE = r"\d{4}-\d{2}-\d{2}"
_NAN_SPELLINGS = ("nan", "+nan", "-nan")
# A reject quotes at most this many characters of the offending cell.
QUOTED_CHARS = 40


@dataclass(frozen=True)
class RowCounts:
    read: int
    valid: int
    rejected: int


@dataclass
class ValidatedDataset:
    # Valid rows only, per table, with contract column names and dtypes (extras kept as text).
    tables: dict[str, pd.DataFrame]
    # One row per problem: file, line (CSV editor line; Parquet row index), column, value, reason.
    rejects: pd.DataFrame
    row_counts: dict[str, RowCounts]
    # CSV file name -> the encoding it was read in ("UTF-8", "UTF-8 with BOM", "GBK", ...).
    encodings: dict[str, str] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return self.rejects.empty


class _RejectLog:
    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(
        self,
        file: str,
        lines: np.ndarray | int | None,
        column: str,
        values: pd.Series | str,
        reason: pd.Series | str,
    ) -> None:
        line_array = np.atleast_1d(np.asarray(pd.NA if lines is None else lines, dtype=object))
        n = len(line_array)
        if n == 0:
            return
        self._parts.append(
            pd.DataFrame(
                {
                    "file": file,
                    "line": pd.array(line_array, dtype="Int64"),
                    "column": column,
                    "value": quoted(_values(values, n)),
                    "reason": _values(reason, n),
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self._parts:
            return _empty_rejects()
        rejects = pd.concat(self._parts, ignore_index=True)
        for name in ("file", "column", "value", "reason"):
            rejects[name] = rejects[name].astype("string")
        return rejects


def quoted(values: np.ndarray) -> np.ndarray:
    """Cells cut to QUOTED_CHARS characters, a cut one saying how long it was."""
    text = pd.Series(values, dtype="string")
    length = text.str.len()
    long = (length > QUOTED_CHARS).fillna(False).to_numpy(dtype=bool)
    if not long.any():
        return values
    cut = text.str.slice(0, QUOTED_CHARS) + "… (" + length.astype(str) + " characters)"
    return np.where(long, cut.to_numpy(dtype=object), values)


def _values(values: pd.Series | str, n: int) -> np.ndarray:
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=object)
    return np.full(n, values, dtype=object)


def _empty_rejects() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype="string") for name in REJECT_COLUMNS})
    frame["line"] = pd.Series(dtype="Int64")
    return frame


@dataclass
class _Checked:
    """A table's valid typed rows and its rejected raw rows (for cascade reasons)."""

    frame: pd.DataFrame
    rejected: pd.DataFrame  # raw text of rejected rows, with `_line` and `_file`


def validate_dataset(folder: Path, encoding: str | None = None) -> ValidatedDataset:
    """Check every contract table of `folder`; raise DatasetError when it is unusable as a whole.

    `encoding` names the encoding of every CSV file; None detects it per file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetFolderError(folder)
    log = _RejectLog()
    checked: dict[str, _Checked] = {}
    counts: dict[str, RowCounts] = {}
    encodings: dict[str, str] = {}
    for table in LOAD_ORDER:
        raw = read_table(folder, table, encoding)
        if raw is not None and raw.encoding:
            encodings[raw.file] = raw.encoding
        checked[table.name], counts[table.name] = _validate_table(table, raw, checked, log)
    return ValidatedDataset(
        tables={name: c.frame for name, c in checked.items()},
        rejects=log.frame(),
        row_counts=counts,
        encodings=encodings,
    )


def empty_frame(table: Table) -> pd.DataFrame:
    """A frame with the table's contract columns and output dtypes, and no rows."""
    return pd.DataFrame({c.name: pd.Series(dtype=_output_dtype(c.type)) for c in table.columns})


def _output_dtype(kind: ColumnType) -> str:
    return {ColumnType.FLOAT: "float64", ColumnType.INT: "Int64"}.get(kind, "string")


def _nothing(table: Table, raw: RawTable | None = None) -> tuple[_Checked, RowCounts]:
    """No valid rows; the raw rows (if any) count as rejected so children can name them."""
    if raw is None:
        return _Checked(empty_frame(table), pd.DataFrame()), RowCounts(0, 0, 0)
    rejected = raw.frame.assign(_line=raw.lines, _file=raw.file)
    read = len(raw.frame) + len(raw.bad_records)
    return _Checked(empty_frame(table), rejected), RowCounts(read, 0, read)


def _validate_table(
    table: Table, raw: RawTable | None, checked: dict[str, _Checked], log: _RejectLog
) -> tuple[_Checked, RowCounts]:
    if raw is None:
        if table.required:
            reason = f"required table is missing: no {table.name}.csv or {table.name}.parquet"
            log.add(f"{table.name}.csv", None, "", "", reason)
        return _nothing(table)
    header_line = 1 if raw.format is FileFormat.CSV else None
    if raw.empty_file:
        log.add(raw.file, header_line, "", "", "file is empty (no header, no rows)")
        return _nothing(table, raw)
    for record in raw.bad_records:
        log.add(
            raw.file,
            record.line,
            record.column,
            record.raw,
            f"malformed CSV record: {record.reason}",
        )
    read = len(raw.frame) + len(raw.bad_records)

    frame = raw.frame
    unusable = False
    for name, positions in raw.duplicate_columns.items():
        log.add(
            raw.file,
            header_line,
            name,
            name,
            f"column {name} is named {len(positions)} times in the header (columns "
            f"{', '.join(map(str, positions))}): nothing is loaded from this file",
        )
        unusable = True
    for name, stored in raw.dtype_errors.items():
        column = table.column(name)
        log.add(
            raw.file,
            None,
            name,
            stored,
            f"Parquet column stored as {stored}, which cannot hold contract type "
            f"{column.type}" + ("" if column.required else "; column ignored"),
        )
        unusable |= column.required
    for column in table.columns:
        if (
            column.required
            and column.name not in frame.columns
            and column.name not in raw.dtype_errors
        ):
            log.add(
                raw.file,
                header_line,
                column.name,
                "",
                "required column is missing: nothing is loaded from this file",
            )
            unusable = True
    if unusable:
        return _nothing(table, raw)

    frame = frame.copy()
    for column in table.columns:
        if column.name not in frame.columns:
            frame[column.name] = ""
    lines = raw.lines
    ok = np.ones(len(frame), dtype=bool)
    typed: dict[str, pd.Series] = {}
    for column in table.columns:
        typed[column.name], bad, reasons = _parse_column(frame[column.name], column)
        _reject_rows(log, raw, lines, ok, bad, column.name, frame[column.name], reasons)
        if column.default is not None:
            frame.loc[_is_empty(frame[column.name]), column.name] = column.default
    for extra in frame.columns.difference(list(table.column_names), sort=False):
        bad, reasons = _too_long(frame[extra], MAX_CELL_CHARS[ColumnType.TEXT])
        _reject_rows(log, raw, lines, ok, bad, extra, frame[extra], reasons)
    for rule in table.checks:
        bad = _broken_rule(rule, typed) & ok
        _reject_rows(log, raw, lines, ok, bad, rule.column, frame[rule.column], rule.describe())
    _reject_duplicates(table, raw, frame, typed, lines, ok, log)
    for fk in table.foreign_keys:
        if fk.table == table.name:
            _reject_self_references(table, fk, raw, frame, lines, ok, log)
        else:
            _reject_orphans(fk, raw, frame, lines, ok, checked[fk.table], log)

    output = _typed_output(table, frame, typed, ok)
    rejected = frame.loc[~ok].assign(_line=lines[~ok], _file=raw.file)
    valid = len(output)
    return _Checked(output, rejected), RowCounts(read, valid, read - valid)


def _is_empty(text: pd.Series) -> np.ndarray:
    return (text.str.strip() == "").to_numpy(dtype=bool)


def _too_long(text: pd.Series, limit: int) -> tuple[np.ndarray, pd.Series]:
    length = text.str.len()
    bad = (length > limit).to_numpy(dtype=bool, na_value=False)
    reasons = pd.Series("", index=text.index, dtype=object)
    if bad.any():
        counts = np.array([f"{n:,}" for n in length[bad]], dtype=object)
        reasons[bad] = counts + f" characters: longer than this column's {limit:,}"
    return bad, reasons


def _parse_column(text: pd.Series, column: Column) -> tuple[pd.Series, np.ndarray, pd.Series | str]:
    """The typed column, the mask of unparseable cells and their reasons."""
    too_long, long_reasons = _too_long(text, MAX_CELL_CHARS[column.type])
    if too_long.any():
        # Cleared before parsing, so no check below reads a cell it will not store.
        text = text.mask(too_long, "")
    typed, bad, reasons = _parse_cells(text, column)
    if too_long.any():
        reasons = pd.Series(reasons, index=text.index, dtype=object)
        reasons[too_long] = long_reasons[too_long]
        bad = bad | too_long
    return typed, bad, reasons


def _parse_cells(text: pd.Series, column: Column) -> tuple[pd.Series, np.ndarray, pd.Series | str]:
    stripped = text.str.strip()
    empty = (stripped == "").to_numpy(dtype=bool)
    missing = empty & (not column.nullable) & (column.default is None)
    match column.type:
        case ColumnType.FLOAT | ColumnType.INT:
            values = pd.to_numeric(stripped, errors="coerce").astype("float64")
            number = values.to_numpy()
            nan_text = stripped.str.lower().isin(_NAN_SPELLINGS).to_numpy()
            reasons = pd.Series("not a number", index=text.index, dtype=object)
            reasons[nan_text] = "NaN is not a finite number"
            reasons[np.isinf(number)] = "not a finite number (infinite)"
            bad = ~empty & ~np.isfinite(number)
            if column.type is ColumnType.INT:
                fractional = np.isfinite(number) & (np.floor(number) != number)
                reasons[fractional] = "not an integer"
                bad |= ~empty & fractional
            if column.default is not None:
                values = values.fillna(float(column.default))
            typed = values
        case ColumnType.PERIOD | ColumnType.DATE:
            bad, reasons = _bad_periods_or_dates(stripped, column.type)
            bad &= ~empty
            typed = stripped
        case ColumnType.ENUM:
            bad = ~empty & ~stripped.isin(column.enum_values).to_numpy()
            reasons = f"unknown value; expected one of {', '.join(column.enum_values)}"
            typed = stripped
        case _:
            bad = np.zeros(len(text), dtype=bool)
            reasons = ""
            typed = text
    if missing.any():
        reasons = pd.Series(reasons, index=text.index, dtype=object)
        reasons[missing] = "required value is empty"
        bad = bad | missing
    return typed, bad, reasons


def _bad_periods_or_dates(stripped: pd.Series, kind: ColumnType) -> tuple[np.ndarray, pd.Series]:
    """Cells not shaped as the type, outside the contract's business range, or not in the
    calendar (2023-02-30); shaped text compares by range as plain text."""
    if kind is ColumnType.PERIOD:
        pattern, first, last, shape = _PERIOD, FIRST_PERIOD, LAST_PERIOD, "YYYY-MM"
    else:
        pattern, first, last, shape = _DATE, FIRST_DATE, LAST_DATE, "an ISO date YYYY-MM-DD"
    shaped = stripped.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)
    inside = shaped & ((stripped >= first) & (stripped <= last)).to_numpy(dtype=bool)
    reasons = pd.Series(f"not {shape}", index=stripped.index, dtype=object)
    reasons[shaped & ~inside] = f"outside the contract's range {first} to {last}"
    valid = inside
    if kind is ColumnType.DATE:
        dates = pd.to_datetime(stripped.where(inside), format="%Y-%m-%d", errors="coerce")
        valid = inside & dates.notna().to_numpy()
        reasons[inside & ~valid] = "not a calendar date (not an ISO date YYYY-MM-DD)"
    return ~valid, reasons


def _reject_rows(
    log: _RejectLog,
    raw: RawTable,
    lines: np.ndarray,
    ok: np.ndarray,
    bad: np.ndarray,
    column: str,
    values: pd.Series,
    reasons: pd.Series | str,
) -> None:
    """Log the bad rows and clear them from `ok` (in place)."""
    if not bad.any():
        return
    selected = reasons[bad] if isinstance(reasons, pd.Series) else reasons
    log.add(raw.file, lines[bad], column, values[bad], selected)
    ok &= ~bad


def _broken_rule(rule: CheckRule, typed: dict[str, pd.Series]) -> np.ndarray:
    values = typed[rule.column]
    match rule.kind:
        case CheckKind.MIN_EXCLUSIVE:
            return (values <= rule.bound).to_numpy(dtype=bool)
        case CheckKind.MIN_INCLUSIVE:
            return (values < rule.bound).to_numpy(dtype=bool)
    # Only the conditional kinds remain, and they always name their condition column.
    assert rule.when_column is not None
    applies = (typed[rule.when_column] == rule.when_value).to_numpy(dtype=bool)
    present = ~_is_empty(values)
    if rule.kind is CheckKind.PRESENT_WHEN:
        return applies & ~present
    return applies & present


def _key_text(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    text = frame[key[0]].astype(str)
    for name in key[1:]:
        text = text + "|" + frame[name].astype(str)
    return text


def _reject_duplicates(
    table: Table,
    raw: RawTable,
    frame: pd.DataFrame,
    typed: dict[str, pd.Series],
    lines: np.ndarray,
    ok: np.ndarray,
    log: _RejectLog,
) -> None:
    """Keep the first valid row of each key; later ones are rejected, naming the first line."""
    positions = np.flatnonzero(ok)
    # Numeric key parts compare by value, so revision "1" and "1.0" are the same key.
    key_frame = pd.DataFrame(
        {
            name: typed[name].iloc[positions].astype("Int64")
            if table.column(name).type is ColumnType.INT
            else typed[name].iloc[positions]
            for name in table.key
        }
    )
    keys = _key_text(key_frame, table.key)
    later = keys.duplicated(keep="first").to_numpy()
    if not later.any():
        return
    first_line = pd.Series(lines[positions]).groupby(keys.to_numpy()).transform("first")
    bad = np.zeros(len(frame), dtype=bool)
    bad[positions[later]] = True
    where = "line" if raw.format is FileFormat.CSV else "row"
    reasons = pd.Series("", index=frame.index, dtype=object)
    reasons[bad] = f"duplicate key; first at {where} " + first_line[later].astype(str).to_numpy(
        dtype=object
    )
    values = pd.Series("", index=frame.index, dtype=object)
    values[bad] = keys[later].to_numpy(dtype=object)
    _reject_rows(log, raw, lines, ok, bad, "|".join(table.key), values, reasons)


def _reject_orphans(
    fk: ForeignKey,
    raw: RawTable,
    frame: pd.DataFrame,
    lines: np.ndarray,
    ok: np.ndarray,
    parent: _Checked,
    log: _RejectLog,
) -> None:
    values = frame[fk.column]
    given = ~_is_empty(values)
    parent_keys = parent.frame[fk.ref_column]
    allowed = parent_keys
    if fk.ref_where is not None:
        where_column, where_value = fk.ref_where
        allowed = parent_keys[parent.frame[where_column] == where_value]
    bad = ok & given & ~values.isin(allowed.dropna()).to_numpy()
    if not bad.any():
        return
    reasons = _orphan_reasons(fk, values, bad, parent_keys, parent.rejected)
    _reject_rows(log, raw, lines, ok, bad, fk.column, values, reasons)


def _orphan_reasons(
    fk: ForeignKey,
    values: pd.Series,
    bad: np.ndarray,
    parent_keys: pd.Series,
    parent_rejected: pd.DataFrame,
) -> pd.Series:
    reasons = pd.Series("", index=values.index, dtype=object)
    reasons[bad] = f"unknown {fk.column}: no {fk.table} row with {fk.ref_column} = " + values[
        bad
    ].astype(str)
    if fk.ref_where is not None:
        wrong_kind = bad & values.isin(parent_keys.dropna()).to_numpy()
        where_column, where_value = fk.ref_where
        reasons[wrong_kind] = (
            f"{fk.column} must name a {fk.table} row with {where_column} = {where_value}"
        )
    if not parent_rejected.empty and fk.ref_column in parent_rejected.columns:
        rejected = parent_rejected.drop_duplicates(fk.ref_column).set_index(fk.ref_column)
        cascade = bad & values.isin(rejected.index).to_numpy()
        if cascade.any():
            hit = rejected.loc[values[cascade]]
            reasons[cascade] = (
                f"its {fk.table} row ({fk.ref_column} = "
                + values[cascade].astype(str).to_numpy(dtype=object)
                + ") was rejected at "
                + hit["_file"].to_numpy(dtype=object)
                + " line "
                + hit["_line"].astype(str).to_numpy(dtype=object)
            )
    return reasons


def _reject_self_references(
    table: Table,
    fk: ForeignKey,
    raw: RawTable,
    frame: pd.DataFrame,
    lines: np.ndarray,
    ok: np.ndarray,
    log: _RejectLog,
) -> None:
    """A reference into the same table (a city's province), repeated until nothing changes."""
    while True:
        parent = _Checked(
            frame.loc[ok],
            frame.loc[~ok].assign(_line=lines[~ok], _file=raw.file),
        )
        before = int(ok.sum())
        _reject_orphans(fk, raw, frame, lines, ok, parent, log)
        if int(ok.sum()) == before:
            return


def _typed_output(
    table: Table, frame: pd.DataFrame, typed: dict[str, pd.Series], ok: np.ndarray
) -> pd.DataFrame:
    keep = pd.Series(ok, index=frame.index)
    columns: dict[str, pd.Series] = {}
    for column in table.columns:
        values = typed[column.name][keep]
        match column.type:
            case ColumnType.FLOAT:
                columns[column.name] = values.astype("float64")
            case ColumnType.INT:
                columns[column.name] = values.round().astype("Int64")
            case _:
                text = frame.loc[keep, column.name] if column.default else values
                columns[column.name] = _text_output(text)
    for extra in frame.columns.difference(list(table.column_names), sort=False):
        columns[extra] = _text_output(frame.loc[keep, extra])
    return pd.DataFrame(columns).reset_index(drop=True)


def _text_output(text: pd.Series) -> pd.Series:
    """Text as pandas `string`, with empty (or blank) cells missing."""
    text = text.astype("string")
    return text.mask(_is_empty(text), pd.NA)
