"""Validation of a dataset folder: valid frames, and every broken row reported where it is."""

from pathlib import Path

import pandas as pd
import pytest
from dataset_builders import (
    BAD_INPUT_REJECTS,
    build_bad_folder,
    valid_tables,
    write_dataset,
    write_table,
)

from loaders.contract import LOAD_ORDER, TABLES
from loaders.validation import REJECT_COLUMNS, validate_dataset


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory):
    return validate_dataset(build_bad_folder(tmp_path_factory.mktemp("bad")))


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory):
    return validate_dataset(write_dataset(tmp_path_factory.mktemp("good")))


def test_valid_dataset_has_no_rejects_and_keeps_every_row(good) -> None:
    assert good.clean
    assert list(good.rejects.columns) == list(REJECT_COLUMNS)
    for name, frame in valid_tables().items():
        assert len(good.tables[name]) == len(frame) > 0, name
        assert good.row_counts[name].read == good.row_counts[name].valid == len(frame)


def test_output_dtypes_follow_the_contract(good) -> None:
    unit_month = good.tables["unit_month"]
    assert unit_month["unit_id"].dtype == "string"
    assert unit_month["period"].dtype == "string"
    assert unit_month["revision"].dtype == "Int64"
    assert unit_month["coal_consumption_t"].dtype == "float64"
    assert unit_month["submitted_on"].dtype == "string"
    assert good.tables["units"]["commissioned_year"].dtype == "Int64"
    assert good.tables["enterprises"]["group_id"].isna().sum() == 1


def test_ids_keep_leading_zeros(good) -> None:
    assert "00012302" in set(good.tables["units"]["unit_id"])
    assert "00012302" in set(good.tables["unit_month"]["unit_id"])


@pytest.mark.parametrize(("file", "line", "column", "reason"), BAD_INPUT_REJECTS)
def test_each_broken_input_is_reported_where_it_is(bad, file, line, column, reason) -> None:
    r = bad.rejects
    at = (r["file"] == file) & (r["column"] == column)
    at &= r["line"].isna() if line is None else (r["line"] == line)
    hits = r.loc[at.fillna(False), "reason"]
    assert len(hits) == 1, r.to_string()
    assert reason in hits.iloc[0]


def test_no_reject_beyond_the_broken_inputs(bad) -> None:
    assert len(bad.rejects) == len(BAD_INPUT_REJECTS)


def test_every_valid_row_still_loads(bad, good) -> None:
    untouched = ("regions", "groups", "enterprises", "verifiers", "test_reports")
    for name in (*untouched, "external_month"):
        pd.testing.assert_frame_equal(bad.tables[name], good.tables[name], obj=name)
    labs = bad.tables["labs"]
    pd.testing.assert_frame_equal(
        labs.drop(columns="name"), good.tables["labs"].drop(columns="name")
    )
    assert labs["name"].iloc[0] == "Beijing\nCoal Lab"
    units = bad.tables["units"]
    pd.testing.assert_frame_equal(units.drop(columns="boiler_maker"), good.tables["units"])
    original = bad.tables["unit_month"].iloc[: len(good.tables["unit_month"])]
    pd.testing.assert_frame_equal(original, good.tables["unit_month"])


def test_absurd_but_finite_values_are_data(bad) -> None:
    unit_month = bad.tables["unit_month"]
    negative = unit_month[unit_month["coal_consumption_t"] < 0]
    assert negative[["unit_id", "period"]].values.tolist() == [["00012302", "2023-04"]]


def test_revision_defaults_to_one_and_later_revisions_are_kept(bad) -> None:
    unit_month = bad.tables["unit_month"]
    assert unit_month["revision"].notna().all()
    first = unit_month[(unit_month["unit_id"] == "00012301") & (unit_month["period"] == "2023-01")]
    assert sorted(first["revision"].tolist()) == [1, 2]


def test_extra_columns_are_kept_as_text(bad) -> None:
    units = bad.tables["units"]
    assert units["boiler_maker"].dtype == "string"
    assert set(units["boiler_maker"]) == {"Harbin"}


def test_unusable_files_load_nothing_and_missing_optional_tables_are_empty(bad) -> None:
    for name in ("verifications", "compliance", "trades", "allocations"):
        frame = bad.tables[name]
        assert frame.empty
        assert list(frame.columns) == list(TABLES[name].column_names)
    assert bad.row_counts["trades"].read == bad.row_counts["trades"].rejected == 2
    assert bad.row_counts["allocations"].read == 0


def test_row_counts_add_up(bad) -> None:
    for table in LOAD_ORDER:
        counts = bad.row_counts[table.name]
        assert counts.read == counts.valid + counts.rejected
        assert counts.valid == len(bad.tables[table.name])
    assert bad.row_counts["unit_month"].rejected == 9
    assert bad.row_counts["labs"].rejected == 1


