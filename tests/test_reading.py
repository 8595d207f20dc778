"""Reading contract tables as raw text: encodings, editor line numbers, Parquet types."""

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dataset_builders import valid_tables, write_dataset, write_table

from loaders.contract import TABLES
from loaders.errors import (
    AmbiguousTableError,
    CsvFileError,
    DatasetEncodingError,
    DatasetFolderError,
)
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


def test_encodings_are_detected_per_file(tmp_path: Path) -> None:
    # 𠮷 is outside GBK: only GB18030 holds it.
    files = {
        "utf-8": ("华能集团", "UTF-8"),
        "utf-8-sig": ("华能集团", "UTF-8 with BOM"),
        "gbk": ("华能集团", "GBK"),
        "gb18030": ("华能𠮷集团", "GB18030"),
    }
    for codec, (name, encoding) in files.items():
        path = tmp_path / f"{codec}.csv"
        path.write_bytes(f"group_id,name\nG01,ok\nG02,{name}\n".encode(codec))
        raw = read_csv(path, "groups")
        assert raw.encoding == encoding, codec
        assert list(raw.frame.columns) == ["group_id", "name"]
        assert raw.frame["name"].iloc[1] == name, codec


def test_an_undecodable_file_is_a_named_error_naming_file_line_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_bytes(b"group_id,name\nG01,ok\nG02,\xff\xff\n")
    with pytest.raises(DatasetEncodingError) as caught:
        read_csv(path, "groups")
    message = str(caught.value)
    assert "groups.csv" in message and "line 3" in message
    assert "UTF-8 / GBK / GB18030" in message
    assert "pass --encoding" in message
    assert caught.value.byte_offset == len(b"group_id,name\nG01,ok\nG02,")


def test_damaged_utf8_is_an_error_not_read_as_gbk(tmp_path: Path) -> None:
    # One broken byte in a UTF-8 file would otherwise decode whole as GBK, every name garbled.
    data = "group_id,name\nG01,北京市能源集团\nG02,上海电气集团\n".encode()
    path = tmp_path / "groups.csv"
    path.write_bytes(data.replace("上".encode(), b"\xe4\xb8"))
    with pytest.raises(DatasetEncodingError, match=r"not valid UTF-8 at byte \d+ \(line 3\)"):
        read_csv(path, "groups")


def test_a_given_encoding_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_bytes("group_id,name\nG02,华能集团\n".encode("gbk"))
    assert read_csv(path, "groups", encoding="GBK").frame["name"].iloc[0] == "华能集团"
    with pytest.raises(DatasetEncodingError, match="not valid utf-8"):
        read_csv(path, "groups", encoding="utf-8")


def test_a_folder_of_mixed_encodings_validates_clean_and_names_each(tmp_path: Path) -> None:
    tables = valid_tables()
    encodings = {"enterprises": "gbk", "regions": "utf-8-sig", "groups": "gb18030"}
    for name, frame in tables.items():
        write_table(tmp_path, name, frame, encoding=encodings.get(name, "utf-8"))
    result = validate_dataset(tmp_path)
    assert result.clean, result.rejects.to_string()
    assert result.tables["enterprises"]["name"].iloc[0] == "京能电厂"
    assert result.tables["regions"]["name"].iloc[0] == "北京市"
    assert result.encodings["enterprises.csv"] == "GBK"
    assert result.encodings["regions.csv"] == "UTF-8 with BOM"
    # ASCII-only text is valid UTF-8, whatever it was saved as.
    assert result.encodings["groups.csv"] == "UTF-8"
    assert result.encodings["units.csv"] == "UTF-8"


def test_rows_of_the_wrong_width_are_bad_records_by_line(tmp_path: Path) -> None:
    path = tmp_path / "labs.csv"
    path.write_text("id,name,code\nL1,a,1\nL2,b\nL3,c,3,x\nL4,d,4\n", encoding="utf-8")
    raw = read_csv(path, "labs")
    assert raw.frame["id"].tolist() == ["L1", "L4"]
    assert [(b.line, b.raw) for b in raw.bad_records] == [(3, "L2,b"), (4, "L3,c,3,x")]
    assert raw.bad_records[0].reason == "short row: 2 fields where the header has 3"
    assert raw.bad_records[1].reason.startswith("too many fields: 4 where the header has 3")


