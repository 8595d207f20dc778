"""CLI verbs `mrvtrace neo4j install|start|stop|status`: a local Neo4j without Docker.

An instance is known by its Bolt port (its files live in `instances/bolt-<port>/`), so
`--bolt-port` and `--http-port` address a second server beside the default one. Auth is off on
this development server, which listens on 127.0.0.1 only: drivers connect without credentials
and Neo4j Browser with "No authentication".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.presentation.cli.help_style import HELP_MARKUP
from app.settings import DEFAULT_BOLT_PORT, DEFAULT_HTTP_PORT, get_settings

if TYPE_CHECKING:
    from app.infrastructure.neo4j_local import LocalNeo4j, Neo4jLocalError, Neo4jStatus

console = Console()
neo4j_app = typer.Typer(
    help="A local Neo4j Community server (no Docker needed).", rich_markup_mode=HELP_MARKUP
)

BoltPort = Annotated[
    int | None,
    typer.Option(
        "--bolt-port",
        min=1,
        max=65535,
        help=f"Bolt port of the instance (default: $MRVTRACE_NEO4J_BOLT_PORT, else "
        f"{DEFAULT_BOLT_PORT}).",
    ),
]
HttpPort = Annotated[
    int | None,
    typer.Option(
        "--http-port",
        min=1,
        max=65535,
        help=f"HTTP port of its Browser (default: $MRVTRACE_NEO4J_HTTP_PORT, else "
        f"{DEFAULT_HTTP_PORT}).",
    ),
]


def _server(bolt_port: int | None, http_port: int | None) -> LocalNeo4j:
    from app.infrastructure.neo4j_local import LocalNeo4j

    return LocalNeo4j.from_settings(get_settings(), bolt_port=bolt_port, http_port=http_port)


def _fail(error: Neo4jLocalError) -> typer.Exit:
    console.print(f"[red]error:[/red] {error}")
    return typer.Exit(code=1)


def _announce_download(server: LocalNeo4j) -> None:
    """A line of its own before the slow first download, so it shows in CI logs too."""
    if not server.installed():
        console.print(
            f"downloading Neo4j {server.version} from Maven Central into {server.lib_dir} (once)…"
        )


def _print_status(status: Neo4jStatus) -> None:
    table = Table(show_header=False, box=None)
    table.add_column()
    # Paths fold rather than end in "…": they are there to be copied.
    table.add_column(overflow="fold")
    state = "[green]running[/green]" if status.running else "[yellow]stopped[/yellow]"
    table.add_row("state", state)
    table.add_row("installed", "yes" if status.installed else "no")
    table.add_row("version", status.version or "-")
    table.add_row("pid", str(status.pid) if status.pid else "-")
    table.add_row("bolt", f"{status.uri} (port {status.bolt_port})")
    table.add_row("browser", f"{status.browser_url} (port {status.http_port})")
    table.add_row("auth", 'off (Browser: connect with "No authentication")')
    table.add_row("home", str(status.home))
    table.add_row("log", str(status.log_file))
    console.print(table)
    # Whole and unstyled, so it can be copied or read by a script.
    console.print(f"export NEO4J_URI={status.uri}", markup=False, highlight=False, soft_wrap=True)


@neo4j_app.command()
def install() -> None:
    """Download the Neo4j jars from Maven Central into the cache folder (once)."""
    from app.infrastructure.neo4j_local import Neo4jLocalError

    server = _server(None, None)
    _announce_download(server)
    try:
        with console.status(f"resolving Neo4j {server.version} with Maven"):
            lib = server.install()
    except Neo4jLocalError as error:
        raise _fail(error) from error
    jars = len(list(lib.glob("*.jar")))
    console.print(f"Neo4j {server.version} installed: {jars} jars in {lib}")


@neo4j_app.command()
def start(bolt_port: BoltPort = None, http_port: HttpPort = None) -> None:
    """Start the server (installing it first); returns once Bolt answers."""
    from app.infrastructure.neo4j_local import Neo4jLocalError

    server = _server(bolt_port, http_port)
    _announce_download(server)
    console.print(f"starting Neo4j {server.version} on {server.uri}…")
    try:
        with console.status("waiting for Bolt to answer"):
            status = server.start()
    except Neo4jLocalError as error:
        raise _fail(error) from error
    _print_status(status)


@neo4j_app.command()
def stop(bolt_port: BoltPort = None, http_port: HttpPort = None) -> None:
    """Stop the server gracefully; harmless when it is not running.

    The Bolt port names the instance; --http-port is taken too, so that one set of port options
    serves every verb."""
    stopped = _server(bolt_port, http_port).stop()
    console.print("Neo4j stopped" if stopped else "Neo4j was not running")


@neo4j_app.command()
def status(bolt_port: BoltPort = None, http_port: HttpPort = None) -> None:
    """Report whether the server runs, its version, pid, ports and the NEO4J_URI to export."""
    _print_status(_server(bolt_port, http_port).status())


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.add_typer(neo4j_app, name="neo4j")
