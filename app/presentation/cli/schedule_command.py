"""CLI verb `schedule`: run sweeps on a cron schedule (the compose `sweeper` service)."""

from typing import Annotated

import typer

from app.settings import DEFAULT_SWEEP_CRON, get_settings


def _valid_cron(expression: str | None) -> str | None:
    if expression is None:
        return None
    from app.services.schedule import cron_trigger

    try:
        cron_trigger(expression)
    except ValueError as error:
        raise typer.BadParameter(f"not a five-field crontab expression: {error}") from None
    return expression


def schedule(
    cron: Annotated[
        str | None,
        typer.Option(
            "--cron",
            help=(
                "Crontab expression in local time "
                f'(default: MRVTRACE_SWEEP_CRON, else "{DEFAULT_SWEEP_CRON}", 02:00 nightly).'
            ),
            callback=_valid_cron,
        ),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Run one locked sweep now and exit.")
    ] = False,
    metrics_port: Annotated[
        int | None,
        typer.Option("--metrics-port", help="Serve this process's Prometheus metrics here."),
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="Log level.")] = "INFO",
) -> None:
    """Sweep on a cron schedule, one sweep at a time across processes; logs JSON lines."""
    from prometheus_client import start_http_server

    from app.infrastructure.observability import configure_logging, register_secrets
    from app.services.schedule import cron_trigger, run_schedule

    settings = get_settings()
    configure_logging(log_level.upper())
    register_secrets(settings)
    if metrics_port is not None:
        start_http_server(metrics_port)
    chosen = cron or settings.sweep_cron
    try:
        cron_trigger(chosen)
    except ValueError as error:
        raise typer.BadParameter(f"MRVTRACE_SWEEP_CRON {chosen!r}: {error}") from None
    outcome = run_schedule(settings, cron=chosen, once=once)
    if outcome is not None and outcome.status == "failed":
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.command("schedule")(schedule)
