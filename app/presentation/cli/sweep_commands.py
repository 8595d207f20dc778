"""CLI verbs `sweep`, `sweeps` and `findings`."""

from __future__ import annotations

import math
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from app.presentation.cli.argument_checks import checked_periods
from app.presentation.quantities import format_value
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
        list[str] | None,
        typer.Option(
            "--periods",
            help="Score only this period (YYYY-MM); repeat it for several.",
            callback=checked_periods,
        ),
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Refit models, rescore all.")] = False,
    store: StoreOption = None,
) -> None:
    """Score every edge and node of changed periods and publish the results atomically."""
    from app.infrastructure.observability import record_sweep
    from app.infrastructure.sweep_lock import SweepAlreadyRunning, sweep_lock
    from app.services.sweep import NothingLoaded
    from app.services.sweep_upkeep import KNOWLEDGE_STAGE, sweep_with_upkeep

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

            # When the knowledge-base refresh began and ended, for the summary line.
            refresh: dict[int, float] = {}
            shown_stage = ""

            def progress(stage: str, done: int, total: int) -> None:
                nonlocal shown_stage
                if stage != shown_stage:
                    # Each stage's clock starts at zero, as the summary counts its seconds.
                    bar.reset(task, description=stage, completed=done, total=max(total, 1))
                    shown_stage = stage
                else:
                    bar.update(task, completed=done, total=max(total, 1))
                if stage == KNOWLEDGE_STAGE:
                    refresh[done] = time.perf_counter()

            try:
                record = sweep_with_upkeep(
                    graph, settings.keep_sweeps, periods=periods, full=full, progress=progress
                )
            except NothingLoaded as error:
                record_sweep(0.0, "failed")
                console.print(f"[red]sweep failed: {error}[/red]")
                raise typer.Exit(1) from error
            except Exception:
                record_sweep(0.0, "failed")
                raise
    seconds = sum(record.seconds.values())
    record_sweep(seconds, record.status.value, record.counts.get("flagged"))
    indexed = (
        f"; then the knowledge-base refresh took {refresh[1] - refresh[0]:.1f} s"
        if {0, 1} <= refresh.keys()
        else ""
    )
    if not record.periods:
        reason = (
            "none of the periods asked for is loaded"
            if periods
            else "no period has new or changed data since the last sweep"
        )
        console.print(
            f"sweep {record.sweep_id} published: {reason}, so nothing was scored and the "
            f"findings of sweep {record.carries or record.sweep_id} stand (--full rescores every "
            f"period){indexed}"
        )
        return
    counts = record.counts
    stages = ", ".join(f"{stage} {value:.1f} s" for stage, value in record.seconds.items())
    console.print(
        f"sweep {record.sweep_id} published: {len(record.periods)} periods, "
        f"{counts.get('unit_months', 0):,} unit-months scored, "
        f"{counts.get('listed', 0):,} listed for review, {counts.get('flagged', 0):,} of them "
        "flagged (the rest: not significant fleet-wide, rooted in another month or immaterial), "
        f"{counts.get('systemic_sources', 0):,} systemic sources; {seconds:.1f} s ({stages})"
        f"{indexed}"
    )
    fleet = [p for p in record.patterns if p.get("scope") == "fleet"]
    units = [p for p in record.patterns if p.get("scope") == "unit"]
    for pattern in fleet:
        console.print(
            f"  convention of this fleet, not flagged monthly: {pattern['check_id']} "
            f"({pattern['label']}) on {100 * float(pattern['share']):.1f} % of unit-months"
        )
    if units:
        console.print(
            f"  {len(units):,} persistent unit conditions reported once (mrvtrace calibrate)"
        )