def test_missing_required_table_is_reported(tmp_path: Path) -> None:
    tables = valid_tables()
    del tables["unit_month"]
    result = validate_dataset(write_dataset(tmp_path, tables))
    assert result.rejects[["file", "column"]].values.tolist() == [["unit_month.csv", ""]]
    assert "required table is missing" in result.rejects["reason"].iloc[0]
    assert result.tables["unit_month"].empty


def test_a_rejected_row_cascades_down_to_every_child(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["regions"].loc[4, "level"] = "state"  # 440000: parent of 440100 and 440300
    result = validate_dataset(write_dataset(tmp_path, tables))
    rejects = result.rejects.set_index(["file", "line"])["reason"]
    assert rejects[("regions.csv", 6)].startswith("unknown value")
    for line in (7, 8):
        assert rejects[("regions.csv", line)].endswith("was rejected at regions.csv line 6")
    # Guangzhou's enterprise, its unit and everything that hangs from them.
    assert rejects[("enterprises.csv", 4)].endswith("was rejected at regions.csv line 7")
    assert rejects[("units.csv", 5)].endswith("was rejected at enterprises.csv line 4")
    for file in ("unit_month.csv", "external_month.csv", "test_reports.csv"):
        for line in (11, 12, 13):
            assert rejects[(file, line)].endswith("was rejected at units.csv line 5")
    for file in ("allocations.csv", "compliance.csv", "verifications.csv"):
        assert rejects[(file, 4)].endswith("was rejected at enterprises.csv line 4")
    assert rejects[("trades.csv", 3)].endswith("was rejected at enterprises.csv line 4")
    assert rejects[("verifiers.csv", 3)].endswith("was rejected at regions.csv line 7")
    assert rejects[("verifications.csv", 2)].endswith("was rejected at verifiers.csv line 3")
    assert len(rejects) == 20
    assert result.row_counts["unit_month"].valid == 9


def test_parquet_rows_are_reported_by_row_index(tmp_path: Path) -> None:
    tables = valid_tables()
    write_dataset(tmp_path, tables)
    units = tables["units"].copy()
    units.loc[2, "cooling"] = "oil"
    (tmp_path / "units.csv").unlink()
    write_table(tmp_path, "units", units, fmt="parquet")
    result = validate_dataset(tmp_path)
    unit_rejects = result.rejects[result.rejects["file"] == "units.parquet"]
    assert unit_rejects[["line", "column"]].values.tolist() == [[2, "cooling"]]
    # Its unit-months, reports and external rows cascade, naming the Parquet row.
    cascaded = result.rejects[result.rejects["file"] == "unit_month.csv"]
    assert len(cascaded) == 3
    assert cascaded["reason"].str.contains("units.parquet line 2").all()


def _rejects_at(result, file: str) -> list[tuple[int, str, str]]:
    r = result.rejects[result.rejects["file"] == file]
    return list(zip(r["line"].tolist(), r["column"].tolist(), r["reason"].tolist(), strict=True))


def test_periods_and_dates_outside_the_business_range_are_rejected(tmp_path: Path) -> None:
    tables = valid_tables()
    unit_month = tables["unit_month"]
    # Periods pandas cannot hold as timestamps: one such row used to stop every sweep.
    unit_month.loc[0, "period"] = "9999-12"
    unit_month.loc[1, "period"] = "0000-01"
    unit_month.loc[2, "submitted_on"] = "9999-12-31"
    tables["test_reports"].loc[0, "sample_date"] = "1999-12-31"
    tables["external_month"].loc[0, "period"] = "2101-01"
    result = validate_dataset(write_dataset(tmp_path, tables))
    reason = "outside the contract's range"
    assert _rejects_at(result, "unit_month.csv") == [
        (2, "period", f"{reason} 2000-01 to 2100-12"),
        (3, "period", f"{reason} 2000-01 to 2100-12"),
        (4, "submitted_on", f"{reason} 2000-01-01 to 2100-12-31"),
    ]
    assert _rejects_at(result, "test_reports.csv") == [
        (2, "sample_date", f"{reason} 2000-01-01 to 2100-12-31")
    ]
    assert _rejects_at(result, "external_month.csv") == [
        (2, "period", f"{reason} 2000-01 to 2100-12")
    ]
    assert len(result.rejects) == 5
    assert result.row_counts["unit_month"].valid == len(unit_month) - 3


def test_the_edges_of_the_business_range_are_valid(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["unit_month"].loc[0, ["period", "submitted_on"]] = ["2000-01", "2000-01-01"]
    tables["unit_month"].loc[1, ["period", "submitted_on"]] = ["2100-12", "2100-12-31"]
    result = validate_dataset(write_dataset(tmp_path, tables))
    assert result.clean, result.rejects.to_string()


def test_a_truncated_file_loses_only_its_cut_row(tmp_path: Path) -> None:
    tables = valid_tables()
    # The cut lands in the last value, so the row keeps its width: 294130.0 for 294130.006.
    unit_month = tables["unit_month"]
    unit_month = unit_month[[c for c in unit_month.columns if c != "reported_co2_t"]].assign(
        reported_co2_t=unit_month["reported_co2_t"]
    )
    unit_month.iloc[-1, -1] = "294130.006"
    tables["unit_month"] = unit_month
    write_dataset(tmp_path, tables)
    path = tmp_path / "unit_month.csv"
    path.write_bytes(path.read_bytes()[:-3])  # "06\n"
    result = validate_dataset(tmp_path)
    [(line, column, reason)] = _rejects_at(result, "unit_month.csv")
    assert (line, column) == (len(unit_month) + 1, "reported_co2_t")
    assert "truncated" in reason
    assert 294130.0 not in set(result.tables["unit_month"]["reported_co2_t"])
    assert result.row_counts["unit_month"].valid == len(unit_month) - 1
    # `truncate -s -60 unit_month.csv`: the cut row is rejected, every row before it loads.
    write_dataset(tmp_path)
    path.write_bytes(path.read_bytes()[:-60])
    result = validate_dataset(tmp_path)
    [(line, column, reason)] = _rejects_at(result, "unit_month.csv")
    assert line == len(unit_month) + 1 and "truncated" in reason
    assert column == "power_generation_mwh"  # where the cut landed
    pd.testing.assert_frame_equal(
        result.tables["unit_month"],
        validate_dataset(write_dataset(tmp_path / "whole")).tables["unit_month"].iloc[:-1],
    )


def test_short_and_long_rows_are_rejected_by_line_and_the_rest_loads(tmp_path: Path) -> None:
    write_dataset(tmp_path)
    path = tmp_path / "unit_month.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].rsplit(",", 3)[0] + "\n"  # three fields short
    lines[5] = lines[5].rstrip("\n") + ",surplus\n"
    path.write_text("".join(lines), encoding="utf-8")
    result = validate_dataset(tmp_path)
    rejects = _rejects_at(result, "unit_month.csv")
    # A short row names its first missing column.
    assert [(line, column) for line, column, _ in rejects] == [(4, "reported_co2_t"), (6, "")]
    assert "short row: 12 fields where the header has 15" in rejects[0][2]
    assert "too many fields: 16 where the header has 15" in rejects[1][2]
    assert result.row_counts["unit_month"].valid == len(lines) - 3


def test_an_unterminated_quote_is_rejected_by_line_and_rows_before_it_load(
    tmp_path: Path,
) -> None:
    write_dataset(tmp_path)
    with (tmp_path / "labs.csv").open("a", encoding="utf-8") as f:
        f.write('L03,"Unclosed Lab,110100,CMA\nL04,Lost Lab,110100,CMA\n')
    result = validate_dataset(tmp_path)
    [(line, column, reason)] = _rejects_at(result, "labs.csv")
    assert (line, column) == (4, "")
    assert "unterminated quote" in reason and "lines 4-5" in reason
    assert result.tables["labs"]["lab_id"].tolist() == ["L01", "L02"]


def test_duplicate_header_names_are_rejected(tmp_path: Path) -> None:
    write_dataset(tmp_path)
    path = tmp_path / "unit_month.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    # pandas would silently read the second one as `coal_consumption_t.1`.
    text = [f"{line},{line.split(',')[3]}" for line in text]
    text[0] = text[0].replace(",coal_consumption_t", ",coal_consumption_t", 2)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = validate_dataset(tmp_path)
    [(line, column, reason)] = _rejects_at(result, "unit_month.csv")
    assert (line, column) == (1, "coal_consumption_t")
    assert "named 2 times in the header (columns 4, 16)" in reason
    assert result.tables["unit_month"].empty


def test_long_cells_are_rejected_and_quoted_briefly(tmp_path: Path) -> None:
    tables = valid_tables()
    huge = "x" * 10_000_000
    tables["labs"].loc[0, "name"] = huge
    tables["unit_month"].loc[0, "coal_consumption_t"] = "1" * 10_000_000
    tables["units"] = tables["units"].assign(notes="")
    tables["units"].loc[1, "notes"] = huge
    result = validate_dataset(write_dataset(tmp_path, tables))
    r = result.rejects
    first = r[r["reason"].str.contains("characters: longer")]
    assert first[["file", "line", "column"]].values.tolist() == [
        ["units.csv", 3, "notes"],
        ["labs.csv", 2, "name"],
        ["unit_month.csv", 2, "coal_consumption_t"],
    ]
    assert (first["value"].str.len() < 80).all()
    assert first["value"].str.endswith("… (10000000 characters)").all()
    assert first["reason"].tolist() == [
        "10,000,000 characters: longer than this column's 1,000",
        "10,000,000 characters: longer than this column's 1,000",
        "10,000,000 characters: longer than this column's 40",
    ]
    # Whatever cascades from the rejected rows quotes briefly too.
    assert (r["value"].str.len() < 80).all() and (r["reason"].str.len() < 200).all()
