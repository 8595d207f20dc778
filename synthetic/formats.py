"""The file formats the generator writes (kept apart from the writer, which needs pyarrow, so
that the CLI can offer them without importing it)."""

from enum import StrEnum


class OutputFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
