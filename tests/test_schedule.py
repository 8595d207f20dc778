"""The nightly schedule: cron parsing, one locked run with a stub sweep job, and the CLI verb."""

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from app.infrastructure.observability import configure_logging
from app.infrastructure.stores.contract import SweepRecord, SweepStatus
from app.infrastructure.sweep_lock import lock_holder, sweep_lock
from app.presentation.cli import schedule_command
from app.services.schedule import (
    DEFAULT_CRON,
    JOB_ID,
    build_scheduler,
    cron_trigger,
    run_locked_sweep,
    run_schedule,
)
from app.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(MRVTRACE_HOME=tmp_path / "home")


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def log_lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def sweeps_total(status: str) -> float:
    return REGISTRY.get_sample_value("mrvtrace_sweeps_total", {"status": status}) or 0.0


class StubSweep:
    """Stands in for the store sweep: records its calls, checks it runs under the lock."""

    def __init__(self, result: SweepRecord | None = None, error: Exception | None = None):
        self.result = result
        self.error = error
        self.calls: list[Settings] = []
        self.holders: list[dict[str, object] | None] = []

    def __call__(self, settings: Settings) -> SweepRecord | None:
        self.calls.append(settings)
        self.holders.append(lock_holder(settings))
        if self.error is not None:
            raise self.error
        return self.result


def published_record() -> SweepRecord:
    return SweepRecord(
        sweep_id="20250102T020000Z-abc123",
        started="2025-01-02T02:00:00+00:00",
        status=SweepStatus.PUBLISHED,
        periods=["2024-11", "2024-12"],
        full=True,
        counts={"flagged": 7},
    )


UTC = ZoneInfo("UTC")


def next_fires(expression: str, start: datetime, count: int) -> list[datetime]:
    trigger = cron_trigger(expression, timezone=UTC)
    fires: list[datetime] = []
    previous = None
    now = start.replace(tzinfo=UTC)
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, now)
        assert fire is not None
        fires.append(fire.replace(tzinfo=None))
        previous, now = fire, fire + timedelta(seconds=1)
    return fires


def test_default_cron_fires_at_two_every_night() -> None:
    assert next_fires(DEFAULT_CRON, datetime(2025, 3, 4, 13, 30), 2) == [
        datetime(2025, 3, 5, 2, 0),
        datetime(2025, 3, 6, 2, 0),
    ]


@pytest.mark.parametrize(
    ("expression", "expected_weekdays"),
    [
        # Crontab counts weekdays from Sunday = 0 (7 is Sunday too); Python from Monday = 0.
        ("30 4 * * 1", {0}),
        ("30 4 * * 0", {6}),
        ("30 4 * * 7", {6}),
        ("30 4 * * 1-5", {0, 1, 2, 3, 4}),
        ("30 4 * * 5-7", {4, 5, 6}),
        ("30 4 * * sat,sun", {5, 6}),
        ("30 4 * * */2", {6, 1, 3, 5}),
    ],
)
def test_crontab_weekdays_keep_their_crontab_meaning(
    expression: str, expected_weekdays: set[int]
) -> None:
    fires = next_fires(expression, datetime(2025, 3, 3), 14)  # 2025-03-03 is a Monday
    assert {f.weekday() for f in fires} == expected_weekdays
    assert {(f.hour, f.minute) for f in fires} == {(4, 30)}


@pytest.mark.parametrize(
    "expression", ["", "every night", "0 25 * * *", "0 2 * *", "0 2 * * 8", "0 2 * * 5-1"]
)
def test_invalid_cron_is_rejected(expression: str) -> None:
    with pytest.raises(ValueError):
        cron_trigger(expression)


def test_scheduler_holds_one_job_on_the_cron_trigger(settings: Settings) -> None:
    stub = StubSweep(published_record())
    scheduler = build_scheduler(settings, "15 3 * * *", stub)
    [job] = scheduler.get_jobs()
    assert job.id == JOB_ID
    assert job.max_instances == 1
    assert job.args == (settings, stub)
    assert str(job.trigger.fields[job.trigger.FIELD_NAMES.index("hour")]) == "3"
    assert str(job.trigger.fields[job.trigger.FIELD_NAMES.index("minute")]) == "15"
    assert stub.calls == []


def test_once_runs_one_sweep_under_the_lock_and_logs_json(
    settings: Settings, json_logs: io.StringIO
) -> None:
    stub = StubSweep(published_record())
    before = sweeps_total("published")
    outcome = run_schedule(settings, once=True, job=stub)

    assert outcome is not None
    assert outcome.status == "published"
    assert outcome.sweep_id == "20250102T020000Z-abc123"
    assert stub.calls == [settings]
    assert stub.holders[0] is not None and stub.holders[0]["pid"]
    assert lock_holder(settings) is None
    assert sweeps_total("published") == before + 1
    assert REGISTRY.get_sample_value("mrvtrace_flags_current") == 7

    events = [line for line in log_lines(json_logs) if line["logger"] == "mrvtrace.schedule"]
    assert [e["event"] for e in events] == ["sweep_start", "sweep_end"]
    assert events[1]["status"] == "published"
    assert events[1]["sweep_id"] == "20250102T020000Z-abc123"
    assert events[1]["flagged"] == 7


def test_run_is_skipped_while_another_sweep_holds_the_lock(
    settings: Settings, json_logs: io.StringIO
) -> None:
    stub = StubSweep(published_record())
    with sweep_lock(settings) as held:
        outcome = run_locked_sweep(settings, stub)
    assert outcome.status == "skipped"
    assert stub.calls == []
    [end] = [line for line in log_lines(json_logs) if line.get("event") == "sweep_end"]
    assert end["status"] == "skipped"
    assert end["holder"] == held


def test_a_raising_sweep_is_logged_as_failed_and_the_lock_freed(
    settings: Settings, json_logs: io.StringIO
) -> None:
    stub = StubSweep(error=RuntimeError("store unreachable"))
    before = sweeps_total("failed")
    outcome = run_locked_sweep(settings, stub)
    assert outcome.status == "failed"
    assert "store unreachable" in outcome.error
    assert lock_holder(settings) is None
    assert sweeps_total("failed") == before + 1
    [end] = [line for line in log_lines(json_logs) if line.get("event") == "sweep_end"]
    assert end["level"] == "ERROR"
    assert "RuntimeError: store unreachable" in str(end["exc"])


def test_a_job_with_nothing_to_run_reports_no_sweep(settings: Settings) -> None:
    outcome = run_locked_sweep(settings, StubSweep(result=None))
    assert outcome.status == "no_sweep"


def test_cli_rejects_a_bad_cron_before_scheduling() -> None:
    app = typer.Typer()
    schedule_command.register(app)
    app.command("noop")(lambda: None)  # a second verb keeps `schedule` a named subcommand
    result = CliRunner().invoke(app, ["schedule", "--cron", "0 99 * * *"])
    assert result.exit_code == 2
    assert "crontab" in result.output
