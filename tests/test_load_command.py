"""`mrvtrace load`: the CLI loads a folder into the embedded store and refuses a bulk load there;
and what the sweep after a load says."""

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from dataset_builders import valid_tables, write_dataset
from typer.testing import CliRunner

from app.infrastructure.stores.embedded import EmbeddedStore
from app.presentation.cli.main import app
from app.settings import get_settings
from synthetic.dataset import generate_dataset

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MRVTRACE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MRVTRACE_STORE", "embedded")
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def test_load_writes_the_graph_and_a_rejects_file(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    write_dataset(folder)
    result = runner.invoke(app, ["load", str(folder)])
    assert result.exit_code == 0, result.output
    assert "nodes and" in result.output and "relationships written" in result.output
    assert (home / "rejects.csv").exists()
    assert (home / "embedded").is_dir()


def test_bulk_load_is_refused_outside_neo4j(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    write_dataset(folder)
    result = runner.invoke(app, ["load", str(folder), "--bulk"])
    assert result.exit_code == 1
    assert "--bulk loads into Neo4j only" in result.output
    assert not (home / "embedded").exists()


def test_an_unreadable_file_exits_two_and_loads_nothing(home: Path, tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    (folder / "groups.csv").write_bytes(b"group_id,name\nG01,\xff\xfe\xff\n")
    result = runner.invoke(app, ["load", str(folder)])
    assert result.exit_code == 2, result.output
    assert "Unusable dataset: groups.csv" in result.output


def test_a_cut_file_loads_every_row_but_its_cut_one(home: Path, tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    path = folder / "unit_month.csv"
    path.write_bytes(path.read_bytes()[:-60])  # truncate -s -60 unit_month.csv
    result = runner.invoke(app, ["load", str(folder)])
    assert result.exit_code == 0, result.output
    rejects = pd.read_csv(home / "rejects.csv", dtype=str)
    assert rejects[["file", "line"]].values.tolist() == [["unit_month.csv", "13"]]
    loaded = EmbeddedStore(get_settings()).read_unit_months()
    expected = valid_tables()["unit_month"].iloc[:-1]
    assert sorted(zip(loaded["unit_id"], loaded["period"], strict=True)) == sorted(
        zip(expected["unit_id"], expected["period"], strict=True)
    )


def test_a_period_outside_the_business_range_never_reaches_a_sweep(
    home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    generate_dataset(folder, scale="small", seed=0, fault_rate=0.03, months=6)
    path = folder / "unit_month.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    period = lines[1].split(",")[1]
    lines[1] = lines[1].replace(period, "9999-12", 1)
    lines[2] = lines[2].replace(period, "0000-01", 1)
    path.write_text("".join(lines), encoding="utf-8")
    result = runner.invoke(app, ["load", str(folder)])
    assert result.exit_code == 0, result.output
    rejects = pd.read_csv(home / "rejects.csv", dtype=str)
    assert rejects[["file", "line", "column", "value"]].values.tolist() == [
        ["unit_month.csv", "2", "period", "9999-12"],
        ["unit_month.csv", "3", "period", "0000-01"],
    ]
    assert rejects["reason"].str.contains("2000-01 to 2100-12").all()
    # Every later sweep used to die with OutOfBoundsDatetime on such a row.
    result = runner.invoke(app, ["sweep"])
    assert result.exit_code == 0, result.output
    assert "published" in result.output


def test_a_sweep_with_nothing_changed_says_the_findings_stand(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    generate_dataset(folder, scale="small", seed=0, fault_rate=0.03, months=6)
    assert runner.invoke(app, ["load", str(folder)]).exit_code == 0
    first = runner.invoke(app, ["sweep"])
    assert first.exit_code == 0, first.output
    assert "unit-months scored" in first.output
    # The tests' default: no knowledge-base refresh, so none is timed.
    assert "knowledge-base refresh" not in first.output
    monkeypatch.setenv("MRVTRACE_KB_REFRESH_ON_SWEEP", "true")
    get_settings.cache_clear()
    again = runner.invoke(app, ["sweep"])
    assert again.exit_code == 0, again.output
    assert "no period has new or changed data" in again.output
    scored = re.search(r"sweep (\S+) published", first.output)
    assert scored is not None
    assert re.search(rf"findings\s+of\s+sweep\s+{scored.group(1)}\s+stand", again.output)
    carried = re.search(r"sweep (\S+) published", again.output)
    assert carried is not None
    # 80 columns: every id whole, the no-op sweep current and named as carrying the first one.
    listing = runner.invoke(app, ["sweeps"], env={"COLUMNS": "80"})
    assert listing.exit_code == 0, listing.output
    current = next(line for line in listing.output.splitlines() if line.lstrip().startswith("*"))
    assert carried.group(1) in current and scored.group(1) not in current
    # Its flagged cell gives the first sweep's flags, which stand, not a 0 that reads as none.
    first_flagged = re.search(r"([\d,]+)\s+of\s+them\s+flagged", first.output)
    assert first_flagged is not None
    assert current.split()[-1] == f"({first_flagged.group(1)})"
    assert f"{carried.group(1)} scored nothing: the findings of {scored.group(1)} stand" in (
        " ".join(listing.output.split())
    )
    assert "0 of them flagged" not in again.output
    # The refresh is a stage of its own, timed apart from the sweep's.
    assert re.search(r"then\s+the\s+knowledge-base\s+refresh\s+took\s+\d+\.\d\s+s", again.output)
