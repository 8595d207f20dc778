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


def test_gbk_dataset_needs_its_encoding(home: Path, tmp_path: Path) -> None:
    dataset = tmp_path / "gbk"
    for name, frame in valid_tables().items():
        write_table(dataset, name, frame, encoding="gbk")
    result = runner.invoke(app, ["validate", str(dataset)])
    assert result.exit_code == 2
    assert "--encoding GBK" in " ".join(result.output.split())
    result = runner.invoke(app, ["validate", str(dataset), "--encoding", "GBK"])
    assert result.exit_code == 0, result.output
