"""`mrvtrace validate DIR`: check a dataset folder against the contract and report rejects."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.presentation.cli.argument_checks import checked_encoding
from app.settings import get_settings

if TYPE_CHECKING:
    import pandas as pd

    from loaders.validation import ValidatedDataset

SHOWN_REJECTS = 20
EXIT_CLEAN, EXIT_REJECTS, EXIT_UNUSABLE = 0, 1, 2


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.command("validate")(validate)


def validate(
    folder: Annotated[Path, typer.Argument(help="Dataset folder (CSV/Parquet per the contract).")],
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
) -> None:
    """Validate DIR against the dataset contract; exit 1 if any row was rejected."""
    from loaders.errors import DatasetError
    from loaders.validation import validate_dataset

    console = Console()
    target = rejects if rejects is not None else get_settings().home / "rejects.csv"
    if _is_inside(target, folder):
        console.print(f"[red]Refusing to write {target} into the dataset folder {folder}.[/]")
        raise typer.Exit(EXIT_UNUSABLE)
    try:
        result = validate_dataset(folder, encoding=encoding)
    except DatasetError as error:
        console.print(f"[red]Unusable dataset:[/] {error}")
        raise typer.Exit(EXIT_UNUSABLE) from error
    target.parent.mkdir(parents=True, exist_ok=True)
    result.rejects.to_csv(target, index=False)
    console.print(_summary(result))
    if result.clean:
        console.print("[green]No rejects: the dataset meets the contract.[/]")
        raise typer.Exit(EXIT_CLEAN)
    console.print(_first_rejects(result.rejects))
    console.print(f"{len(result.rejects)} rejects written to {target}")
    raise typer.Exit(EXIT_REJECTS)


def _is_inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _summary(result: ValidatedDataset) -> Table:
    table = Table(title="Dataset validation")
    for header in ("table", "encoding", "rows read", "valid", "rejected"):
        table.add_column(header, justify="left" if header in ("table", "encoding") else "right")
    encodings = {file.rsplit(".", 1)[0]: name for file, name in result.encodings.items()}
    for name, counts in result.row_counts.items():
        style = "red" if counts.rejected else None
        table.add_row(
            name,
            encodings.get(name, ""),
            f"{counts.read:,}",
            f"{counts.valid:,}",
            f"{counts.rejected:,}",
            style=style,
        )
    return table


def _first_rejects(rejects: pd.DataFrame) -> Table:
    import pandas as pd

    table = Table(title=f"First {min(SHOWN_REJECTS, len(rejects))} of {len(rejects)} rejects")
    for header in ("file", "line", "column", "value", "reason"):
        table.add_column(header, overflow="fold")
    for row in rejects.head(SHOWN_REJECTS).itertuples(index=False):
        # A Parquet file has no lines: its position is a 0-based row index.
        where = "" if pd.isna(row.line) else str(row.line)
        if where and str(row.file).endswith(".parquet"):
            where = f"row {where}"
        table.add_row(str(row.file), where, str(row.column), str(row.value), str(row.reason))
    return table
