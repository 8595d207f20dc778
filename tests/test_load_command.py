"""`mrvtrace load`: the CLI loads a folder into the embedded store and refuses a bulk load there."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from dataset_builders import write_dataset
from typer.testing import CliRunner

from app.presentation.cli.main import app
from app.settings import get_settings

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
