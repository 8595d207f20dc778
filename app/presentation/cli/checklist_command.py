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
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            file_okay=False,
            help="Write each enterprise's inspection checklist of --year here (CSV and HTML).",
        ),
    ] = None,
    enterprise_id: Annotated[
        str | None, typer.Option("--enterprise", help="With --out: one enterprise.")
    ] = None,
) -> None:
    """Late test reports, samples outside their month and late submissions: procedural
    findings, which never enter an anomaly score or a CO2 impact. With `--out DIR` and
    `--year`: per enterprise, the inspector's checklist of that year (open and confirmed
    findings with their evidence, procedural items, labs and verifiers) as
    `DIR/<enterprise>-<year>.csv` and a printable `.html`."""
    if out is not None:
        if year is None:
            raise typer.BadParameter("--out needs --year")
        _write_inspection_checklists(out, year, enterprise_id)
        return
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


def _write_inspection_checklists(out: Path, year: int, enterprise_id: str | None) -> None:
    from app.infrastructure.stores.factory import open_store
    from app.presentation.inspection_page import inspection_html
    from app.services.access import Scope, ScopeKind
    from app.services.inspection_checklist import inspection_items

    store = open_store(get_settings())
    try:
        rows = inspection_items(store, Scope(ScopeKind.NATIONAL), year, enterprise_id)
    finally:
        store.close()
    if rows.empty:
        Console(stderr=True).print(f"No enterprise reporting in {year}.")
        raise typer.Exit(1)
    out.mkdir(parents=True, exist_ok=True)
    for enterprise, items in rows.groupby("enterprise_id"):
        name = f"{enterprise}-{year}"
        items.to_csv(out / f"{name}.csv", index=False)
        html = inspection_html(str(enterprise), year, items)
        (out / f"{name}.html").write_text(html, encoding="utf-8")
    count = rows["enterprise_id"].nunique()
    Console().print(f"{count:,} inspection checklists of {year} written to {out}")


def register(app: typer.Typer) -> None:
    app.command("checklist")(checklist)
