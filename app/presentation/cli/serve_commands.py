"""CLI verb `mrvtrace serve`: the REST API under uvicorn."""

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (one per core serves most traffic).")
    ] = 1,
) -> None:
    """Serve the REST API (interactive docs at /docs, OpenAPI at /openapi.json)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from app.infrastructure.observability import configure_logging
    from app.presentation.cli.header_limit import HeaderLimitedHttpTools
    from app.presentation.cli.tcp_listener import TcpListenerConfig

    configure_logging("INFO")
    typer.echo(f"mrvtrace API on http://{host}:{port} (docs: http://{host}:{port}/docs)")
    config = TcpListenerConfig(
        "app.presentation.api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        # Our own middleware logs requests without query strings, which may carry keys.
        access_log=False,
        http=HeaderLimitedHttpTools,
    )
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the `mrvtrace` app."""
    app.command()(serve)
