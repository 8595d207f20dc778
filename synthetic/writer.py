"""Writes contract tables chunk by chunk: CSV (default) or Parquet, columns in contract order.

CSV is UTF-8 with empty cells for missing values; Parquet columns are typed from the contract
(text for ids, periods and dates; float64; int64), so every chunk appends to one schema.
"""

from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from loaders.contract import ColumnType, table
from synthetic.formats import OutputFormat


def _arrow_type(kind: ColumnType) -> pa.DataType:
    if kind is ColumnType.FLOAT:
        return pa.float64()
    if kind is ColumnType.INT:
        return pa.int64()
    return pa.string()


class DatasetWriter:
    """Appends frames to `<out>/<table>.<format>`; counts the rows written per table."""

    def __init__(self, out: Path, fmt: OutputFormat = OutputFormat.CSV) -> None:
        self.out = out
        self.fmt = fmt
        self.rows: dict[str, int] = {}
        self._parquet: dict[str, pq.ParquetWriter] = {}
        out.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, frame: pd.DataFrame) -> None:
        spec = table(name)
        frame = frame.loc[:, list(spec.column_names)]
        first = name not in self.rows
        self.rows[name] = self.rows.get(name, 0) + len(frame)
        if self.fmt is OutputFormat.CSV:
            path = self.out / f"{name}.csv"
            frame.to_csv(
                path, mode="w" if first else "a", header=first, index=False, lineterminator="\n"
            )
            return
        schema = pa.schema([(c.name, _arrow_type(c.type)) for c in spec.columns])
        if first:
            self._parquet[name] = pq.ParquetWriter(self.out / f"{name}.parquet", schema)
        arrays = {c.name: _as_arrow(frame[c.name], schema.field(c.name).type) for c in spec.columns}
        self._parquet[name].write_table(pa.table(arrays, schema=schema))

    def close(self) -> None:
        for writer in self._parquet.values():
            writer.close()
        self._parquet.clear()

    def __enter__(self) -> "DatasetWriter":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _as_arrow(column: pd.Series, arrow_type: pa.DataType) -> pa.Array:
    if pa.types.is_string(arrow_type):
        text = column.astype("string")
        return pa.array(text.mask(text == "", None), type=arrow_type, from_pandas=True)
    return pa.array(column.to_numpy(), type=arrow_type, from_pandas=True)
