"""Read one contract table from a dataset folder as raw text, with a source line per row.

Every cell is read as text (empty cell = ""), so ids keep their leading zeros and a reject can
quote the offending raw value. Types are parsed later, in validation. A CSV record that is not
one row of the header's width (short, too long, cut off at the end of the file, or swallowed by
an unclosed quote) is a bad record on its line, never a row.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv
import pyarrow.parquet as pq

from loaders.contract import ColumnType, Table
from loaders.errors import AmbiguousTableError, CsvFileError
from loaders.text_encoding import decode_file

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
    # The parser's record number (header = 1); 0 for Parquet.
    number: int = 0
    # The column where the record goes wrong (a short row's first missing one), else "".
    column: str = ""
    fields: int = 0


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
    # CSV: the encoding the file was read in, as the report names it.
    encoding: str = ""
    bad_records: list[BadRecord] = field(default_factory=list)
    # Parquet columns whose stored type cannot hold the contract type: column -> stored type.
    dtype_errors: dict[str, str] = field(default_factory=dict)
    # Header names given more than once -> their 1-based column positions.
    duplicate_columns: dict[str, list[int]] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.path.name


def find_table_file(folder: Path, name: str) -> Path | None:
    """`NAME.csv` or `NAME.parquet`; both at once is ambiguous."""
    found = [p for p in (folder / f"{name}.csv", folder / f"{name}.parquet") if p.is_file()]
    if len(found) > 1:
        raise AmbiguousTableError(name, found)
    return found[0] if found else None


def read_table(folder: Path, table: Table, encoding: str | None = None) -> RawTable | None:
    """The table's raw text, or None when the folder has no file for it.

    `encoding` names the encoding of every CSV file; None detects it per file.
    """
    path = find_table_file(folder, table.name)
    if path is None:
        return None
    if path.suffix == ".parquet":
        return read_parquet(path, table)
    return read_csv(path, table.name, encoding)


def read_csv(path: Path, name: str, encoding: str | None = None) -> RawTable:
    """The file's rows as text; `encoding` None detects it (UTF-8, UTF-8 BOM, GBK, GB18030)."""
    decoded = decode_file(path, path.read_bytes(), encoding)
    text = decoded.text.removeprefix("\ufeff")
    if not text.strip():
        return RawTable(
            name, path, FileFormat.CSV, pd.DataFrame(), np.empty(0, int), True, decoded.encoding
        )
    cells, skipped = _split_records(path, text)
    header = [str(c).strip() or f"Unnamed: {i}" for i, c in enumerate(cells.iloc[0])]
    frame = cells.iloc[1:].reset_index(drop=True)
    frame.columns = header
    lines, records, bad = _editor_lines(frame, skipped, header)
    blank = (frame == "").all(axis=1).to_numpy(dtype=bool)
    keep = ~blank
    cut = _unterminated_end(text, records[keep], bad)
    if cut is not None:
        number, reason = cut
        row = records == number
        if row.any():
            raw, line, fields = ",".join(frame.loc[row].iloc[0]), int(lines[row][0]), len(header)
            keep &= ~row
        else:
            broken = next(b for b in bad if b.number == number)
            raw, line, fields = broken.raw, broken.line, min(broken.fields, len(header))
        # A cut row ends in the value the cut shortened; a quote's value is not told apart.
        column = "" if reason.startswith("unterminated") else header[fields - 1]
        bad = [b for b in bad if b.number != number]
        bad.append(BadRecord(line, reason, raw, number, column, fields))
    return RawTable(
        name,
        path,
        FileFormat.CSV,
        frame.loc[keep].reset_index(drop=True),
        lines[keep],
        encoding=decoded.encoding,
        bad_records=bad,
        duplicate_columns=_duplicates(header),
    )


def _duplicates(header: list[str]) -> dict[str, list[int]]:
    """Header names given more than once -> their 1-based column positions."""
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(header, start=1):
        positions.setdefault(name, []).append(i)
    return {name: at for name, at in positions.items() if len(at) > 1}


# The parser's block size is a 32-bit count of bytes.
_MAX_BLOCK = (1 << 31) - 1


@dataclass(frozen=True)
class _Skipped:
    number: int  # the parser's record number (header = 1)
    reason: str
    raw: str
    fields: int


