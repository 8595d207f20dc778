"""`mrvtrace validate DIR`: summary, rejects file outside the dataset, exit codes."""

from collections.abc import Iterator
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
from typer.testing import CliRunner

from app.presentation.cli.main import app
from app.settings import get_settings

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("MRVTRACE_HOME", str(home))
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_clean_dataset_exits_zero_and_writes_empty_rejects(home: Path, tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path / "data")
    result = runner.invoke(app, ["validate", str(dataset)])
    assert result.exit_code == 0, result.output
    assert "unit_month" in result.output
    assert "No rejects" in result.output
    rejects = pd.read_csv(home / "rejects.csv")
    assert list(rejects.columns) == ["file", "line", "column", "value", "reason"]
    assert rejects.empty


def test_bad_dataset_exits_one_and_reports_outside_the_dataset(home: Path, tmp_path: Path) -> None:
    dataset = build_bad_folder(tmp_path / "bad")
    before = _files(dataset)
    result = runner.invoke(app, ["validate", str(dataset)])
    assert result.exit_code == 1, result.output
    assert "Dataset validation" in result.output
    assert "duplicate key" in result.output
    assert _files(dataset) == before
    rejects = pd.read_csv(home / "rejects.csv", dtype=str, keep_default_na=False)
    assert len(rejects) == len(BAD_INPUT_REJECTS)
    duplicate = rejects[rejects["reason"].str.startswith("duplicate key")]
    assert duplicate["value"].tolist() == ["00012301|2023-01|1"]


def test_rejects_path_option(home: Path, tmp_path: Path) -> None:
    tables = valid_tables()
    tables["units"].loc[0, "cooling"] = "oil"
    dataset = write_dataset(tmp_path / "data", tables)
    target = tmp_path / "out" / "my_rejects.csv"
    result = runner.invoke(app, ["validate", str(dataset), "--rejects", str(target)])
    assert result.exit_code == 1, result.output
    assert not (home / "rejects.csv").exists()
    rejects = pd.read_csv(target, dtype=str)
    assert rejects.loc[0, ["file", "line", "column", "value"]].tolist() == [
        "units.csv",
        "2",
        "cooling",
        "oil",
    ]


def test_parquet_rejects_are_shown_by_row(home: Path, tmp_path: Path) -> None:
    tables = valid_tables()
    tables["labs"].loc[1, "accreditation"] = "ISO"
    dataset = write_dataset(tmp_path / "data", tables)
    (dataset / "labs.csv").unlink()
    write_table(dataset, "labs", tables["labs"], fmt="parquet")
    result = runner.invoke(app, ["validate", str(dataset)])
    assert result.exit_code == 1, result.output
    assert "row 1" in result.output


def test_rejects_are_never_written_into_the_dataset(home: Path, tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path / "data")
    before = _files(dataset)
    result = runner.invoke(app, ["validate", str(dataset), "--rejects", str(dataset / "r.csv")])
    assert result.exit_code == 2
    assert _files(dataset) == before


def test_missing_folder_exits_two(home: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in " ".join(result.output.split())


def test_encodings_are_detected_per_file_and_named(home: Path, tmp_path: Path) -> None:
    dataset = tmp_path / "mixed"
    for name, frame in valid_tables().items():
        encoding = {"enterprises": "gbk", "regions": "utf-8-sig"}.get(name, "utf-8")
        write_table(dataset, name, frame, encoding=encoding)
    result = runner.invoke(app, ["validate", str(dataset)])
    assert result.exit_code == 0, result.output
    assert "GBK" in result.output and "UTF-8 with BOM" in result.output
    # --encoding still names the encoding of every file: the GBK one is then unusable.
    result = runner.invoke(app, ["validate", str(dataset), "--encoding", "utf-8"])
    assert result.exit_code == 2
    assert "enterprises.csv: not valid utf-8" in " ".join(result.output.split())


def _broken_dataset(folder: Path) -> Path:
    """Short, long and cut rows and an unterminated quote: rejects, never a traceback."""
    write_dataset(folder)
    path = folder / "unit_month.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rsplit(",", 2)[0] + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    path.write_bytes(path.read_bytes()[:-60])
    with (folder / "labs.csv").open("a", encoding="utf-8") as f:
        f.write('L03,"Unclosed Lab,110100,CMA\n')
    return folder


def test_broken_records_are_rejects_by_line(home: Path, tmp_path: Path) -> None:
    dataset = _broken_dataset(tmp_path / "broken")
    result = runner.invoke(app, ["validate", str(dataset)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    rejects = pd.read_csv(home / "rejects.csv", dtype=str, keep_default_na=False)
    assert rejects[["file", "line", "column"]].values.tolist() == [
        ["labs.csv", "4", ""],
        ["unit_month.csv", "3", "carbon_report_id"],
        ["unit_month.csv", "13", "power_generation_mwh"],
    ]
    assert rejects["reason"].str.startswith("malformed CSV record").all()


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"group_id,name\nG01,\xff\xfe\xff\n", "groups.csv: not valid UTF-8 / GBK / GB18030"),
        (b'group_id,"name\nG01,a\n', "groups.csv: unreadable CSV: the quoted value opened"),
    ],
)
def test_an_unreadable_file_exits_two_with_a_named_error(
    home: Path, tmp_path: Path, content: bytes, error: str
) -> None:
    dataset = write_dataset(tmp_path / "data")
    (dataset / "groups.csv").write_bytes(content)
    result = runner.invoke(app, ["validate", str(dataset)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"Unusable dataset: {error}" in " ".join(result.output.split())
