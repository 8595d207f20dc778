"""`mrvtrace review list|show|decide` on a store with findings: the queue, a decision, a stale
decision refused (exit 3), a read-only role refused (exit 1), and the history shown."""

import re
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from app.presentation.cli.main import app
from app.settings import get_settings
from tests.review_setup import review_store

runner = CliRunner()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    prepared = review_store("embedded", tmp_path_factory, None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MRVTRACE_HOME", str(prepared.settings.home))
        patch.setenv("MRVTRACE_STORE", "embedded")
        patch.setenv("COLUMNS", "200")
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["review", *args])
    return result.exit_code, result.output


def test_list_decide_and_show(home: None) -> None:
    code, output = _run("list", "--status", "open", "--limit", "3")
    assert code == 0, output
    finding = re.findall(r"F[0-9a-f]{15}", output)[0]
    code, output = _run("decide", finding, "in_review", "--version", "1", "--by", "alice")
    assert code == 0 and "in_review (version 2)" in output, output
    code, output = _run("list", "--assignee", "alice")
    assert code == 0 and re.findall(r"F[0-9a-f]{15}", output) == [finding], output
    code, output = _run("list", "--min-priority", "1e15")
    assert code == 0 and not re.findall(r"F[0-9a-f]{15}", output), output
    code, output = _run("decide", finding, "confirmed", "--version", "1")
    assert code == 3, output
    code, output = _run("decide", finding, "confirmed", "--version", "2", "--role", "read-only")
    assert code == 1, output
    code, output = _run("show", finding)
    assert code == 0, output
    assert re.search(r"alice\s.*supervisor\s.*open\s.*in_review", output), output
    assert "next: open, confirmed, dismissed" in output
    code, output = _run("show", finding, "--scope", "city:999999")
    assert code == 1 and f"no finding {finding}" in output
