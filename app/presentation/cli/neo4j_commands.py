"""CLI verbs `mrvtrace neo4j install|start|stop|status`: a local Neo4j without Docker."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from app.presentation.cli.help_style import HELP_MARKUP
from app.settings import get_settings

if TYPE_CHECKING:
    from app.infrastructure.neo4j_local import LocalNeo4j, Neo4jLocalError, Neo4jStatus

console = Console()
neo4j_app = typer.Typer(
    help="A local Neo4j Community server (no Docker needed).", rich_markup_mode=HELP_MARKUP
)


def _server() -> LocalNeo4j:
    from app.infrastructure.neo4j_local import LocalNeo4j

    return LocalNeo4j.from_settings(get_settings())


def _fail(error: Neo4jLocalError) -> typer.Exit:
    console.print(f"[red]error:[/red] {error}")
    return typer.Exit(code=1)


def _print_status(status: Neo4jStatus) -> None:
    table = Table(show_header=False, box=None)
    state = "[green]running[/green]" if status.running else "[yellow]stopped[/yellow]"
    table.add_row("state", state)
    table.add_row("installed", "yes" if status.installed else "no")
    table.add_row("version", status.version or "-")
    table.add_row("pid", str(status.pid) if status.pid else "-")
    table.add_row("bolt", f"{status.uri} (port {status.bolt_port})")
    table.add_row("browser", f"{status.browser_url} (port {status.http_port})")
    table.add_row("home", str(status.home))
    table.add_row("log", str(status.log_file))
    console.print(table)


@neo4j_app.command()
def install() -> None:
    """Download the Neo4j jars from Maven Central into the cache folder (once)."""
    from app.infrastructure.neo4j_local import Neo4jLocalError

    server = _server()
    try:
        with console.status(f"resolving Neo4j {server.version} with Maven"):
            lib = server.install()
    except Neo4jLocalError as error:
        raise _fail(error) from error
    jars = len(list(lib.glob("*.jar")))
    console.print(f"Neo4j {server.version} installed: {jars} jars in {lib}")


@neo4j_app.command()
def start() -> None:
    """Start the server (installing it first); returns once Bolt answers."""
    from app.infrastructure.neo4j_local import Neo4jLocalError

    server = _server()
    try:
        with console.status(f"starting Neo4j {server.version} on {server.uri}"):
            status = server.start()
    except Neo4jLocalError as error:
        raise _fail(error) from error
    _print_status(status)


@neo4j_app.command()
def stop() -> None:
    """Stop the server gracefully; harmless when it is not running."""
    stopped = _server().stop()
    console.print("Neo4j stopped" if stopped else "Neo4j was not running")


@neo4j_app.command()
def status() -> None:
    """Report whether the server runs, its version, pid and ports."""
    _print_status(_server().status())


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.add_typer(neo4j_app, name="neo4j")
