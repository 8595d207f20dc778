"""`mrvtrace generate`: write a synthetic dataset with ground-truth faults."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from synthetic.formats import OutputFormat
from synthetic.worlds import NAMED_WORLDS, World, resolve_world, world_from_file

if TYPE_CHECKING:
    from synthetic.dataset import GenerationSummary


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.command("generate")(generate)


def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the dataset into.")],
    scale: Annotated[
        str,
        typer.Option("--scale", help="small (≈50 enterprises), medium (≈600), national (6,000)."),
    ] = "small",
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 0,
    fault_rate: Annotated[
        float,
        typer.Option("--fault-rate", help="Share of unit-months with a fault; 0 = clean twin."),
    ] = 0.03,
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="Months to cover.")] = 12,
    start_period: Annotated[
        str, typer.Option("--start", help="First period, YYYY-MM.")
    ] = "2023-01",
    fmt: Annotated[OutputFormat, typer.Option("--format", help="File format.")] = OutputFormat.CSV,
    world_name: Annotated[
        str,
        typer.Option(
            "--world",
            help=f"Conventions and noise of the fleet: {', '.join(NAMED_WORLDS)}, or random:SEED.",
        ),
    ] = "baseline",
    world_file: Annotated[
        Path | None,
        typer.Option(
            "--world-file",
            exists=True,
            dir_okay=False,
            help="A world profile (TOML or JSON): `base` world and parameters to override.",
        ),
    ] = None,
    enterprises: Annotated[
        int | None,
        typer.Option("--enterprises", min=1, help="Number of enterprises (overrides --scale's)."),
    ] = None,
) -> None:
    """Generate a synthetic power-sector dataset (contract v1) and its faults.csv."""
    from synthetic.dataset import generate_dataset

    console = Console()
    try:
        world = _world(world_name, world_file)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    with Progress(
        TextColumn("[bold]generating[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(f"{scale} months", total=months)
        try:
            summary = generate_dataset(
                out,
                scale=scale,
                seed=seed,
                fault_rate=fault_rate,
                months=months,
                start_period=start_period,
                fmt=fmt.value,
                progress=lambda done, _total: bar.update(task, completed=done),
                world=world,
                enterprises=enterprises,
            )
        except ValueError as error:
            raise typer.BadParameter(str(error)) from error
    _print_summary(console, summary)


def _world(name: str, path: Path | None) -> World:
    if path is None:
        return resolve_world(name)
    if name != "baseline":
        raise ValueError("give --world or --world-file (with its own `base`), not both")
    return world_from_file(path)


def _print_summary(console: Console, summary: GenerationSummary) -> None:
    rows = Table(title=f"{summary.out} ({summary.format})")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for name, count in summary.rows.items():
        rows.add_row(name, f"{count:,}")
    faults = Table(title=f"faults ({summary.faulted_unit_months:,} unit-months)")
    faults.add_column("fault type")
    faults.add_column("faults", justify="right")
    for name, count in summary.faults.items():
        faults.add_row(name, f"{count:,}")
    console.print(rows)
    console.print(faults)
    console.print(
        f"world {summary.world.name}, scale {summary.scale} ({summary.enterprises:,} "
        f"enterprises), seed {summary.seed}, {summary.seconds:.1f} s"
    )
