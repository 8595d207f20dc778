"""`mrvtrace load DIR`: validate a dataset folder and write its valid rows into a store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.presentation.cli.argument_checks import checked_encoding
from app.settings import StoreKind, get_settings

if TYPE_CHECKING:
    from app.services.loading import LoadReport

EXIT_LOADED, EXIT_NOTHING_LOADED, EXIT_UNUSABLE = 0, 1, 2


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.command("load")(load)


def load(
    folder: Annotated[Path, typer.Argument(help="Dataset folder (CSV/Parquet per the contract).")],
    store: Annotated[
        StoreKind | None, typer.Option(help="Target store (default: $MRVTRACE_STORE).")
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            help="Text encoding of every CSV file, e.g. GBK (default: detected per file: "
            "UTF-8, UTF-8 with BOM, GBK or GB18030).",
            callback=checked_encoding,
        ),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where to write the rejects CSV (default: $MRVTRACE_HOME/rejects.csv)."),
    ] = None,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Initial load of an EMPTY local Neo4j with the offline importer "
            "(stops and restarts the server; much faster than MERGE).",
        ),
    ] = False,
) -> None:
    """Load DIR into the store; rejected rows are reported, valid rows still load."""
    from app.infrastructure.stores.contract import StoreUnavailable
    from app.infrastructure.stores.factory import open_store
    from app.infrastructure.stores.neo4j.bulk_import import BulkImportFailed, BulkImportRefused
    from app.services.bulk_loading import bulk_load_dataset
    from app.services.loading import load_dataset
    from loaders.errors import DatasetError

    console = Console()
    settings = get_settings()
    target = rejects if rejects is not None else settings.home / "rejects.csv"
    if store is not None:
        settings = settings.model_copy(update={"store": store})
    if bulk and settings.store != StoreKind.NEO4J:
        console.print("[red]--bulk loads into Neo4j only:[/] pass --store neo4j.")
        raise typer.Exit(EXIT_NOTHING_LOADED)
    graph = None if bulk else open_store(settings)
    try:
        with Progress(
            TextColumn("{task.description:<36}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("validating", total=None)

            def progress(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total)

            if graph is None:
                report = bulk_load_dataset(folder, settings, progress=progress, encoding=encoding)
            else:
                report = load_dataset(folder, graph, progress=progress, encoding=encoding)
    except DatasetError as error:
        console.print(f"[red]Unusable dataset:[/] {error}")
        raise typer.Exit(EXIT_UNUSABLE) from error
    except StoreUnavailable as error:
        console.print(f"[red]Store unavailable:[/] {error}")
        raise typer.Exit(EXIT_NOTHING_LOADED) from error
    except (BulkImportRefused, BulkImportFailed) as error:
        console.print(f"[red]Bulk load not done:[/] {error}")
        raise typer.Exit(EXIT_NOTHING_LOADED) from error
    finally:
        if graph is not None:
            graph.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    report.rejects.to_csv(target, index=False)
    console.print(summary_table(report))
    if report.unchanged_steps:
        console.print(
            f"{len(report.unchanged_steps)} steps skipped: the store already holds their rows "
            f"as they are ({', '.join(report.unchanged_steps[:3])}"
            f"{', ...' if len(report.unchanged_steps) > 3 else ''})."
        )
    if report.rows_rejected:
        console.print(f"[yellow]{len(report.rejects)} rejects written to {target}[/]")
    if report.rows_loaded == 0:
        console.print("[red]Nothing could be loaded.[/]")
        raise typer.Exit(EXIT_NOTHING_LOADED)
    raise typer.Exit(EXIT_LOADED)


def summary_table(report: LoadReport) -> Table:
    table = Table(title="Load")
    for header in ("table", "rows loaded", "rejected"):
        table.add_column(header, justify="left" if header == "table" else "right")
    for name, counts in report.tables.items():
        style = "red" if counts.rejected else None
        table.add_row(name, f"{counts.loaded:,}", f"{counts.rejected:,}", style=style)
    table.add_section()
    table.add_row("total", f"{report.rows_loaded:,}", f"{report.rows_rejected:,}")
    table.caption = (
        f"{report.total_nodes:,} nodes and {report.total_relationships:,} relationships written "
        f"in {report.total_seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)"
    )
    return table
