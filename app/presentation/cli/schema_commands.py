"""CLI verbs `mrvtrace schema apply|show`: the constraints and indexes of graph_schema."""

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.presentation.cli.help_style import HELP_MARKUP
from app.settings import Settings, StoreKind, get_settings
from graph_schema.labels import CONSTRAINTS, INDEXES

console = Console()
schema_app = typer.Typer(
    help="Constraints and indexes of the graph schema.", rich_markup_mode=HELP_MARKUP
)

StoreOption = Annotated[
    StoreKind | None,
    typer.Option("--store", help="Store to use (default: MRVTRACE_STORE)."),
]


def _settings(kind: StoreKind | None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"store": kind}) if kind else settings


def _schema_table(on_server: set[str] | None) -> Table:
    table = Table(title="graph schema")
    table.add_column("name")
    table.add_column("kind")
    table.add_column("label")
    table.add_column("properties")
    if on_server is not None:
        table.add_column("in database")
    rows = [(c.name, "unique", c.label.value, c.key_property) for c in CONSTRAINTS]
    rows += [(i.name, "index", i.label.value, ", ".join(i.properties)) for i in INDEXES]
    for name, kind, label, props in rows:
        present = [] if on_server is None else ["yes" if name in on_server else "[red]no[/red]"]
        table.add_row(name, kind, label, props, *present)
    return table


def _server_names(store: object) -> set[str] | None:
    """Names of the constraints and online indexes the Neo4j database has (None: embedded)."""
    from app.infrastructure.stores.neo4j import Neo4jStore

    if not isinstance(store, Neo4jStore):
        return None
    online = {row["name"] for row in store.indexes() if row["state"] == "ONLINE"}
    return {row["name"] for row in store.constraints()} | online


@schema_app.command()
def apply(store: StoreOption = None) -> None:
    """Create the constraints and indexes (idempotent: a second run changes nothing)."""
    from app.infrastructure.stores.contract import StoreUnavailable
    from app.infrastructure.stores.factory import open_store

    settings = _settings(store)
    graph = open_store(settings)
    try:
        graph.apply_schema()
        console.print(_schema_table(_server_names(graph)))
        console.print(f"schema applied on the {settings.store.value} store")
    except StoreUnavailable as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(code=1) from error
    finally:
        graph.close()


@schema_app.command()
def show(store: StoreOption = None) -> None:
    """List the schema of graph_schema and, on Neo4j, whether the database has each item."""
    from app.infrastructure.stores.contract import StoreUnavailable
    from app.infrastructure.stores.factory import open_store

    settings = _settings(store)
    graph = open_store(settings)
    try:
        console.print(_schema_table(_server_names(graph)))
        console.print(f"schema applied: {'yes' if graph.schema_applied() else 'no'}")
    except StoreUnavailable as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(code=1) from error
    finally:
        graph.close()


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.add_typer(schema_app, name="schema")