def test_a_file_cut_mid_row_does_not_yield_its_cut_row(tmp_path: Path) -> None:
    path = tmp_path / "unit_month.csv"
    # The cut leaves a full-width row whose last number is shorter: 294130.0 for 294130.006.
    path.write_text("unit_id,reported_co2_t\nU1,1.5\nU2,294130.006\n", encoding="utf-8")
    path.write_bytes(path.read_bytes()[:-3])
    raw = read_csv(path, "unit_month")
    assert raw.frame["unit_id"].tolist() == ["U1"]
    [cut] = raw.bad_records
    assert (cut.line, cut.raw) == (3, "U2,294130.0")
    assert "truncated" in cut.reason


def test_an_unterminated_quote_is_a_bad_record_from_its_line(tmp_path: Path) -> None:
    path = tmp_path / "labs.csv"
    path.write_text(
        'id,name,code\nL1,"a, quoted",1\nL2,"never closed,2\nL3,c,3\nL4,d,4\n', encoding="utf-8"
    )
    raw = read_csv(path, "labs")
    assert raw.frame["id"].tolist() == ["L1"]
    [broken] = raw.bad_records
    assert broken.line == 3
    assert "unterminated quote" in broken.reason and "lines 3-5" in broken.reason
    # The same quote in the last field parses as one long value: still rejected.
    path.write_text('id,name\nL1,ok\nL2,"never closed\nL3,c\n', encoding="utf-8")
    raw = read_csv(path, "labs")
    assert raw.frame["id"].tolist() == ["L1"]
    assert [b.line for b in raw.bad_records] == [3]


def test_a_quote_inside_an_unquoted_value_is_data(tmp_path: Path) -> None:
    path = tmp_path / "labs.csv"
    path.write_text('id,name\nL1,12" pipe lab\nL2,ok\n', encoding="utf-8")
    raw = read_csv(path, "labs")
    assert raw.frame["name"].tolist() == ['12" pipe lab', "ok"]
    assert raw.bad_records == []


def test_a_header_without_rows_or_line_break_reads_as_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("group_id,name", encoding="utf-8")
    raw = read_csv(path, "groups")
    assert list(raw.frame.columns) == ["group_id", "name"]
    assert raw.frame.empty and raw.bad_records == []


def test_an_unterminated_quote_in_the_header_is_a_named_error(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text('group_id,"name\nG01,a\n', encoding="utf-8")
    with pytest.raises(CsvFileError, match=r"groups\.csv: unreadable CSV: .* line 1 never closes"):
        read_csv(path, "groups")


def test_duplicate_header_names_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("unit_id,capacity_mw,capacity_mw ,cooling\nU1,600,300,air\n", encoding="utf-8")
    raw = read_csv(path, "units")
    assert raw.duplicate_columns == {"capacity_mw": [2, 3]}
    assert list(raw.frame.columns) == ["unit_id", "capacity_mw", "capacity_mw", "cooling"]


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


def test_an_all_empty_parquet_column_of_any_type_is_read_as_empty(tmp_path: Path) -> None:
    """pandas writes a date column without a value as double: nothing is lost reading it."""
    table = pa.table(
        {
            "verification_id": ["V-1", "V-2"],
            "enterprise_id": ["E1", "E2"],
            "year": pa.array([2023, 2023], pa.int32()),
            "verifier_id": ["V1", "V1"],
            "concluded_on": pa.array([None, None], pa.float64()),
        }
    )
    pq.write_table(table, tmp_path / "verifications.parquet")
    raw = read_table(tmp_path, TABLES["verifications"])
    assert raw is not None
    assert raw.dtype_errors == {}
    assert raw.frame["concluded_on"].tolist() == ["", ""]


def test_missing_table_reads_as_none_and_missing_folder_is_an_error(tmp_path: Path) -> None:
    assert read_table(tmp_path, TABLES["trades"]) is None
    with pytest.raises(DatasetFolderError):
        validate_dataset(tmp_path / "nowhere")


def test_a_table_given_twice_is_ambiguous(tmp_path: Path) -> None:
    write_dataset(tmp_path)
    write_table(tmp_path, "groups", valid_tables()["groups"], fmt="parquet")
    with pytest.raises(AmbiguousTableError, match=r"groups\.csv, groups\.parquet"):
        validate_dataset(tmp_path)