def sweeps(store: StoreOption = None) -> None:
    """List sweeps, newest first (a sweep's id is the UTC time it started)."""
    graph = open_store(store)
    try:
        records = graph.list_sweeps()
        current = graph.current_sweep()
    finally:
        graph.close()
    # Narrow enough for 80 columns with whole ids: they are what one types next.
    table = Table(
        "",
        Column("sweep_id", no_wrap=True),
        "status",
        Column("took", justify="right"),
        Column("periods", justify="right"),
        Column("checks", justify="right"),
        Column("flagged", justify="right"),
        box=box.SIMPLE_HEAD,
        caption="* current; (n) the flags of the findings a sweep that scored nothing carries",
        caption_justify="left",
    )
    flagged = {r.sweep_id: r.counts.get("flagged", 0) for r in records}
    for r in records:
        # A sweep that scored nothing shows the flags of the findings it carries, which stand.
        carried = flagged.get(r.carries) if r.carries else None
        table.add_row(
            "*" if current and r.sweep_id == current.sweep_id else "",
            r.sweep_id,
            r.status.value,
            # The stages' seconds, as the sweep itself printed them; "–" while it runs.
            "–" if r.ended is None else f"{sum(r.seconds.values()):.1f} s",
            str(len(r.periods)),
            f"{r.counts.get('checks', 0):,}",
            f"({carried:,})" if carried is not None else f"{flagged[r.sweep_id]:,}",
        )
    console.print(table)
    # A sweep that scored nothing publishes an earlier sweep's results and findings again.
    for r in records:
        if r.carries:
            console.print(f"{r.sweep_id} scored nothing: the findings of {r.carries} stand")


def findings(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.", dir_okay=False)],
    store: StoreOption = None,
) -> None:
    """Write the current sweep's flagged unit-months in the contract's findings format."""
    from app.services.findings_export import write_findings

    graph = open_store(store)
    try:
        rows = write_findings(graph, out)
        swept = graph.current_sweep() is not None
    finally:
        graph.close()
    unswept = "" if swept else " (no sweep has published results yet: run `mrvtrace sweep`)"
    console.print(f"{rows:,} findings written to {out}{unswept}")


def calibrate(store: StoreOption = None) -> None:
    """What the current sweep learned of the fleet: each check's fitted null, the effective
    share of independent checks, the edges' fits, conventions and persistent conditions."""
    graph = open_store(store)
    try:
        current = graph.current_sweep()
    finally:
        graph.close()
    if current is None:
        console.print("no sweep has been published yet")
        raise typer.Exit(1)
    calibration = current.calibration
    console.print(
        f"sweep {current.sweep_id}: engine {current.model_version}, effective share of "
        f"independent checks {format_value(calibration.get('effective_share'))}"
    )
    nulls = Table("check", "rows", "location", "scale", "dof", title="Fitted nulls")
    for check_id, null in sorted(calibration.get("nulls", {}).items()):
        if not null.get("fitted", True):
            # Too few rows to learn a tail from: the check keeps the standard normal.
            nulls.add_row(check_id, f"{null['n']:,}", "not fitted: standard normal", "", "")
            continue
        dof = float(null["dof"])
        nulls.add_row(
            check_id,
            f"{null['n']:,}",
            format_value(null["location"]),
            format_value(null["scale"]),
            format_value(dof) if math.isfinite(dof) else "∞ (normal)",
        )
    console.print(nulls)
    edges = Table("edge", "rows", "coefficients", title="Learned edges")
    for edge in calibration.get("edges", []):
        coefficients = ", ".join(
            f"{k} {'+' if v >= 0 else ''}{format_value(v)}"
            for k, v in edge.get("coefficients", {}).items()
        )
        edges.add_row(edge["edge_type"], f"{edge['n']:,}", coefficients)
    console.print(edges)
    patterns = Table("scope", "check", "unit", "share", "label", title="Patterns reported once")
    for pattern in current.patterns:
        patterns.add_row(
            str(pattern["scope"]),
            str(pattern["check_id"]),
            str(pattern.get("unit_id") or ""),
            f"{100 * float(pattern['share']):.1f} %",
            str(pattern["label"]),
        )
    console.print(patterns)


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.command("sweep")(sweep)
    app.command("sweeps")(sweeps)
    app.command("findings")(findings)
    app.command("calibrate")(calibrate)
