"""Nightly sweeps: an APScheduler cron job that takes the sweep lock and runs one sweep.

Each run logs its start and end as JSON (status, sweep id, duration, flags) and updates the
sweep metrics. A run that finds the lock held is skipped, never queued: the next night's run
catches up, because sweeps are incremental.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from app.infrastructure.observability import record_sweep
from app.infrastructure.stores.contract import SweepRecord
from app.infrastructure.stores.factory import open_store
from app.infrastructure.sweep_lock import SweepAlreadyRunning, sweep_lock
from app.services.sweep_upkeep import sweep_with_upkeep
from app.settings import Settings

DEFAULT_CRON = "0 2 * * *"
JOB_ID = "nightly-sweep"
# A run missed by up to this long (host asleep, scheduler restarting) still happens once.
MISFIRE_GRACE_SECONDS = 3600

log = logging.getLogger("mrvtrace.schedule")

# Runs one sweep with the given settings; None means there was nothing to run.
SweepJob = Callable[[Settings], SweepRecord | None]


@dataclass(frozen=True)
class ScheduledRun:
    """How one scheduled run ended: published, failed (the sweep reported or raised it),
    skipped (another process held the lock) or no_sweep (no sweep implementation)."""

    status: str
    sweep_id: str = ""
    duration_s: float = 0.0
    error: str = ""


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _crontab_day(token: str) -> int:
    """A crontab weekday (0 or 7 = Sunday, or a name) as 0..6 from Sunday."""
    if token.lower() in _CRON_DAYS:
        return _CRON_DAYS.index(token.lower())
    if not token.isdigit() or int(token) > 7:
        raise ValueError(f"bad day of week {token!r}")
    return int(token) % 7


def _crontab_days(field: str) -> str:
    """The crontab day-of-week field as APScheduler weekday names.

    APScheduler 3 numbers weekdays from Monday = 0 while crontab starts at Sunday = 0, so
    numbers are expanded to names here rather than passed through.
    """
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"bad step in {item!r}")
        if span == "*":
            first, last = 0, 6
        else:
            start, _, end = span.partition("-")
            first = _crontab_day(start)
            # `7` as a range end means Sunday at the end of the week.
            last = (7 if end == "7" else _crontab_day(end)) if end else (6 if step else first)
            if last < first:
                raise ValueError(f"bad day-of-week range {span!r}")
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    return ",".join(_CRON_DAYS[d] for d in sorted(days))


def cron_trigger(expression: str, timezone: tzinfo | None = None) -> CronTrigger:
    """A trigger from a five-field crontab expression (minute hour day month weekday), in
    `timezone` (local time by default); ValueError when it is not one.

    Unlike cron, a day-of-month and a day-of-week both restricted must both match.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}: {expression!r}")
    minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_crontab_days(day_of_week),
        timezone=timezone,
    )


def store_sweep(settings: Settings) -> SweepRecord | None:
    """The production job: open the configured store and run an incremental sweep."""
    store = open_store(settings)
    try:
        return sweep_with_upkeep(store, settings.keep_sweeps)
    finally:
        store.close()


def run_locked_sweep(settings: Settings, job: SweepJob) -> ScheduledRun:
    """Run `job` under the sweep lock, logging start and end; never raises."""
    started = time.perf_counter()
    log.info("scheduled sweep starting", extra={"event": "sweep_start", "job": JOB_ID})
    try:
        with sweep_lock(settings, wait=False):
            record = job(settings)
    except SweepAlreadyRunning as busy:
        log.warning(
            "scheduled sweep skipped: another sweep holds the lock",
            extra={"event": "sweep_end", "status": "skipped", "holder": busy.holder},
        )
        return ScheduledRun(status="skipped")
    except Exception as exc:
        outcome = ScheduledRun(
            status="failed",
            duration_s=round(time.perf_counter() - started, 3),
            error=f"{type(exc).__name__}: {exc}",
        )
        log.exception(
            "scheduled sweep raised",
            extra={
                "event": "sweep_end",
                "status": outcome.status,
                "duration_s": outcome.duration_s,
            },
        )
        record_sweep(outcome.duration_s, outcome.status)
        return outcome
    duration = round(time.perf_counter() - started, 3)
    if record is None:
        outcome = ScheduledRun(status="no_sweep", duration_s=duration)
        log.info(
            "scheduled sweep had nothing to run", extra={"event": "sweep_end", "status": "no_sweep"}
        )
        return outcome
    outcome = ScheduledRun(
        status=record.status.value,
        sweep_id=record.sweep_id,
        duration_s=duration,
        error=record.error,
    )
    flagged = record.counts.get("flagged")
    # An incremental sweep counts flags of its periods only; only a full one gives the total.
    record_sweep(duration, outcome.status, flagged if record.full else None)
    log.info(
        "scheduled sweep finished",
        extra={
            "event": "sweep_end",
            "status": outcome.status,
            "sweep_id": record.sweep_id,
            "duration_s": duration,
            "periods": len(record.periods),
            "flagged": flagged,
            "error": record.error or None,
        },
    )
    return outcome


def build_scheduler(
    settings: Settings, cron: str, job: SweepJob = store_sweep
) -> BlockingScheduler:
    """A blocking scheduler with one cron job; at most one run at a time per process (the lock
    covers other processes), and runs missed while down are coalesced into one."""
    scheduler = BlockingScheduler()
    scheduler.add_job(
        run_locked_sweep,
        trigger=cron_trigger(cron),
        args=(settings, job),
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )
    return scheduler


def run_schedule(
    settings: Settings, cron: str = DEFAULT_CRON, once: bool = False, job: SweepJob = store_sweep
) -> ScheduledRun | None:
    """With `once`, run one locked sweep now and return how it ended; else block forever,
    sweeping on the cron schedule."""
    trigger = cron_trigger(cron)
    if once:
        return run_locked_sweep(settings, job)
    scheduler = build_scheduler(settings, cron, job)
    next_run = trigger.get_next_fire_time(None, datetime.now(trigger.timezone))
    log.info(
        "sweep schedule started",
        extra={"event": "schedule_start", "cron": cron, "next_run": next_run},
    )
    scheduler.start()
    return None
