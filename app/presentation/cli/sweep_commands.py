"""CLI verbs `sweep`, `sweeps` and `findings`."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.settings import Settings, StoreKind, get_settings

if TYPE_CHECKING:
    from app.infrastructure.stores.contract import Store

console = Console()

StoreOption = Annotated[
    StoreKind | None,
    typer.Option("--store", help="Store to use (default: MRVTRACE_STORE)."),
]


def _settings(kind: StoreKind | None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"store": kind}) if kind else settings


def open_store(kind: StoreKind | None) -> Store:
    from app.infrastructure.stores import factory

    return factory.open_store(_settings(kind))


def sweep(
    periods: Annotated[
        list[str] | None, typer.Option("--periods", help="Score only these periods (YYYY-MM).")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Refit models, rescore all.")] = False,
    store: StoreOption = None,
) -> None:
    """Score every edge and node of changed periods and publish the results atomically."""
    from app.infrastructure.observability import record_sweep
    from app.infrastructure.sweep_lock import SweepAlreadyRunning, sweep_lock
    from app.services.sweep import run_sweep

    settings = _settings(store)
    with ExitStack() as resources:
        graph = open_store(store)
        resources.callback(graph.close)
        try:
            resources.enter_context(sweep_lock(settings))
        except SweepAlreadyRunning as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from error
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
        ) as bar:
            task = bar.add_task("sweep", total=1)

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(task, description=stage, completed=done, total=max(total, 1))

            try:
                record = run_sweep(graph, periods=periods, full=full, progress=progress)
            except Exception:
                record_sweep(0.0, "failed")
                raise
    seconds = sum(record.seconds.values())
    record_sweep(seconds, record.status.value, record.counts.get("flagged"))
    console.print(
        f"sweep {record.sweep_id} published: {len(record.periods)} periods, "
        f"{record.counts.get('edges', 0):,} edges scored, "
        f"{record.counts.get('nodes', 0):,} nodes, "
        f"{record.counts.get('flagged', 0):,} unit-months flagged, "
        f"{seconds:.1f} s"
    )


def sweeps(store: StoreOption = None) -> None:
    """List sweeps, newest first."""
    graph = open_store(store)
    try:
        records = graph.list_sweeps()
        current = graph.current_sweep()
    finally:
        graph.close()
    table = Table("sweep_id", "status", "started", "ended", "periods", "edges", "flagged")
    for r in records:
        mark = " (current)" if current and r.sweep_id == current.sweep_id else ""
        table.add_row(
            r.sweep_id + mark,
            r.status.value,
            r.started,
            r.ended or "",
            str(len(r.periods)),
            f"{r.counts.get('edges', 0):,}",
            f"{r.counts.get('flagged', 0):,}",
        )
    console.print(table)


def findings(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    store: StoreOption = None,
) -> None:
    """Write the current sweep's flagged unit-months in the contract's findings format."""
    from app.services.findings_export import write_findings

    graph = open_store(store)
    try:
        rows = write_findings(graph, out)
    finally:
        graph.close()
    console.print(f"{rows:,} findings written to {out}")


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.command("sweep")(sweep)
    app.command("sweeps")(sweeps)
    app.command("findings")(findings)
