"""Reading contract tables as raw text: encodings, editor line numbers, Parquet types."""

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dataset_builders import valid_tables, write_dataset, write_table

from loaders.contract import TABLES
from loaders.errors import AmbiguousTableError, DatasetEncodingError, DatasetFolderError
from loaders.reading import read_csv, read_table
from loaders.validation import validate_dataset


def test_leading_zeros_and_empty_cells_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("unit_id,capacity_mw\n00012302,600\n0007,\n", encoding="utf-8")
    raw = read_csv(path, "units")
    assert raw.frame["unit_id"].tolist() == ["00012302", "0007"]
    assert raw.frame["capacity_mw"].tolist() == ["600", ""]
    assert raw.lines.tolist() == [2, 3]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_bytes("group_id,name\nG01,国家能源集团\n".encode("utf-8-sig"))
    raw = read_csv(path, "groups")
    assert list(raw.frame.columns) == ["group_id", "name"]
    assert raw.frame["name"].iloc[0] == "国家能源集团"


def test_lines_are_those_an_editor_shows(tmp_path: Path) -> None:
    path = tmp_path / "labs.csv"
    # A quoted newline spans lines 2-3, line 4 is blank, line 6 has a field too many.
    path.write_text('id,name\nL1,"two\nlines"\n\nL2,ok\nL3,x,extra\nL4,last\n', encoding="utf-8")
    raw = read_csv(path, "labs")
    assert raw.frame["id"].tolist() == ["L1", "L2", "L4"]
    assert raw.lines.tolist() == [2, 5, 7]
    assert [(b.line, b.raw) for b in raw.bad_records] == [(6, "L3,x,extra")]


def test_windows_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_bytes(b"group_id,name\r\nG01,a\r\nG02,b\r\n")
    raw = read_csv(path, "groups")
    assert raw.frame["name"].tolist() == ["a", "b"]
    assert raw.lines.tolist() == [2, 3]


def test_gbk_file_gives_a_clear_error_naming_file_line_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_bytes("group_id,name\nG01,ok\nG02,华能集团\n".encode("gbk"))
    with pytest.raises(DatasetEncodingError) as caught:
        read_csv(path, "groups")
    message = str(caught.value)
    assert "groups.csv" in message
    assert "line 3" in message
    assert "re-save as UTF-8 or pass --encoding GBK" in message
    assert caught.value.byte_offset == len(b"group_id,name\nG01,ok\nG02,")
    assert read_csv(path, "groups", encoding="GBK").frame["name"].iloc[1] == "华能集团"


def test_gbk_dataset_validates_with_its_encoding(tmp_path: Path) -> None:
    for name, frame in valid_tables().items():
        write_table(tmp_path, name, frame, encoding="gbk")
    with pytest.raises(DatasetEncodingError):
        validate_dataset(tmp_path)
    result = validate_dataset(tmp_path, encoding="GBK")
    assert result.clean
    assert result.tables["enterprises"]["name"].iloc[0] == "京能电厂"


def test_parquet_types_that_fit_are_read_as_text(tmp_path: Path) -> None:
    table = pa.table(
        {
            "verification_id": pa.array(["007", "008"]).dictionary_encode(),
            "enterprise_id": ["E1", "E2"],
            "year": pa.array([2023, 2023], pa.int32()),
            "verifier_id": ["V1", "V1"],
            "verified_co2_t": ["12.5", None],  # numbers stored as text are fine
            "nonconformities": pa.array([1.0, None]),
            "concluded_on": pa.array([dt.date(2024, 4, 30), None], pa.date32()),
        }
    )
    pq.write_table(table, tmp_path / "verifications.parquet")
    raw = read_table(tmp_path, TABLES["verifications"])
    assert raw is not None
    assert raw.dtype_errors == {}
    assert raw.frame["verification_id"].tolist() == ["007", "008"]
    assert raw.frame["verified_co2_t"].tolist() == ["12.5", ""]
    assert raw.frame["concluded_on"].tolist() == ["2024-04-30", ""]
    assert raw.frame["year"].tolist() == ["2023", "2023"]
    assert raw.lines.tolist() == [0, 1]


def test_parquet_numeric_ids_are_a_dtype_error_per_column(tmp_path: Path) -> None:
    table = pa.table({"unit_id": [12302.0], "enterprise_id": pa.array([7], pa.int64())})
    pq.write_table(table, tmp_path / "units.parquet")
    raw = read_table(tmp_path, TABLES["units"])
    assert raw is not None
    assert raw.dtype_errors == {"unit_id": "double", "enterprise_id": "int64"}
    assert "unit_id" not in raw.frame.columns


def test_missing_table_reads_as_none_and_missing_folder_is_an_error(tmp_path: Path) -> None:
    assert read_table(tmp_path, TABLES["trades"]) is None
    with pytest.raises(DatasetFolderError):
        validate_dataset(tmp_path / "nowhere")


def test_a_table_given_twice_is_ambiguous(tmp_path: Path) -> None:
    write_dataset(tmp_path)
    write_table(tmp_path, "groups", valid_tables()["groups"], fmt="parquet")
    with pytest.raises(AmbiguousTableError, match=r"groups\.csv, groups\.parquet"):
        validate_dataset(tmp_path)
