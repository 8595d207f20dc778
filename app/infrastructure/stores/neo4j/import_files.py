"""Graph frames as the CSV files of Neo4j's offline importer (`neo4j-admin database import`).

Each node label and each relationship frame gets a one-line header file (`key:ID(Label)`,
`:START_ID(Label)`, `:END_ID(Label)`, typed properties such as `value:double`) and a data file
written by pyarrow's multi-threaded CSV writer. Each label is its own id space, so keys only need
to be unique within a label, as the graph's constraints require. Ids and text stay untyped
(strings), so `00012302` keeps its leading zeros; missing values are empty unquoted fields, which
the importer leaves unset, as the MERGE path does with nulls.

Frames hold one row per key (validation rejects repeated keys; derived frames are built one row
per unit-month, parameter or edge id), so rows are written as they are: proving uniqueness again
would cost seconds per million rows. The importer still skips a repeated node key.
"""

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from graph_schema.labels import KEY_PROPERTY, NodeLabel
from loaders.graph_frames import GraphFrames, RelationshipFrame

_WRITE_OPTIONS = pa_csv.WriteOptions(include_header=False, batch_size=64 * 1024)


@dataclass(frozen=True)
class ImportFile:
    """One `--nodes` or `--relationships` argument: a label or type, its header and data."""

    name: str
    header: Path
    data: Path
    rows: int

    def argument(self, kind: str) -> str:
        return f"--{kind}={self.name}={self.header},{self.data}"


@dataclass
class ImportFiles:
    nodes: list[ImportFile] = field(default_factory=list)
    relationships: list[ImportFile] = field(default_factory=list)
    # Set when any text value holds a line break: the importer must then parse multi-line
    # fields, which is slower, so it is only asked for when needed. Node values are enough to
    # look at: relationship text is made of node keys and schema names.
    multiline: bool = False

    def arguments(self) -> list[str]:
        return [
            *(f.argument("nodes") for f in self.nodes),
            *(f.argument("relationships") for f in self.relationships),
            f"--multiline-fields={'true' if self.multiline else 'false'}",
        ]


def property_type(data_type: pa.DataType) -> str | None:
    """The importer's type suffix for an Arrow type; None for text (the importer's default)."""
    if pa.types.is_floating(data_type):
        return "double"
    if pa.types.is_integer(data_type):
        return "long"
    if pa.types.is_boolean(data_type):
        return "boolean"
    return None


def _as_table(frame: pd.DataFrame) -> pa.Table:
    """The frame as Arrow, every column that is neither number nor boolean as text."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, column in enumerate(table.schema):
        if property_type(column.type) is None and not pa.types.is_string(column.type):
            table = table.set_column(i, column.name, pc.cast(table.column(i), pa.string()))
    return table


def _has_line_break(table: pa.Table) -> bool:
    # Literal searches: several times faster than one regular expression over millions of rows.
    return any(
        pc.any(pc.match_substring(column, mark)).as_py()
        for column in table.columns
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
        for mark in ("\n", "\r")
    )


def header_line(table: pa.Table, special: dict[str, str]) -> str:
    """The header: special columns (`:ID(Label)` …) as given, properties with their types."""
    names = []
    for column in table.schema:
        if column.name in special:
            names.append(special[column.name])
            continue
        suffix = property_type(column.type)
        names.append(column.name if suffix is None else f"{column.name}:{suffix}")
    return ",".join(names) + "\n"


def _write(table: pa.Table, header: str, stem: Path) -> tuple[Path, Path]:
    header_path = stem.with_name(stem.name + ".header.csv")
    data_path = stem.with_name(stem.name + ".csv")
    header_path.write_text(header, encoding="utf-8")
    pa_csv.write_csv(table, data_path, _WRITE_OPTIONS)
    return header_path, data_path


def node_table(label: NodeLabel, frame: pd.DataFrame) -> pa.Table:
    return _as_table(frame.loc[frame[KEY_PROPERTY[label]].notna()])


def relationship_table(rel: RelationshipFrame) -> pa.Table:
    rows = rel.rows.loc[rel.rows["start_key"].notna() & rel.rows["end_key"].notna()]
    return _as_table(rows)


def write_import_files(frames: GraphFrames, folder: Path) -> ImportFiles:
    """Write every frame of `frames` into `folder` (created) as importer CSV files."""
    folder.mkdir(parents=True, exist_ok=True)
    files = ImportFiles()
    for label, frame in frames.nodes.items():
        table = node_table(label, frame)
        key = KEY_PROPERTY[label]
        header = header_line(table, {key: f"{key}:ID({label.value})"})
        paths = _write(table, header, folder / f"node-{label.value}")
        files.nodes.append(ImportFile(label.value, *paths, rows=table.num_rows))
        files.multiline = files.multiline or _has_line_break(table)
    for number, rel in enumerate(frames.relationships):
        table = relationship_table(rel)
        ends = {
            "start_key": f":START_ID({rel.start_label.value})",
            "end_key": f":END_ID({rel.end_label.value})",
        }
        stem = folder / f"rel-{number:02d}-{rel.rel_type.value}"
        paths = _write(table, header_line(table, ends), stem)
        files.relationships.append(ImportFile(rel.rel_type.value, *paths, rows=table.num_rows))
    return files