def _split_records(path: Path, text: str) -> tuple[pd.DataFrame, list[_Skipped]]:
    """Every record as text cells (the header is row 0); records of the wrong width are skipped."""
    skipped: list[_Skipped] = []

    def wrong_width(row: csv.InvalidRow) -> str:
        short = row.actual_columns < row.expected_columns
        reason = (
            f"short row: {row.actual_columns} fields where the header has {row.expected_columns}"
            if short
            else f"too many fields: {row.actual_columns} where the header has "
            f"{row.expected_columns} (an unquoted comma in a value?)"
        )
        blank = not row.text.strip()
        skipped.append(
            _Skipped(row.number or 0, "" if blank else reason, row.text, row.actual_columns)
        )
        return "skip"

    # A last record without its line break is reported from the text; the parser needs one.
    data = (text if text.endswith(("\n", "\r")) else text + "\n").encode("utf-8")
    # An upper bound of the header's width, so every column is read as text (no type guessing).
    width = text.count(",", 0, 1 << 16) + 1
    try:
        table = csv.read_csv(
            pa.py_buffer(data),
            # One block for the whole file, so a record of any size parses (no straddling).
            read_options=csv.ReadOptions(
                use_threads=False,
                autogenerate_column_names=True,
                block_size=max(1 << 20, min(len(data) + 1, _MAX_BLOCK)),
            ),
            parse_options=csv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=wrong_width
            ),
            convert_options=csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        opened = _unclosed_quote(text) if text.count('"') % 2 else None
        if opened is None:
            raise CsvFileError(path, str(error)) from error
        line = text.count("\n", 0, opened) + 1
        reason = f"the quoted value opened on line {line} never closes, so the header never ends"
        raise CsvFileError(path, reason) from error
    frame = table.to_pandas(types_mapper=lambda t: TEXT_DTYPE if pa.types.is_string(t) else None)
    return frame.astype(TEXT_DTYPE), skipped


def _editor_lines(
    frame: pd.DataFrame, skipped: list[_Skipped], header: list[str]
) -> tuple[np.ndarray, np.ndarray, list[BadRecord]]:
    """Map parsed rows (and records the parser skipped) to the lines an editor shows.

    The parser numbers records (header = 1, blank lines count); a quoted newline inside a
    record shifts every later record down by one editor line. Returns the rows' lines, their
    record numbers and the skipped records (blank ones dropped) as bad records.
    """
    records = np.arange(len(frame)) + 2
    for record in sorted(skipped, key=lambda r: r.number):
        records[records >= record.number] += 1
    if len(frame):
        newlines = sum(frame.iloc[:, i].str.count("\n").to_numpy() for i in range(frame.shape[1]))
    else:
        newlines = np.zeros(0, dtype=int)
    before = np.concatenate([[0], np.cumsum(newlines)])
    lines = records + before[:-1]
    bad = [
        BadRecord(
            r.number + int(before[np.searchsorted(records, r.number)]),
            r.reason,
            r.raw,
            r.number,
            header[r.fields] if r.fields < len(header) else "",
            r.fields,
        )
        for r in skipped
        if r.reason
    ]
    return lines.astype(np.int64), records.astype(np.int64), bad


def _unterminated_end(
    text: str, row_records: np.ndarray, bad: list[BadRecord]
) -> tuple[int, str] | None:
    """The last record and why, when the file ends inside it: an unclosed quote or a cut row.

    The parser accepts both silently (the quote swallows the rest of the file, the cut row's
    last value is a shorter number), so they are told from the text itself.
    """
    number = max(int(row_records.max(initial=0)), max((b.number for b in bad), default=0))
    if number == 0:
        return None
    # Well-formed CSV pairs its quotes; an odd count is checked quote by quote.
    opened = _unclosed_quote(text) if text.count('"') % 2 else None
    if opened is not None:
        quote_line = text.count("\n", 0, opened) + 1
        last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
        return number, (
            f"unterminated quote: the quoted value opened on line {quote_line} never closes, "
            f"so lines {quote_line}-{last_line} are one broken record; none of it is loaded"
        )
    if not text.endswith(("\n", "\r")):
        return number, (
            "no line break after the last row: the file looks cut off (truncated), so its "
            "last row may hold a shortened value; it is not loaded"
        )
    return None


def _unclosed_quote(text: str) -> int | None:
    """Offset of a quote that opens a value and never closes, parsing quotes as the reader does.

    Only a quote at the start of a value opens one; inside it `""` is a literal quote. Runs
    over quote characters, and only for a file whose quote count is odd.
    """
    at = text.find('"')
    while at >= 0:
        if at == 0 or text[at - 1] in ",\r\n":
            close = text.find('"', at + 1)
            while close >= 0 and text.startswith('""', close):
                close = text.find('"', close + 2)
            if close < 0:
                return at
            at = text.find('"', close + 1)
        else:
            at = text.find('"', at + 1)
    return None


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
        # A column without a single value loses nothing whatever its type (pandas writes an
        # all-empty date column as double).
        empty = column.null_count == len(column)
        if kind is not None and not empty and not _fits(column.type, kind):
            dtype_errors[name] = str(column.type)
            continue
        columns[name] = _as_text(column, kind)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(data.num_rows))
    lines = np.arange(data.num_rows, dtype=np.int64)
    return RawTable(table.name, path, FileFormat.PARQUET, frame, lines, dtype_errors=dtype_errors)
