"""CLI verb `checklist`: the compliance checklist (procedural findings) per unit-year or lab."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.settings import get_settings


def checklist(
    by: Annotated[str, typer.Option("--by", help="unit-year or lab.")] = "unit-year",
    year: Annotated[int | None, typer.Option("--year", help="One compliance year.")] = None,
    unit_id: Annotated[str | None, typer.Option("--unit", help="One unit.")] = None,
    lab_id: Annotated[str | None, typer.Option("--lab", help="One lab.")] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", dir_okay=False, help="Also write the rows here.")
    ] = None,
) -> None:
    """Late test reports, samples outside their month and late submissions: procedural
    findings, which never enter an anomaly score or a CO2 impact."""
    from app.infrastructure.stores.factory import open_store
    from app.services.access import Scope, ScopeKind
    from app.services.checklist import ChecklistView, compliance_checklist

    try:
        view = ChecklistView(by)
    except ValueError:
        raise typer.BadParameter("--by must be unit-year or lab") from None
    store = open_store(get_settings())
    try:
        rows = compliance_checklist(store, Scope(ScopeKind.NATIONAL), view, year, unit_id, lab_id)
    finally:
        store.close()
    if csv is not None:
        rows.to_csv(csv, index=False)
    console = Console()
    if rows.empty:
        console.print("No procedural finding.")
        return
    table = Table(*[str(c) for c in rows.columns], title=f"Compliance checklist per {view.value}")
    for row in rows.head(50).itertuples(index=False):
        table.add_row(*["–" if v is None or v != v else str(v) for v in row])
    console.print(table)
    shown = min(len(rows), 50)
    console.print(f"{len(rows)} rows" + (f", first {shown} shown" if shown < len(rows) else ""))


def register(app: typer.Typer) -> None:
    app.command("checklist")(checklist)
