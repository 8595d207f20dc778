"""Errors that make a dataset folder unusable as a whole (row problems are rejects instead)."""

from pathlib import Path


class DatasetError(Exception):
    """The dataset cannot be validated at all (missing folder, undecodable or ambiguous file)."""


class DatasetFolderError(DatasetError):
    def __init__(self, folder: Path) -> None:
        super().__init__(f"dataset folder {folder} does not exist or is not a folder")
        self.folder = folder


class AmbiguousTableError(DatasetError):
    def __init__(self, table: str, files: list[Path]) -> None:
        names = ", ".join(f.name for f in files)
        super().__init__(f"table {table} is given twice ({names}): keep one file per table")
        self.table = table


class DatasetEncodingError(DatasetError):
    """A CSV file is in none of the detected text encodings (or not in the one given)."""

    def __init__(self, file: Path, encoding: str, byte_offset: int, line: int) -> None:
        super().__init__(
            f"{file.name}: not valid {encoding} at byte {byte_offset} (line {line}); "
            "re-save as UTF-8, or pass --encoding with the file's actual encoding"
        )
        self.file = file
        self.encoding = encoding
        self.byte_offset = byte_offset
        self.line = line


class CsvFileError(DatasetError):
    """A CSV file the parser cannot read at all (its rows are not rejects, it has none)."""

    def __init__(self, file: Path, reason: str) -> None:
        super().__init__(f"{file.name}: unreadable CSV: {reason}")
        self.file = file
